"""Account support teams (R5, R2, R3): one per key account, led by its KAM,
members with roles and periods, and who may see and change them."""
import psycopg2
import pytest

from odoo.exceptions import UserError

from common import (AccessError, ValidationError, as_user, key_account_vals,
                    make_company, raises_and_rolls_back, ref)

Team = "kam.support.team"
Member = "kam.support.team.member"


def team_of(env, xmlid):
    return ref(env, xmlid).kam_support_team_id


def add_member(env, team, login, role="other", **vals):
    vals.update(team_id=team.id, user_id=ref(env, "user_" + login).id,
                role=role)
    return env[Member].create(vals)


# ----------------------------------------------------------------------
# One team per key account, led by its KAM
# ----------------------------------------------------------------------
def test_promotion_gives_the_account_its_team(env):
    company = make_company(env, "Promoted Chiller Plant")
    regional = as_user(env, "kam_regional")
    wizard = env["kam.promote.wizard"].with_env(regional).create({
        "partner_ids": [(6, 0, company.ids)],
        "kam_manager_id": ref(env, "user_kam_manager_2").id,
        "kam_region_id": ref(env, "region_east_china").id,
    })
    wizard.action_promote()
    team = env[Team].search([("partner_id", "=", company.id)])
    assert len(team) == 1
    assert team.leader_id == ref(env, "user_kam_manager_2")
    assert company.kam_support_team_id == team


def test_key_account_created_directly_gets_a_team(env):
    director = as_user(env, "kam_director")
    account = env["res.partner"].with_env(director).create(key_account_vals(
        env, name="Created As Key", is_company=True))
    assert account.kam_support_team_id.leader_id == ref(
        env, "user_kam_manager_1")


def test_every_demo_key_account_has_exactly_one_team(env):
    accounts = env["res.partner"].search([("kam_is_key_account", "=", True)])
    teams = env[Team].search([("partner_id", "in", accounts.ids)])
    assert sorted(teams.mapped("partner_id").ids) == sorted(accounts.ids)
    for team in teams:
        assert team.leader_id == team.partner_id.kam_manager_id


def test_leader_follows_the_kam_on_every_path(env):
    account = ref(env, "partner_kam_suzhou_industrial")
    team = account.kam_support_team_id
    account.with_env(as_user(env, "kam_regional")).write(
        {"kam_manager_id": ref(env, "user_kam_manager_2").id})
    assert team.leader_id == ref(env, "user_kam_manager_2")
    # and by import
    env["res.partner"].with_env(as_user(env, "kam_director")).load(
        ["id", "kam_manager_id/id"],
        [["kam_management.partner_kam_suzhou_industrial",
          "kam_management.user_kam_manager_1"]])
    team.invalidate_cache()
    assert team.leader_id == ref(env, "user_kam_manager_1")


def test_second_team_for_an_account_is_refused(env):
    account = ref(env, "partner_kam_ningbo_port")
    with raises_and_rolls_back(env, psycopg2.IntegrityError,
                               match="partner_uniq"):
        env[Team].create({"partner_id": account.id})


def test_a_team_stays_with_its_account(env):
    team = team_of(env, "partner_kam_ningbo_port").with_env(
        as_user(env, "kam_director"))
    with raises_and_rolls_back(env, UserError, match="belongs to its account"):
        team.write({"partner_id": ref(env, "partner_kam_hilton_east").id})


def test_no_team_for_an_ordinary_partner(env):
    prospect = ref(env, "partner_kam_prospect_fuzhou")
    with raises_and_rolls_back(env, ValidationError, match="not a key account"):
        env[Team].with_env(as_user(env, "kam_director")).create(
            {"partner_id": prospect.id})


def test_missing_teams_are_created_once(env):
    account = ref(env, "partner_kam_ningbo_port")
    account.kam_support_team_id.unlink()
    account.invalidate_cache()
    assert not account.kam_support_team_id
    env[Team]._kam_create_missing_teams()
    env[Team]._kam_create_missing_teams()
    assert env[Team].search_count([("partner_id", "=", account.id)]) == 1


# ----------------------------------------------------------------------
# Members: roles and periods; bad input
# ----------------------------------------------------------------------
def test_a_user_sits_on_many_teams(env):
    support = ref(env, "user_kam_support")
    teams = env[Member].search([("user_id", "=", support.id)]).mapped(
        "team_id")
    assert len(teams) >= 2
    add_member(env, team_of(env, "partner_kam_ningbo_port"), "kam_support",
               "technical_support")
    assert ref(env, "partner_kam_ningbo_port").kam_support_user_ids == support


def test_member_end_before_start_is_refused(env):
    team = team_of(env, "partner_kam_ningbo_port")
    with raises_and_rolls_back(env, ValidationError, match="To:"):
        add_member(env, team, "kam_support", date_from="2026-03-01",
                   date_to="2026-02-01")
    member = add_member(env, team, "kam_support", date_from="2026-03-01")
    with raises_and_rolls_back(env, ValidationError, match="before the start"):
        member.write({"date_to": "2026-02-28"})


def test_same_user_twice_on_a_team_is_refused(env):
    team = team_of(env, "partner_kam_shanghai_metro")
    with raises_and_rolls_back(env, ValidationError,
                               match="already on the support team"):
        add_member(env, team, "kam_support", "maintenance")


def test_one_execution_manager_at_a_time(env):
    team = team_of(env, "partner_kam_hangzhou_mall")  # kam_service is one
    with raises_and_rolls_back(env, ValidationError,
                               match="execution manager"):
        add_member(env, team, "kam_support_2", "execution_manager")
    # a successor once the current one has left is fine
    current = env[Member].search([("team_id", "=", team.id),
                                  ("role", "=", "execution_manager")])
    current.write({"date_to": "2026-06-30"})
    successor = add_member(env, team, "kam_support_2", "execution_manager",
                           date_from="2026-07-01")
    assert successor.role == "execution_manager"
    with raises_and_rolls_back(env, ValidationError,
                               match="execution manager"):
        successor.write({"date_from": "2026-06-30"})
    # other roles can be held by several people
    add_member(env, team_of(env, "partner_kam_wuxi_semicon"), "kam_support",
               "technical_support")


def test_member_must_be_support_staff(env):
    outsider = env["res.users"].create({
        "name": "Outside Clerk", "login": "outside_clerk_team",
        "groups_id": [(6, 0, [ref(env, "base.group_user").id])]})
    with raises_and_rolls_back(env, ValidationError, match="Support Staff"):
        env[Member].create({
            "team_id": team_of(env, "partner_kam_ningbo_port").id,
            "user_id": outsider.id, "role": "other"})


def test_member_errors_are_translated(env):
    zh = env(context={"lang": "zh_CN"})
    team = team_of(zh, "partner_kam_shanghai_metro")
    with pytest.raises(ValidationError) as info:
        with zh.cr.savepoint():
            zh[Member].create({"team_id": team.id,
                               "user_id": ref(zh, "user_kam_support").id,
                               "role": "other"})
    assert "已在" in info.value.name


def test_active_members_by_period(env):
    team = team_of(env, "partner_kam_shanghai_metro")
    active = team.member_ids.filtered("is_active").mapped("user_id")
    assert active == ref(env, "user_kam_support")
    found = env[Member].search([("team_id", "=", team.id),
                                ("is_active", "=", False)])
    assert found.mapped("user_id") == ref(env, "user_kam_support_2")


# ----------------------------------------------------------------------
# Access per role, as the real users
# ----------------------------------------------------------------------
def visible_teams(env, login):
    return env[Team].with_env(as_user(env, login)).search([])


def test_kam_sees_and_edits_own_teams_only(env):
    kam1 = as_user(env, "kam_manager_1")
    teams = visible_teams(env, "kam_manager_1")
    assert set(teams.mapped("leader_id")) == {ref(env, "user_kam_manager_1")}
    own = team_of(env, "partner_kam_ningbo_port")
    member = env[Member].with_env(kam1).create({
        "team_id": own.id, "user_id": ref(env, "user_kam_support").id,
        "role": "technical_support"})
    member.write({"role": "maintenance"})
    member.unlink()
    other = team_of(env, "partner_kam_wuxi_semicon")
    with raises_and_rolls_back(env, AccessError):
        env[Member].with_env(kam1).create({
            "team_id": other.id, "user_id": ref(env, "user_kam_support").id,
            "role": "other"})
    with pytest.raises(AccessError):
        other.with_env(kam1).read(["member_ids"])


def test_regional_manager_sees_region_teams(env):
    teams = visible_teams(env, "kam_regional")
    east = ref(env, "region_east_china")
    assert set(teams.mapped("partner_id.kam_region_id")) == {east}
    south = team_of(env, "partner_kam_guangzhou_airport")
    with raises_and_rolls_back(env, AccessError):
        env[Member].with_env(as_user(env, "kam_regional")).create({
            "team_id": south.id, "user_id": ref(env, "user_kam_support").id,
            "role": "other"})


def test_director_and_secretary_see_all_teams(env):
    total = env[Team].search_count([])
    assert len(visible_teams(env, "kam_director")) == total
    assert len(visible_teams(env, "kam_secretary")) == total
    team = team_of(env, "partner_kam_shanghai_metro").with_env(
        as_user(env, "kam_secretary"))
    with raises_and_rolls_back(env, AccessError):
        team.write({"note": "x"})


def test_support_sees_only_own_teams_and_cannot_change_them(env):
    support = as_user(env, "kam_support")
    teams = visible_teams(env, "kam_support")
    assert set(teams.mapped("partner_id")) == {
        ref(env, "partner_kam_shanghai_metro"),
        ref(env, "partner_kam_hangzhou_mall")}
    # "my teams" as the menu shows them
    mine = env[Team].with_env(support).search(
        ["|", ("leader_id", "=", support.uid),
         ("member_ids.user_id", "=", support.uid)])
    assert mine == teams
    members = env[Member].with_env(support).search([])
    assert set(members.mapped("team_id")) == set(teams)
    with raises_and_rolls_back(env, AccessError):
        teams[0].write({"note": "x"})
    with raises_and_rolls_back(env, AccessError):
        env[Member].with_env(support).create({
            "team_id": teams[0].id,
            "user_id": ref(env, "user_kam_support_2").id, "role": "other"})
    other = team_of(env, "partner_kam_wuxi_semicon").with_env(support)
    with pytest.raises(AccessError):
        other.read(["leader_id"])


def test_partner_form_shows_the_team(env):
    account = ref(env, "partner_kam_hangzhou_mall").with_env(
        as_user(env, "kam_manager_1"))
    assert set(account.kam_support_member_ids.mapped("user_id.login")) == {
        "kam_support", "kam_service"}
    action = account.action_kam_view_support_team()
    assert action["res_id"] == account.kam_support_team_id.id
    assert account.kam_service_station_ids == ref(
        env, "service_station_east_china")


@pytest.mark.parametrize("login,xmlids", [
    ("kam_support", ["partner_kam_shanghai_metro", "requirement_review",
                     "complaint_breached", "service_station_east_china"]),
    ("kam_service", ["complaint_resolved", "service_station_east_china",
                     "requirement_drafting"]),
    ("kam_manager_1", ["partner_kam_hangzhou_mall", "requirement_approved",
                       "complaint_in_progress"]),
    ("kam_regional", ["partner_kam_wuxi_semicon", "requirement_wuxi",
                      "complaint_closed"]),
    ("kam_secretary", ["partner_kam_guangzhou_airport", "requirement_received",
                       "complaint_breached"]),
])
def test_forms_open_for_each_role(env, login, xmlids):
    """Every field of the form views reads without an access error for the
    people who see the record (computed fields included)."""
    user_env = as_user(env, login)
    for xmlid in xmlids:
        record = ref(env, xmlid).with_env(user_env)
        view = record.fields_view_get(view_type="form")
        values = record.read(list(view["fields"]))
        assert values and values[0]["id"] == record.id
    team = ref(env, xmlids[0]).with_env(user_env)
    if team._name == "res.partner":
        team = team.kam_support_team_id
        assert team.read(list(team.fields_view_get(
            view_type="form")["fields"]))
