"""Browser test: a role's cockpit (issue 15).

Opens the cockpit action, waits for its charts, counts the SVG elements
drawn, saves a screenshot, then clicks the tile ``TILE`` and reads the
list it lands on. Usage:
    dashboard.py URL LOGIN PASSWORD ACTION_ID TILE SHOT
Prints a JSON object.
"""
import json
import sys

from browser_common import logged_in

SVG_COUNTS = {
    "charts": ".o_kam_chart svg",
    "lines": ".o_kam_chart svg path.nv-line",
    "bars": ".o_kam_chart svg rect.discreteBar, "
            ".o_kam_chart svg rect.o_kam_funnel_bar",
    "gauges": ".o_kam_gauge svg path.o_kam_gauge_value",
    "tiles": ".o_kam_tile",
}


def main(url, login, password, action_id, tile, shot):
    with logged_in(url, login, password) as page:
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto("%s/web#action=%s" % (url, action_id))
        page.wait_for_selector(".o_kam_dashboard .o_kam_tile", timeout=60000)
        page.wait_for_selector(".o_kam_chart svg path.nv-line",
                               state="attached", timeout=60000)
        page.wait_for_timeout(1500)
        shown = {key: len(page.query_selector_all(sel))
                 for key, sel in SVG_COUNTS.items()}
        shown["chart_keys"] = page.eval_on_selector_all(
            ".o_kam_chart", "els => els.map(e => e.dataset.key)")
        shown["title"] = page.inner_text(".o_kam_dashboard_title")
        shown["funnel_texts"] = page.eval_on_selector_all(
            ".o_kam_funnel_text", "els => els.map(e => e.textContent)")
        shown["tooltips"] = page.eval_on_selector_all(
            ".o_kam_tile, .o_kam_gauge, .o_kam_chart",
            "els => els.filter(e => !e.getAttribute('title')).length")
        shown["errors"] = errors + [e.inner_text() for e in
                                    page.query_selector_all(".modal-body")]
        if shown["errors"]:
            print(json.dumps(shown, ensure_ascii=False))
            return
        page.screenshot(path=shot, full_page=True)
        selector = ".o_kam_tile[data-key='%s']" % tile
        shown["tile_value"] = page.inner_text(
            selector + " .o_kam_tile_value")
        page.click(selector)
        page.wait_for_selector(".o_list_view", timeout=60000)
        page.wait_for_timeout(1000)
        shown["rows"] = len(page.query_selector_all(
            ".o_list_view tbody tr.o_data_row"))
        limit = page.query_selector(".o_pager_limit")
        shown["pager_total"] = limit.inner_text() if limit else None
        shown["breadcrumb"] = page.eval_on_selector_all(
            ".o_control_panel .breadcrumb li",
            "els => els.map(e => e.innerText.trim())")
    print(json.dumps(shown, ensure_ascii=False))


if __name__ == "__main__":
    main(*sys.argv[1:])
