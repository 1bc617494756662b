"""kam_manager_1 approves a solution in a real browser (R6)."""
import json
import os
import subprocess

from conftest import ROOT

BROWSER_PY = os.path.join(ROOT, ".venv-browser", "bin", "python")
SCRIPT = os.path.join(ROOT, "tests", "browser", "requirement_approve.py")
SCREENSHOT = os.path.join(ROOT, "docs", "requirement_approve.png")
KANBAN = os.path.join(ROOT, "docs", "requirement_kanban.png")


def test_kam_manager_approves_a_solution_in_the_browser(server):
    account = server.ref("kam_management.partner_kam_shanghai_metro")
    name = "Browser approval: platform screen door cooling"
    # the requirement reaches review as in real use: the KAM starts it,
    # technical support drafts and submits the solution
    req = server.call("kam_manager_1", "kam.requirement", "create",
                      {"name": name, "partner_id": account})
    try:
        server.call("kam_manager_1", "kam.requirement", "action_start", [req])
        server.call("kam_support", "kam.requirement", "write", [req],
                    {"solution": "<p>Fan-coil units behind the doors.</p>"})
        server.call("kam_support", "kam.requirement",
                    "action_submit_solution", [req])
        action = server.ref("kam_management.kam_requirement_action")
        os.makedirs(os.path.dirname(SCREENSHOT), exist_ok=True)
        out = subprocess.run(
            [BROWSER_PY, SCRIPT, server.url, "kam_manager_1",
             "kam_manager_1", str(action), str(req), SCREENSHOT, KANBAN],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300,
            universal_newlines=True)
        assert out.returncode == 0, out.stderr[-3000:]
        shown = json.loads(out.stdout.strip().splitlines()[-1])
        assert shown["title"] == name
        assert shown["before"] == "Review"
        assert shown["after"] == "Approved"
        # the kanban has a column per stage; the demo requirement left in
        # "received" for three days is past its target and shows red
        assert shown["columns"][:6] == ["Received", "Drafting", "Review",
                                        "Approved", "Delivered", "Cancelled"]
        overdue = server.call("kam_manager_1", "kam.requirement",
                              "search_read", [("is_overdue", "=", True)],
                              fields=["name"])
        assert overdue
        assert sorted(shown["overdue"]) == sorted(r["name"] for r in overdue)
        row = server.call("admin", "kam.requirement", "read", [req],
                          ["state", "approved_user_id", "stage_user_id"])[0]
        kam1 = server.ref("kam_management.user_kam_manager_1")
        assert row["state"] == "approved"
        assert row["approved_user_id"][0] == kam1
        assert row["stage_user_id"][0] == kam1  # next: deliver it
    finally:
        server.call("kam_director", "kam.requirement", "unlink", [req])
