"""Relationship-level requests over XML-RPC (R11, issue 12), as an
integrator or the web client calls them: ``kam_manager_1`` asks with
``res.partner.action_kam_request_level``, ``kam_regional`` decides with
``action_approve`` / ``action_reject``. Each test puts the account back as
it found it and removes what it made."""
import xmlrpc.client

import pytest

REQUEST = "kam.relationship.level.request"
HISTORY = "kam.relationship.history"
ACCOUNT = "kam_management.partner_kam_nanjing_hospital"  # kam 1, vendor


@pytest.fixture
def world(server):
    ref = server.ref
    w = {
        "account": ref(ACCOUNT),
        "vendor": ref("kam_management.relationship_level_vendor"),
        "supplier": ref(
            "kam_management.relationship_level_preferred_supplier"),
        "kam1": ref("kam_management.user_kam_manager_1"),
        "regional": ref("kam_management.user_kam_regional"),
    }
    requests_before = set(server.call("admin", REQUEST, "search", []))
    history_before = set(server.call(
        "admin", HISTORY, "search", [("partner_id", "=", w["account"])]))
    yield w
    # the account back at its level, without a trace of the test
    server.call("admin", "res.partner", "write", [w["account"]],
                {"kam_relationship_level_id": w["vendor"]})
    history = set(server.call(
        "admin", HISTORY, "search", [("partner_id", "=", w["account"])]))
    if history - history_before:
        server.call("kam_director", HISTORY, "unlink",
                    sorted(history - history_before))
    made = set(server.call("admin", REQUEST, "search", [])) - requests_before
    if made:
        server.call("kam_director", REQUEST, "unlink", sorted(made))


def level_of(server, account):
    return server.call("admin", "res.partner", "read", [account],
                       ["kam_relationship_level_id"])[0][
                           "kam_relationship_level_id"][0]


def test_kam_asks_regional_manager_approves_over_rpc(server, world):
    account = world["account"]
    request_id = server.call(
        "kam_manager_1", "res.partner", "action_kam_request_level",
        [account], world["supplier"], "Framework contract signed.")
    assert isinstance(request_id, int)
    row = server.call("kam_manager_1", REQUEST, "read", [request_id],
                      ["state", "old_level_id", "new_level_id",
                       "requested_by", "reason"])[0]
    assert row["state"] == "pending"
    assert row["old_level_id"][0] == world["vendor"]
    assert row["new_level_id"][0] == world["supplier"]
    assert row["requested_by"][0] == world["kam1"]
    assert level_of(server, account) == world["vendor"]
    # the regional manager has the activity and decides
    tasks = server.call("kam_regional", "mail.activity", "search_read",
                        [("res_model", "=", REQUEST),
                         ("res_id", "=", request_id)],
                        fields=["user_id"])
    assert [t["user_id"][0] for t in tasks] == [world["regional"]]
    assert server.call("kam_regional", REQUEST, "action_approve",
                       [request_id]) is True
    assert level_of(server, account) == world["supplier"]
    history = server.call(
        "kam_manager_1", HISTORY, "search_read",
        [("request_id", "=", request_id)],
        fields=["user_id", "requested_by_id", "approved_by_id",
                "change_type", "direction", "loyalty_upgrade"])
    assert len(history) == 1
    assert history[0]["user_id"][0] == world["regional"]
    assert history[0]["requested_by_id"][0] == world["kam1"]
    assert history[0]["approved_by_id"][0] == world["regional"]
    assert history[0]["change_type"] == "request"
    assert history[0]["direction"] == "up"
    assert history[0]["loyalty_upgrade"] is True
    assert not server.call("admin", "mail.activity", "search",
                           [("res_model", "=", REQUEST),
                            ("res_id", "=", request_id)])


def test_kam_cannot_write_the_level_or_decide_over_rpc(server, world):
    account = world["account"]
    with pytest.raises(xmlrpc.client.Fault) as info:
        server.call("kam_manager_1", "res.partner", "write", [account],
                    {"kam_relationship_level_id": world["supplier"]})
    assert info.value.faultCode == 4  # an access error
    assert "you cannot change the level" in info.value.faultString
    assert level_of(server, account) == world["vendor"]
    request_id = server.call(
        "kam_manager_1", "res.partner", "action_kam_request_level",
        [account], world["supplier"], "Framework contract signed.")
    for method, kwargs in (("action_approve", {}),
                           ("action_reject", {"reason": "No."})):
        with pytest.raises(xmlrpc.client.Fault) as info:
            server.call("kam_manager_1", REQUEST, method, [request_id],
                        **kwargs)
        assert info.value.faultCode == 4
        assert "you cannot decide your own request" in \
            info.value.faultString
    # the regional manager rejects: nothing changes
    server.call("kam_regional", REQUEST, "action_reject", [request_id],
                reason="Wait for the yearly supplier review.")
    assert server.call("admin", REQUEST, "read", [request_id],
                       ["state"])[0]["state"] == "rejected"
    assert level_of(server, account) == world["vendor"]
    assert not server.call("admin", HISTORY, "search",
                           [("request_id", "=", request_id)])
