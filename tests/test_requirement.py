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
