# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Relationship-level requests (R11, issue 12): a change of level needs a
second person.

As the real demo users: ``kam_manager_1`` (KAM of 华东 accounts) asks,
``kam_regional`` (manager of 华东) or ``kam_director`` decides. The
scorecard month is three months before today, the history row of a
decision is moved into it, and the figure is compared before and after
(whatever the demo data holds for that month)."""
from datetime import datetime

from odoo.exceptions import AccessError, UserError, ValidationError

from .common import KamCase, ds, month_start
from .test_access import db_row, state_at_error
from .test_multi_company import CompanyB

NANJING = "partner_kam_nanjing_hospital"    # kam_manager_1, 华东, vendor
NINGBO = "partner_kam_ningbo_port"          # kam_manager_1, 华东, partner
WUXI = "partner_kam_wuxi_semicon"           # kam_manager_2, 华东
SUZHOU = "partner_kam_suzhou_industrial"    # demo request pending
REQUEST = "kam.relationship.level.request"
ACTIVITY_TYPE = "mail_activity_type_kam_level_request"


class LevelRequestCase(KamCase):

    @classmethod
    def setUpClass(cls):
        super(LevelRequestCase, cls).setUpClass()
        cls.vendor = cls.env.ref("kam_management.relationship_level_vendor")
        cls.supplier = cls.env.ref(
            "kam_management.relationship_level_preferred_supplier")
        cls.partner_level = cls.env.ref(
            "kam_management.relationship_level_partner")
        cls.alliance = cls.env.ref(
            "kam_management.relationship_level_strategic_alliance")
        cls.month = month_start(months=-3)

    def account(self, xmlid, login):
        """The demo account as ``login`` sees it."""
        return self.kam_ref(xmlid).with_env(self.as_user(login))

    def ask(self, xmlid, level, login="kam_manager_1", reason="Won the "
            "framework tender; joint planning from next quarter."):
        """``login`` asks for ``level`` on the account; the request as
        ``login`` sees it."""
        request_id = self.account(xmlid, login).action_kam_request_level(
            level.id, reason)
        self.assertIsInstance(request_id, int)
        return self.env[REQUEST].with_env(self.as_user(login)).browse(
            request_id)

    def as_login(self, record, login):
        return record.with_env(self.as_user(login))

    def activities(self, request):
        return self.env["mail.activity"].search([
            ("res_model", "=", REQUEST), ("res_id", "=", request.id),
            ("activity_type_id", "=", self.kam_ref(ACTIVITY_TYPE).id)])

    def upgrades(self, login="kam_manager_1"):
        """The KAM's scorecard figure of the test month, computed now."""
        cards = self.env["kam.scorecard"]._kam_refresh_scorecards(
            ds(self.month), [self.user(login).id])
        return cards.level_upgrade_count

    def into_month(self, rows):
        """Date history rows in the scorecard month."""
        day = self.month.replace(day=10)
        # as the superuser (self.env): only directors edit history
        rows.with_env(self.env).write(
            {"date": ds(datetime(day.year, day.month, day.day, 10))})


class TestRequestAndDecide(LevelRequestCase):

    def test_kam_asks_regional_manager_approves(self):
        account = self.kam_ref(NANJING)
        before_upgrades = self.upgrades()
        history_before = account.kam_relationship_history_ids
        request = self.ask(NANJING, self.supplier)
        # asked, not changed
        self.assertEqual(account.kam_relationship_level_id, self.vendor)
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.old_level_id, self.vendor)
        self.assertEqual(request.new_level_id, self.supplier)
        self.assertEqual(request.requested_by, self.user("kam_manager_1"))
        self.assertEqual(request.region_id, self.kam_ref("region_east_china"))
        self.assertEqual(request.direction, "up")
        self.assertEqual(account.kam_relationship_history_ids,
                         history_before)
        self.assertEqual(account.kam_level_request_count, 1)
        # the region's manager is asked to decide, in an activity
        task = self.activities(request)
        self.assertEqual(task.user_id, self.user("kam_regional"))
        self.assertIn(account.name, task.summary)
        self.assertFalse(request.can_decide)  # the KAM does not decide
        self.assertTrue(self.as_login(request, "kam_regional").can_decide)

        self.as_login(request, "kam_regional").action_approve()
        account.invalidate_cache()
        self.assertEqual(account.kam_relationship_level_id, self.supplier)
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.decided_by_id, self.user("kam_regional"))
        self.assertTrue(request.decision_date)
        row = account.kam_relationship_history_ids - history_before
        self.assertEqual(len(row), 1)
        self.assertEqual((row.old_level_id, row.new_level_id, row.direction),
                         (self.vendor, self.supplier, "up"))
        self.assertEqual(row.change_type, "request")
        self.assertEqual(row.request_id, request)
        self.assertEqual(row.requested_by_id, self.user("kam_manager_1"))
        self.assertEqual(row.approved_by_id, self.user("kam_regional"))
        self.assertEqual(row.user_id, self.user("kam_regional"))  # changed by
        self.assertEqual(row.kam_manager_id, self.user("kam_manager_1"))
        self.assertEqual(row.reason, request.reason)
        self.assertTrue(row.loyalty_upgrade)
        self.assertEqual(request.history_ids, row)
        # the task is done, and the KAM is told
        self.assertFalse(self.activities(request))
        told = self.env["mail.message"].search([
            ("model", "=", REQUEST), ("res_id", "=", request.id),
            ("partner_ids", "in", self.user("kam_manager_1").partner_id.id)])
        self.assertTrue(told)
        self.assertIn("Approved by", told[0].body)
        # the upgrade counts for the KAM's loyalty
        self.into_month(row)
        self.assertEqual(self.upgrades(), before_upgrades + 1)

    def test_rejected_request_changes_nothing_and_counts_nothing(self):
        account = self.kam_ref(NANJING)
        before_upgrades = self.upgrades()
        history_before = account.kam_relationship_history_ids
        request = self.ask(NANJING, self.alliance)
        regional = self.as_login(request, "kam_regional")
        # the reason is required to reject
        with self.raises_and_rolls_back(UserError, "Decision Note: say why"):
            regional.action_reject()
        regional.action_reject(reason="Not before the hospital's audit.")
        account.invalidate_cache()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(request.decision_note,
                         "Not before the hospital's audit.")
        self.assertEqual(account.kam_relationship_level_id, self.vendor)
        self.assertEqual(account.kam_relationship_history_ids,
                         history_before)
        self.assertFalse(self.activities(request))
        told = self.env["mail.message"].search([
            ("model", "=", REQUEST), ("res_id", "=", request.id),
            ("partner_ids", "in", self.user("kam_manager_1").partner_id.id)])
        self.assertIn("Rejected by", told[0].body)
        self.assertEqual(self.upgrades(), before_upgrades)
        # decided: nothing changes any more
        with self.raises_and_rolls_back(UserError, "Approve: .* is Rejected"):
            regional.action_approve()
        with self.raises_and_rolls_back(UserError, "was decided"):
            self.as_login(request, "kam_manager_1").write(
                {"reason": "Please reconsider."})
        # and a new request can be made
        self.ask(NANJING, self.supplier)

    def test_reject_with_the_note_written_on_the_form(self):
        request = self.ask(NANJING, self.supplier)
        regional = self.as_login(request, "kam_regional")
        regional.write({"decision_note": "Wait for the second order."})
        regional.action_reject()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(request.decision_note, "Wait for the second order.")

    def test_buttons_as_the_web_client_calls_them(self):
        """Odoo 11's web client passes the form's context as the last
        positional argument of a button: it is no note or reason."""
        context = {"lang": "en_US", "tz": False, "uid": 1}
        request = self.ask(NANJING, self.supplier)
        regional = self.as_login(request, "kam_regional")
        with self.raises_and_rolls_back(UserError, "Decision Note: say why"):
            regional.action_reject(context)
        regional.action_approve(context)
        self.assertEqual(request.state, "approved")
        self.assertFalse(request.decision_note)

    def test_director_decides_too(self):
        request = self.ask(NANJING, self.supplier)
        self.as_login(request, "kam_director").action_approve(
            note="Agreed at the sales meeting.")
        self.assertEqual(self.kam_ref(NANJING).kam_relationship_level_id,
                         self.supplier)
        self.assertEqual(request.decision_note, "Agreed at the sales meeting.")

    def test_downgrade_request(self):
        request = self.ask(NINGBO, self.supplier)
        self.assertEqual(request.direction, "down")
        self.as_login(request, "kam_regional").action_approve()
        row = request.history_ids
        self.assertEqual(row.direction, "down")
        self.assertFalse(row.loyalty_upgrade)


class TestDirectChanges(LevelRequestCase):

    def test_regional_manager_changes_directly_recorded_as_direct(self):
        account = self.account(NANJING, "kam_regional")
        self.assertTrue(account.kam_level_direct)
        before = account.kam_relationship_history_ids
        account.write({"kam_relationship_level_id": self.supplier.id})
        row = account.kam_relationship_history_ids - before
        self.assertEqual(row.change_type, "direct")
        self.assertFalse(row.request_id or row.requested_by_id
                         or row.approved_by_id)
        self.assertEqual(row.user_id, self.user("kam_regional"))
        # decided by someone else than the account's KAM: it counts
        self.assertTrue(row.loyalty_upgrade)
        before_upgrades = self.upgrades()
        self.into_month(row)
        self.assertEqual(self.upgrades(), before_upgrades + 1)

    def test_kam_cannot_write_the_level_by_any_path(self):
        """Form, kanban drag (a write of the group's value), RPC write and
        import all end in res.partner.write: refused, nothing written."""
        account = self.account(NANJING, "kam_manager_1")
        self.assertFalse(account.kam_level_direct)
        columns = ["kam_relationship_level_id"]

        def stored():
            return db_row(self.env, "res_partner", account.id, columns)
        history = self.env["kam.relationship.history"].search_count([])
        before = stored()
        self.assertEqual(state_at_error(
            self, AccessError, "you cannot change the level of .* yourself",
            lambda: account.write(
                {"kam_relationship_level_id": self.supplier.id}),
            stored), before)
        # an import is refused the same way, and rolls back
        result = account.load(
            ["id", "kam_relationship_level_id/id"],
            [["kam_management.%s" % NANJING,
              "kam_management.relationship_level_preferred_supplier"]])
        self.assertFalse(result["ids"])
        self.assertRegex(" ".join(m["message"] for m in result["messages"]),
                         "you cannot change the level")
        self.assertEqual(stored(), before)
        self.assertEqual(
            self.env["kam.relationship.history"].search_count([]), history)
        # writing the level it has already is no change: allowed
        account.write({"kam_relationship_level_id": self.vendor.id})
        # the other key-account data stays the KAM's
        account.write({"kam_account_type": "national"})
        self.assertEqual(account.kam_account_type, "national")

    def test_kam_upgrade_never_counts_without_a_second_person(self):
        """An upgrade made by the account's own KAM (a director who is its
        KAM changes it directly, or a row from before requests existed)
        is recorded but never counted."""
        director = self.user("kam_director")
        company = self.env["res.partner"].create({
            "name": "Director's Own Account", "is_company": True,
            "kam_is_key_account": True, "kam_account_type": "key",
            "kam_manager_id": director.id,
            "kam_region_id": self.kam_ref("region_east_china").id,
            "kam_relationship_level_id": self.vendor.id})
        before_upgrades = self.upgrades("kam_director")
        account = company.with_env(self.as_user("kam_director"))
        before = account.kam_relationship_history_ids
        account.write({"kam_relationship_level_id": self.partner_level.id})
        row = account.kam_relationship_history_ids - before
        self.assertEqual(row.direction, "up")
        self.assertEqual(row.kam_manager_id, director)
        self.assertFalse(row.loyalty_upgrade)
        self.into_month(row)
        self.assertEqual(self.upgrades("kam_director"), before_upgrades)
        # kam_manager_1: a pending request counts nothing, nor a row that
        # the KAM wrote themselves (as before this issue)
        before_upgrades = self.upgrades()
        self.ask(NANJING, self.supplier)
        # sudo: a row as the KAM could write it before requests existed
        legacy = self.env["kam.relationship.history"].sudo().create({
            "partner_id": self.kam_ref(NANJING).id,
            "old_level_id": self.vendor.id,
            "new_level_id": self.supplier.id,
            "user_id": self.user("kam_manager_1").id})
        self.assertFalse(legacy.loyalty_upgrade)
        self.into_month(legacy)
        self.assertEqual(self.upgrades(), before_upgrades)

    def test_report_counts_only_upgrades_by_a_second_person(self):
        account = self.kam_ref(NANJING)
        ask = self.ask(NANJING, self.supplier)
        self.as_login(ask, "kam_regional").action_approve()
        # sudo: a row the KAM wrote themselves, as before this issue
        self.env["kam.relationship.history"].sudo().create({
            "partner_id": account.id, "old_level_id": self.supplier.id,
            "new_level_id": self.partner_level.id,
            "user_id": self.user("kam_manager_1").id})
        rows = account.kam_relationship_history_ids.filtered(
            lambda h: h.direction == "up")
        self.into_month(rows)
        report = self.env["kam.report"].new({"period_start": ds(self.month)})
        figures = report._kam_figures_levels([account.id])
        self.assertEqual(figures["level_up_count"], 1)


class TestWhoAsksWhoDecides(LevelRequestCase):

    def test_nobody_decides_their_own_request(self):
        """kam_regional is also the KAM of an account in their own region:
        they cannot change its level directly, they ask, and a director
        decides; they cannot approve their own request."""
        regional = self.user("kam_regional")
        company = self.env["res.partner"].create({
            "name": "Regional's Own Account", "is_company": True,
            "kam_is_key_account": True, "kam_account_type": "key",
            "kam_manager_id": regional.id,
            "kam_region_id": self.kam_ref("region_east_china").id,
            "kam_relationship_level_id": self.vendor.id})
        account = company.with_env(self.as_user("kam_regional"))
        self.assertFalse(account.kam_level_direct)
        with self.raises_and_rolls_back(AccessError, "yourself"):
            account.write({"kam_relationship_level_id": self.supplier.id})
        request = self.env[REQUEST].browse(account.action_kam_request_level(
            self.supplier.id, "Won the tender.")).with_env(
                self.as_user("kam_regional"))
        # a director is asked, not the one who asked
        self.assertEqual(self.activities(request).mapped("user_id"),
                         self.user("kam_director"))
        level = state_at_error(
            self, AccessError, "you cannot decide your own request",
            request.action_approve,
            lambda: db_row(self.env, "res_partner", company.id,
                           ["kam_relationship_level_id"]))
        self.assertEqual(level, {"kam_relationship_level_id": self.vendor.id})
        self.as_login(request, "kam_director").action_approve()
        self.assertEqual(company.kam_relationship_level_id, self.supplier)

    def test_kam_never_decides(self):
        # a request on their own account, made by the regional manager
        request = self.ask(NANJING, self.supplier, login="kam_regional")
        mine = self.as_login(request, "kam_manager_1")
        for call in (mine.action_approve,
                     lambda: mine.action_reject(reason="No.")):
            with self.raises_and_rolls_back(
                    AccessError, "you are the key account manager"):
                call()
        # nor on another KAM's account (hidden by the record rules)
        with self.raises_and_rolls_back(AccessError, "security restrictions"):
            self.as_login(request, "kam_manager_2").action_approve()
        for login in ("kam_support", "kam_secretary"):
            with self.raises_and_rolls_back(AccessError,
                                            "not allowed to modify"):
                self.as_login(request, login).action_approve()
        self.assertEqual(request.state, "pending")
        # nor may they write the decision note
        with self.raises_and_rolls_back(AccessError, "Decision Note"):
            mine.write({"decision_note": "fine by me"})

    def test_who_may_ask(self):
        # another KAM's account: hidden
        with self.raises_and_rolls_back(AccessError, "security restrictions"):
            self.account(WUXI, "kam_manager_1").action_kam_request_level(
                self.supplier.id, "x")
        # the secretary sees every account but does not ask
        with self.raises_and_rolls_back(AccessError,
                                        "only the key account manager"):
            self.account(WUXI, "kam_secretary").action_kam_request_level(
                self.supplier.id, "x")
        # a director may ask; the region's manager decides
        request = self.ask(WUXI, self.partner_level, login="kam_director")
        self.assertEqual(self.activities(request).user_id,
                         self.user("kam_regional"))

    def test_level_moved_since_the_request(self):
        """Approving refuses a request whose account has changed level
        since it was asked for; rejecting it clears the way."""
        request = self.ask(NANJING, self.partner_level)
        self.account(NANJING, "kam_regional").write(
            {"kam_relationship_level_id": self.supplier.id})
        regional = self.as_login(request, "kam_regional")
        with self.raises_and_rolls_back(UserError, "no longer Vendor"):
            regional.action_approve()
        self.assertEqual(self.kam_ref(NANJING).kam_relationship_level_id,
                         self.supplier)
        regional.action_reject(reason="The level changed meanwhile.")
        again = self.ask(NANJING, self.partner_level)
        self.assertEqual(again.old_level_id, self.supplier)

    def test_one_pending_request_per_account(self):
        self.ask(NANJING, self.supplier)
        with self.raises_and_rolls_back(UserError,
                                        "already has a pending"):
            self.ask(NANJING, self.partner_level)
        # the demo request of Suzhou waits too
        with self.raises_and_rolls_back(UserError,
                                        "already has a pending"):
            self.ask(SUZHOU, self.alliance)


class TestBadRequests(LevelRequestCase):

    def check_refused(self, exc, match, level, reason, xmlid=NANJING,
                      login="kam_manager_1"):
        count = self.env[REQUEST].search_count([])
        activities = self.env["mail.activity"].search_count([])
        with self.raises_and_rolls_back(exc, match):
            try:
                self.account(xmlid, login).action_kam_request_level(
                    level, reason)
            except exc:
                # nothing was written when the error was raised
                self.assertEqual(self.env[REQUEST].search_count([]), count)
                self.assertEqual(
                    self.env["mail.activity"].search_count([]), activities)
                raise

    def test_a_reason_is_required(self):
        for reason in (False, "", "   "):
            with self.subTest(reason=reason):
                self.check_refused(ValidationError, "Reason is required",
                                   self.supplier.id, reason)

    def test_the_current_level_is_refused(self):
        self.check_refused(UserError, "is already at the level Vendor",
                           self.vendor.id, "Nothing changes.")

    def test_a_level_that_is_not_one(self):
        self.check_refused(ValidationError,
                           "Requested Level: this is not the id of a record",
                           "Partner", "Typed the name.")
        self.check_refused(ValidationError,
                           "Requested Level: there is no such record",
                           999999999, "No such level.")

    def test_an_ordinary_customer_is_refused(self):
        self.check_refused(UserError, "is not a key account",
                           self.supplier.id, "Not yet.",
                           xmlid="partner_kam_prospect_xiamen",
                           login="kam_regional")

    def test_fields_of_the_request_are_frozen(self):
        request = self.ask(NANJING, self.supplier)
        for vals in ({"new_level_id": self.alliance.id},
                     {"partner_id": self.kam_ref(NINGBO).id},
                     {"decided_by_id": self.user("kam_manager_1").id}):
            with self.subTest(vals=vals):
                with self.raises_and_rolls_back(UserError,
                                                "cannot be written"):
                    request.write(vals)
        with self.raises_and_rolls_back(UserError, "Move to Approved"):
            request.write({"state": "approved"})
        with self.raises_and_rolls_back(UserError, "starts as pending"):
            self.env[REQUEST].with_env(self.as_user("kam_manager_1")).create(
                {"partner_id": self.kam_ref(NINGBO).id,
                 "new_level_id": self.alliance.id, "reason": "x",
                 "state": "approved"})
        # the person who asked may reword the reason while it waits
        request.write({"reason": "Won the tender; steering committee."})
        with self.raises_and_rolls_back(AccessError, "who asked"):
            self.as_login(request, "kam_regional").write({"reason": "x"})


class TestLevelRequestCompanies(LevelRequestCase):
    """Another company's requests are hidden, and its own directors
    decide them."""

    def test_company_b_requests(self):
        b = CompanyB(self.env, "_level")
        # who changes a level edits contacts (as the demo users do)
        (b.regional | b.director).write({"groups_id": [
            (4, self.env.ref("base.group_partner_manager").id)]})
        account = b.account.sudo(b.kam)
        request = self.env[REQUEST].browse(account.action_kam_request_level(
            self.supplier.id, "Second order."))
        self.assertEqual(request.company_id, b.company)
        self.assertEqual(self.activities(request).user_id, b.regional)
        # asked by B's regional manager: B's directors decide, not A's
        ask = self.env[REQUEST].browse(b.key_account(
            "B Glass").sudo(b.regional).action_kam_request_level(
                self.partner_level.id, "Joint product line."))
        self.assertEqual(self.activities(ask).user_id, b.director)
        for login in ("kam_director", "kam_secretary", "kam_regional"):
            with self.subTest(login=login):
                self.assertFalse(self.env[REQUEST].with_env(
                    self.as_user(login)).search(
                        [("id", "in", (request | ask).ids)]))
        request.sudo(b.regional).action_approve()
        self.assertEqual(b.account.kam_relationship_level_id, self.supplier)
        ask.sudo(b.director).action_reject(reason="Not yet.")
        self.assertEqual(ask.state, "rejected")
