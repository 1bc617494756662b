"""Shared Playwright helpers for the browser tests (Python 3.11 venv)."""
from contextlib import contextmanager

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


# what shows once logged in: the web client (employees), or the customer
# portal under /my (portal users)
WEB_CLIENT = ".o_main_navbar, .o_web_client"
PORTAL = ".o_portal_my_home"


@contextmanager
def logged_in(url, login, password, ready=WEB_CLIENT):
    """A page logged in through Odoo's real login form."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url + "/web/login")
        page.fill("input[name=login]", login)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_selector(ready, timeout=60000)
        try:
            yield page
        finally:
            browser.close()


def open_kanban(page, url, action_id):
    page.goto("%s/web#action=%s&view_type=kanban" % (url, action_id))
    page.wait_for_selector(".o_kanban_view .o_kanban_record", timeout=60000)
    page.wait_for_timeout(1000)
