# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Visit compliance (R8) across time, every path that changes it, the daily
action's activities and escalations, and its idempotence.

The as-of day is passed explicitly (``today=``), never taken from the clock,
and every day a test uses is counted from one day of its own: the day its
account became a key account (``self.since``), long enough before today
that all its visits lie in the past (a done visit cannot be in the future).
Only the test of the daily action's activities counts from today, because
marking a visit done refreshes compliance as of today."""
from datetime import datetime, time, timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import ValidationError

from .common import KamCase, ds, month_start, today, with_cases

KAM_RULE = "visit_rule_kam_monthly"
RM_RULE = "visit_rule_regional_manager_half_yearly"
# the rules of data/kam_visit_rule_data.xml
KAM_DAYS, KAM_WARN = 31, 7
RM_DAYS = 183
ESCALATION_DAYS = 7
CRON_LOCK = "kam_management.ir_cron_visit_compliance"


def days(n):
    return timedelta(days=n)


def at(day, hour=10):
    """A visit time on ``day`` (UTC; the same day in every user's tz)."""
    return ds(datetime.combine(day, time(hour)))


class ComplianceCase(KamCase):
    """A key account of its own, a key account since ``self.since``, and
    the first visit of most tests (``self.visited``), due again on
    ``self.due``."""

    with_account = True

    def setUp(self):
        super(ComplianceCase, self).setUp()
        # the latest day a test counts to is since + 200
        self.since = today() - days(400)
        self.visited = self.since + days(59)
        self.due = self.visited + days(KAM_DAYS)
        if self.with_account:
            self.account = self.env["res.partner"].create({
                "name": "Compliance Test Co", "is_company": True,
                "kam_is_key_account": True, "kam_account_type": "key",
                "kam_manager_id": self.user("kam_manager_1").id,
                "kam_region_id": self.kam_ref("region_east_china").id,
                "kam_relationship_level_id": self.kam_ref(
                    "relationship_level_vendor").id,
                "kam_since": ds(self.since),
            })

    def row(self, rule, account=None):
        account = account or self.account
        account.invalidate_cache()
        rows = account.kam_visit_compliance_ids.filtered(
            lambda r: r.rule_id == self.kam_ref(rule))
        self.assertLessEqual(len(rows), 1)
        return rows

    def visit(self, login, date, state="done"):
        return self.env["kam.visit"].create({
            "partner_id": self.account.id,
            "user_id": self.user(login).id,
            "visit_date": date, "purpose": "Test visit", "state": state})

    def refresh(self, day):
        self.env["kam.visit.compliance"]._kam_refresh(today=ds(day))

    def cron(self, day):
        return self.env["kam.visit.compliance"]._cron_visit_compliance(
            today=ds(day))

    def activities(self, type_xmlid="mail_activity_type_kam_visit"):
        return self.env["mail.activity"].search([
            ("res_model", "=", "res.partner"),
            ("res_id", "=", self.account.id),
            ("activity_type_id", "=", self.kam_ref(type_xmlid).id)])

    def escalations(self):
        return self.activities("mail_activity_type_kam_visit_escalation")


STATE_CASES = [
    # (days after the due date, state, days overdue)
    (-12, "ok", 0),
    (-KAM_WARN, "due_soon", 0),   # 7 days' warning before the due date
    (0, "due_soon", 0),           # due today is not overdue yet
    (1, "overdue", 1),
    (11, "overdue", 11),
]
STATE_IDS = ["ok_12_days_before", "due_soon_7_days_before",
             "due_soon_on_the_day", "overdue_1_day_after",
             "overdue_11_days_after"]


@with_cases("check_state_across_time", STATE_CASES, STATE_IDS,
            prefix="test_states_across_time")
class TestComplianceRows(ComplianceCase):
    """Rows per account and rule, and every path that changes them."""

    def test_rows_for_every_applicable_rule(self):
        kam_row = self.row(KAM_RULE)
        rm_row = self.row(RM_RULE)
        self.assertEqual(kam_row.responsible_id, self.user("kam_manager_1"))
        self.assertEqual(rm_row.responsible_id, self.user("kam_regional"))
        # no visit yet: due = key account since + interval
        self.assertEqual(kam_row.due_date, ds(self.since + days(KAM_DAYS)))
        self.assertEqual(rm_row.due_date, ds(self.since + days(RM_DAYS)))
        self.assertFalse(kam_row.last_visit_date)

    def check_state_across_time(self, case):
        offset, state, overdue = case
        day = ds(self.due + days(offset))
        self.visit("kam_manager_1", at(self.visited))
        self.refresh(self.due + days(offset))
        kam_row = self.row(KAM_RULE).with_context(kam_today=day)
        self.assertEqual(kam_row.last_visit_date, at(self.visited))
        self.assertEqual(kam_row.due_date, ds(self.due))
        self.assertEqual((kam_row.state, kam_row.days_overdue),
                         (state, overdue))

    def test_partner_shows_worst_state(self):
        self.visit("kam_manager_1", at(self.visited))
        self.refresh(self.visited + days(9))
        self.account.invalidate_cache()
        self.assertEqual(self.account.kam_visit_state, "ok")
        # both rules overdue by then
        self.refresh(self.since + days(RM_DAYS + 7))
        self.account.invalidate_cache()
        self.assertEqual(self.account.kam_visit_state, "overdue")
        found = self.env["res.partner"].search([
            ("kam_visit_state", "=", "overdue"),
            ("id", "=", self.account.id)])
        self.assertEqual(found, self.account)

    def test_only_the_responsible_persons_visit_counts(self):
        # a visit by another KAM, or by support staff, does not satisfy the
        # KAM rule; the regional manager's visit only satisfies theirs
        self.visit("kam_manager_2", at(self.visited))
        self.visit("kam_support", at(self.visited + days(1)))
        self.visit("kam_regional", at(self.visited + days(2)))
        self.refresh(self.visited + days(9))
        self.assertFalse(self.row(KAM_RULE).last_visit_date)
        self.assertEqual(self.row(KAM_RULE).state, "overdue")
        self.assertEqual(self.row(RM_RULE).last_visit_date,
                         at(self.visited + days(2)))

    def test_planned_and_cancelled_visits_do_not_count(self):
        done = self.visit("kam_manager_1", at(self.visited))
        self.visit("kam_manager_1", at(self.visited + days(4)), "planned")
        self.assertEqual(self.row(KAM_RULE).last_visit_date,
                         at(self.visited))
        done.sudo(self.user("kam_manager_1")).action_cancel()
        self.assertFalse(self.row(KAM_RULE).last_visit_date)

    def test_marking_done_updates_compliance_at_once(self):
        planned = self.visit("kam_manager_1", at(self.visited), "planned")
        self.assertFalse(self.row(KAM_RULE).last_visit_date)
        planned.sudo(self.user("kam_manager_1")).action_done()
        self.assertEqual(self.row(KAM_RULE).last_visit_date,
                         at(self.visited))

    def test_new_kam_region_manager_level_and_demotion(self):
        account = self.account
        self.visit("kam_manager_1", at(self.visited))
        regional = self.as_user("kam_regional")
        # a new KAM has not visited yet
        account.with_env(regional).write(
            {"kam_manager_id": self.user("kam_manager_2").id})
        kam_row = self.row(KAM_RULE)
        self.assertEqual(kam_row.responsible_id, self.user("kam_manager_2"))
        self.assertFalse(kam_row.last_visit_date)
        # a new regional manager for the region
        director = self.as_user("kam_director")
        east = self.kam_ref("region_east_china").with_env(director)
        east.write({"manager_id": self.user("kam_director").id})
        self.assertEqual(self.row(RM_RULE).responsible_id,
                         self.user("kam_director"))
        # a rule restricted to strategic alliances applies once the level is
        alliance = self.kam_ref("relationship_level_strategic_alliance")
        alliance_rule = self.env["kam.visit.rule"].create({
            "name": "Alliances every 14 days", "role": "kam",
            "interval_days": 14,
            "relationship_level_ids": [(6, 0, [alliance.id])]})
        self.assertFalse(account.kam_visit_compliance_ids.filtered(
            lambda r: r.rule_id == alliance_rule))
        account.write({"kam_relationship_level_id": alliance.id})
        account.invalidate_cache()
        # nobody responsible has visited: due 14 days after since
        self.assertEqual(account.kam_visit_compliance_ids.filtered(
            lambda r: r.rule_id == alliance_rule).due_date,
            ds(self.since + days(14)))
        # demotion removes the rows, promotion brings them back
        account.with_env(director).action_kam_demote()
        account.invalidate_cache()
        self.assertFalse(account.kam_visit_compliance_ids)
        self.assertFalse(account.kam_visit_state)
        account.with_env(director).write({
            "kam_is_key_account": True, "kam_since": ds(self.since),
            "kam_relationship_level_id": self.kam_ref(
                "relationship_level_vendor").id})
        account.invalidate_cache()
        self.assertEqual(account.kam_visit_compliance_ids.mapped("rule_id"),
                         self.kam_ref(KAM_RULE) | self.kam_ref(RM_RULE))

    def test_rule_changes_recompute(self):
        self.visit("kam_manager_1", at(self.visited))
        rule = self.kam_ref(KAM_RULE)
        rule.write({"interval_days": 14})
        self.assertEqual(self.row(KAM_RULE).due_date,
                         ds(self.visited + days(14)))
        rule.write({"account_type": "national"})  # no longer applies
        self.assertFalse(self.row(KAM_RULE))
        rule.write({"account_type": False, "active": False})
        self.assertFalse(self.row(KAM_RULE))


RULE_CASES = [
    ({"interval_days": 0}, "Visit Every"),
    ({"interval_days": -5}, "Visit Every"),
    ({"warning_days": -1}, "Warn"),
]
RULE_IDS = ["interval_0", "interval_negative", "warning_negative"]


@with_cases("check_rule_bad_input", RULE_CASES, RULE_IDS,
            prefix="test_rule_bad_input")
class TestComplianceRuleInput(ComplianceCase):
    """Visit rules refuse intervals that make no sense."""

    with_account = False

    def check_rule_bad_input(self, case):
        vals, field = case
        rule = self.kam_ref(KAM_RULE)
        # the data's rule, as the other tests count with it
        self.assertEqual((rule.interval_days, rule.warning_days),
                         (KAM_DAYS, KAM_WARN))
        with self.raises_and_rolls_back(ValidationError, field):
            rule.write(vals)
        with self.raises_and_rolls_back(ValidationError, field):
            self.env["kam.visit.rule"].create(
                dict({"name": "Bad", "role": "kam"}, **vals))


class TestComplianceDailyAction(ComplianceCase):
    """The scheduled action: activities, escalations, snapshots, lock."""

    def test_daily_action_activities_are_idempotent(self):
        # counted from today: marking the visit done below refreshes
        # compliance as of today
        day = today()
        self.account.write({"kam_since": ds(day - days(400))})
        self.visit("kam_regional", at(day - days(10)))
        self.visit("kam_manager_1", at(day - days(20)))
        self.cron(day)
        self.assertFalse(self.activities())  # everything ok
        self.cron(day + days(8))  # due soon: due in 3 days
        acts = self.activities()
        self.assertEqual(len(acts), 1)
        self.assertEqual(acts.user_id, self.user("kam_manager_1"))
        # the last visit + 31 days
        self.assertEqual(acts.date_deadline,
                         ds(day - days(20) + days(KAM_DAYS)))
        # twice, and again after a "crash" between the refresh and the
        # activities: still exactly one
        self.cron(day + days(8))
        self.env["kam.visit.compliance"]._kam_refresh(
            today=ds(day + days(9)), activities=False)
        self.cron(day + days(9))
        self.assertEqual(len(self.activities()), 1)
        # a done visit closes it at once, with a note in the chatter
        messages_before = len(self.account.message_ids)
        # now: a visit of today that has already taken place at any hour
        self.visit("kam_manager_1", fields.Datetime.now(), "planned") \
            .sudo(self.user("kam_manager_1")).action_done()
        self.assertFalse(self.activities())
        self.account.invalidate_cache()
        self.assertGreater(len(self.account.message_ids), messages_before)
        self.cron(day)
        self.assertFalse(self.activities())

    def test_escalation_once_to_the_supervisor(self):
        self.visit("kam_manager_1", at(self.visited))
        self.cron(self.due + days(ESCALATION_DAYS))  # 7 days: not yet
        self.assertFalse(self.escalations())
        escalated = self.due + days(ESCALATION_DAYS + 1)  # 8 days overdue
        self.cron(escalated)
        esc = self.escalations()
        self.assertEqual(esc.user_id, self.user("kam_regional"))
        self.assertEqual(self.row(KAM_RULE).escalated_date, ds(escalated))
        self.cron(escalated + days(1))
        self.cron(escalated + days(11))
        self.assertEqual(len(self.escalations()), 1)
        # the regional manager's own overdue visit goes to a sales
        # director, not to the administrator
        rm_late = self.since + days(RM_DAYS + 17)
        self.cron(rm_late)
        esc = self.escalations()
        self.assertIn(self.user("kam_director"), esc.mapped("user_id"))
        self.assertNotIn(self.env.ref("base.user_root"),
                         esc.mapped("user_id"))
        # a done visit ends the cycle and closes the escalation of that row
        self.visit("kam_manager_1", at(rm_late - days(1)))
        self.visit("kam_regional", at(rm_late - days(1), 11))
        self.cron(rm_late)
        self.assertFalse(self.escalations())
        self.assertFalse(self.row(KAM_RULE).escalated_date)

    def test_escalation_days_is_a_setting(self):
        self.env["ir.config_parameter"].set_param(
            "kam_management.visit_escalation_days", "2")
        self.visit("kam_manager_1", at(self.visited))
        self.cron(self.due + days(3))
        self.assertTrue(self.escalations())

    def test_missing_manager_is_reported_not_a_crash(self):
        region = self.env["kam.region"].create({"name": "No Manager Region"})
        partner = self.env["res.partner"].create({
            "name": "Orphan Co", "is_company": True,
            "kam_is_key_account": True, "kam_account_type": "key",
            "kam_manager_id": self.user("kam_manager_1").id,
            "kam_region_id": region.id,
            "kam_since": ds(self.since - days(365)),
            "kam_relationship_level_id": self.kam_ref(
                "relationship_level_vendor").id})
        self.assertTrue(self.cron(self.due))
        rm_row = self.row(RM_RULE, partner)
        self.assertTrue(rm_row.missing_responsible)
        self.assertFalse(rm_row.responsible_id)
        self.assertEqual(rm_row.state, "overdue")

    def test_concurrent_run_skips(self):
        """A second run while another transaction holds the lock does
        nothing."""
        self.env.cr.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                            (CRON_LOCK,))
        cr = self.registry.cursor()
        try:
            other = api.Environment(cr, SUPERUSER_ID, {})
            self.assertIs(
                other["kam.visit.compliance"]._cron_visit_compliance(),
                False)
        finally:
            cr.rollback()
            cr.close()

    def test_monthly_share_of_compliant_accounts(self):
        Snapshot = self.env["kam.visit.compliance.snapshot"]
        kam1 = self.env["res.users"].create({
            "name": "Share KAM", "login": "share_kam_test",
            "groups_id": [(6, 0, [self.kam_ref("group_kam_user").id])]})
        self.account.write({"kam_manager_id": kam1.id})
        # two whole months in the past, whatever their lengths
        month, next_month = month_start(months=-3), month_start(months=-2)
        self.env["kam.visit"].create({
            "partner_id": self.account.id, "user_id": kam1.id,
            "state": "done", "visit_date": at(month),
            "purpose": "Share test"})
        self.cron(month + days(9))
        snap = Snapshot.search([("partner_id", "=", self.account.id),
                                ("role", "=", "kam")])
        self.assertEqual((snap.month, snap.state, snap.compliant_pct),
                         (ds(month), "ok", 100))
        # overdue once in the next month (due at the latest on its 4th):
        # that month is not compliant, even after the visit
        self.cron(next_month + days(4))
        self.env["kam.visit"].create({
            "partner_id": self.account.id, "user_id": kam1.id,
            "state": "done", "visit_date": at(next_month + days(5)),
            "purpose": "Share test"})
        self.cron(next_month + days(6))
        snaps = Snapshot.search([("partner_id", "=", self.account.id),
                                 ("role", "=", "kam"),
                                 ("month", "=", ds(next_month))])
        self.assertEqual(len(snaps), 1)
        self.assertEqual(snaps.state, "overdue")
        self.assertEqual(snaps.compliant_pct, 0)
        share = Snapshot.kam_compliance_share([kam1.id], ds(month))
        self.assertEqual(share[kam1.id], 100.0)
        share = Snapshot.kam_compliance_share([kam1.id], ds(next_month))
        self.assertEqual(share[kam1.id], 0.0)
