"""The public API over XML-RPC, as integrators and the demo users call it."""
import xmlrpc.client

import pytest

KA = [("kam_is_key_account", "=", True)]
FIELDS = ["name", "kam_manager_id", "kam_region_id",
          "kam_relationship_level_id", "kam_account_type"]


def fault(server, *args, **kwargs):
    with pytest.raises(xmlrpc.client.Fault) as info:
        server.call(*args, **kwargs)
    return info.value.faultString


def test_kam_reads_own_accounts_only(server):
    kam1 = server.ref("kam_management.user_kam_manager_1")
    rows = server.call("kam_manager_1", "res.partner", "search_read", KA,
                       fields=FIELDS)
    assert rows and all(r["kam_manager_id"][0] == kam1 for r in rows)
    other = server.ref("kam_management.partner_kam_wuxi_semicon")
    message = fault(server, "kam_manager_1",
                    "res.partner", "read", [other], ["name"])
    assert "security restrictions" in message


def test_kam_2_cannot_write_kam_1_account(server):
    account = server.ref("kam_management.partner_kam_shanghai_metro")
    level = server.ref("kam_management.relationship_level_vendor")
    fault(server, "kam_manager_2", "res.partner", "write", [account],
          {"kam_relationship_level_id": level})
    row = server.call("admin", "res.partner", "read", [account],
                      ["kam_relationship_level_id"])[0]
    assert row["kam_relationship_level_id"][0] == server.ref(
        "kam_management.relationship_level_strategic_alliance")


def test_rpc_write_of_level_writes_history(server):
    """The region's manager writes the level (a KAM asks for the change,
    tests/test_level_request_rpc.py)."""
    account = server.ref("kam_management.partner_kam_ningbo_port")
    partner_level = server.ref("kam_management.relationship_level_partner")
    alliance = server.ref("kam_management.relationship_level_strategic_alliance")
    regional = server.ref("kam_management.user_kam_regional")
    server.call("kam_regional", "res.partner", "write", [account],
                {"kam_relationship_level_id": alliance})
    try:
        rows = server.call("kam_manager_1", "kam.relationship.history",
                           "search_read", [("partner_id", "=", account)],
                           fields=["old_level_id", "new_level_id", "user_id",
                                   "direction"], limit=1)
        assert rows[0]["old_level_id"][0] == partner_level
        assert rows[0]["new_level_id"][0] == alliance
        assert rows[0]["user_id"][0] == regional
        assert rows[0]["direction"] == "up"
    finally:
        server.call("kam_regional", "res.partner", "write", [account],
                    {"kam_relationship_level_id": partner_level})


def test_bad_input_over_rpc_is_a_clear_error_and_writes_nothing(server):
    name = "RPC Incomplete Key Account"
    message = fault(server, "kam_director", "res.partner", "create", {
        "name": name, "is_company": True, "kam_is_key_account": True,
        "kam_account_type": "key",
        "kam_region_id": server.ref("kam_management.region_east_china"),
        "kam_relationship_level_id":
            server.ref("kam_management.relationship_level_vendor")})
    assert "Key Account Manager" in message
    assert not server.call("admin", "res.partner", "search",
                           [("name", "=", name)])


def test_support_cannot_change_key_account_data(server):
    account = server.ref("kam_management.partner_kam_hangzhou_mall")
    rows = server.call("kam_support", "res.partner", "read", [account],
                       FIELDS)
    assert rows[0]["kam_region_id"]
    fault(server, "kam_support", "res.partner", "write", [account],
          {"kam_account_type": "key"})


def test_only_director_edits_history(server):
    row = server.call("kam_regional", "kam.relationship.history", "search",
                      [], limit=1)
    assert row
    fault(server, "kam_regional", "kam.relationship.history", "write", row,
          {"reason": "x"})
    fault(server, "kam_manager_1", "kam.relationship.history", "unlink", row)


SMART_BUTTONS = {
    "action_kam_view_visits": "kam.visit",
    "action_kam_view_relationship_history": "kam.relationship.history",
    "action_kam_view_support_team": "kam.support.team",
    "action_kam_view_requirements": "kam.requirement",
    "action_kam_view_complaints": "kam.complaint",
    "action_kam_view_info": "kam.info",
}


def test_account_smart_buttons_open_their_records_over_rpc(server):
    """The web client calls a smart button over RPC: each returns a window
    action on the account's records (the Complaints button returned None,
    which XML-RPC cannot even marshal)."""
    account = server.ref("kam_management.partner_kam_shanghai_metro")
    for method, model in sorted(SMART_BUTTONS.items()):
        action = server.call("kam_manager_1", "res.partner", method,
                             [account])
        assert action["type"] == "ir.actions.act_window", method
        assert action["res_model"] == model, method
        if method == "action_kam_view_support_team":
            team = server.call("kam_manager_1", "kam.support.team",
                               "search", [("partner_id", "=", account)])
            assert [action["res_id"]] == team
        else:
            assert action["domain"] == [["partner_id", "=", account]], method
            assert action["context"]["default_partner_id"] == account
            # the records it opens are readable by the user who clicked
            server.call("kam_manager_1", model, "search_read",
                        action["domain"], fields=["id"])


def test_kam_proposes_a_category_a_director_approves_over_rpc(server):
    """R10 (issue 13): a KAM proposes an information category, which they
    cannot use nor approve; the director, asked by an activity, approves
    it; then the KAM files information under it."""
    name = "RPC Proposed Category"
    account = server.ref("kam_management.partner_kam_shanghai_metro")
    director = server.ref("kam_management.user_kam_director")
    kam1 = server.ref("kam_management.user_kam_manager_1")
    rid = server.call("kam_manager_1", "kam.info.category", "create",
                      {"name": name, "description": "Overheard at fairs"})
    info_ids = []
    try:
        row = server.call("admin", "kam.info.category", "read", [rid],
                          ["state", "proposed_by_id"])[0]
        assert row["state"] == "proposed"
        assert row["proposed_by_id"][0] == kam1
        asked = server.call("admin", "mail.activity", "search_read", [
            ("res_model", "=", "kam.info.category"), ("res_id", "=", rid)],
            fields=["user_id"])
        assert director in [a["user_id"][0] for a in asked]
        info = {"name": "Heard at the fair", "partner_id": account,
                "category_id": rid, "importance": "normal"}
        # not usable yet, and not approved by the KAM
        assert "is Proposed" in fault(server, "kam_manager_1", "kam.info",
                                      "create", info)
        message = fault(server, "kam_manager_1", "kam.info.category",
                        "action_approve", [rid])
        assert "only a sales director" in message
        server.call("kam_director", "kam.info.category", "action_approve",
                    [rid])
        assert server.call("admin", "kam.info.category", "read", [rid],
                           ["state"])[0]["state"] == "approved"
        assert not server.call("admin", "mail.activity", "search", [
            ("res_model", "=", "kam.info.category"), ("res_id", "=", rid)])
        info_ids.append(server.call("kam_manager_1", "kam.info", "create",
                                    info))
    finally:
        if info_ids:
            server.call("admin", "kam.info", "unlink", info_ids)
        server.call("admin", "kam.info.category", "unlink", [rid])
