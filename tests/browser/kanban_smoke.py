"""Browser smoke test: the key-account kanban as one user sees it.

Prints what the kanban shows as JSON and saves a screenshot. Usage:
    kanban_smoke.py URL LOGIN PASSWORD ACTION_ID SCREENSHOT
"""
import json
import sys

from browser_common import logged_in, open_kanban


def main(url, login, password, action_id, screenshot):
    with logged_in(url, login, password) as page:
        open_kanban(page, url, action_id)
        cards = page.eval_on_selector_all(
            ".o_kanban_record .o_kanban_record_title",
            "els => els.map(e => e.innerText.trim())")
        columns = page.eval_on_selector_all(
            ".o_kanban_group .o_column_title",
            "els => els.map(e => e.innerText.trim())")
        page.screenshot(path=screenshot, full_page=True)
    print(json.dumps({"cards": cards, "columns": columns}))


if __name__ == "__main__":
    main(*sys.argv[1:6])
