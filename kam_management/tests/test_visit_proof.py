# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Visits prove themselves (issue 12): the kinds of visit a rule counts,
and visits logged as done long after their date, as the real demo
users."""
from odoo.exceptions import UserError, ValidationError

from .common import ensure_zh_cn, hours_ago
from .test_visit_compliance import KAM_RULE, ComplianceCase, at, days

LATE_PARAM = "kam_management.visit_logged_late_days"
REPORT_PARAM = "kam_management.visit_report_days"


def store_raw(env, key, value):
    """Store a parameter as a database older than its check may hold it,
    bypassing the check that set_param runs; the ORM cache follows."""
    env.cr.execute("UPDATE ir_config_parameter SET value = %s WHERE key = %s",
                   (value, key))
    env["ir.config_parameter"].invalidate_cache()
    env["ir.config_parameter"].clear_caches()


class TestRuleKinds(ComplianceCase):
    """A visit rule counts only the kinds of visit it lists (none: all)."""

    def kam_last_visit(self):
        return self.row(KAM_RULE).last_visit_date

    def set_kinds(self, *codes):
        kinds = self.env["kam.visit.kind"].search([("code", "in", codes)])
        self.assertEqual(len(kinds), len(codes))
        self.kam_ref(KAM_RULE).kind_ids = [(6, 0, kinds.ids)]

    def log(self, kind, day):
        return self.env["kam.visit"].with_env(
            self.as_user("kam_manager_1")).create({
                "partner_id": self.account.id, "visit_date": at(day),
                "purpose": "Kind test", "kind": kind, "state": "done"})

    def test_every_kind_has_a_record(self):
        keys = self.env["kam.visit"]._fields["kind"].get_values(self.env)
        self.assertEqual(
            sorted(self.env["kam.visit.kind"].search([]).mapped("code")),
            sorted(keys))

    def test_shipped_kam_rule_counts_on_site_and_office(self):
        self.assertEqual(
            sorted(self.kam_ref(KAM_RULE).kind_ids.mapped("code")),
            ["at_office", "on_site"])

    def test_phone_does_not_count_on_site_does(self):
        self.set_kinds("on_site", "at_office")
        self.log("phone", self.visited)
        self.log("video", self.visited + days(1))
        self.assertFalse(self.kam_last_visit())
        self.log("on_site", self.visited + days(2))
        self.assertEqual(self.kam_last_visit(),
                         at(self.visited + days(2)))

    def test_changing_the_kind_refreshes(self):
        self.set_kinds("on_site")
        visit = self.log("on_site", self.visited)
        self.assertEqual(self.kam_last_visit(), at(self.visited))
        visit.with_env(self.as_user("kam_manager_1")).kind = "phone"
        self.assertFalse(self.kam_last_visit())

    def test_empty_kinds_count_every_kind(self):
        self.kam_ref(KAM_RULE).kind_ids = [(5, 0, 0)]
        self.log("phone", self.visited)
        self.assertEqual(self.kam_last_visit(), at(self.visited))

    def test_rule_change_refreshes(self):
        self.set_kinds("on_site")
        self.log("video", self.visited)
        self.assertFalse(self.kam_last_visit())
        self.set_kinds("on_site", "video")
        self.assertEqual(self.kam_last_visit(), at(self.visited))

    def test_kind_code_must_be_a_visit_kind(self):
        with self.raises_and_rolls_back(ValidationError, "Code: teleport"):
            self.env["kam.visit.kind"].create(
                {"name": "Teleport", "code": "teleport"})


class TestLoggedLate(ComplianceCase):
    """Marked done more than N days after the visit's date (default 2):
    logged late, shown to the reviewer."""

    def new_visit(self, hours, state="planned"):
        return self.env["kam.visit"].with_env(
            self.as_user("kam_manager_1")).create({
                "partner_id": self.account.id,
                "visit_date": hours_ago(hours),
                "purpose": "Late test", "state": state})

    def test_done_within_the_delay_is_not_late(self):
        visit = self.new_visit(47)
        visit.action_done()
        self.assertTrue(visit.date_done)
        self.assertFalse(visit.logged_late)

    def test_done_after_the_delay_is_late(self):
        visit = self.new_visit(49)
        visit.action_done()
        self.assertTrue(visit.logged_late)
        found = self.env["kam.visit"].with_env(
            self.as_user("kam_regional")).search(
                [("logged_late", "=", True), ("id", "=", visit.id)])
        self.assertEqual(found, visit)

    def test_created_as_done_backdated_is_late(self):
        self.assertTrue(self.new_visit(24 * 10, state="done").logged_late)
        self.assertFalse(self.new_visit(1, state="done").logged_late)

    def test_parameter_sets_the_delay(self):
        params = self.env["ir.config_parameter"]
        params.set_param(LATE_PARAM, "0")
        self.assertTrue(self.new_visit(2, state="done").logged_late)
        params.set_param(LATE_PARAM, "5")
        self.assertFalse(self.new_visit(24 * 4, state="done").logged_late)
        # refused when set (test_figures); a bad value stored before the
        # check, by SQL: below 0 counts as 0, not a number as the default
        store_raw(self.env, LATE_PARAM, "-3")
        self.assertTrue(self.new_visit(2, state="done").logged_late)
        store_raw(self.env, LATE_PARAM, "soon")
        self.assertFalse(self.new_visit(24, state="done").logged_late)

    def test_visitor_cannot_clear_it(self):
        visit = self.new_visit(24 * 10, state="done")
        with self.raises_and_rolls_back(UserError, "logged_late"):
            visit.with_env(self.as_user("kam_manager_1")).write(
                {"logged_late": False})
        self.assertTrue(visit.logged_late)

    def test_reviewer_sees_the_badge_and_filter(self):
        form = self.env["kam.visit"].with_env(
            self.as_user("kam_regional")).fields_view_get(view_type="form")
        self.assertIn("logged_late_badge", form["arch"])
        search = self.env["kam.visit"].fields_view_get(view_type="search")
        self.assertIn('name="logged_late"', search["arch"])

    def test_moving_the_visit_date_back_marks_it(self):
        visit = self.new_visit(1)
        visit.action_done()
        self.assertFalse(visit.logged_late)
        visit.with_env(self.as_user("kam_manager_1")).visit_date = at(
            self.since + days(300))
        self.assertTrue(visit.logged_late)


class TestReportOverdue(ComplianceCase):
    """A done visit without a submitted report after visit_report_days
    (default 3) is "report overdue"; its visitor gets one activity."""

    def new_visit(self, hours, login="kam_manager_1"):
        return self.env["kam.visit"].with_env(self.as_user(login)).create({
            "partner_id": self.account.id,
            "visit_date": hours_ago(hours),
            "purpose": "Report test", "state": "done"})

    def reminders(self, visit):
        return self.env["mail.activity"].search([
            ("res_model", "=", "kam.visit"), ("res_id", "=", visit.id),
            ("activity_type_id", "=", self.kam_ref(
                "mail_activity_type_kam_visit_report").id)])

    def remind(self):
        return self.env["kam.visit"]._kam_remind_overdue_reports()

    def test_overdue_after_the_report_days(self):
        fresh, old = self.new_visit(24 * 2), self.new_visit(24 * 4)
        self.assertFalse(fresh.report_overdue)
        self.assertTrue(old.report_overdue)
        found = self.env["kam.visit"].with_env(
            self.as_user("kam_regional")).search([
                ("report_overdue", "=", True),
                ("id", "in", (fresh | old).ids)])
        self.assertEqual(found, old)
        self.assertEqual(self.env["kam.visit"].search([
            ("report_overdue", "!=", True),
            ("id", "in", (fresh | old).ids)]), fresh)

    def test_visitor_gets_one_activity_in_their_language(self):
        ensure_zh_cn(self.env)
        self.user("kam_manager_1").lang = "zh_CN"
        visit = self.new_visit(24 * 5)
        self.assertIn(visit, self.remind())
        activity = self.reminders(visit)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.user("kam_manager_1"))
        self.assertIn(u"拜访报告逾期", activity.summary)
        self.assertTrue(visit.report_reminded_date)
        # idempotent: the daily action reminds once
        self.assertNotIn(visit, self.remind())
        self.env["kam.visit.compliance"]._cron_visit_compliance()
        self.assertEqual(len(self.reminders(visit)), 1)
        # submitting the report closes the activity
        visit = visit.with_env(self.as_user("kam_manager_1"))
        visit.write({"report_summary": "Late, but written"})
        visit.action_submit()
        self.assertFalse(self.reminders(visit))
        self.assertFalse(visit.report_overdue)

    def test_the_daily_action_reminds(self):
        visit = self.new_visit(24 * 5)
        self.env["kam.visit.compliance"]._cron_visit_compliance()
        self.assertEqual(len(self.reminders(visit)), 1)

    def test_parameter_and_negative_days(self):
        params = self.env["ir.config_parameter"]
        params.set_param(REPORT_PARAM, "10")
        self.assertFalse(self.new_visit(24 * 5).report_overdue)
        # a bad value stored before the check (set_param refuses it):
        # below 0 counts as 0, every done visit's report is due at once
        store_raw(self.env, REPORT_PARAM, "-4")
        self.assertTrue(self.new_visit(1).report_overdue)
        store_raw(self.env, REPORT_PARAM, "three")
        self.assertFalse(self.new_visit(24 * 2).report_overdue)

    def test_many_overdue_reports_make_one_digest(self):
        self.env["ir.config_parameter"].set_param(
            "kam_management.visit_activity_digest_limit", "1")
        kam = self.user("kam_manager_1")
        visits = self.new_visit(24 * 5) | self.new_visit(24 * 6)
        reminded = self.remind()
        self.assertLessEqual(visits, reminded)
        self.assertFalse(self.reminders(visits[0]))
        digest = self.env["mail.activity"].search([
            ("res_model", "=", "res.partner"),
            ("res_id", "=", kam.partner_id.id),
            ("activity_type_id", "=", self.kam_ref(
                "mail_activity_type_kam_visit_report").id)])
        self.assertEqual(len(digest), 1)
        for visit in visits:
            self.assertIn(visit.name, digest.note)
            self.assertTrue(visit.report_reminded_date)
        self.assertFalse(self.remind() & visits)

    def test_visitor_cannot_mark_it_reminded(self):
        visit = self.new_visit(24 * 5)
        with self.raises_and_rolls_back(UserError, "report_reminded_date"):
            visit.with_env(self.as_user("kam_manager_1")).write(
                {"report_reminded_date": hours_ago(1)})
