"""Browser test of the phone page /kam/visits (issue 14), at a phone's
viewport (390x844, is_mobile, touch).

Usage:
  field_visit.py phone URL LOGIN PASSWORD PURPOSE LAT LON PHOTO SHOTS_PREFIX
      geolocation granted and set to LAT, LON ("denied": not granted):
      open the visit of PURPOSE, check in, add the photo PHOTO, check out,
      write the report, submit. Prints what the page showed as JSON.
  review URL LOGIN PASSWORD VISIT_ID SHOT
      the back office's visit form (desktop): the check-in page's distance,
      flag badge and photo names, as JSON.
"""
import json
import sys

from playwright.sync_api import sync_playwright

from browser_common import ARGS, logged_in

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
         "has_touch": True, "device_scale_factor": 2}


def text(page, selector):
    node = page.query_selector(selector)
    return node.inner_text().strip() if node else None


def phone(url, login, password, purpose, lat, lon, photo, shots):
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=ARGS)
        options = dict(PHONE)
        if lat != "denied":
            options.update(permissions=["geolocation"],
                           geolocation={"latitude": float(lat),
                                        "longitude": float(lon),
                                        "accuracy": 15})
        context = browser.new_context(**options)
        page = context.new_page()
        sizes = []
        page.on("response", lambda r: sizes.append(
            int(r.headers.get("content-length") or 0)))
        try:
            page.goto(url + "/web/login?redirect=/kam/visits")
            page.fill("input[name=login]", login)
            page.fill("input[name=password]", password)
            page.tap("button[type=submit]")
            page.wait_for_selector(".o_kam_visit_page", timeout=60000)
            sizes[:] = []
            page.reload()
            page.wait_for_selector(".o_kam_visit_page", timeout=60000)
            list_bytes = sum(sizes)
            page.screenshot(path=shots + "_list.png")
            card = page.locator(".kv_card", has_text=purpose)
            shown = {"list_bytes": list_bytes,
                     "width": page.evaluate("document.body.scrollWidth")}
            card.tap()
            page.wait_for_selector(".kv_check_in", timeout=60000)
            shown["button_height"] = page.eval_on_selector(
                ".kv_check_in", "e => e.getBoundingClientRect().height")
            page.tap(".kv_check_in")
            page.wait_for_selector(".kv_checked_in", timeout=60000)
            shown["checked_in"] = text(page, ".kv_checked_in")
            shown["flag"] = text(page, ".kv_flag")
            page.set_input_files("input[name=photos]", photo)
            page.tap(".kv_add_photo")
            page.wait_for_selector(".kv_thumb", timeout=60000)
            shown["photos"] = len(page.query_selector_all(".kv_thumb"))
            page.screenshot(path=shots + "_checked_in.png", full_page=True)
            page.tap(".kv_check_out")
            page.wait_for_selector(".kv_checked_out", timeout=60000)
            shown["checked_out"] = text(page, ".kv_checked_out")
            page.fill("textarea[name=report_summary]",
                      "Met the facility manager at the plant.")
            page.fill("textarea[name=report_customer_needs]",
                      "Faster repairs on line 2.")
            page.fill("textarea[name=report_competitor_info]",
                      "A competitor offered a service contract.")
            page.fill("textarea[name=report_next_steps]",
                      "Send the quote by Friday.")
            page.tap(".kv_submit")
            page.wait_for_selector(".kv_status", timeout=60000)
            page.wait_for_load_state("networkidle")
            shown["status"] = text(page, ".kv_status")
            shown["error"] = text(page, ".kv_error")
            shown["width_after"] = page.evaluate(
                "document.body.scrollWidth")
            page.screenshot(path=shots + "_submitted.png", full_page=True)
        finally:
            browser.close()
    return shown


def review(url, login, password, visit_id, shot):
    with logged_in(url, login, password) as page:
        page.goto("%s/web#id=%s&model=kam.visit&view_type=form"
                  % (url, visit_id))
        page.reload()
        page.wait_for_selector(".o_form_view", timeout=60000)
        page.locator(".o_notebook a", has_text="Check-in").click()
        page.wait_for_selector(".o_field_widget[name=check_in_at]",
                               timeout=60000)
        page.wait_for_timeout(500)
        badge = page.query_selector("[name=check_in_flag_badge]")
        shown = {
            "distance": text(page, ".o_field_widget[name="
                                   "check_in_distance_m]"),
            "flag": badge.inner_text().strip()
            if badge and badge.is_visible() else None,
            "photos": [n.inner_text().strip() for n in page.query_selector_all(
                ".o_field_widget[name=photo_ids] .o_attachment, "
                ".o_field_widget[name=photo_ids] a")],
            "map": page.eval_on_selector(
                ".o_field_widget[name=check_in_map_url]",
                "e => e.querySelector('a') ? e.querySelector('a').href "
                ": (e.href || '')")
            if page.query_selector(
                ".o_field_widget[name=check_in_map_url]") else None,
        }
        page.screenshot(path=shot)
    return shown


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    result = phone(*args) if mode == "phone" else review(*args)
    print(json.dumps(result))
