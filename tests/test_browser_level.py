"""A relationship-level change in a real browser (R11, issue 12):
kam_manager_1 drags an account's card up a level on the key-account
kanban and is told a request was sent (the card stays in its column);
kam_regional approves the request and sees the card in the new column."""
import json
import os
import subprocess

from conftest import ROOT

BROWSER_PY = os.path.join(ROOT, ".venv-browser", "bin", "python")
SCRIPT = os.path.join(ROOT, "tests", "browser", "level_request.py")
# written to a scratch folder: docs/ keeps the README's screenshots only
SHOTS = os.path.join(ROOT, ".state")
REQUEST = "kam.relationship.level.request"


def run(*args):
    out = subprocess.run(
        [BROWSER_PY, SCRIPT] + [str(a) for a in args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300,
        universal_newlines=True)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_kam_drags_card_and_regional_manager_approves(server):
    account = server.ref("kam_management.partner_kam_nanjing_hospital")
    name = server.call("admin", "res.partner", "read", [account],
                       ["display_name"])[0]["display_name"]
    vendor = server.ref("kam_management.relationship_level_vendor")
    supplier = server.ref(
        "kam_management.relationship_level_preferred_supplier")
    names = {level: server.call("admin", "kam.relationship.level", "read",
                                [level], ["name"])[0]["name"]
             for level in (vendor, supplier)}
    kanban = server.ref("kam_management.res_partner_kam_action")
    requests = server.ref(
        "kam_management.kam_relationship_level_request_action")
    history_before = set(server.call("admin", "kam.relationship.history",
                                     "search",
                                     [("partner_id", "=", account)]))
    reason = "Browser: the hospital signed the framework contract."
    os.makedirs(SHOTS, exist_ok=True)
    try:
        shown = run("request", server.url, "kam_manager_1", "kam_manager_1",
                    kanban, name, names[vendor], names[supplier], reason,
                    os.path.join(SHOTS, "level_request_kanban.png"))
        # told, and the card stayed where it was
        assert shown["title"] == "Level change requested"
        assert name in shown["message"] and names[supplier] in \
            shown["message"]
        assert "second person" in shown["dialog"]
        assert shown["before"] == shown["after"] == names[vendor]
        found = server.call("admin", REQUEST, "search_read",
                            [("partner_id", "=", account),
                             ("state", "=", "pending")],
                            fields=["new_level_id", "reason",
                                    "requested_by"])
        assert len(found) == 1
        request = found[0]
        assert request["new_level_id"][0] == supplier
        assert request["reason"] == reason
        assert request["requested_by"][0] == server.ref(
            "kam_management.user_kam_manager_1")
        level = server.call("admin", "res.partner", "read", [account],
                            ["kam_relationship_level_id"])[0]
        assert level["kam_relationship_level_id"][0] == vendor

        shown = run("approve", server.url, "kam_regional", "kam_regional",
                    kanban, name, requests, request["id"],
                    os.path.join(SHOTS, "level_request_approved.png"))
        assert (shown["before"], shown["status"]) == ("Pending", "Approved")
        assert shown["column"] == names[supplier]
        assert shown["badge"] == 0
        level = server.call("admin", "res.partner", "read", [account],
                            ["kam_relationship_level_id"])[0]
        assert level["kam_relationship_level_id"][0] == supplier
    finally:
        server.call("admin", "res.partner", "write", [account],
                    {"kam_relationship_level_id": vendor})
        rows = set(server.call("admin", "kam.relationship.history",
                               "search", [("partner_id", "=", account)]))
        if rows - history_before:
            server.call("kam_director", "kam.relationship.history", "unlink",
                        sorted(rows - history_before))
        made = server.call("admin", REQUEST, "search",
                           [("partner_id", "=", account)])
        if made:
            server.call("kam_director", REQUEST, "unlink", made)
