"""A KAM logs a visit in the browser and sees the card's state change (R8)."""
import datetime
import json
import os
import subprocess

from conftest import ROOT

BROWSER_PY = os.path.join(ROOT, ".venv-browser", "bin", "python")
SCRIPT = os.path.join(ROOT, "tests", "browser", "visit_done.py")
SCREENSHOT = os.path.join(ROOT, "docs", "visit_done_kanban.png")


def test_marking_a_visit_done_turns_the_card_ok(server):
    account = server.ref("kam_management.partner_kam_hilton_east")
    name = server.call("admin", "res.partner", "read", [account],
                       ["display_name"])[0]["display_name"]
    state = server.call("kam_manager_1", "res.partner", "read", [account],
                        ["kam_visit_state"])[0]["kam_visit_state"]
    assert state == "overdue"
    an_hour_ago = (datetime.datetime.utcnow()
                   - datetime.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    visit = server.call("kam_manager_1", "kam.visit", "create", {
        "partner_id": account, "visit_date": an_hour_ago,
        "purpose": "Renovation follow-up", "kind": "on_site"})
    out = subprocess.run(
        [BROWSER_PY, SCRIPT, server.url, "kam_manager_1", "kam_manager_1",
         str(server.ref("kam_management.res_partner_kam_action")),
         str(server.ref("kam_management.kam_visit_action")), str(visit),
         name, SCREENSHOT],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300,
        universal_newlines=True)
    assert out.returncode == 0, out.stderr[-3000:]
    shown = json.loads(out.stdout.strip().splitlines()[-1])
    assert shown["before"] == "overdue"
    assert shown["after"] == "ok"
    row = server.call("kam_manager_1", "kam.visit", "read", [visit],
                      ["state"])[0]
    assert row["state"] == "done"
    assert not server.call(
        "admin", "mail.activity", "search",
        [("res_model", "=", "res.partner"), ("res_id", "=", account),
         ("user_id", "=", server.ref("kam_management.user_kam_manager_1")),
         ("activity_type_id", "=",
          server.ref("kam_management.mail_activity_type_kam_visit"))])
