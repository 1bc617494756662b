"""Browser smoke test, run with the Python 3.11 venv that has Playwright.

Logs in through the real form, opens the key-account kanban, prints what it
shows as JSON and saves a screenshot. Usage:
    kanban_smoke.py URL LOGIN PASSWORD ACTION_ID SCREENSHOT
"""
import json
import sys

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def main(url, login, password, action_id, screenshot):
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url + "/web/login")
        page.fill("input[name=login]", login)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_selector(".o_main_navbar, .o_web_client", timeout=60000)
        page.goto("%s/web#action=%s&view_type=kanban" % (url, action_id))
        page.wait_for_selector(".o_kanban_view .o_kanban_record",
                               timeout=60000)
        page.wait_for_timeout(1000)
        cards = page.eval_on_selector_all(
            ".o_kanban_record .o_kanban_record_title",
            "els => els.map(e => e.innerText.trim())")
        columns = page.eval_on_selector_all(
            ".o_kanban_group .o_column_title",
            "els => els.map(e => e.innerText.trim())")
        page.screenshot(path=screenshot, full_page=True)
        browser.close()
    print(json.dumps({"cards": cards, "columns": columns}))


if __name__ == "__main__":
    main(*sys.argv[1:6])
