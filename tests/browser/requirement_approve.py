"""Approve a requirement's solution in a real browser (Playwright, Chromium).

Logs in through the real form, opens the requirements kanban (columns and
overdue cards), then the requirement's form, clicks "Approve" and prints
what it saw as JSON. Usage:
    requirement_approve.py URL LOGIN PASSWORD ACTION_ID RECORD_ID
                           FORM_SCREENSHOT KANBAN_SCREENSHOT
"""
import json
import sys

from browser_common import logged_in, open_kanban

CURRENT_STAGE = ".o_form_view .o_statusbar_status .btn-primary"


def main(url, login, password, action_id, record_id, screenshot,
         kanban_screenshot):
    with logged_in(url, login, password) as page:
        open_kanban(page, url, action_id)
        columns = page.eval_on_selector_all(
            ".o_kanban_group .o_column_title",
            "els => els.map(e => e.innerText.trim())")
        overdue = page.eval_on_selector_all(
            ".o_kanban_record.o_kam_overdue .o_kanban_record_title",
            "els => els.map(e => e.innerText.trim())")
        page.screenshot(path=kanban_screenshot, full_page=True)
        page.goto("%s/web#id=%s&model=kam.requirement&view_type=form"
                  "&action=%s" % (url, record_id, action_id))
        page.wait_for_selector(CURRENT_STAGE, timeout=60000)
        before = page.inner_text(CURRENT_STAGE).strip()
        title = page.inner_text(".o_form_view .oe_title h1").strip()
        # Odoo 11 renders header buttons without their method name
        button = ".o_statusbar_buttons button:visible:text-is('Approve')"
        page.click(button)
        page.wait_for_selector(
            ".o_statusbar_status button.btn-primary[data-value=approved]",
            timeout=60000)
        page.wait_for_timeout(500)
        after = page.inner_text(CURRENT_STAGE).strip()
        page.screenshot(path=screenshot, full_page=True)
    print(json.dumps({"title": title, "before": before, "after": after,
                      "columns": columns, "overdue": overdue}))


if __name__ == "__main__":
    main(*sys.argv[1:8])
