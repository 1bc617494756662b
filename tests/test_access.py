"""What each role can and cannot do, as the real demo users (not admin)."""
from datetime import timedelta

import pytest

from odoo import fields

from common import (AccessError, as_user, key_account_vals, make_company,
                    raises_and_rolls_back, ref)

KA = [("kam_is_key_account", "=", True)]


def visible_accounts(env, login):
    return env["res.partner"].with_env(as_user(env, login)).search(KA)


def test_kam_sees_only_own_accounts(env):
    mine = visible_accounts(env, "kam_manager_1")
    assert mine
    assert set(mine.sudo().mapped("kam_manager_id")) == {
        ref(env, "user_kam_manager_1")}
    other = ref(env, "partner_kam_wuxi_semicon")  # kam_manager_2's
    partner = other.with_env(as_user(env, "kam_manager_1"))
    with pytest.raises(AccessError):
        partner.read(["name", "kam_relationship_level_id"])


def test_regional_manager_sees_region(env):
    seen = visible_accounts(env, "kam_regional")
    east = ref(env, "region_east_china")
    assert set(seen.sudo().mapped("kam_region_id")) == {east}
    assert len(seen) == env["res.partner"].search_count(
        KA + [("kam_region_id", "=", east.id)])


def test_director_and_secretary_see_all(env):
    total = env["res.partner"].search_count(KA)
    assert len(visible_accounts(env, "kam_director")) == total
    assert len(visible_accounts(env, "kam_secretary")) == total


def test_support_reads_team_accounts_but_cannot_edit(env):
    """Pure support staff see the key accounts of the teams they are active
    members of, and nothing else (R5)."""
    seen = visible_accounts(env, "kam_support")
    assert set(seen) == {ref(env, "partner_kam_shanghai_metro"),
                         ref(env, "partner_kam_hangzhou_mall")}
    members = env["kam.support.team.member"].search(
        [("user_id", "=", ref(env, "user_kam_support").id)])
    assert set(members.mapped("partner_id")) == set(seen)
    account = seen[0]
    assert account.read(["kam_relationship_level_id"])
    with raises_and_rolls_back(env, AccessError):
        account.write({"kam_relationship_level_id":
                       ref(env, "relationship_level_partner").id})


def test_support_on_team_a_cannot_see_team_b_account(env):
    """kam_support (teams of kam_manager_1's accounts) and kam_support_2
    (teams of kam_manager_2's accounts) do not see each other's accounts,
    even in the same region; a former member sees nothing any more."""
    team_b_account = ref(env, "partner_kam_wuxi_semicon")
    assert team_b_account in visible_accounts(env, "kam_support_2")
    assert team_b_account not in visible_accounts(env, "kam_support")
    with pytest.raises(AccessError):
        team_b_account.with_env(as_user(env, "kam_support")).read(["name"])
    # kam_support_2 left the Shanghai Metro team last month
    former = ref(env, "partner_kam_shanghai_metro")
    assert former not in visible_accounts(env, "kam_support_2")
    # a region's support staff who is on no team sees no key account
    assert ref(env, "user_kam_support") in ref(
        env, "region_east_china").member_ids
    env["kam.support.team.member"].search(
        [("user_id", "=", ref(env, "user_kam_support").id)]).unlink()
    assert not visible_accounts(env, "kam_support")


def test_joining_and_leaving_a_team_changes_visibility_at_once(env):
    account = ref(env, "partner_kam_hefei_auto")
    assert account not in visible_accounts(env, "kam_support")
    member = env["kam.support.team.member"].create({
        "team_id": account.kam_support_team_id.id,
        "user_id": ref(env, "user_kam_support").id,
        "role": "customer_service"})
    assert account in visible_accounts(env, "kam_support")
    history = env["kam.relationship.history"].with_env(
        as_user(env, "kam_support")).search([("partner_id", "=", account.id)])
    assert history
    yesterday = fields.Date.to_string(
        fields.Date.from_string(fields.Date.today()) - timedelta(days=1))
    member.write({"date_from": "2020-01-01", "date_to": yesterday})
    assert account not in visible_accounts(env, "kam_support")
    assert not env["kam.relationship.history"].with_env(
        as_user(env, "kam_support")).search([("partner_id", "=", account.id)])


def test_ordinary_partners_stay_visible(env):
    prospect = ref(env, "partner_kam_prospect_fuzhou")
    for login in ("kam_manager_1", "kam_support", "kam_secretary"):
        partner = prospect.with_env(as_user(env, login))
        assert partner.read(["name"])[0]["name"] == prospect.name


def test_non_kam_user_cannot_read_or_write_kam_fields(env):
    clerk = env["res.users"].create({
        "name": "Clerk", "login": "clerk_kam_test",
        "groups_id": [(6, 0, [ref(env, "base.group_user").id,
                              ref(env, "base.group_partner_manager").id])]})
    account = ref(env, "partner_kam_shanghai_metro").sudo(clerk)
    # the account stays usable by the rest of Odoo
    assert account.read(["name"])
    account.write({"phone": "+86 21 5555 0000"})
    with pytest.raises(AccessError):
        account.read(["kam_manager_id"])
    with raises_and_rolls_back(env, AccessError):
        account.write({"kam_relationship_level_id":
                       ref(env, "relationship_level_vendor").id})


def test_kam_edits_own_account_data_but_not_assignment(env):
    kam1 = as_user(env, "kam_manager_1")
    account = ref(env, "partner_kam_suzhou_industrial").with_env(kam1)
    account.write({"kam_account_type": "national",
                   "kam_relationship_level_id":
                       ref(env, "relationship_level_partner").id})
    assert account.kam_account_type == "national"
    for vals in ({"kam_manager_id": ref(env, "user_kam_manager_2").id},
                 {"kam_region_id": ref(env, "region_south_china").id},
                 {"kam_is_key_account": False}):
        with raises_and_rolls_back(env, AccessError):
            account.write(vals)
    with raises_and_rolls_back(env, AccessError):
        account.action_kam_demote()
    account.invalidate_cache()
    assert account.sudo().kam_is_key_account


def test_kam_cannot_touch_other_kams_account(env):
    kam1 = as_user(env, "kam_manager_1")
    other = ref(env, "partner_kam_hefei_auto").with_env(kam1)
    with raises_and_rolls_back(env, AccessError):
        other.write({"kam_relationship_level_id":
                     ref(env, "relationship_level_partner").id})
    assert ref(env, "partner_kam_hefei_auto").kam_relationship_level_id == \
        ref(env, "relationship_level_vendor")


def test_kam_cannot_promote(env):
    company = make_company(env, "Not Yet Key")
    kam1 = as_user(env, "kam_manager_1")
    with raises_and_rolls_back(env, AccessError):
        company.with_env(kam1).write(key_account_vals(env))
    with raises_and_rolls_back(env, AccessError):
        env["res.partner"].with_env(kam1).create(
            key_account_vals(env, name="Self Promoted", is_company=True))
    assert not env["res.partner"].search([("name", "=", "Self Promoted")])


def test_regional_manager_promotes_and_reassigns_in_own_region(env):
    regional = as_user(env, "kam_regional")
    company = make_company(env, "East Newcomer")
    company.with_env(regional).write(key_account_vals(env))
    assert company.kam_is_key_account
    account = company.with_env(regional)
    account.write({"kam_manager_id": ref(env, "user_kam_manager_2").id})
    assert company.kam_manager_id == ref(env, "user_kam_manager_2")
    # but not into a region that is not theirs
    with raises_and_rolls_back(env, AccessError):
        account.write({"kam_region_id": ref(env, "region_south_china").id})
    assert company.kam_region_id == ref(env, "region_east_china")
    south = ref(env, "partner_kam_guangzhou_airport").with_env(regional)
    with raises_and_rolls_back(env, AccessError):
        south.write({"kam_relationship_level_id":
                     ref(env, "relationship_level_vendor").id})


def test_director_changes_everything(env):
    director = as_user(env, "kam_director")
    account = ref(env, "partner_kam_guangzhou_airport").with_env(director)
    account.write({"kam_region_id": ref(env, "region_east_china").id,
                   "kam_manager_id": ref(env, "user_kam_manager_1").id})
    account.action_kam_demote()
    assert not account.kam_is_key_account


def test_only_directors_edit_history(env):
    account = ref(env, "partner_kam_shanghai_metro")
    row = account.kam_relationship_history_ids[0]
    for login in ("kam_manager_1", "kam_regional", "kam_secretary"):
        user_row = row.with_env(as_user(env, login))
        assert user_row.read(["reason"])
        with raises_and_rolls_back(env, AccessError):
            user_row.write({"reason": "rewritten"})
        with raises_and_rolls_back(env, AccessError):
            user_row.unlink()
        with raises_and_rolls_back(env, AccessError):
            env["kam.relationship.history"].with_env(
                as_user(env, login)).create({
                    "partner_id": account.id,
                    "new_level_id": ref(env, "relationship_level_vendor").id})
    director_row = row.with_env(as_user(env, "kam_director"))
    director_row.write({"reason": "corrected"})
    assert row.reason == "corrected"
    director_row.unlink()
    assert not row.exists()


def test_kam_does_not_see_other_kams_history(env):
    other = ref(env, "partner_kam_wuxi_semicon")
    History = env["kam.relationship.history"]
    seen = History.with_env(as_user(env, "kam_manager_1")).search(
        [("partner_id", "=", other.id)])
    assert not seen
    assert History.search([("partner_id", "=", other.id)])


def test_configuration_is_for_directors(env):
    kam1 = as_user(env, "kam_manager_1")
    regional = as_user(env, "kam_regional")
    with raises_and_rolls_back(env, AccessError):
        env["kam.relationship.level"].with_env(kam1).create({"name": "X"})
    with raises_and_rolls_back(env, AccessError):
        env["kam.region"].with_env(regional).create({"name": "West"})
    with raises_and_rolls_back(env, AccessError):
        ref(env, "region_east_china").with_env(kam1).write({"name": "X"})
    # a regional manager maintains their own department, not another one
    east = ref(env, "region_east_china").with_env(regional)
    east.write({"member_ids": [(3, ref(env, "user_kam_support").id)]})
    with raises_and_rolls_back(env, AccessError):
        ref(env, "region_south_china").with_env(regional).write({"name": "Y"})
    director = as_user(env, "kam_director")
    level = env["kam.relationship.level"].with_env(director).create(
        {"name": "Trusted Advisor", "sequence": 50})
    region = env["kam.region"].with_env(director).create({"name": "华北"})
    assert level.id and region.id


def test_every_model_has_access_for_every_kam_group(env):
    groups = ["group_kam_support", "group_kam_user",
              "group_kam_regional_manager", "group_kam_director",
              "group_kam_secretary"]
    models = env["ir.model"].search([
        ("model", "=like", "kam.%"), ("transient", "=", False)])
    assert models
    for model in models:
        for group in groups:
            acl = env["ir.model.access"].search([
                ("model_id", "=", model.id),
                ("group_id", "=", ref(env, group).id)])
            assert acl, "%s has no access row for %s" % (model.model, group)
