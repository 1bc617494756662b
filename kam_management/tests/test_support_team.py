# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Account support teams (R5, R2, R3): one per key account, led by its KAM,
members with roles and periods, and who may see and change them.

Dates: the demo members' periods are relative to the day the demo was
installed; the tests that rely on a period either compute it from the
member's own dates or set it from today by the addon's clock."""
from datetime import timedelta

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import mute_logger

from .common import (KamCase, as_user, ds, key_account_vals, make_company,
                     month_start, ref, rights_denied, rule_denied,
                     with_cases)

Team = "kam.support.team"
Member = "kam.support.team.member"
MEMBER_TYPE = "Key-Account Support Team Member"


def team_of(env, xmlid):
    return ref(env, xmlid).kam_support_team_id


def add_member(env, team, login, role="other", **vals):
    vals.update(team_id=team.id, user_id=ref(env, "user_" + login).id,
                role=role)
    return env[Member].create(vals)


def date_of(value):
    return fields.Date.from_string(value)


# ----------------------------------------------------------------------
# One team per key account, led by its KAM
# ----------------------------------------------------------------------
class TestOneTeamPerAccount(KamCase):

    def test_promotion_gives_the_account_its_team(self):
        env = self.env
        company = make_company(env, "Promoted Chiller Plant")
        regional = as_user(env, "kam_regional")
        wizard = env["kam.promote.wizard"].with_env(regional).create({
            "partner_ids": [(6, 0, company.ids)],
            "kam_manager_id": ref(env, "user_kam_manager_2").id,
            "kam_region_id": ref(env, "region_east_china").id,
        })
        wizard.action_promote()
        team = env[Team].search([("partner_id", "=", company.id)])
        self.assertEqual(len(team), 1)
        self.assertEqual(team.leader_id, ref(env, "user_kam_manager_2"))
        self.assertEqual(company.kam_support_team_id, team)

    def test_key_account_created_directly_gets_a_team(self):
        env = self.env
        director = as_user(env, "kam_director")
        account = env["res.partner"].with_env(director).create(
            key_account_vals(env, name="Created As Key", is_company=True))
        self.assertEqual(account.kam_support_team_id.leader_id,
                         ref(env, "user_kam_manager_1"))

    def test_every_demo_key_account_has_exactly_one_team(self):
        env = self.env
        accounts = env["res.partner"].search(
            [("kam_is_key_account", "=", True)])
        self.assertTrue(accounts)
        teams = env[Team].search([("partner_id", "in", accounts.ids)])
        self.assertEqual(sorted(teams.mapped("partner_id").ids),
                         sorted(accounts.ids))
        self.assertEqual(len(teams), len(accounts))
        for team in teams:
            self.assertEqual(team.leader_id, team.partner_id.kam_manager_id)

    def test_leader_follows_the_kam_on_every_path(self):
        env = self.env
        account = ref(env, "partner_kam_suzhou_industrial")
        team = account.kam_support_team_id
        account.with_env(as_user(env, "kam_regional")).write(
            {"kam_manager_id": ref(env, "user_kam_manager_2").id})
        self.assertEqual(team.leader_id, ref(env, "user_kam_manager_2"))
        # and by import
        result = env["res.partner"].with_env(
            as_user(env, "kam_director")).load(
                ["id", "kam_manager_id/id"],
                [["kam_management.partner_kam_suzhou_industrial",
                  "kam_management.user_kam_manager_1"]])
        self.assertEqual(result["messages"], [])
        team.invalidate_cache()
        self.assertEqual(team.leader_id, ref(env, "user_kam_manager_1"))

    def test_second_team_for_an_account_is_refused(self):
        account = ref(self.env, "partner_kam_ningbo_port")
        with mute_logger("odoo.sql_db"), self.raises_and_rolls_back(
                psycopg2.IntegrityError, "partner_uniq"):
            self.env[Team].create({"partner_id": account.id})

    def test_a_team_stays_with_its_account(self):
        env = self.env
        team = team_of(env, "partner_kam_ningbo_port").with_env(
            as_user(env, "kam_director"))
        with self.raises_and_rolls_back(UserError,
                                        "belongs to its account"):
            team.write({"partner_id": ref(env, "partner_kam_hilton_east").id})

    def test_no_team_for_an_ordinary_partner(self):
        env = self.env
        prospect = ref(env, "partner_kam_prospect_fuzhou")
        with self.raises_and_rolls_back(ValidationError,
                                        "not a key account"):
            env[Team].with_env(as_user(env, "kam_director")).create(
                {"partner_id": prospect.id})

    def test_missing_teams_are_created_once(self):
        env = self.env
        account = ref(env, "partner_kam_ningbo_port")
        account.kam_support_team_id.unlink()
        account.invalidate_cache()
        self.assertFalse(account.kam_support_team_id)
        env[Team]._kam_create_missing_teams()
        env[Team]._kam_create_missing_teams()
        self.assertEqual(
            env[Team].search_count([("partner_id", "=", account.id)]), 1)


# ----------------------------------------------------------------------
# Members: roles and periods; bad input
# ----------------------------------------------------------------------
class TestMembers(KamCase):

    def test_a_user_sits_on_many_teams(self):
        env = self.env
        support = ref(env, "user_kam_support")
        teams = env[Member].search([("user_id", "=", support.id)]).mapped(
            "team_id")
        self.assertGreaterEqual(len(teams), 2)
        add_member(env, team_of(env, "partner_kam_ningbo_port"),
                   "kam_support", "technical_support")
        self.assertEqual(
            ref(env, "partner_kam_ningbo_port").kam_support_user_ids,
            support)

    def test_member_end_before_start_is_refused(self):
        env = self.env
        team = team_of(env, "partner_kam_ningbo_port")
        start = month_start()
        with self.raises_and_rolls_back(ValidationError, "To:"):
            add_member(env, team, "kam_support", date_from=ds(start),
                       date_to=ds(month_start(start, -1)))
        member = add_member(env, team, "kam_support", date_from=ds(start))
        with self.raises_and_rolls_back(ValidationError,
                                        "before the start"):
            member.write({"date_to": ds(start - timedelta(days=1))})

    def test_same_user_twice_on_a_team_is_refused(self):
        team = team_of(self.env, "partner_kam_shanghai_metro")
        with self.raises_and_rolls_back(ValidationError,
                                        "already on the support team"):
            add_member(self.env, team, "kam_support", "maintenance")

    def test_one_execution_manager_at_a_time(self):
        env = self.env
        team = team_of(env, "partner_kam_hangzhou_mall")  # kam_service is
        with self.raises_and_rolls_back(ValidationError,
                                        "execution manager"):
            add_member(env, team, "kam_support_2", "execution_manager")
        # a successor once the current one has left is fine: the current
        # one leaves a month after they came (whatever day that was)
        current = env[Member].search([("team_id", "=", team.id),
                                      ("role", "=", "execution_manager")])
        self.assertEqual(current.user_id, ref(env, "user_kam_service"))
        self.assertTrue(current.date_from)
        left = date_of(current.date_from) + relativedelta(months=1)
        current.write({"date_to": ds(left)})
        successor = add_member(env, team, "kam_support_2",
                               "execution_manager",
                               date_from=ds(left + timedelta(days=1)))
        self.assertEqual(successor.role, "execution_manager")
        # starting on the day the current one leaves overlaps
        with self.raises_and_rolls_back(ValidationError,
                                        "execution manager"):
            successor.write({"date_from": ds(left)})
        # other roles can be held by several people
        add_member(env, team_of(env, "partner_kam_wuxi_semicon"),
                   "kam_support", "technical_support")

    def test_member_must_be_support_staff(self):
        env = self.env
        outsider = env["res.users"].create({
            "name": "Outside Clerk", "login": "outside_clerk_team",
            "groups_id": [(6, 0, [ref(env, "base.group_user").id])]})
        with self.raises_and_rolls_back(ValidationError, "Support Staff"):
            env[Member].create({
                "team_id": team_of(env, "partner_kam_ningbo_port").id,
                "user_id": outsider.id, "role": "other"})

    def test_member_errors_are_translated(self):
        zh = self.env(context={"lang": "zh_CN"})
        team = team_of(zh, "partner_kam_shanghai_metro")
        with self.assertRaisesRegex(ValidationError, "已在") as info:
            with zh.cr.savepoint():
                zh[Member].create({"team_id": team.id,
                                   "user_id": ref(zh, "user_kam_support").id,
                                   "role": "other"})
        self.assertIn("已在", info.exception.name)

    def test_active_members_by_period(self):
        """Active from ``date_from`` to ``date_to`` inclusive, today by the
        clock the addon reads (the user's time zone): the periods are set
        from that day, so that the test holds however long after the demo
        install it runs."""
        env = self.env
        team = team_of(env, "partner_kam_shanghai_metro")
        day = date_of(fields.Date.context_today(team))
        current = ref(env, "team_member_shanghai_metro_support")
        former = ref(env, "team_member_shanghai_metro_former")
        self.assertEqual(current.user_id, ref(env, "user_kam_support"))
        self.assertEqual(former.user_id, ref(env, "user_kam_support_2"))
        current.write({"date_from": ds(day - relativedelta(months=3)),
                       "date_to": False})
        former.write({"date_from": ds(day - relativedelta(months=3)),
                      "date_to": ds(day - timedelta(days=1))})
        self.assertEqual(team.member_ids, current | former)
        active = team.member_ids.filtered("is_active").mapped("user_id")
        self.assertEqual(active, ref(env, "user_kam_support"))
        found = env[Member].search([("team_id", "=", team.id),
                                    ("is_active", "=", False)])
        self.assertEqual(found.mapped("user_id"),
                         ref(env, "user_kam_support_2"))
        # the last day counts; a period starting tomorrow does not yet
        former.write({"date_to": ds(day)})
        self.assertTrue(former.is_active)
        self.assertEqual(env[Member].search(
            [("team_id", "=", team.id), ("is_active", "=", True)]),
            current | former)
        current.write({"date_from": ds(day + timedelta(days=1))})
        self.assertFalse(current.is_active)
        self.assertEqual(env[Member].search(
            [("team_id", "=", team.id), ("is_active", "=", False)]),
            current)


# ----------------------------------------------------------------------
# Access per role, as the real users
# ----------------------------------------------------------------------
def visible_teams(env, login):
    return env[Team].with_env(as_user(env, login)).search([])


FORMS_BY_ROLE = [
    ("kam_support", ["partner_kam_shanghai_metro", "requirement_review",
                     "complaint_breached", "service_station_east_china"]),
    ("kam_service", ["complaint_resolved", "service_station_east_china",
                     "requirement_drafting"]),
    ("kam_manager_1", ["partner_kam_hangzhou_mall", "requirement_approved",
                       "complaint_in_progress"]),
    ("kam_regional", ["partner_kam_wuxi_semicon", "requirement_wuxi",
                      "complaint_closed"]),
    ("kam_secretary", ["partner_kam_guangzhou_airport",
                       "requirement_received", "complaint_breached"]),
]


class TestTeamAccess(KamCase):

    def test_kam_sees_and_edits_own_teams_only(self):
        env = self.env
        kam1 = as_user(env, "kam_manager_1")
        teams = visible_teams(env, "kam_manager_1")
        self.assertEqual(set(teams.mapped("leader_id")),
                         {ref(env, "user_kam_manager_1")})
        own = team_of(env, "partner_kam_ningbo_port")
        member = env[Member].with_env(kam1).create({
            "team_id": own.id, "user_id": ref(env, "user_kam_support").id,
            "role": "technical_support"})
        member.write({"role": "maintenance"})
        member.unlink()
        self.assertFalse(member.exists())
        other = team_of(env, "partner_kam_wuxi_semicon")
        with self.raises_and_rolls_back(AccessError,
                                        rule_denied(MEMBER_TYPE, "write")):
            env[Member].with_env(kam1).create({
                "team_id": other.id,
                "user_id": ref(env, "user_kam_support").id,
                "role": "other"})
        with self.assertRaisesRegex(AccessError,
                                    rule_denied(Team, "read")):
            other.with_env(kam1).read(["member_ids"])

    def test_regional_manager_sees_region_teams(self):
        env = self.env
        teams = visible_teams(env, "kam_regional")
        east = ref(env, "region_east_china")
        self.assertEqual(set(teams.mapped("partner_id.kam_region_id")),
                         {east})
        south = team_of(env, "partner_kam_guangzhou_airport")
        with self.raises_and_rolls_back(AccessError,
                                        rule_denied(MEMBER_TYPE, "write")):
            env[Member].with_env(as_user(env, "kam_regional")).create({
                "team_id": south.id,
                "user_id": ref(env, "user_kam_support").id,
                "role": "other"})

    def test_director_and_secretary_see_all_teams(self):
        env = self.env
        total = env[Team].search_count([])
        self.assertEqual(len(visible_teams(env, "kam_director")), total)
        self.assertEqual(len(visible_teams(env, "kam_secretary")), total)
        team = team_of(env, "partner_kam_shanghai_metro").with_env(
            as_user(env, "kam_secretary"))
        with self.raises_and_rolls_back(AccessError,
                                        rights_denied(Team, "modify")):
            team.write({"note": "x"})

    def test_support_sees_only_own_teams_and_cannot_change_them(self):
        env = self.env
        support = as_user(env, "kam_support")
        teams = visible_teams(env, "kam_support")
        self.assertEqual(set(teams.mapped("partner_id")), {
            ref(env, "partner_kam_shanghai_metro"),
            ref(env, "partner_kam_hangzhou_mall")})
        # "my teams" as the menu shows them
        mine = env[Team].with_env(support).search(
            ["|", ("leader_id", "=", support.uid),
             ("member_ids.user_id", "=", support.uid)])
        self.assertEqual(mine, teams)
        members = env[Member].with_env(support).search([])
        self.assertEqual(set(members.mapped("team_id")), set(teams))
        with self.raises_and_rolls_back(AccessError,
                                        rights_denied(Team, "modify")):
            teams[0].write({"note": "x"})
        with self.raises_and_rolls_back(AccessError,
                                        rights_denied(Member, "create")):
            env[Member].with_env(support).create({
                "team_id": teams[0].id,
                "user_id": ref(env, "user_kam_support_2").id,
                "role": "other"})
        other = team_of(env, "partner_kam_wuxi_semicon").with_env(support)
        with self.assertRaisesRegex(AccessError,
                                    rule_denied(Team, "read")):
            other.read(["leader_id"])

    def test_partner_form_shows_the_team(self):
        env = self.env
        account = ref(env, "partner_kam_hangzhou_mall").with_env(
            as_user(env, "kam_manager_1"))
        self.assertEqual(
            set(account.kam_support_member_ids.mapped("user_id.login")),
            {"kam_support", "kam_service"})
        action = account.action_kam_view_support_team()
        self.assertEqual(action["res_id"], account.kam_support_team_id.id)
        self.assertEqual(account.kam_service_station_ids,
                         ref(env, "service_station_east_china"))

    def check_forms_open(self, case):
        """Every field of the form views reads without an access error for
        the people who see the record (computed fields included)."""
        login, xmlids = case
        env = self.env
        user_env = as_user(env, login)
        for xmlid in xmlids:
            record = ref(env, xmlid).with_env(user_env)
            view = record.fields_view_get(view_type="form")
            values = record.read(list(view["fields"]))
            self.assertTrue(values)
            self.assertEqual(values[0]["id"], record.id)
        team = ref(env, xmlids[0]).with_env(user_env)
        if team._name == "res.partner":
            team = team.kam_support_team_id
            self.assertTrue(team.read(list(team.fields_view_get(
                view_type="form")["fields"])))


TestTeamAccess = with_cases(
    "check_forms_open", FORMS_BY_ROLE, [c[0] for c in FORMS_BY_ROLE],
    prefix="test_forms_open_for_each_role")(TestTeamAccess)
