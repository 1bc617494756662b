"""One-stop service (R6) over XML-RPC: the public methods of
``kam.requirement`` as the demo users call them, against a live server.

The in-process tests of the workflow, the stage targets and the access per
role are the addon's own: ``kam_management/tests/test_requirement.py``.
"""
import xmlrpc.client

import pytest


def rpc_fault(server, *args, **kwargs):
    with pytest.raises(xmlrpc.client.Fault) as info:
        server.call(*args, **kwargs)
    return info.value.faultString


def test_rpc_checks_rights_and_input(server):
    req = server.ref("kam_management.requirement_review")
    message = rpc_fault(server, "kam_support", "kam.requirement",
                        "action_approve", [req])
    assert "Approve" in message
    message = rpc_fault(server, "kam_manager_1", "kam.requirement",
                        "action_reject", [req])
    assert "Reason" in message
    message = rpc_fault(server, "kam_manager_1", "kam.requirement", "write",
                        [req], {"state": "delivered"})
    assert "Move to Delivered" in message
    assert "is Review; allowed only from Approved" in message
    # another KAM's account: refused by the record rules
    message = rpc_fault(server, "kam_manager_2", "kam.requirement", "read",
                        [req], ["name"])
    assert "security restrictions" in message
    assert "Operation: read" in message
    row = server.call("admin", "kam.requirement", "read", [req],
                      ["state"])[0]
    assert row["state"] == "review"


def in_review(server, name):
    """A requirement of kam_manager_1's 上海地铁 brought to review as in
    real use: the KAM starts it, technical support submits the solution."""
    account = server.ref("kam_management.partner_kam_shanghai_metro")
    req = server.call("kam_manager_1", "kam.requirement", "create",
                      {"name": name, "partner_id": account})
    server.call("kam_manager_1", "kam.requirement", "action_start", [req])
    server.call("kam_support", "kam.requirement", "write", [req],
                {"solution": "<p>Heat recovery wheel.</p>"})
    server.call("kam_support", "kam.requirement", "action_submit_solution",
                [req])
    return req


def test_who_approves_a_solution_over_rpc(server):
    """R6: the regional manager approves instead of the KAM only with a
    reason, given as an argument or in the context; the reason is
    recorded."""
    reqs = [in_review(server, "RPC approval %d" % n) for n in (1, 2)]
    regional = server.ref("kam_management.user_kam_regional")
    try:
        message = rpc_fault(server, "kam_regional", "kam.requirement",
                            "action_approve", [reqs[0]])
        assert "Reason: you approve the solution of" in message
        row = server.call("admin", "kam.requirement", "read", [reqs[0]],
                          ["state", "approval_reason"])[0]
        assert (row["state"], row["approval_reason"]) == ("review", False)
        server.call("kam_regional", "kam.requirement", "action_approve",
                    [reqs[0]], reason="Sun Li is on leave.")
        server.call("kam_director", "kam.requirement", "action_approve",
                    [reqs[1]], context={
                        "kam_approval_reason": "Both managers are away."})
        rows = server.call("admin", "kam.requirement", "read", reqs,
                           ["state", "approval_reason", "approved_user_id"])
        assert [row["state"] for row in rows] == ["approved", "approved"]
        assert rows[0]["approval_reason"] == "Sun Li is on leave."
        assert rows[0]["approved_user_id"][0] == regional
        assert rows[1]["approval_reason"] == "Both managers are away."
    finally:
        server.call("kam_director", "kam.requirement", "unlink", reqs)
