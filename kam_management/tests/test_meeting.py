# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The monthly analysis meeting and the report to the director (R15), and
the late month-end report of a KAM (R4), issue 13 section 3.

The meeting is held on this month's regional report of 华东区 (East China),
drafted here: every item the test makes (information, level change, RFM
snapshot) is dated today, inside that month, and the open items (overdue
visits, complaints past their commitment) are as of now, whatever day the
suite runs on. The late reports are those of months counted back from
today, and the checks run on days counted from their deadline. Who may
schedule the meeting and write its minutes, role by role: test_access
(``TestMeetingAccess``) and tests/test_role_matrix.py.
"""
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError

from .common import KamCase, ds, ensure_zh_cn, month_start, ref, today

LATE = "mail_activity_type_kam_report_late"
NOT_HOST = r"Only the regional manager of .* or a sales director"
DENIED = r"security restrictions"


def html_of(env, report):
    """The report as the print button renders it (HTML: same template as
    the PDF, see test_pdf_report)."""
    html, kind = ref(env, "kam_report_action_print").render_qweb_html(
        report.ids)
    assert kind == "html"
    return html.decode() if isinstance(html, bytes) else html


class MeetingCase(KamCase):
    """This month's East China regional report, and one item of each
    agenda section made for it."""

    @classmethod
    def setUpClass(cls):
        super(MeetingCase, cls).setUpClass()
        env = cls.env
        cls.month = month_start()
        cls.east = ref(env, "region_east_china")
        cls.regional = ref(env, "user_kam_regional")
        cls.kam1 = ref(env, "user_kam_manager_1")
        long_ago = ds(today() - timedelta(days=400))

        def account(name, **vals):
            values = {
                "name": name, "is_company": True,
                "kam_is_key_account": True, "kam_account_type": "key",
                "kam_manager_id": cls.kam1.id, "kam_region_id": cls.east.id,
                "kam_relationship_level_id":
                    ref(env, "relationship_level_vendor").id,
                "kam_since": long_ago}
            values.update(vals)
            return env["res.partner"].create(values)
        # never visited since it became a key account 400 days ago
        cls.idle = account("Meeting Idle Machinery")
        cls.risky = account("Meeting Risk Foods")
        cls.upgraded = account("Meeting Upgrade Logistics")
        cls.info = env["kam.info"].create({
            "name": "Competitor bids for the line 14 chillers",
            "partner_id": ref(env, "partner_kam_shanghai_metro").id,
            "category_id": env["kam.info.category"].search(
                [("state", "=", "approved")], limit=1).id,
            "importance": "important", "date": ds(today())})
        cls.normal_info = env["kam.info"].create({
            "name": "Canteen menu changed",
            "partner_id": ref(env, "partner_kam_shanghai_metro").id,
            "category_id": cls.info.category_id.id,
            "importance": "normal", "date": ds(today())})
        env["kam.rfm.snapshot"].sudo().create({
            "partner_id": cls.risky.id, "month": ds(cls.month),
            "date": ds(today()), "churn_risk": True, "segment": "at_risk",
            "r_score": 1, "f_score": 1, "m_score": 2, "score": "112",
            "kam_manager_id": cls.kam1.id})
        # received ten days ago at a station that resolves within 48 hours
        cls.complaint = env["kam.complaint"].create({
            "name": "Compressor trips every night",
            "partner_id": ref(env, "partner_kam_hangzhou_mall").id,
            "station_id": ref(env, "service_station_east_china").id,
            "date_received": ds(datetime.combine(
                today() - timedelta(days=10), datetime.min.time()))})
        # the regional manager upgrades an account (R11: a direct change)
        cls.upgraded.with_env(cls.env(user=cls.regional.id)).write({
            "kam_relationship_level_id": ref(
                env, "relationship_level_preferred_supplier").id})
        reports = env["kam.report"]._kam_ensure_reports(
            ds(cls.month), kinds=("region",))
        cls.report = reports.filtered(
            lambda r: r.report_type == "region_monthly"
            and r.region_id == cls.east)
        cls.report._kam_fill_figures()

    def as_login(self, record, login):
        return record.with_env(self.as_user(login))

    def schedule(self, login):
        action = self.as_login(self.report,
                               login).action_schedule_meeting()
        self.assertEqual((action["type"], action["res_model"],
                          action["view_mode"]),
                         ("ir.actions.act_window", "calendar.event", "form"))
        return self.env["calendar.event"].browse(action["res_id"])

    def meetings(self):
        return self.env["calendar.event"].search([
            ("res_model", "=", "kam.report"),
            ("res_id", "=", self.report.id)])


class TestMeeting(MeetingCase):

    def test_schedule_once_with_the_region_kams(self):
        self.assertEqual(self.report.user_id, self.regional)
        event = self.schedule("kam_regional")
        self.assertEqual(self.report.meeting_id, event)
        self.assertEqual(event.user_id, self.regional)
        kams = self.env["res.partner"].search([
            ("kam_region_id", "=", self.east.id),
            ("kam_is_key_account", "=", True)]).mapped("kam_manager_id")
        self.assertIn(self.kam1, kams)
        self.assertIn(ref(self.env, "user_kam_manager_2"), kams)
        self.assertEqual(set(event.partner_ids),
                         set((kams | self.regional).mapped("partner_id")))
        self.assertGreater(event.start, ds(today()))
        # again, by the manager or a director: the same meeting
        self.assertEqual(self.schedule("kam_regional"), event)
        self.assertEqual(self.schedule("kam_director"), event)
        self.assertEqual(self.meetings(), event)
        # readable by the attendees (the web client opens it)
        self.assertEqual(self.as_login(event, "kam_manager_2").name,
                         event.name)

    def test_who_may_schedule(self):
        for login, match in (("kam_manager_1", DENIED),
                             ("kam_manager_2", DENIED),
                             ("kam_support", "not allowed to access"),
                             ("kam_secretary", NOT_HOST)):
            with self.subTest(login=login):
                with self.raises_and_rolls_back(AccessError, match):
                    self.as_login(self.report,
                                  login).action_schedule_meeting()
        self.assertFalse(self.meetings())
        self.assertFalse(self.report.meeting_id)
        # the meeting belongs to a regional report, not a KAM's
        kam_report = self.env["kam.report"]._kam_ensure_reports(
            ds(self.month), kinds=("kam",)).filtered(
                lambda r: r.user_id == self.kam1)
        with self.raises_and_rolls_back(UserError, "belongs to a regional"):
            self.as_login(kam_report,
                          "kam_regional").action_schedule_meeting()

    def test_agenda_lists_the_items(self):
        event = self.schedule("kam_regional")
        agenda = self.as_login(self.report, "kam_regional").meeting_agenda
        level = ref(self.env, "relationship_level_preferred_supplier").name
        for text in (self.info.name, self.risky.name, self.idle.name,
                     self.complaint.name, self.upgraded.name, level):
            with self.subTest(text=text):
                self.assertIn(text, agenda)
                self.assertIn(text, event.description)
        self.assertNotIn(self.normal_info.name, agenda)
        for heading in ("Important and critical information",
                        "Accounts at churn risk", "Overdue visits",
                        "Open complaints past their commitment",
                        "Relationship-level changes"):
            self.assertIn(heading, agenda)
            self.assertIn(heading, event.description)
        # the items themselves, with their dates
        self.assertIn("%s: %s" % (self.info.partner_id.name,
                                  self.info.name), agenda)
        self.assertIn("at churn risk; RFM score 112", agenda)
        self.assertIn("Vendor -&gt; %s (Upgrade)" % level, agenda)

    def test_minutes_saved_tracked_and_printed(self):
        self.schedule("kam_regional")
        minutes = "Agreed: Sun Li visits Meeting Idle Machinery next week."
        self.as_login(self.report, "kam_regional").write(
            {"meeting_minutes": minutes})
        self.assertEqual(self.report.meeting_minutes, minutes)
        tracked = self.report.message_ids.mapped(
            "tracking_value_ids").filtered(
                lambda t: t.field == "meeting_minutes")
        self.assertEqual(tracked.new_value_text, minutes)
        # a director may add to them; a KAM or the secretary may not
        self.as_login(self.report, "kam_director").write(
            {"meeting_minutes": minutes + "\nDirector: agreed."})
        for login, match in (("kam_manager_1", DENIED),
                             ("kam_secretary", NOT_HOST)):
            with self.subTest(login=login):
                with self.raises_and_rolls_back(AccessError, match):
                    self.as_login(self.report, login).write(
                        {"meeting_minutes": "Rewritten"})
        html = html_of(self.env, self.report)
        for text in ("o_kam_report_meeting", "Agreed: Sun Li visits",
                     "Director: agreed.", self.info.name, self.risky.name,
                     self.idle.name, self.complaint.name,
                     self.upgraded.name, self.report.meeting_id.name):
            with self.subTest(text=text):
                self.assertIn(text, html)
        # acknowledged: the minutes are what the director read
        self.as_login(self.report, "kam_regional").action_submit()
        self.as_login(self.report, "kam_director").action_acknowledge()
        with self.raises_and_rolls_back(UserError, "acknowledged"):
            self.as_login(self.report, "kam_director").write(
                {"meeting_minutes": "Later"})

    def test_agenda_in_the_readers_language(self):
        """The headings follow the reader: the agenda is data, written out
        when it is read."""
        ensure_zh_cn(self.env)
        report = self.as_login(self.report, "kam_director")
        self.assertIn("Overdue visits", report.meeting_agenda)
        self.assertIn("逾期拜访", report.with_context(
            lang="zh_CN").meeting_agenda)


class LateCase(KamCase):

    def kam_report(self, month, login="kam_manager_1"):
        reports = self.env["kam.report"]._kam_ensure_reports(
            ds(month), kinds=("kam",))
        return reports.filtered(
            lambda r: r.report_type == "kam_monthly"
            and r.user_id == self.user(login))

    def activities(self, report):
        return self.env["mail.activity"].search([
            ("res_model", "=", "kam.report"), ("res_id", "=", report.id),
            ("activity_type_id", "=", self.kam_ref(LATE).id)])

    def scorecard(self, report):
        return self.env["kam.scorecard"].search([
            ("user_id", "=", report.user_id.id),
            ("period_start", "=", report.period_start)])


class TestLateReport(LateCase):

    def test_late_after_the_deadline_escalated_once(self):
        month = month_start(months=-3)
        report = self.kam_report(month)
        # the 5th of the following month (the default)
        deadline = month_start(month, 1).replace(day=5)
        self.assertEqual(report.submit_deadline, ds(deadline))
        Report = self.env["kam.report"]
        Report._kam_check_submit_late(ds(deadline))
        self.assertFalse(report.submit_late)
        self.assertFalse(self.activities(report))
        after = ds(deadline + timedelta(days=1))
        # the daily action, twice
        Report._cron_month_end_information(today=after)
        self.assertTrue(report.submit_late)
        self.assertTrue(report.submit_escalated_date)
        Report._cron_month_end_information(today=after)
        Report._kam_check_submit_late(ds(today()))
        late = self.activities(report)
        self.assertEqual(len(late), 1)
        self.assertEqual(late.user_id, self.user("kam_regional"))
        self.assertIn(self.user("kam_manager_1").name, late.summary)
        # on the scorecard of that month, which the KAM reads
        card = self.scorecard(report)
        self.assertTrue(card.report_late)
        self.assertTrue(self.as_user("kam_manager_1")["kam.scorecard"].browse(
            card.id).report_late)
        # submitted now: late it stays
        report.with_env(self.as_user("kam_manager_1")).action_submit()
        self.assertTrue(report.submit_late)

    def test_a_backlog_is_marked_not_sent(self):
        """The first run after an upgrade finds drafts of long ago: marked
        late (and on the scorecard), but nobody gets an activity for a
        report whose deadline passed more than a month ago."""
        old = self.kam_report(month_start(months=-6))
        recent = self.kam_report(month_start(months=-1))
        on = month_start().replace(day=20)
        self.env["kam.report"]._kam_check_submit_late(ds(on))
        self.assertTrue(old.submit_late)
        self.assertTrue(old.submit_escalated_date)
        self.assertFalse(self.activities(old))
        self.assertTrue(self.scorecard(old).report_late)
        self.assertTrue(recent.submit_late)
        self.assertEqual(len(self.activities(recent)), 1)

    def test_submitted_in_time_or_late(self):
        # this month's report is due next month: in time, whatever today
        current = self.kam_report(month_start())
        current.with_env(self.as_user("kam_manager_1")).action_submit()
        self.assertFalse(current.submit_late)
        self.env["kam.report"]._kam_check_submit_late(ds(today()))
        self.assertFalse(current.submit_late)
        # a report of long ago submitted today, no daily run since (40
        # months: no draft of the database's own, which the daily check
        # above would have marked, whatever day the suite runs)
        old = self.kam_report(month_start(months=-40))
        self.assertFalse(old.submit_late)
        old.with_env(self.as_user("kam_manager_1")).action_submit()
        self.assertTrue(old.submit_late)
        # submitted: never escalated
        self.env["kam.report"]._kam_check_submit_late(ds(today()))
        self.assertFalse(self.activities(old))
        cards = self.env["kam.scorecard"]
        for report, late in ((current, False), (old, True)):
            card = cards._kam_refresh_scorecards(
                report.period_start, report.user_id.ids)
            self.assertEqual(card.report_late, late)

    def test_deadline_day_is_a_setting(self):
        self.env["ir.config_parameter"].set_param(
            "kam_management.report_submit_day", "20")
        month = month_start(months=-6)
        report = self.kam_report(month)
        self.assertEqual(report.submit_deadline,
                         ds(month_start(month, 1).replace(day=20)))
        # a later change leaves drafted reports alone
        self.env["ir.config_parameter"].set_param(
            "kam_management.report_submit_day", "3")
        report.invalidate_cache()
        self.assertEqual(report.submit_deadline,
                         ds(month_start(month, 1).replace(day=20)))
        # in the settings, as an administrator
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.kam_report_submit_day, 3)
        settings.kam_report_submit_day = 28
        settings.execute()
        self.assertEqual(self.env["ir.config_parameter"].get_param(
            "kam_management.report_submit_day"), "28")

    def test_escalation_in_the_readers_language(self):
        ensure_zh_cn(self.env)
        self.user("kam_regional").lang = "zh_CN"
        report = self.kam_report(month_start(months=-3))
        self.env["kam.report"]._kam_check_submit_late(ds(
            fields.Date.from_string(report.submit_deadline)
            + timedelta(days=1)))
        summary = self.activities(report).summary
        self.assertTrue(summary.startswith("逾期："), summary)
