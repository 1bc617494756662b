# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Month-end reports (R4, R14, R15): generation for the month just ended,
idempotence, figures on hand-made data, workflow, bad input, access, the
QWeb rendering, and the R14 month-end activities. Dates are explicit,
computed from the clock the addon reads (never written down).

The tests on the demo KAMs and regions draft the reports of a month five
years after today's: the demo drafts its own reports for the month before
the install day and dates its records around it, so nothing of the demo
is in that month, whatever the install and run days. The tests on
hand-made data report on the month just ended, with their own accounts
and every date of their records set inside or just outside it."""
from datetime import datetime, time, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError

from .common import KamCase, ds, month_end, month_start, ref, with_cases
from .rfm_common import confirmed_order

YEARS_AHEAD = 5


def far_month(months=0):
    """The first day of the month five years after today's (shifted by
    ``months``): no demo record is dated there."""
    return month_start(months=12 * YEARS_AHEAD + months)


def at(day, hour=10):
    """``day`` at ``hour`` o'clock, as Odoo's datetime string."""
    return ds(datetime.combine(day, time(hour)))


def reports(env, month):
    return env["kam.report"].search([("period_start", "=", ds(month))])


def kam_report(env, login, month):
    return reports(env, month).filtered(
        lambda r: r.report_type == "kam_monthly"
        and r.user_id == ref(env, "user_" + login))


def region_report(env, region, month):
    return reports(env, month).filtered(
        lambda r: r.report_type == "region_monthly"
        and r.region_id == ref(env, region))


class ReportCase(KamCase):
    """The month reported on (``month``) and the day the monthly action
    drafts its reports (``run_day``, the 2nd of the next month)."""

    @classmethod
    def setUpClass(cls):
        super(ReportCase, cls).setUpClass()
        cls.month = far_month()
        cls.run_day = month_start(cls.month, 1) + timedelta(days=1)

    def draft(self, day=None):
        return self.env["kam.report"]._cron_monthly_reports(
            today=ds(day or self.run_day))

    def reports(self):
        return reports(self.env, self.month)

    def kam_report(self, login):
        return kam_report(self.env, login, self.month)


class DraftedCase(ReportCase):
    """The reports of ``month`` drafted once for the class (each test
    still runs in its own savepoint, rolled back after it)."""

    @classmethod
    def setUpClass(cls):
        super(DraftedCase, cls).setUpClass()
        cls.env["kam.report"]._cron_monthly_reports(today=ds(cls.run_day))


class TestReportDrafting(ReportCase):
    """The monthly action drafts one report per KAM and region, once."""

    def test_cron_drafts_one_per_kam_and_region_once(self):
        env = self.env
        self.assertFalse(self.reports())
        self.draft()
        first = self.reports()
        kams = first.filtered(lambda r: r.report_type == "kam_monthly")
        regions = first.filtered(lambda r: r.report_type == "region_monthly")
        self.assertLessEqual(
            {ref(env, "user_kam_manager_1"), ref(env, "user_kam_manager_2")},
            set(kams.mapped("user_id")))
        self.assertEqual(len(kams), len(set(kams.mapped("user_id"))))
        self.assertEqual(set(regions.mapped("region_id")), {
            ref(env, "region_east_china"), ref(env, "region_south_china")})
        self.assertEqual(set(first.mapped("state")), {"draft"})
        todo = env["mail.activity"].search([
            ("res_model", "=", "kam.report"), ("res_id", "in", first.ids)])
        # running again (and on other days of the month, its last one
        # included) creates nothing
        self.draft()
        self.draft(month_start(self.month, 1) + timedelta(days=19))
        self.draft(month_end(self.month, 1))
        self.assertEqual(self.reports(), first)
        self.assertEqual(env["mail.activity"].search_count([
            ("res_model", "=", "kam.report"),
            ("res_id", "in", first.ids)]), len(todo))

    def test_reviewers(self):
        env = self.env
        self.draft()
        mine = self.kam_report("kam_manager_1")
        self.assertEqual(mine.region_id, ref(env, "region_east_china"))
        self.assertEqual(mine.reviewer_id, ref(env, "user_kam_regional"))
        east = region_report(env, "region_east_china", self.month)
        self.assertEqual(east.user_id, ref(env, "user_kam_regional"))
        self.assertTrue(
            east.reviewer_id.has_group("kam_management.group_kam_director"))

    def test_database_refuses_duplicates(self):
        self.draft()
        with self.raises_and_rolls_back(ValidationError, "already"):
            self.env["kam.report"].create({
                "report_type": "kam_monthly", "period_start": ds(self.month),
                "user_id": ref(self.env, "user_kam_manager_1").id})

    def test_period_starts_on_the_first(self):
        with self.raises_and_rolls_back(ValidationError, "first day"):
            self.env["kam.report"].create({
                "report_type": "kam_monthly",
                "period_start": ds(self.month + timedelta(days=4)),
                "user_id": ref(self.env, "user_kam_manager_1").id})


class TestReportFigures(KamCase):
    """Figures of the month just ended, on hand-made accounts whose every
    record is dated inside the month or just outside it."""

    @classmethod
    def setUpClass(cls):
        super(TestReportFigures, cls).setUpClass()
        cls.month = month_start(months=-1)
        cls.run_day = month_start() + timedelta(days=1)
        # a key account since long before the month
        cls.since = month_start(cls.month, -14)

    def make_kam(self, name, login):
        return self.env["res.users"].create({
            "name": name, "login": login,
            "groups_id": [(6, 0, [ref(self.env, "group_kam_user").id])]})

    def make_account(self, name, kam):
        return self.env["res.partner"].create({
            "name": name, "is_company": True, "kam_is_key_account": True,
            "kam_account_type": "key", "kam_manager_id": kam.id,
            "kam_region_id": ref(self.env, "region_east_china").id,
            "kam_relationship_level_id":
                ref(self.env, "relationship_level_vendor").id,
            "kam_since": ds(self.since)})

    def report_of(self, kam):
        self.env["kam.report"]._cron_monthly_reports(today=ds(self.run_day))
        return reports(self.env, self.month).filtered(
            lambda r: r.user_id == kam)

    def test_figures_on_hand_made_data(self):
        env, month = self.env, self.month

        def day(number):
            return month + timedelta(days=number - 1)

        kam = self.make_kam("Report KAM", "report_kam_test")
        partner = self.make_account("Report Co", kam)
        partner.kam_relationship_history_ids.write(
            {"date": at(self.since, 0)})
        env["kam.visit"].create({
            "partner_id": partner.id, "user_id": kam.id, "purpose": "Visit",
            "visit_date": at(day(3)), "state": "done"})
        env["kam.visit.compliance"]._cron_visit_compliance(
            today=ds(day(10)))
        Info = env["kam.info"]
        # the month's first day and last day count, the next month's first
        # day does not
        for importance, date in (("normal", day(1)), ("normal", day(5)),
                                 ("important", day(9)),
                                 ("critical", month_end(month)),
                                 ("critical", month_start(month, 1))):
            Info.create({"partner_id": partner.id, "name": "x",
                         "date": ds(date),
                         "category_id": ref(env, "info_category_strategy").id,
                         "importance": importance})
        product = env["product.product"].create({
            "name": "Unit", "type": "service", "taxes_id": [(6, 0, [])]})
        # the previous month's last day does not count
        for amount, date in ((1200, day(4)), (800, day(28)),
                             (999, month_end(month, -1))):
            confirmed_order(env, product, partner, amount, at(date))
        env["kam.target"].create({"user_id": kam.id,
                                  "date_from": ds(month),
                                  "date_to": ds(month_end(month)),
                                  "amount": 4000})
        partner.write({"kam_relationship_level_id":
                       ref(env, "relationship_level_partner").id})
        partner.kam_relationship_history_ids.filtered(
            lambda h: h.direction == "up").write({"date": at(day(15), 9)})

        report = self.report_of(kam)
        self.assertEqual(len(report), 1)
        self.assertEqual((report.visits_done, report.visits_required), (1, 1))
        self.assertAlmostEqual(report.visit_compliance_pct, 100.0)
        self.assertEqual((report.info_normal_count,
                          report.info_important_count,
                          report.info_critical_count), (2, 1, 1))
        self.assertAlmostEqual(report.sales_amount, 2000)
        self.assertAlmostEqual(report.target_amount, 4000)
        self.assertAlmostEqual(report.target_achievement_pct, 50.0)
        self.assertEqual((report.level_up_count, report.level_out_count),
                         (1, 0))
        # the scorecard of the month is on the report
        cards = report.kam_scorecards()
        self.assertEqual(cards.user_id, kam)
        self.assertAlmostEqual(cards.target_achievement_pct, 50.0)

    def test_service_and_rfm_figures(self):
        """Requirements and complaints opened/closed in the month (R6, R7)
        and the RFM movements against the previous month's snapshot (R13,
        R16)."""
        env, month = self.env, self.month
        previous = month_start(month, -1)
        kam = self.make_kam("Service Report KAM", "service_report_kam_test")
        first = self.make_account("Service Co A", kam)
        second = self.make_account("Service Co B", kam)
        Requirement = env["kam.requirement"]
        Requirement.create({"partner_id": first.id,
                            "name": "New chiller line",
                            "date_received": at(month + timedelta(days=2),
                                                9)})
        Requirement.create({"partner_id": first.id, "name": "Old request",
                            "date_received": at(previous + timedelta(days=2),
                                                9)})
        Complaint = env["kam.complaint"]
        Complaint.create({"partner_id": second.id, "name": "Noisy unit",
                          "date_received": at(month + timedelta(days=9), 9)})
        Snapshot = env["kam.rfm.snapshot"].sudo()
        for partner, snap_month, risk, segment in (
                (first, previous, False, "loyal"),
                (first, month, True, "at_risk"),
                (second, previous, True, "at_risk"),
                (second, month, True, "at_risk")):
            Snapshot.create({"partner_id": partner.id,
                             "month": ds(snap_month),
                             "date": ds(snap_month), "churn_risk": risk,
                             "segment": segment, "kam_manager_id": kam.id})
        report = self.report_of(kam)
        self.assertEqual((report.requirement_opened_count,
                          report.requirement_closed_count), (1, 0))
        self.assertEqual((report.complaint_opened_count,
                          report.complaint_closed_count), (1, 0))
        self.assertEqual(report.rfm_at_risk_count, 2)
        self.assertEqual(report.rfm_new_at_risk_count, 1)
        self.assertEqual(report.rfm_segment_changed_count, 1)
        self.assertIn("Service Co A", report.rfm_at_risk_names)
        html, _kind = ref(env, "kam_report_action_print").render_qweb_html(
            report.ids)
        html = html.decode() if isinstance(html, bytes) else html
        self.assertIn("o_kam_report_service", html)
        self.assertIn("o_kam_report_rfm", html)


class TestReportWorkflow(DraftedCase):
    """Submit and acknowledge, and who may do which (R15)."""

    def test_workflow_and_impossible_transitions(self):
        env = self.env
        report = self.kam_report("kam_manager_1")
        kam1 = report.with_env(self.as_user("kam_manager_1"))
        regional = report.with_env(self.as_user("kam_regional"))
        kam1.write({"comments": "Good month."})
        with self.raises_and_rolls_back(UserError, "Acknowledge"):
            regional.action_acknowledge()
        # only the author submits
        with self.raises_and_rolls_back(AccessError, "Only the author"):
            regional.action_submit()
        kam1.action_submit()
        self.assertEqual(report.state, "submitted")
        review = env["mail.activity"].search([
            ("res_model", "=", "kam.report"), ("res_id", "=", report.id),
            ("activity_type_id", "=",
             ref(env, "mail_activity_type_kam_report_review").id)])
        self.assertEqual(review.user_id, ref(env, "user_kam_regional"))
        with self.raises_and_rolls_back(UserError, "Submit"):
            kam1.action_submit()
        with self.raises_and_rolls_back(UserError, "Comments"):
            kam1.write({"comments": "Changed after submitting"})
        # the author cannot acknowledge; another KAM neither
        with self.raises_and_rolls_back(AccessError, "own report"):
            kam1.action_acknowledge()
        regional.action_acknowledge()
        self.assertEqual(report.state, "acknowledged")
        self.assertFalse(review.exists())

    def test_regional_report_acknowledged_by_director_only(self):
        east = region_report(self.env, "region_east_china", self.month)
        east.with_env(self.as_user("kam_regional")).action_submit()
        with self.raises_and_rolls_back(AccessError, "own report"):
            east.with_env(self.as_user("kam_regional")).action_acknowledge()
        east.with_env(self.as_user("kam_director")).action_acknowledge()
        self.assertEqual(east.state, "acknowledged")

    def test_director_cannot_acknowledge_own_regional_report(self):
        south = region_report(self.env, "region_south_china", self.month)
        self.assertEqual(south.user_id, ref(self.env, "user_kam_director"))
        south.with_env(self.as_user("kam_director")).action_submit()
        with self.raises_and_rolls_back(AccessError, "own report"):
            south.with_env(self.as_user("kam_director")).action_acknowledge()


OWN_REPORTS = [
    ("kam_manager_1", {"kam_manager_1"}),
    ("kam_manager_2", {"kam_manager_2"}),
]


@with_cases("_check_kam_sees_own_reports_only", OWN_REPORTS,
            [c[0] for c in OWN_REPORTS],
            prefix="test_kam_sees_own_reports_only")
class TestReportAccess(DraftedCase):
    """Who sees and writes which reports."""

    def _check_kam_sees_own_reports_only(self, case):
        login, expect = case
        seen = self.env["kam.report"].with_env(self.as_user(login)).search(
            [("period_start", "=", ds(self.month))])
        self.assertEqual(set(seen.mapped("user_id.login")), expect)

    def test_regional_director_secretary_support_visibility(self):
        env = self.env
        every = self.reports()
        regional = env["kam.report"].with_env(
            self.as_user("kam_regional")).search(
                [("period_start", "=", ds(self.month))])
        self.assertIn(self.kam_report("kam_manager_1"), regional)
        self.assertEqual(set(regional.mapped("region_id")),
                         {ref(env, "region_east_china")})
        for login in ("kam_director", "kam_secretary"):
            self.assertEqual(env["kam.report"].with_env(
                self.as_user(login)).search(
                    [("period_start", "=", ds(self.month))]), every)
        with self.assertRaisesRegex(AccessError, "not allowed to access"):
            env["kam.report"].with_env(
                self.as_user("kam_support")).search([])
        with self.raises_and_rolls_back(AccessError, "Only the author"):
            self.kam_report("kam_manager_1").with_env(
                self.as_user("kam_secretary")).write({"comments": "x"})

    def test_qweb_report_renders_as_html(self):
        report = self.kam_report("kam_manager_1")
        html, kind = ref(
            self.env, "kam_report_action_print").render_qweb_html(report.ids)
        self.assertEqual(kind, "html")
        html = html.decode() if isinstance(html, bytes) else html
        self.assertIn(report.name, html)
        for block in ("o_kam_report_visits", "o_kam_report_sales",
                      "o_kam_report_scorecard"):
            self.assertIn(block, html)


class TestMonthEndInformation(ReportCase):
    """R14: the month-end action drafts the hand-ins (kam.month.handin,
    test_month_handin) and no longer puts activities on the reports."""

    def test_month_end_activities_once(self):
        env = self.env
        Report = env["kam.report"]
        month = far_month(2)
        last = month_end(month)
        days = Report._kam_month_end_days()
        # not yet: the last ``days`` days of the month have not begun
        self.assertFalse(Report._cron_month_end_information(
            today=ds(last - timedelta(days=days))))
        done = Report._cron_month_end_information(
            today=ds(last - timedelta(days=days - 1)))
        self.assertTrue(done)
        handin = done.filtered(
            lambda h: h.user_id == ref(env, "user_kam_manager_1"))
        self.assertEqual(handin.period_start, ds(month))
        handin_type = ref(env, "mail_activity_type_kam_month_handin")
        acts = env["mail.activity"].search([
            ("res_model", "=", "kam.month.handin"),
            ("res_id", "=", handin.id),
            ("activity_type_id", "=", handin_type.id)])
        # the KAM hands in; the secretaries hear of it once it is
        self.assertEqual(acts.mapped("user_id"),
                         ref(env, "user_kam_manager_1"))
        self.assertEqual(acts.date_deadline, ds(last))
        # later runs (up to the last day) schedule nothing again
        self.assertFalse(Report._cron_month_end_information(today=ds(last)))
        self.assertEqual(env["mail.activity"].search_count([
            ("res_model", "=", "kam.month.handin"),
            ("res_id", "=", handin.id)]), 1)
        # no report drafted before the month ends, no activity on reports
        self.assertFalse(reports(env, month))
        # on the 1st the monthly action drafts and fills the report
        Report._cron_monthly_reports(today=ds(month_start(month, 1)))
        report = kam_report(env, "kam_manager_1", month)
        self.assertTrue(report.figures_date)
