"""A relationship-level request in a real browser (R11, issue 12).

Two steps, one log-in each:

``request``: the KAM drags the account's card from its level's column to
the next one on the key-account kanban, types the reason the dialog asks
for and sends it; prints the notification, the column the card is in once
the kanban has reloaded and whether it shows the "level change requested"
badge.

``approve``: the regional manager opens the request, clicks Approve, then
opens the kanban; prints the status and the card's column.

Usage:
    level_request.py request URL LOGIN PASSWORD KANBAN_ACTION ACCOUNT
                     FROM_LEVEL TO_LEVEL REASON SCREENSHOT
    level_request.py approve URL LOGIN PASSWORD KANBAN_ACTION ACCOUNT
                     REQUEST_ACTION REQUEST_ID SCREENSHOT
"""
import json
import sys

from browser_common import logged_in, open_kanban

COLUMN = ".o_kanban_group:has(.o_column_title:text-is('%s'))"
CARD = ".o_kanban_record:has(.o_kanban_record_title:has-text('%s'))"


def column_of(page, account):
    """The title of the column the account's card is in."""
    return page.eval_on_selector(
        CARD % account,
        "el => el.closest('.o_kanban_group')"
        ".querySelector('.o_column_title').innerText.trim()")


def drag(page, source, target):
    """Drag ``source`` onto ``target`` as a person does with the mouse
    (jQuery UI's sortable follows mouse moves, not HTML5 drag events)."""
    box = page.locator(source).bounding_box()
    goal = page.locator(target).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + 15,
                    steps=5)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + 80,
                    steps=25)
    page.wait_for_timeout(300)
    page.mouse.up()


def request(url, login, password, action, account, from_level, to_level,
            reason, screenshot):
    with logged_in(url, login, password) as page:
        open_kanban(page, url, action)
        before = column_of(page, account)
        drag(page, (COLUMN % from_level) + " " + (CARD % account),
             COLUMN % to_level)
        page.wait_for_selector(".modal .o_kam_level_reason", timeout=30000)
        dialog = page.inner_text(".modal .o_kam_level_request_dialog")
        page.fill(".modal .o_kam_level_reason", reason)
        page.click(".modal .o_kam_level_send")
        page.wait_for_selector(".o_notification", timeout=30000)
        title = page.inner_text(".o_notification .o_notification_title")
        message = page.inner_text(".o_notification .o_notification_content")
        # the kanban reloads: the card is back in its column, with a badge
        page.wait_for_selector(
            (CARD % account) + " .o_kam_level_request", timeout=30000)
        page.wait_for_timeout(500)
        after = column_of(page, account)
        page.screenshot(path=screenshot, full_page=True)
    print(json.dumps({"before": before, "after": after, "dialog": dialog,
                      "title": title.strip(), "message": message.strip()}))


def approve(url, login, password, action, account, request_action,
            request_id, screenshot):
    with logged_in(url, login, password) as page:
        page.goto("%s/web#id=%s&model=kam.relationship.level.request"
                  "&view_type=form&action=%s" % (url, request_id,
                                                 request_action))
        current = ".o_form_view .o_statusbar_status .btn-primary"
        page.wait_for_selector(current, timeout=60000)
        before = page.inner_text(current).strip()
        page.click(".o_statusbar_buttons button:visible:text-is('Approve')")
        page.wait_for_selector(
            ".o_statusbar_status button.btn-primary[data-value=approved]",
            timeout=60000)
        status = page.inner_text(current).strip()
        open_kanban(page, url, action)
        column = column_of(page, account)
        badge = page.locator(
            (CARD % account) + " .o_kam_level_request").count()
        page.screenshot(path=screenshot, full_page=True)
    print(json.dumps({"before": before, "status": status, "column": column,
                      "badge": badge}))


if __name__ == "__main__":
    step = {"request": request, "approve": approve}[sys.argv[1]]
    step(*sys.argv[2:11])
