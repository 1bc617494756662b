# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What each role can and cannot do, as the real demo users (not admin)."""
from dateutil.relativedelta import relativedelta
from psycopg2 import sql

from odoo.exceptions import AccessError

from .common import (KamCase, ds, key_account_vals, make_company, today,
                     with_cases)

KA = [("kam_is_key_account", "=", True)]

# Odoo's own refusals (record rules, field groups, access rights): the
# message names the operation, so a test fails when another refusal (or
# another operation) is what stopped the call.
DENIED_READ = r"security restrictions[\s\S]*Operation: read\)"
DENIED_WRITE = r"security restrictions[\s\S]*Operation: write\)"
ACL_WRITE = r"not allowed to modify this document"
ACL_CREATE = r"not allowed to create this kind of document"
ACL_UNLINK = r"not allowed to delete this document"
# the addon's refusals (res_partner.py, _kam_check_write_access ...)
NOT_KAM = r"Only key account managers, regional managers and sales"
NOT_YOURS = r"only of the accounts you manage"
NOT_REGION_CREATE = r"Only the region's regional manager or a sales director"
NOT_YOUR_REGION = r"You cannot move East Newcomer to a region you do not"
# a KAM asks for a change of level (issue 12)
NOT_YOURSELF = r"Relationship Level: you cannot change the level of .* " \
    r"yourself"
NOT_DECIDER = r"you cannot decide your own request"
NOT_KAM_DECIDER = r"you are the key account manager of"


def state_at_error(case, exc, match, call, snapshot):
    """Run ``call``, which must raise ``exc`` (its text matching ``match``),
    inside ``case.raises_and_rolls_back``; return ``snapshot()`` taken at
    the moment of the error, before the rollback: what the refused call had
    written by then. (A check made after the rollback always holds.)"""
    taken = []
    with case.raises_and_rolls_back(exc, match):
        try:
            call()
        except exc:
            taken.append(snapshot())
            raise
    return taken[0]


def db_row(env, table, rec_id, columns):
    """The row as stored (not the ORM cache): ``{column: value}``."""
    env.cr.execute(sql.SQL("SELECT {} FROM {} WHERE id = %s").format(
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.Identifier(table)), (rec_id,))
    return dict(zip(columns, env.cr.fetchone()))


ASSIGNMENT = ("kam_is_key_account", "kam_manager_id", "kam_region_id",
              "kam_relationship_level_id")


class AccessCase(KamCase):

    def visible_accounts(self, login):
        return self.env["res.partner"].with_env(
            self.as_user(login)).search(KA)


class TestVisibility(AccessCase):
    """Who sees which key accounts (record rules, R5)."""

    def test_kam_sees_only_own_accounts(self):
        mine = self.visible_accounts("kam_manager_1")
        self.assertTrue(mine)
        # sudo: the KAM field as stored, whatever the user may read
        self.assertEqual(set(mine.sudo().mapped("kam_manager_id")),
                         {self.kam_ref("user_kam_manager_1")})
        other = self.kam_ref("partner_kam_wuxi_semicon")  # kam_manager_2's
        partner = other.with_env(self.as_user("kam_manager_1"))
        with self.assertRaisesRegex(AccessError, DENIED_READ):
            partner.read(["name", "kam_relationship_level_id"])

    def test_regional_manager_sees_region(self):
        seen = self.visible_accounts("kam_regional")
        east = self.kam_ref("region_east_china")
        # sudo: the region as stored, whatever the user may read
        self.assertEqual(set(seen.sudo().mapped("kam_region_id")), {east})
        self.assertEqual(len(seen), self.env["res.partner"].search_count(
            KA + [("kam_region_id", "=", east.id)]))

    def test_director_and_secretary_see_all(self):
        total = self.env["res.partner"].search_count(KA)
        self.assertEqual(len(self.visible_accounts("kam_director")), total)
        self.assertEqual(len(self.visible_accounts("kam_secretary")), total)

    def test_support_reads_team_accounts_but_cannot_edit(self):
        """Pure support staff see the key accounts of the teams they are
        active members of, and nothing else (R5)."""
        seen = self.visible_accounts("kam_support")
        self.assertEqual(set(seen), {
            self.kam_ref("partner_kam_shanghai_metro"),
            self.kam_ref("partner_kam_hangzhou_mall")})
        members = self.env["kam.support.team.member"].search(
            [("user_id", "=", self.kam_ref("user_kam_support").id)])
        self.assertEqual(set(members.mapped("partner_id")), set(seen))
        account = seen[0]
        self.assertTrue(account.read(["kam_relationship_level_id"]))
        with self.raises_and_rolls_back(AccessError, NOT_KAM):
            account.write({"kam_relationship_level_id":
                           self.kam_ref("relationship_level_partner").id})

    def test_support_on_team_a_cannot_see_team_b_account(self):
        """kam_support (teams of kam_manager_1's accounts) and
        kam_support_2 (teams of kam_manager_2's accounts) do not see each
        other's accounts, even in the same region; a former member sees
        nothing any more."""
        team_b_account = self.kam_ref("partner_kam_wuxi_semicon")
        self.assertIn(team_b_account,
                      self.visible_accounts("kam_support_2"))
        self.assertNotIn(team_b_account,
                         self.visible_accounts("kam_support"))
        with self.assertRaisesRegex(AccessError, DENIED_READ):
            team_b_account.with_env(self.as_user("kam_support")).read(
                ["name"])
        # kam_support_2 left the Shanghai Metro team last month
        former = self.kam_ref("partner_kam_shanghai_metro")
        self.assertNotIn(former, self.visible_accounts("kam_support_2"))
        # a region's support staff who is on no team sees no key account
        self.assertIn(self.kam_ref("user_kam_support"),
                      self.kam_ref("region_east_china").member_ids)
        self.env["kam.support.team.member"].search(
            [("user_id", "=", self.kam_ref("user_kam_support").id)]).unlink()
        self.assertFalse(self.visible_accounts("kam_support"))

    def test_joining_and_leaving_a_team_changes_visibility_at_once(self):
        """A member is active from ``date_from`` to ``date_to`` inclusive:
        the account is visible on the last day, not the day after."""
        account = self.kam_ref("partner_kam_hefei_auto")
        self.assertNotIn(account, self.visible_accounts("kam_support"))
        member = self.env["kam.support.team.member"].create({
            "team_id": account.kam_support_team_id.id,
            "user_id": self.kam_ref("user_kam_support").id,
            "role": "customer_service"})
        self.assertIn(account, self.visible_accounts("kam_support"))
        History = self.env["kam.relationship.history"].with_env(
            self.as_user("kam_support"))
        self.assertTrue(History.search([("partner_id", "=", account.id)]))
        # the last day of the period is today: still on the team
        start = today() - relativedelta(years=1)
        member.write({"date_from": ds(start), "date_to": ds(today())})
        self.assertIn(account, self.visible_accounts("kam_support"))
        # the period ended yesterday: off the team at once
        member.write({"date_to": ds(today() - relativedelta(days=1))})
        self.assertNotIn(account, self.visible_accounts("kam_support"))
        self.assertFalse(History.search([("partner_id", "=", account.id)]))

    def test_ordinary_partners_stay_visible(self):
        prospect = self.kam_ref("partner_kam_prospect_fuzhou")
        for login in ("kam_manager_1", "kam_support", "kam_secretary"):
            with self.subTest(login=login):
                partner = prospect.with_env(self.as_user(login))
                self.assertEqual(partner.read(["name"])[0]["name"],
                                 prospect.name)

    def test_non_kam_user_cannot_read_or_write_kam_fields(self):
        clerk = self.env["res.users"].create({
            "name": "Clerk", "login": "clerk_kam_test",
            "groups_id": [(6, 0, [
                self.kam_ref("base.group_user").id,
                self.kam_ref("base.group_partner_manager").id])]})
        account = self.kam_ref("partner_kam_shanghai_metro").sudo(clerk)
        # the account stays usable by the rest of Odoo
        self.assertTrue(account.read(["name"]))
        account.write({"phone": "+86 21 5555 0000"})
        with self.assertRaisesRegex(AccessError, DENIED_READ):
            account.read(["kam_manager_id"])
        with self.raises_and_rolls_back(AccessError, NOT_KAM):
            account.write({"kam_relationship_level_id":
                           self.kam_ref("relationship_level_vendor").id})


class TestEditing(AccessCase):
    """Who may change key-account data, assignment and promotion (R1-R4)."""

    def test_kam_edits_own_account_data_but_not_assignment(self):
        kam1 = self.as_user("kam_manager_1")
        account = self.kam_ref("partner_kam_suzhou_industrial").with_env(
            kam1)
        account.write({"kam_account_type": "national"})
        self.assertEqual(account.kam_account_type, "national")
        before = db_row(self.env, "res_partner", account.id, ASSIGNMENT)
        self.assertTrue(before["kam_is_key_account"])

        def stored():
            return db_row(self.env, "res_partner", account.id, ASSIGNMENT)
        # the level needs a second person: the KAM asks (issue 12)
        level = self.kam_ref("relationship_level_partner")
        self.assertEqual(state_at_error(
            self, AccessError, NOT_YOURSELF,
            lambda: account.write({"kam_relationship_level_id": level.id}),
            stored), before)
        # refused before anything is written
        for vals in (
                {"kam_manager_id": self.kam_ref("user_kam_manager_2").id},
                {"kam_region_id": self.kam_ref("region_south_china").id},
                {"kam_is_key_account": False}):
            with self.subTest(vals=vals):
                self.assertEqual(state_at_error(
                    self, AccessError, NOT_YOURS,
                    lambda: account.write(vals), stored), before)
        self.assertEqual(state_at_error(
            self, AccessError, NOT_YOURS, account.action_kam_demote,
            stored), before)

    def test_kam_cannot_touch_other_kams_account(self):
        kam1 = self.as_user("kam_manager_1")
        other = self.kam_ref("partner_kam_hefei_auto").with_env(kam1)
        level = state_at_error(
            self, AccessError, NOT_YOURS,
            lambda: other.write({"kam_relationship_level_id": self.kam_ref(
                "relationship_level_partner").id}),
            lambda: db_row(self.env, "res_partner", other.id,
                           ["kam_relationship_level_id"]))
        self.assertEqual(level, {"kam_relationship_level_id": self.kam_ref(
            "relationship_level_vendor").id})

    def test_kam_cannot_promote(self):
        company = make_company(self.env, "Not Yet Key")
        kam1 = self.as_user("kam_manager_1")
        # both are refused before anything is written
        before = db_row(self.env, "res_partner", company.id, ASSIGNMENT)
        self.assertFalse(before["kam_is_key_account"])
        self.assertEqual(state_at_error(
            self, AccessError, NOT_YOURS,
            lambda: company.with_env(kam1).write(key_account_vals(self.env)),
            lambda: db_row(self.env, "res_partner", company.id, ASSIGNMENT)),
            before)

        def self_promoted():
            return self.env["res.partner"].search_count(
                [("name", "=", "Self Promoted")])
        self.assertEqual(state_at_error(
            self, AccessError, NOT_REGION_CREATE,
            lambda: self.env["res.partner"].with_env(kam1).create(
                key_account_vals(self.env, name="Self Promoted",
                                 is_company=True)),
            self_promoted), 0)

    def test_regional_manager_promotes_and_reassigns_in_own_region(self):
        regional = self.as_user("kam_regional")
        company = make_company(self.env, "East Newcomer")
        company.with_env(regional).write(key_account_vals(self.env))
        self.assertTrue(company.kam_is_key_account)
        account = company.with_env(regional)
        account.write({"kam_manager_id":
                       self.kam_ref("user_kam_manager_2").id})
        self.assertEqual(company.kam_manager_id,
                         self.kam_ref("user_kam_manager_2"))
        # but not into a region that is not theirs: refused, with the
        # addon's message, before anything is written
        before = db_row(self.env, "res_partner", company.id, ASSIGNMENT)
        self.assertEqual(before["kam_region_id"],
                         self.kam_ref("region_east_china").id)
        self.assertEqual(state_at_error(
            self, AccessError, NOT_YOUR_REGION,
            lambda: account.write({"kam_region_id": self.kam_ref(
                "region_south_china").id}),
            lambda: db_row(self.env, "res_partner", company.id, ASSIGNMENT)),
            before)
        south = self.kam_ref("partner_kam_guangzhou_airport").with_env(
            regional)
        with self.raises_and_rolls_back(AccessError, NOT_YOURS):
            south.write({"kam_relationship_level_id":
                         self.kam_ref("relationship_level_vendor").id})

    def test_director_changes_everything(self):
        director = self.as_user("kam_director")
        account = self.kam_ref("partner_kam_guangzhou_airport").with_env(
            director)
        account.write({"kam_region_id": self.kam_ref("region_east_china").id,
                       "kam_manager_id":
                           self.kam_ref("user_kam_manager_1").id})
        self.assertEqual(account.kam_region_id,
                         self.kam_ref("region_east_china"))
        self.assertEqual(account.kam_manager_id,
                         self.kam_ref("user_kam_manager_1"))
        account.action_kam_demote()
        self.assertFalse(account.kam_is_key_account)


class TestHistoryAndConfiguration(AccessCase):
    """The relationship history (R11) and the configuration belong to the
    directors."""

    def test_only_directors_edit_history(self):
        account = self.kam_ref("partner_kam_shanghai_metro")
        row = account.kam_relationship_history_ids[0]
        for login in ("kam_manager_1", "kam_regional", "kam_secretary"):
            with self.subTest(login=login):
                user_row = row.with_env(self.as_user(login))
                self.assertTrue(user_row.read(["reason"]))
                with self.raises_and_rolls_back(AccessError, ACL_WRITE):
                    user_row.write({"reason": "rewritten"})
                with self.raises_and_rolls_back(AccessError, ACL_UNLINK):
                    user_row.unlink()
                with self.raises_and_rolls_back(AccessError, ACL_CREATE):
                    self.env["kam.relationship.history"].with_env(
                        self.as_user(login)).create({
                            "partner_id": account.id,
                            "new_level_id": self.kam_ref(
                                "relationship_level_vendor").id})
        director_row = row.with_env(self.as_user("kam_director"))
        director_row.write({"reason": "corrected"})
        self.assertEqual(row.reason, "corrected")
        director_row.unlink()
        self.assertFalse(row.exists())

    def test_kam_does_not_see_other_kams_history(self):
        other = self.kam_ref("partner_kam_wuxi_semicon")
        History = self.env["kam.relationship.history"]
        seen = History.with_env(self.as_user("kam_manager_1")).search(
            [("partner_id", "=", other.id)])
        self.assertFalse(seen)
        self.assertTrue(History.search([("partner_id", "=", other.id)]))

    def test_configuration_is_for_directors(self):
        kam1 = self.as_user("kam_manager_1")
        regional = self.as_user("kam_regional")
        with self.raises_and_rolls_back(AccessError, ACL_CREATE):
            self.env["kam.relationship.level"].with_env(kam1).create(
                {"name": "X"})
        with self.raises_and_rolls_back(AccessError, ACL_CREATE):
            self.env["kam.region"].with_env(regional).create({"name": "West"})
        with self.raises_and_rolls_back(AccessError, ACL_WRITE):
            self.kam_ref("region_east_china").with_env(kam1).write(
                {"name": "X"})
        # a regional manager maintains their own department, not another one
        east = self.kam_ref("region_east_china").with_env(regional)
        east.write({"member_ids": [(3, self.kam_ref("user_kam_support").id)]})
        self.assertNotIn(self.kam_ref("user_kam_support"), east.member_ids)
        with self.raises_and_rolls_back(AccessError, DENIED_WRITE):
            self.kam_ref("region_south_china").with_env(regional).write(
                {"name": "Y"})
        director = self.as_user("kam_director")
        level = self.env["kam.relationship.level"].with_env(director).create(
            {"name": "Trusted Advisor", "sequence": 50})
        region = self.env["kam.region"].with_env(director).create(
            {"name": "华北"})
        self.assertTrue(level.id and region.id)

    def test_every_model_has_access_for_every_kam_group(self):
        groups = ["group_kam_support", "group_kam_user",
                  "group_kam_regional_manager", "group_kam_director",
                  "group_kam_secretary"]
        models = self.env["ir.model"].search([
            ("model", "=like", "kam.%"), ("transient", "=", False)])
        self.assertTrue(models)
        for model in models:
            for group in groups:
                acl = self.env["ir.model.access"].search([
                    ("model_id", "=", model.id),
                    ("group_id", "=", self.kam_ref(group).id)])
                self.assertTrue(acl, "%s has no access row for %s"
                                % (model.model, group))


# ----------------------------------------------------------------------
# Satisfaction scores (R4, issue 12): who enters, corrects and deletes
# them by hand. On a score of kam_manager_1's Shanghai Metro, whose team
# has kam_support as technical support (not customer service).
# ----------------------------------------------------------------------
SATISFACTION_ROLES = {
    # login: (read, create, write, unlink)
    "kam_manager_1": (True, False, False, False),   # the account's KAM
    "kam_manager_2": (False, False, False, False),  # not their account
    "kam_support": (True, False, False, False),     # not customer service
    "kam_secretary": (True, True, True, False),
    "kam_regional": (True, False, True, True),
    "kam_director": (True, False, True, True),
}
SATISFACTION_OPS = ("read", "create", "write", "unlink")
SATISFACTION_CASES = [(login, op, rights[i])
                      for login, rights in sorted(SATISFACTION_ROLES.items())
                      for i, op in enumerate(SATISFACTION_OPS)]


@with_cases("run_case", SATISFACTION_CASES,
            ["%s_%s" % case[:2] for case in SATISFACTION_CASES],
            prefix="test_satisfaction")
class TestSatisfactionAccess(AccessCase):
    """The role matrix of satisfaction scores entered by hand: never the
    account's KAM; a refusal is an AccessError and writes nothing."""

    def run_case(self, case):
        login, op, allowed = case
        env = self.env
        metro = self.kam_ref("partner_kam_shanghai_metro")
        row = env["kam.satisfaction"].create({
            "partner_id": metro.id, "score": 3,
            "entered_by_id": self.user("kam_secretary").id})
        Satisfaction = env["kam.satisfaction"].with_env(self.as_user(login))
        user_row = row.with_env(Satisfaction.env)

        def call():
            if op == "read":
                return user_row.read(["score", "source"])
            if op == "create":
                return Satisfaction.create({"partner_id": metro.id,
                                            "score": 4})
            if op == "write":
                return user_row.write({"score": 5})
            return user_row.unlink()

        def stored():
            return table_rows(env, row)
        before = stored()
        if allowed:
            call()
            if op == "create":
                created = env["kam.satisfaction"].search(
                    [("partner_id", "=", metro.id)], limit=1)
                self.assertEqual((created.source, created.entered_by_id),
                                 ("manual", self.user(login)))
            return
        # the account's KAM is told why (the others by Odoo's rules or the
        # role's own sentence)
        match = "you are its key account manager" \
            if login == "kam_manager_1" and op in ("create", "write") else ""
        self.assertEqual(state_at_error(self, AccessError, match, call,
                                        stored), before)


def table_rows(env, row):
    """The satisfaction table as stored, and the row's score."""
    env.cr.execute("SELECT count(*), max(id) FROM kam_satisfaction")
    count = env.cr.fetchone()
    env.cr.execute("SELECT score FROM kam_satisfaction WHERE id = %s",
                   (row.id,))
    return count, env.cr.fetchone()


class TestLevelRequestAccess(AccessCase):
    """Relationship-level requests (R11, issue 12): the KAM asks, the
    region's manager or a director decides; nobody decides their own
    request, a KAM never decides."""

    LEVEL_COLUMNS = ["kam_relationship_level_id"]

    def level_of(self, account):
        return db_row(self.env, "res_partner", account.id,
                      self.LEVEL_COLUMNS)

    def request(self, login, xmlid="partner_kam_nanjing_hospital"):
        account = self.kam_ref(xmlid).with_env(self.as_user(login))
        request_id = account.action_kam_request_level(
            self.kam_ref("relationship_level_preferred_supplier").id,
            "Framework contract signed.")
        return self.env["kam.relationship.level.request"].browse(request_id)

    def test_who_writes_the_level_directly(self):
        account = self.kam_ref("partner_kam_nanjing_hospital")  # kam 1, 华东
        level = self.kam_ref("relationship_level_partner")
        for login, match in (("kam_manager_1", NOT_YOURSELF),
                             ("kam_support", NOT_KAM),
                             ("kam_secretary", NOT_KAM),
                             ("kam_manager_2", NOT_YOURS)):
            with self.subTest(login=login):
                before = self.level_of(account)
                self.assertEqual(state_at_error(
                    self, AccessError, match,
                    lambda: account.with_env(self.as_user(login)).write(
                        {"kam_relationship_level_id": level.id}),
                    lambda: self.level_of(account)), before)
        for login in ("kam_regional", "kam_director"):
            with self.subTest(login=login):
                account.with_env(self.as_user(login)).write(
                    {"kam_relationship_level_id": level.id})
                self.assertEqual(account.kam_relationship_level_id, level)
                account.write({"kam_relationship_level_id": self.kam_ref(
                    "relationship_level_vendor").id})

    def test_kam_approving_their_own_request(self):
        request = self.request("kam_manager_1")
        before = self.level_of(request.partner_id)
        for action in ("action_approve", "action_reject"):
            with self.subTest(action=action):
                mine = request.with_env(self.as_user("kam_manager_1"))
                call = getattr(mine, action)
                self.assertEqual(state_at_error(
                    self, AccessError, NOT_DECIDER,
                    lambda: call() if action == "action_approve"
                    else call(reason="No."),
                    lambda: (self.level_of(request.partner_id),
                             db_row(self.env, "kam_relationship_level_request",
                                    request.id, ["state"]))),
                    (before, {"state": "pending"}))

    def test_kam_approving_any_request(self):
        # asked by the regional manager on kam_manager_1's account
        request = self.request("kam_regional")
        before = self.level_of(request.partner_id)
        self.assertEqual(state_at_error(
            self, AccessError, NOT_KAM_DECIDER,
            request.with_env(self.as_user("kam_manager_1")).action_approve,
            lambda: self.level_of(request.partner_id)), before)
        # another KAM does not even see it
        self.assertEqual(state_at_error(
            self, AccessError, DENIED_WRITE,
            request.with_env(self.as_user("kam_manager_2")).action_approve,
            lambda: self.level_of(request.partner_id)), before)
        self.assertEqual(request.state, "pending")

    def test_request_visibility_and_rights(self):
        request = self.request("kam_manager_1")
        Request = self.env["kam.relationship.level.request"]
        for login, sees in (("kam_manager_1", True), ("kam_manager_2", False),
                            ("kam_regional", True), ("kam_director", True),
                            ("kam_secretary", True), ("kam_support", False)):
            with self.subTest(login=login):
                found = Request.with_env(self.as_user(login)).search(
                    [("id", "=", request.id)])
                self.assertEqual(bool(found), sees)
        # they do not ask (the addon says who does, before Odoo's rights)
        for login in ("kam_secretary", "kam_support"):
            with self.subTest(login=login):
                with self.raises_and_rolls_back(
                        AccessError, "only the key account manager"):
                    Request.with_env(self.as_user(login)).create({
                        "partner_id": self.kam_ref(
                            "partner_kam_shanghai_metro").id,
                        "new_level_id": self.kam_ref(
                            "relationship_level_vendor").id,
                        "reason": "x"})
        for login in ("kam_manager_1", "kam_regional"):
            with self.subTest(login=login):
                with self.raises_and_rolls_back(AccessError, ACL_UNLINK):
                    request.with_env(self.as_user(login)).unlink()
        request.with_env(self.as_user("kam_director")).unlink()
        self.assertFalse(request.exists())


# ----------------------------------------------------------------------
# Information categories (R10, issue 13): any key account manager
# proposes, a sales director approves; everybody reads them.
# ----------------------------------------------------------------------
CATEGORY_ROLES = {
    # login: (read, propose, approve, write an approved category)
    "kam_manager_1": (True, True, False, False),
    "kam_manager_2": (True, True, False, False),
    "kam_regional": (True, True, False, False),
    "kam_support": (True, False, False, False),
    "kam_secretary": (True, False, False, False),
    "kam_director": (True, True, True, True),
}
CATEGORY_OPS = ("read", "propose", "approve", "write")
CATEGORY_CASES = [(login, op, rights[i])
                  for login, rights in sorted(CATEGORY_ROLES.items())
                  for i, op in enumerate(CATEGORY_OPS)]


def category_rows(env, category):
    """The category table as stored, and the proposal's state."""
    env.cr.execute("SELECT count(*), max(id) FROM kam_info_category")
    count = env.cr.fetchone()
    env.cr.execute("SELECT state, description FROM kam_info_category "
                   "WHERE id IN %s ORDER BY id", (tuple(category.ids),))
    return count, env.cr.fetchall()


@with_cases("run_case", CATEGORY_CASES,
            ["%s_%s" % case[:2] for case in CATEGORY_CASES],
            prefix="test_info_category")
class TestInfoCategoryAccess(AccessCase):
    """The role matrix of information categories: a refusal is an
    AccessError and writes nothing."""

    def run_case(self, case):
        login, op, allowed = case
        env = self.env
        # kam_manager_2's proposal: nobody here proposed it but them
        proposal = env["kam.info.category"].with_env(
            self.as_user("kam_manager_2")).create({"name": "Rumour"})
        approved = self.kam_ref("info_category_competitor")
        Category = env["kam.info.category"].with_env(self.as_user(login))

        def call():
            if op == "read":
                return Category.browse((proposal | approved).ids).read(
                    ["name", "state", "proposed_by_id"])
            if op == "propose":
                return Category.create({"name": "Weather"})
            if op == "approve":
                return proposal.with_env(Category.env).action_approve()
            return approved.with_env(Category.env).write(
                {"description": "Rewritten"})

        def stored():
            return category_rows(env, proposal | approved)
        before = stored()
        if allowed:
            call()
            if op == "propose":
                made = env["kam.info.category"].search(
                    [("name", "=", "Weather")])
                self.assertEqual(made.state, "approved"
                                 if login == "kam_director" else "proposed")
            if op == "approve":
                self.assertEqual(proposal.state, "approved")
            return
        self.assertEqual(state_at_error(self, AccessError, "", call, stored),
                         before)


# Month-end hand-ins (R14, issue 13): the KAM fills in and hands in, the
# sales secretary confirms the entry; nobody else moves them. On
# kam_manager_1's hand-in of a month far ahead.
# ----------------------------------------------------------------------
HANDIN_ROLES = {
    # login: (read, write a line, hand in, confirm entered)
    "kam_manager_1": (True, True, True, False),   # the hand-in's KAM
    "kam_manager_2": (False, False, False, False),
    "kam_support": (False, False, False, False),
    "kam_secretary": (True, False, False, True),
    "kam_regional": (True, False, False, False),  # region's manager
    "kam_director": (True, False, False, False),
}
HANDIN_OPS = ("read", "write", "hand_in", "confirm")
HANDIN_CASES = [(login, op, rights[i])
                for login, rights in sorted(HANDIN_ROLES.items())
                for i, op in enumerate(HANDIN_OPS)]


@with_cases("run_case", HANDIN_CASES,
            ["%s_%s" % case[:2] for case in HANDIN_CASES],
            prefix="test_month_handin")
class TestMonthHandinAccess(AccessCase):
    """The role matrix of month-end hand-ins; a refusal is an AccessError
    and writes nothing."""

    def run_case(self, case):
        login, op, allowed = case
        env = self.env
        month = ds(today().replace(day=1) + relativedelta(years=7))
        env["kam.month.handin"]._kam_prepare(month)
        handin = env["kam.month.handin"].search([
            ("period_start", "=", month),
            ("user_id", "=", self.kam_ref("user_kam_manager_1").id)])
        if op == "confirm":
            handin.with_env(self.as_user("kam_manager_1")).action_hand_in()
        user_handin = handin.with_env(self.as_user(login))
        lines = handin.line_ids.with_env(user_handin.env)

        def call():
            if op == "read":
                return lines.read(["changes", "entered"])
            if op == "write":
                return lines[0].write({"changes": "New buyer."})
            if op == "hand_in":
                return user_handin.action_hand_in()
            return user_handin.action_confirm_entered()

        def stored():
            env.cr.execute(
                "SELECT h.state, array_agg(l.changes ORDER BY l.id), "
                "array_agg(l.entered ORDER BY l.id) FROM kam_month_handin h "
                "JOIN kam_month_handin_line l ON l.handin_id = h.id "
                "WHERE h.id = %s GROUP BY h.state", (handin.id,))
            return env.cr.fetchone()
        before = stored()
        if allowed:
            call()
            return
        self.assertEqual(state_at_error(self, AccessError, "", call,
                                        stored), before)


# ----------------------------------------------------------------------
# Contact windows (R9, issue 13): everybody reads the contact norms of the
# industries, sales directors and regional managers set them. On a window
# of "Health/Social".
# ----------------------------------------------------------------------
WINDOW_ROLES = {
    # login: (read, create, write, unlink)
    "kam_manager_1": (True, False, False, False),
    "kam_support": (True, False, False, False),
    "kam_secretary": (True, False, False, False),
    "kam_regional": (True, True, True, True),
    "kam_director": (True, True, True, True),
}
WINDOW_OPS = ("read", "create", "write", "unlink")
WINDOW_CASES = [(login, op, rights[i])
                for login, rights in sorted(WINDOW_ROLES.items())
                for i, op in enumerate(WINDOW_OPS)]


@with_cases("run_case", WINDOW_CASES,
            ["%s_%s" % case[:2] for case in WINDOW_CASES],
            prefix="test_contact_window")
class TestContactWindowAccess(AccessCase):
    """The role matrix of contact windows; a refusal is an AccessError and
    writes nothing."""

    def run_case(self, case):
        login, op, allowed = case
        env = self.env
        industry = env.ref("base.res_partner_industry_Q")
        window = env["kam.contact.window"].create({
            "industry_id": industry.id, "hour_from": 8.0, "hour_to": 12.0})
        Window = env["kam.contact.window"].with_env(self.as_user(login))
        user_window = window.with_env(Window.env)

        def call():
            if op == "read":
                return user_window.read(["hour_from", "hour_to", "place"])
            if op == "create":
                return Window.create({"industry_id": industry.id,
                                      "hour_from": 13.0, "hour_to": 17.0})
            if op == "write":
                return user_window.write({"place": "At our office"})
            return user_window.unlink()

        def stored():
            env.cr.execute("SELECT count(*), max(id), "
                           "array_agg(place ORDER BY id) "
                           "FROM kam_contact_window")
            return env.cr.fetchone()
        before = stored()
        if allowed:
            call()
            return
        self.assertEqual(state_at_error(self, AccessError, "", call, stored),
                         before)


# ----------------------------------------------------------------------
# The monthly analysis meeting (R15, issue 13): the region's manager or a
# sales director schedules it and writes its minutes; the KAMs attend but
# cannot read the regional report; the secretary reads it. On 华东区's
# regional report of a month far ahead.
# ----------------------------------------------------------------------
MEETING_ROLES = {
    # login: (read, schedule, write the minutes)
    "kam_regional": (True, True, True),   # the region's manager
    "kam_director": (True, True, True),
    "kam_manager_1": (False, False, False),
    "kam_manager_2": (False, False, False),
    "kam_support": (False, False, False),
    "kam_secretary": (True, False, False),
}
MEETING_OPS = ("read", "schedule", "minutes")
MEETING_CASES = [(login, op, rights[i])
                 for login, rights in sorted(MEETING_ROLES.items())
                 for i, op in enumerate(MEETING_OPS)]


@with_cases("run_case", MEETING_CASES,
            ["%s_%s" % case[:2] for case in MEETING_CASES],
            prefix="test_meeting")
class TestMeetingAccess(AccessCase):
    """The role matrix of the monthly analysis meeting; a refusal is an
    AccessError and writes nothing (no meeting, no minutes)."""

    def run_case(self, case):
        login, op, allowed = case
        env = self.env
        month = ds(today().replace(day=1) + relativedelta(years=7))
        report = env["kam.report"]._kam_ensure_reports(
            month, kinds=("region",)).filtered(
                lambda r: r.region_id == self.kam_ref("region_east_china"))
        user_report = report.with_env(self.as_user(login))

        def call():
            if op == "read":
                return user_report.read(["meeting_agenda", "meeting_minutes",
                                         "meeting_id"])
            if op == "schedule":
                return user_report.action_schedule_meeting()
            return user_report.write({"meeting_minutes": "Agreed."})

        def stored():
            env.cr.execute(
                "SELECT r.meeting_id, r.meeting_minutes, "
                "r.meeting_agenda_data, (SELECT count(*) FROM calendar_event "
                "WHERE res_model = 'kam.report' AND res_id = r.id) "
                "FROM kam_report r WHERE r.id = %s", (report.id,))
            return env.cr.fetchone()
        before = stored()
        if allowed:
            result = call()
            after = stored()
            if op == "schedule":
                self.assertEqual(after[3], 1)
                self.assertEqual(result["res_id"], after[0])
            if op == "minutes":
                self.assertEqual(after[1], "Agreed.")
            return
        self.assertEqual(state_at_error(self, AccessError, "", call,
                                        stored), before)


# ----------------------------------------------------------------------
# The 80/20 finder and the margin (R1, R13, issue 13): regional managers
# and directors rank and promote with the suggested type, only directors
# promote with another type; the margin is read as the rest of the RFM
# analysis (on kam_manager_1's Shanghai Metro).
# ----------------------------------------------------------------------
FINDER_ROLES = {
    # login: (rank, promote with the suggested type, promote with another
    # type, read the margin)
    "kam_director": (True, True, True, True),
    "kam_regional": (True, True, False, True),
    "kam_manager_1": (False, False, False, True),   # the account's KAM
    "kam_manager_2": (False, False, False, False),
    "kam_support": (False, False, False, True),     # on its team
    "kam_secretary": (False, False, False, True),
}
FINDER_OPS = ("rank", "promote", "override", "read_margin")
FINDER_CASES = [(login, op, rights[i])
                for login, rights in sorted(FINDER_ROLES.items())
                for i, op in enumerate(FINDER_OPS)]


@with_cases("run_case", FINDER_CASES,
            ["%s_%s" % case[:2] for case in FINDER_CASES],
            prefix="test_finder")
class TestFinderAccess(AccessCase):
    """The role matrix of the 80/20 finder's ranking, promotion and type
    override, and of the margin figures; a refusal is an AccessError and
    writes nothing."""

    def run_case(self, case):
        login, op, allowed = case
        env = self.env
        prospect = make_company(env, "Finder Prospect Co")
        product = env["product.product"].create({
            "name": "Finder Unit", "type": "service",
            "taxes_id": [(6, 0, [])]})
        order = env["sale.order"].create({
            "partner_id": prospect.id,
            "order_line": [(0, 0, {"product_id": product.id,
                                   "product_uom_qty": 1,
                                   "price_unit": 9e8,
                                   "purchase_price": 6e8,
                                   "tax_id": [(6, 0, [])]})]})
        order.action_confirm()
        metro = self.kam_ref("partner_kam_shanghai_metro")
        Wizard = env["kam.pareto.wizard"].with_env(self.as_user(login))
        vals = {
            "kam_manager_id": self.kam_ref("user_kam_manager_1").id,
            "kam_region_id": self.kam_ref("region_east_china").id,
            "kam_relationship_level_id": self.kam_ref(
                "relationship_level_vendor").id}
        if op == "override":
            vals["kam_account_type"] = "national"

        def call():
            if op == "read_margin":
                return metro.with_env(Wizard.env).read(
                    ["kam_rfm_margin", "kam_rfm_margin_rate"])
            wiz = Wizard.create(vals)
            wiz.action_rank()
            if op == "rank":
                return wiz
            wiz.line_ids.filtered(
                lambda line: line.partner_id == prospect).write(
                    {"selected": True})
            return wiz.action_promote()

        def stored():
            env.cr.execute("SELECT count(*) FROM kam_pareto_wizard_line")
            lines = env.cr.fetchone()
            return lines, db_row(env, "res_partner", prospect.id,
                                 ["kam_is_key_account", "kam_account_type"])
        before = stored()
        if allowed:
            call()
            if op in ("promote", "override"):
                self.assertEqual(
                    db_row(env, "res_partner", prospect.id,
                           ["kam_is_key_account", "kam_account_type"]),
                    {"kam_is_key_account": True,
                     "kam_account_type": "key" if op == "promote"
                     else "national"})
            return
        match = "only sales directors" if op == "override" else ""
        self.assertEqual(state_at_error(self, AccessError, match, call,
                                        stored), before)


# ----------------------------------------------------------------------
# The customer portal (R7): kam_portal, 陈刚 of 上海地铁 (kam_manager_1's
# account), reads the account's complaints, requirements, their stage
# times and the serving station; nothing else of the addon, nothing of
# another account, and writes nothing.
# ----------------------------------------------------------------------
PORTAL_READS = {
    # model: what the portal user finds, as a domain read as admin
    "kam.complaint": "partner_id",
    "kam.requirement": "partner_id",
    "kam.requirement.stage.log": "partner_id",
    "kam.service.station": "partner_ids",
}


class TestPortalAccess(AccessCase):

    def portal_env(self):
        return self.env(user=self.user("kam_portal").id)

    def test_portal_user_reads_own_account_only(self):
        env = self.portal_env()
        metro = self.kam_ref("partner_kam_shanghai_metro")
        models = self.env["ir.model"].search([
            ("model", "=like", "kam.%"), ("transient", "=", False)])
        for model in models.mapped("model"):
            if self.env[model]._abstract:
                continue
            with self.subTest(model=model):
                Model = env[model]
                rights = [Model.check_access_rights(op, raise_exception=False)
                          for op in ("read", "create", "write", "unlink")]
                self.assertEqual(rights,
                                 [model in PORTAL_READS, False, False, False])
                if model not in PORTAL_READS:
                    continue
                field = PORTAL_READS[model]
                domain = [(field, "=", metro.id)] if field == "partner_id" \
                    else [(field, "in", metro.ids)]
                mine = self.env[model].search(domain)
                self.assertTrue(mine)
                self.assertEqual(Model.search([]).ids, mine.ids)
                others = self.env[model].search([("id", "not in", mine.ids)],
                                                limit=1)
                if others:
                    with self.assertRaisesRegex(AccessError, DENIED_READ):
                        others.with_env(env).read(["display_name"])

    def test_portal_user_sees_no_key_account_fields(self):
        """The key-account fields of the account stay the company's."""
        env = self.portal_env()
        metro = self.kam_ref("partner_kam_shanghai_metro").with_env(env)
        self.assertTrue(metro.read(["name"]))
        for fname in ("kam_manager_id", "kam_relationship_level_id",
                      "kam_strategy"):
            with self.subTest(field=fname):
                with self.assertRaises(AccessError):
                    metro.read([fname])
        # another key account is not even read
        with self.assertRaisesRegex(AccessError, DENIED_READ):
            self.kam_ref("partner_kam_wuxi_semicon").with_env(env).read(
                ["name"])


# Check-in, check-out and photos of a visit (R8, issue 14): only the
# visitor, on their own planned visit; the supervisor reads it, nobody else
# checks in for the visitor. On a planned visit of kam_manager_1 to
# Shanghai Metro (kam_support is on its team).
# ----------------------------------------------------------------------
CHECK_IN_ROLES = {
    # login: (read the check-in, check in, check out, add a photo)
    "kam_manager_1": (True, True, True, True),    # the visitor
    "kam_manager_2": (False, False, False, False),
    "kam_support": (True, False, False, False),
    "kam_secretary": (True, False, False, False),
    "kam_regional": (True, False, False, False),  # the reviewer
    "kam_director": (True, False, False, False),
}
CHECK_IN_OPS = ("read", "check_in", "check_out", "photo")
CHECK_IN_CASES = [(login, op, rights[i])
                  for login, rights in sorted(CHECK_IN_ROLES.items())
                  for i, op in enumerate(CHECK_IN_OPS)]
# a 1x1 PNG
PNG_B64 = (b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAA"
           b"AYAAjCB0C8AAAAASUVORK5CYII=")


@with_cases("run_case", CHECK_IN_CASES,
            ["%s_%s" % case[:2] for case in CHECK_IN_CASES],
            prefix="test_visit_check_in")
class TestVisitCheckInAccess(AccessCase):

    def run_case(self, case):
        login, op, allowed = case
        env = self.env
        visit = env["kam.visit"].create({
            "partner_id": self.kam_ref("partner_kam_shanghai_metro").id,
            "user_id": self.kam_ref("user_kam_manager_1").id,
            "visit_date": ds(today() - relativedelta(days=1)) + " 09:00:00",
            "purpose": "Access check"})
        if op == "check_out":
            visit.with_env(self.as_user("kam_manager_1")).action_check_in(
                31.2095, 121.4445, 10)
        mine = visit.with_env(self.as_user(login))

        def call():
            if op == "read":
                return mine.read(["check_in_at", "check_in_distance_m",
                                  "check_in_flag", "photo_ids"])
            if op == "check_in":
                return mine.action_check_in(31.2095, 121.4445, 10)
            if op == "check_out":
                return mine.action_check_out(31.2095, 121.4445, 10)
            return mine.action_add_photo("door.png", PNG_B64)

        def stored():
            env.cr.execute(
                "SELECT v.state, v.check_in_at, v.check_out_at, "
                "(SELECT count(*) FROM ir_attachment a "
                "  WHERE a.res_model = 'kam.visit' AND a.res_id = v.id) "
                "FROM kam_visit v WHERE v.id = %s", (visit.id,))
            return env.cr.fetchone()
        before = stored()
        if allowed:
            call()
            if op != "read":
                self.assertNotEqual(stored(), before)
            return
        self.assertEqual(state_at_error(self, AccessError, "", call,
                                        stored), before)


# ----------------------------------------------------------------------
# The cockpits (issue 15): every key-account role reads its own; a KAM's
# never counts another KAM's accounts, support staff's only their teams'.
# ----------------------------------------------------------------------
class TestDashboardAccess(AccessCase):

    def test_who_reads_a_cockpit(self):
        for login in ("kam_director", "kam_regional", "kam_manager_1",
                      "kam_manager_2", "kam_support", "kam_secretary"):
            data = self.env["kam.dashboard"].with_env(
                self.as_user(login)).kam_dashboard_data()
            self.assertEqual(data["account_count"],
                             len(self.visible_accounts(login).filtered(
                                 lambda a, login=login: login not in (
                                     "kam_regional",) or
                                 a.kam_region_id.manager_id ==
                                 self.user(login))), login)
        portal = self.env.ref("kam_management.user_kam_portal")
        with self.raises_and_rolls_back(AccessError, "not allowed"):
            self.env["kam.dashboard"].sudo(portal).kam_dashboard_data()

    def test_other_kams_account_is_not_counted(self):
        metro = self.kam_ref("partner_kam_shanghai_metro")  # kam_manager_1's
        self.assertEqual(metro.kam_manager_id, self.user("kam_manager_1"))
        env = self.env
        before = {login: env["kam.dashboard"].with_env(
            self.as_user(login)).kam_dashboard_data()["tiles"]
            for login in ("kam_manager_1", "kam_manager_2")}
        env["kam.requirement"].create({"name": "Cockpit scope",
                                       "partner_id": metro.id})
        for login, moved in (("kam_manager_1", 1), ("kam_manager_2", 0)):
            after = env["kam.dashboard"].with_env(
                self.as_user(login)).kam_dashboard_data()["tiles"]
            old = {t["key"]: t["value"] for t in before[login]}
            new = {t["key"]: t["value"] for t in after}
            self.assertEqual(new["requirements_open"] -
                             old["requirements_open"], moved, login)
