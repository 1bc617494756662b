"""Multi-company (issue 7) over XML-RPC, as a user of a second company
created for the test: B's KAM sees B's records only, A's records stay
closed to them, and A's director does not see B's.

The in-process multi-company tests (isolation over the ORM, links across
companies, the scheduled actions per company) are in the addon:
``kam_management/tests/test_multi_company.py``, run by Odoo's runner. This
test builds its own company and cleans up after itself: the server's
database is shared by the session's other tests.
"""
import xmlrpc.client

import pytest


# ----------------------------------------------------------------------
# Over XML-RPC, as a user of company B created for the test
# ----------------------------------------------------------------------
def test_company_b_user_over_rpc(server):
    suffix = "_rpc"
    admin = "admin"
    created = []

    def make(model, vals):
        rid = server.call(admin, model, "create", vals,
                          context={"no_reset_password": True})
        created.append((model, rid))
        return rid

    try:
        company = make("res.company", {"name": "RPC Company B"})
        groups = [server.ref("kam_management.group_kam_user"),
                  server.ref("sales_team.group_sale_salesman")]
        kam = make("res.users", {
            "name": "mc_kam" + suffix, "login": "mc_kam" + suffix,
            "password": "mc_kam" + suffix, "company_id": company,
            "email": "mc_kam%s@example.com" % suffix,
            "company_ids": [(6, 0, [company])],
            "groups_id": [(6, 0, groups)]})
        region = make("kam.region", {
            "name": "RPC Region B", "company_id": company,
            "member_ids": [(6, 0, [kam])]})
        level = server.ref("kam_management.relationship_level_vendor")
        account = make("res.partner", {
            "name": "RPC B Steel", "is_company": True,
            "company_id": company, "kam_is_key_account": True,
            "kam_account_type": "key", "kam_manager_id": kam,
            "kam_region_id": region, "kam_relationship_level_id": level})
        login = "mc_kam" + suffix
        visit = server.call(login, "kam.visit", "create", {
            "partner_id": account, "purpose": "RPC plant tour"})
        created.append(("kam.visit", visit))
        # B's KAM sees B's visit and region only
        visits = server.call(login, "kam.visit", "search_read", [],
                             fields=["partner_id", "company_id"])
        assert [v["id"] for v in visits] == [visit]
        assert visits[0]["company_id"][0] == company
        assert server.call(login, "kam.region", "search", []) == [region]
        # A's records stay closed to them
        a_account = server.ref("kam_management.partner_kam_shanghai_metro")
        a_visit = server.call(admin, "kam.visit", "search",
                              [("partner_id", "=", a_account)], limit=1)
        with pytest.raises(xmlrpc.client.Fault) as error:
            server.call(login, "kam.visit", "read", a_visit, ["name"])
        assert "security restrictions" in error.value.faultString
        with pytest.raises(xmlrpc.client.Fault) as error:
            server.call(login, "kam.visit", "create", {
                "partner_id": a_account, "purpose": "not ours"})
        assert "Key Account" in error.value.faultString
        # and A's director does not see B's visit
        assert not server.call("kam_director", "kam.visit", "search",
                               [("id", "=", visit)])
    finally:
        # the server's database is shared by the session's other tests:
        # remove everything, also the partners of the company and user
        for model, rid in list(created):
            if model in ("res.company", "res.users"):
                partner = server.call(admin, model, "read", [rid],
                                      ["partner_id"])[0]["partner_id"][0]
                created.insert(0, ("res.partner", partner))
        for model, rid in reversed(created):
            try:
                server.call(admin, model, "unlink", [rid])
            except xmlrpc.client.Fault:
                if model == "res.users":
                    server.call(admin, model, "write", [rid],
                                {"active": False})
