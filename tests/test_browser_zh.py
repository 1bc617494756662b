"""A zh_CN user sees only Chinese for the addon's own strings (issue 17).

As kam_manager_1 with Chinese preferences, in a real browser: the
key-account kanban, the visit list and a visit form, the requirements
kanban and the compliance list. No label of these screens may be one of
the addon's English strings that has a Chinese translation; each screen is
saved for the README (docs/zh_*.png)."""
import json
import os
import re
import subprocess

import polib

from conftest import ROOT

BROWSER_PY = os.path.join(ROOT, ".venv-browser", "bin", "python")
SCRIPT = os.path.join(ROOT, "tests", "browser", "zh_pages.py")
DOCS = os.path.join(ROOT, "docs")
PO = os.path.join(ROOT, "kam_management", "i18n", "zh_CN.po")


def english_strings():
    """The addon's English strings that read differently in Chinese."""
    return {entry.msgid for entry in polib.pofile(PO)
            if entry.msgstr and entry.msgstr != entry.msgid
            and re.search("[A-Za-z]{2}", entry.msgid)}


def test_zh_cn_user_sees_the_addon_in_chinese(server):
    kam1 = server.ref("kam_management.user_kam_manager_1")
    lang = server.call("admin", "res.users", "read", [kam1],
                       ["lang"])[0]["lang"]
    visit = server.call("kam_manager_1", "kam.visit", "search", [],
                        limit=1)[0]
    pages = {
        "key_account_kanban": "action=%d&view_type=kanban" % server.ref(
            "kam_management.res_partner_kam_action"),
        "visit_list": "action=%d&view_type=list" % server.ref(
            "kam_management.kam_visit_action"),
        "visit_form": "id=%d&model=kam.visit&view_type=form&action=%d" % (
            visit, server.ref("kam_management.kam_visit_action")),
        "requirement_kanban": "action=%d&view_type=kanban" % server.ref(
            "kam_management.kam_requirement_action"),
        "visit_compliance": "action=%d&view_type=list" % server.ref(
            "kam_management.kam_visit_compliance_action"),
    }
    server.call("admin", "res.users", "write", [kam1], {"lang": "zh_CN"})
    try:
        out = subprocess.run(
            [BROWSER_PY, SCRIPT, server.url, "kam_manager_1",
             "kam_manager_1", DOCS] + ["%s=%s" % item
                                       for item in sorted(pages.items())],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600,
            universal_newlines=True)
    finally:
        server.call("admin", "res.users", "write", [kam1], {"lang": lang})
    assert out.returncode == 0, out.stderr[-3000:]
    shown = json.loads(out.stdout.strip().splitlines()[-1])
    english = english_strings()
    for name in pages:
        labels = shown[name]
        assert any(re.search("[\u4e00-\u9fff]", label) for label in labels), \
            (name, labels)
        found = [label for label in labels if label in english]
        assert not found, (name, found)
        assert os.path.getsize(os.path.join(DOCS, "zh_%s.png" % name)) > 10000
