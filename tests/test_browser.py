"""The key-account kanban in a real browser (Debian's Chromium, Playwright)."""
import json
import os
import subprocess

from conftest import ROOT

BROWSER_PY = os.path.join(ROOT, ".venv-browser", "bin", "python")
SCRIPT = os.path.join(ROOT, "tests", "browser", "kanban_smoke.py")
SCREENSHOT = os.path.join(ROOT, "docs", "key_account_kanban.png")


def test_kam_manager_sees_own_accounts_on_kanban(server):
    action = server.ref("kam_management.res_partner_kam_action")
    kam1 = server.ref("kam_management.user_kam_manager_1")
    expected = server.call("admin", "res.partner", "search_read",
                           [("kam_is_key_account", "=", True),
                            ("kam_manager_id", "=", kam1)],
                           fields=["display_name"])
    others = server.call("admin", "res.partner", "search_read",
                         [("kam_is_key_account", "=", True),
                          ("kam_manager_id", "!=", kam1)],
                         fields=["display_name"])
    os.makedirs(os.path.dirname(SCREENSHOT), exist_ok=True)
    out = subprocess.run(
        [BROWSER_PY, SCRIPT, server.url, "kam_manager_1", "kam_manager_1",
         str(action), SCREENSHOT],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300,
        universal_newlines=True)
    assert out.returncode == 0, out.stderr[-3000:]
    shown = json.loads(out.stdout.strip().splitlines()[-1])
    assert sorted(shown["cards"]) == sorted(
        r["display_name"] for r in expected)
    assert not set(shown["cards"]) & {r["display_name"] for r in others}
    # every relationship level is a column, from vendor to alliance
    assert len(shown["columns"]) >= 4
    assert os.path.getsize(SCREENSHOT) > 10000
