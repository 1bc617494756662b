"""Browser test: the addon's screens as a zh_CN user sees them.

Opens each page given as ``NAME=URL_FRAGMENT``, collects the texts of the
screen's own labels (menus, breadcrumbs, buttons, column headers, kanban
columns, field labels, status bar, tabs) and saves a screenshot
``SHOT_DIR/zh_NAME.png``. Usage:
    zh_pages.py URL LOGIN PASSWORD SHOT_DIR NAME=FRAGMENT [...]
Prints {NAME: [label, ...]} as JSON.
"""
import json
import os
import sys

from browser_common import logged_in

# the screen's own words, never a record's data
LABELS = ", ".join([
    ".o_main_navbar .o_menu_sections a", ".o_sub_menu a",
    ".o_control_panel .breadcrumb li", ".o_control_panel button",
    ".o_list_view thead th", ".o_kanban_group .o_column_title",
    ".o_form_label", ".o_statusbar_status button",
    ".o_form_statusbar .o_statusbar_buttons button",
    ".o_notebook .nav-tabs a",
])


def main(url, login, password, shot_dir, *pages):
    shown = {}
    with logged_in(url, login, password) as page:
        for spec in pages:
            name, fragment = spec.split("=", 1)
            page.goto("%s/web#%s" % (url, fragment))
            page.reload()
            page.wait_for_selector(
                ".o_kanban_view .o_kanban_record, .o_list_view tbody tr, "
                ".o_form_view .o_form_sheet", timeout=60000)
            page.wait_for_timeout(1500)
            shown[name] = page.eval_on_selector_all(
                LABELS, "els => els.map(e => e.innerText.trim())"
                        ".filter(t => t)")
            page.screenshot(path=os.path.join(shot_dir, "zh_%s.png" % name))
    print(json.dumps(shown, ensure_ascii=False))


if __name__ == "__main__":
    main(*sys.argv[1:])
