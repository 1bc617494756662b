"""The customer portal in a real browser (R7, Playwright, Chromium).

A contact with portal access logs in through Odoo's login form, lands on
/my, opens "Complaints" and the complaint given, and prints what the page
shows (state, times, commitments) as JSON; the complaint page is saved as
a screenshot. Usage:
    portal.py URL LOGIN PASSWORD COMPLAINT_NAME SCREENSHOT
"""
import json
import sys

from browser_common import PORTAL, logged_in


def text(page, selector):
    return page.inner_text(selector).strip() \
        if page.locator(selector).count() else None


def main(url, login, password, complaint, screenshot):
    with logged_in(url, login, password, ready=PORTAL) as page:
        home = page.url
        entries = page.eval_on_selector_all(
            ".o_portal_docs li", "els => els.map(e => e.innerText.trim())")
        page.click(".o_kam_portal_complaints a")
        page.wait_for_selector(".o_kam_portal_complaint_list", timeout=60000)
        page.click(".o_kam_portal_complaint_list a:text-is('%s')"
                   % complaint)
        page.wait_for_selector(".o_kam_portal_complaint", timeout=60000)
        shown = {
            "home": home,
            "entries": entries,
            "url": page.url,
            "title": text(page, ".o_kam_portal_complaint .panel-heading "
                                "span:first-child"),
            "state": text(page, ".o_kam_portal_complaint .o_kam_state"),
            "state_key": page.get_attribute(".o_kam_portal_complaint",
                                            "data-state"),
            "elapsed": text(page, ".o_kam_elapsed .o_kam_hours"),
            "response": text(page, ".o_kam_commitment_response .o_kam_hours"),
            "resolution": text(
                page, ".o_kam_commitment_resolution .o_kam_hours"),
            "late": page.locator(".o_kam_late").count(),
        }
        page.screenshot(path=screenshot, full_page=True)
    print(json.dumps(shown))


if __name__ == "__main__":
    main(*sys.argv[1:6])
