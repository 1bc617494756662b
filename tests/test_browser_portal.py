"""The customer portal in a real browser (R7): the demo contact kam_portal
(陈刚 of 上海地铁) logs in through the login form, lands on /my and opens
his account's breached complaint: its status, the time since it was
received and the station's commitments. The page is saved for the README
(docs/portal.png)."""
import json
import os
import subprocess

from conftest import ROOT

BROWSER_PY = os.path.join(ROOT, ".venv-browser", "bin", "python")
SCRIPT = os.path.join(ROOT, "tests", "browser", "portal.py")
SCREENSHOT = os.path.join(ROOT, "docs", "portal.png")


def test_portal_contact_sees_the_complaint_state_and_times(server):
    cid = server.ref("kam_management.complaint_breached")
    row = server.call("admin", "kam.complaint", "read", [cid],
                      ["name", "state", "response_breached",
                       "resolution_breached"])[0]
    out = subprocess.run(
        [BROWSER_PY, SCRIPT, server.url, "kam_portal", "kam_portal",
         row["name"], SCREENSHOT],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300,
        universal_newlines=True)
    assert out.returncode == 0, out.stderr[-3000:]
    shown = json.loads(out.stdout.strip().splitlines()[-1])
    # the login form led to the portal, with the account's entries
    assert shown["home"].rstrip("/").endswith("/my")
    assert any("Complaints" in entry for entry in shown["entries"])
    assert any("Requirements" in entry for entry in shown["entries"])
    assert shown["url"].endswith("/my/kam/complaint/%d" % cid)
    assert shown["title"] == row["name"]
    # the status, as the customer reads it
    assert shown["state_key"] == row["state"] == "new"
    assert shown["state"] == "Received"
    # received three days before the install: days, spelled out
    assert "day" in shown["elapsed"]
    assert shown["response"] == "4 hours"
    assert shown["resolution"] == "2 days"
    assert shown["late"] == int(row["response_breached"]) + int(
        row["resolution_breached"])
    assert os.path.getsize(SCREENSHOT) > 10000
