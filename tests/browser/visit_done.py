"""Browser test: a KAM marks a planned visit done in its form, and the
account's card on the key-account kanban changes its visit state.

Usage: visit_done.py URL LOGIN PASSWORD KANBAN_ACTION VISIT_ACTION VISIT_ID
                     ACCOUNT_NAME SCREENSHOT
Prints {"before": state, "after": state, "visit_state": label} as JSON.
"""
import json
import sys

from browser_common import logged_in, open_kanban

CARD_STATE = """(els, name) => {
    const card = els.find(e => e.querySelector('.o_kanban_record_title')
                                 .innerText.trim() === name);
    if (!card) { return null; }
    const badge = card.querySelector('.o_kam_visit_state');
    return badge ? badge.className.match(/o_kam_visit_state_(\\w+)/)[1] : '';
}"""


def card_state(page, name):
    return page.eval_on_selector_all(".o_kanban_record", CARD_STATE, name)


def main(url, login, password, kanban_action, visit_action, visit_id,
         account, screenshot):
    with logged_in(url, login, password) as page:
        open_kanban(page, url, kanban_action)
        before = card_state(page, account)
        page.goto("%s/web#id=%s&model=kam.visit&view_type=form&action=%s"
                  % (url, visit_id, visit_action))
        page.reload()
        # Odoo 11 renders buttons without their name: find them by label
        buttons = ".o_form_statusbar button:visible"
        done = page.locator(buttons, has_text="Mark as Done")
        done.wait_for(timeout=60000)
        done.click()
        page.locator(buttons, has_text="Submit Report").wait_for(
            timeout=60000)
        visit_state = page.inner_text(
            ".o_statusbar_status .btn-primary, "
            ".o_statusbar_status .o_arrow_button.btn-primary")
        open_kanban(page, url, kanban_action)
        after = card_state(page, account)
        page.screenshot(path=screenshot, full_page=True)
    print(json.dumps({"before": before, "after": after,
                      "visit_state": visit_state.strip()}))


if __name__ == "__main__":
    main(*sys.argv[1:9])
