# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Local service (R7, R9): service stations and their commitments,
complaints measured against them, breach activities (at once and by the
scheduled action), the status summary for the customer; access per role.

Times are counted back from now by the clock the addon reads
(``fields.Datetime.now``): no test depends on the day it runs.
"""
import os
from datetime import timedelta
from unittest import mock

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import NO_RIGHT, NO_RULE, KamCase, as_user, hours_ago, ref

Complaint = "kam.complaint"
Station = "kam.service.station"


def new_complaint(env, login="kam_manager_1",
                  account="partner_kam_shanghai_metro", **vals):
    vals.setdefault("name", "Too warm in the control room")
    vals["partner_id"] = ref(env, account).id
    return env[Complaint].with_env(as_user(env, login)).create(vals)


def breach_activities(complaint):
    activity_type = ref(complaint.env,
                        "mail_activity_type_kam_complaint_breach")
    # sudo: every activity, whoever it is assigned to
    return complaint.env["mail.activity"].sudo().search([
        ("res_model", "=", Complaint), ("res_id", "=", complaint.id),
        ("activity_type_id", "=", activity_type.id)])


def visible(env, login):
    return env[Complaint].with_env(as_user(env, login)).search([])


# ----------------------------------------------------------------------
# Stations: bad input
# ----------------------------------------------------------------------
class TestStation(KamCase):

    def test_station_with_negative_hours_is_refused(self):
        env = self.env
        director = as_user(env, "kam_director")
        vals = {"name": "West Station", "region_id": ref(
            env, "region_south_china").id}
        with self.raises_and_rolls_back(ValidationError,
                                        "Response Commitment"):
            env[Station].with_env(director).create(
                dict(vals, response_hours=-2))
        with self.raises_and_rolls_back(ValidationError,
                                        "Resolution Commitment"):
            env[Station].with_env(director).create(
                dict(vals, resolution_hours=-1))
        with self.raises_and_rolls_back(ValidationError, "before it"):
            env[Station].with_env(director).create(
                dict(vals, response_hours=10, resolution_hours=5))
        station = ref(env, "service_station_east_china").with_env(director)
        self.assertEqual(station.response_hours, 4)
        with self.raises_and_rolls_back(ValidationError,
                                        "Response Commitment"):
            station.write({"response_hours": -0.5})

    def test_station_errors_are_translated(self):
        zh = self.env(context={"lang": "zh_CN"})
        station = zh[Station].browse(
            ref(zh, "service_station_east_china").id)
        with self.raises_and_rolls_back(ValidationError, "响应承诺") as info:
            station.write({"response_hours": -1})
        self.assertIn("响应承诺", info.exception.name)

    def test_an_account_is_served_by_one_station(self):
        env = self.env
        with self.raises_and_rolls_back(ValidationError, "already served"):
            env[Station].create({
                "name": "Second East Station",
                "region_id": ref(env, "region_east_china").id,
                "partner_ids": [(6, 0, [ref(
                    env, "partner_kam_shanghai_metro").id])]})

    def test_regional_manager_maintains_own_region_stations(self):
        env = self.env
        regional = as_user(env, "kam_regional")
        station = ref(env, "service_station_east_china").with_env(regional)
        station.write({"phone": "+86 21 5555 0199"})
        self.assertEqual(station.phone, "+86 21 5555 0199")
        with self.raises_and_rolls_back(AccessError, NO_RULE):
            env[Station].with_env(regional).create({
                "name": "South Station",
                "region_id": ref(env, "region_south_china").id})
        for login in ("kam_manager_1", "kam_support", "kam_secretary"):
            with self.subTest(login=login):
                user_station = station.with_env(as_user(env, login))
                self.assertTrue(user_station.read(["name",
                                                   "response_hours"]))
                with self.raises_and_rolls_back(AccessError, NO_RIGHT):
                    user_station.write({"response_hours": 1})


# ----------------------------------------------------------------------
# Complaints: dates, transitions
# ----------------------------------------------------------------------
class TestComplaintWorkflow(KamCase):

    def test_complaint_gets_the_serving_station(self):
        env = self.env
        complaint = new_complaint(env)
        self.assertEqual(complaint.station_id,
                         ref(env, "service_station_east_china"))
        received = fields.Datetime.from_string(complaint.date_received)
        self.assertEqual(complaint.response_deadline,
                         fields.Datetime.to_string(
                             received + timedelta(hours=4)))
        self.assertEqual(complaint.resolution_deadline,
                         fields.Datetime.to_string(
                             received + timedelta(hours=48)))
        # an account no station serves has no commitment to measure
        other = new_complaint(env, account="partner_kam_ningbo_port",
                              date_received=hours_ago(100))
        self.assertFalse(other.station_id)
        self.assertFalse(other.response_deadline)
        self.assertFalse(other.response_breached)

    def test_dates_in_the_wrong_order_are_refused(self):
        env = self.env
        complaint = new_complaint(env, date_received=hours_ago(10))
        with self.raises_and_rolls_back(ValidationError,
                                        "First Response On: .* before"):
            complaint.write({"date_first_response": hours_ago(11)})
        with self.raises_and_rolls_back(ValidationError,
                                        "Resolved On: .* received"):
            complaint.write({"date_resolved": hours_ago(12)})
        with self.raises_and_rolls_back(ValidationError,
                                        "before the first response"):
            complaint.write({"date_first_response": hours_ago(5),
                             "date_resolved": hours_ago(6)})
        with self.raises_and_rolls_back(ValidationError,
                                        "First Response On"):
            new_complaint(env, date_received=hours_ago(1),
                          date_first_response=hours_ago(2))

    def test_complaint_workflow(self):
        complaint = new_complaint(self.env, date_received=hours_ago(1))
        self.assertEqual(complaint.state, "new")
        complaint.action_respond()
        self.assertEqual(complaint.state, "in_progress")
        self.assertTrue(complaint.date_first_response)
        self.assertGreater(complaint.response_time_hours, 0.9)
        self.assertLess(complaint.response_time_hours, 1.1)
        with self.raises_and_rolls_back(UserError, "Resolution"):
            complaint.action_resolve()
        complaint.write({"resolution": "Cleaned the condenser coils.",
                         "root_cause": "Dirty coils"})
        complaint.action_resolve()
        self.assertEqual(complaint.state, "resolved")
        self.assertTrue(complaint.date_resolved)
        complaint.action_reopen()
        self.assertEqual(complaint.state, "in_progress")
        self.assertFalse(complaint.date_resolved)
        complaint.action_resolve()
        complaint.action_close()
        self.assertEqual(complaint.state, "closed")
        self.assertFalse(complaint.response_breached)
        self.assertFalse(breach_activities(complaint))

    def test_impossible_complaint_transitions_are_refused(self):
        env = self.env
        complaint = new_complaint(env)
        with self.raises_and_rolls_back(
                UserError, "Close: .* is Received; allowed only from "
                           "Resolved"):
            complaint.action_close()
        with self.raises_and_rolls_back(
                UserError, "Reopen: .* is Received; allowed only from "
                           "Resolved, Closed"):
            complaint.action_reopen()
        with self.raises_and_rolls_back(
                UserError, "Move to Closed: .* is Received; allowed only "
                           "from no state"):
            complaint.write({"state": "closed"})
        with self.raises_and_rolls_back(UserError, "starts as received"):
            new_complaint(env, state="resolved")
        complaint.action_cancel()
        with self.raises_and_rolls_back(
                UserError, "Respond: .* is Cancelled; allowed only from "
                           "Received"):
            complaint.action_respond()

    def test_only_managers_cancel(self):
        env = self.env
        complaint = new_complaint(env)
        for login in ("kam_support", "kam_service"):
            with self.subTest(login=login):
                with self.raises_and_rolls_back(AccessError, "Cancel"):
                    complaint.with_env(as_user(env, login)).action_cancel()
        complaint.with_env(as_user(env, "kam_regional")).action_cancel()
        self.assertEqual(complaint.state, "cancelled")


# ----------------------------------------------------------------------
# Breaches of the station's commitments
# ----------------------------------------------------------------------
class TestComplaintBreach(KamCase):

    def test_breach_on_create_tells_the_kam_and_the_station(self):
        env = self.env
        complaint = new_complaint(env, date_received=hours_ago(6))
        self.assertTrue(complaint.response_breached)
        self.assertFalse(complaint.resolution_breached)
        activities = breach_activities(complaint)
        self.assertEqual(set(activities.mapped("user_id.login")),
                         {"kam_manager_1", "kam_service"})
        self.assertEqual(set(activities.mapped("summary")),
                         {"Complaint response commitment breached"})
        # the KAM and the station's staff can open what they were given
        for login in ("kam_manager_1", "kam_service"):
            self.assertTrue(complaint.with_env(as_user(env, login)).read(
                ["name"]))

    def test_breach_when_dates_are_written(self):
        complaint = new_complaint(self.env, date_received=hours_ago(3))
        self.assertFalse(complaint.response_breached)
        # answered 3 h after a 4 h deadline... entered after the fact
        complaint.write({"date_received": hours_ago(10),
                         "date_first_response": hours_ago(3)})
        self.assertTrue(complaint.response_breached)
        self.assertEqual(len(breach_activities(complaint)), 2)
        # the same breach written again gives nobody a second activity
        complaint.write({"date_first_response": hours_ago(2)})
        self.assertEqual(len(breach_activities(complaint)), 2)
        # corrected: answered in time after all
        complaint.write({"date_first_response": hours_ago(9)})
        self.assertFalse(complaint.response_breached)

    def test_cron_flags_unanswered_complaints_once(self):
        env = self.env
        complaint = new_complaint(env, date_received=hours_ago(3))
        self.assertFalse(complaint.response_breached)
        cron = ref(env, "ir_cron_complaint_breach")
        self.assertTrue(cron.active)
        self.assertEqual(cron.model_id.model, Complaint)
        # the station promises faster answers: the deadline has now passed
        ref(env, "service_station_east_china").with_env(
            as_user(env, "kam_regional")).write({"response_hours": 2})
        self.assertFalse(complaint.response_breached)
        env[Complaint]._cron_check_breaches()
        complaint.invalidate_cache()
        self.assertTrue(complaint.response_breached)
        first = breach_activities(complaint)
        self.assertEqual(set(first.mapped("user_id.login")),
                         {"kam_manager_1", "kam_service"})
        # a second run (or a run after a crash) adds nothing
        env[Complaint]._cron_check_breaches()
        cron.method_direct_trigger()
        self.assertEqual(breach_activities(complaint), first)

    def test_cron_query_count_does_not_grow_with_clean_complaints(self):
        """The scheduled action selects candidates with one search:
        complaints that are answered in time cost nothing."""
        env = self.env
        # first flag what is due already: the demo complaints pass their
        # deadlines as the database gets older
        env[Complaint]._cron_check_breaches()
        before = env.cr.sql_log_count
        env[Complaint]._cron_check_breaches()
        without = env.cr.sql_log_count - before
        for i in range(20):
            new_complaint(env, name="On time %s" % i,
                          date_received=hours_ago(1))
        before = env.cr.sql_log_count
        env[Complaint]._cron_check_breaches()
        with_twenty = env.cr.sql_log_count - before
        self.assertEqual(with_twenty, without)
        # the search, plus the run's lock and its marker row
        # (models/kam_lock.py: lock, savepoint, update, release)
        self.assertLessEqual(with_twenty, 5)

    def test_demo_has_one_breached_complaint(self):
        breached = self.env[Complaint].search(
            ["|", ("response_breached", "=", True),
             ("resolution_breached", "=", True)])
        self.assertEqual(breached, ref(self.env, "complaint_breached"))
        # response + resolution, each for the KAM and the station
        self.assertEqual(len(breach_activities(breached)), 4)


# ----------------------------------------------------------------------
# Status summary for the customer's people (R9)
# ----------------------------------------------------------------------
class TestComplaintStatus(KamCase):

    def setUp(self):
        super(TestComplaintStatus, self).setUp()
        # reports compile their style sheets with lessc, which needs this
        patcher = mock.patch.dict(os.environ,
                                  {"NODE_PATH": "/usr/share/nodejs"})
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_status_report_renders_as_html(self):
        env = self.env
        complaint = ref(env, "complaint_resolved")
        for xmlid in ("kam_complaint_report", "kam_complaint_report_html"):
            with self.subTest(report=xmlid):
                report = ref(env, xmlid).with_env(
                    as_user(env, "kam_service"))
                html, kind = report.render_qweb_html(complaint.ids)
                self.assertEqual(kind, "html")
                html = html.decode() if isinstance(html, bytes) else html
                self.assertIn(complaint.name, html)
                self.assertIn("Resolved", html)
                self.assertIn("Replaced the valve actuator", html)
                self.assertIn("+86 21 5555 0100", html)  # a person (R9)
        self.assertEqual(ref(env, "kam_complaint_report_html").report_type,
                         "qweb-html")

    def test_status_report_in_the_customers_language(self):
        env = self.env
        complaint = ref(env, "complaint_resolved")
        complaint.partner_id.write({"lang": "zh_CN"})
        html, _kind = ref(env, "kam_complaint_report").render_qweb_html(
            complaint.ids)
        html = html.decode() if isinstance(html, bytes) else html
        self.assertIn("投诉状态", html)
        self.assertIn("已解决", html)

    def test_status_is_emailed_to_the_customers_contact(self):
        env = self.env
        complaint = ref(env, "complaint_breached")
        kam = complaint.with_env(as_user(env, "kam_manager_1"))
        action = kam.action_send_status()
        template = ref(env, "mail_template_kam_complaint_status")
        self.assertEqual(action["res_model"], "mail.compose.message")
        self.assertEqual(action["context"]["default_template_id"],
                         template.id)
        values = template.generate_email(complaint.id)
        self.assertIn(complaint.name, values["subject"])
        self.assertIn("Received", values["body_html"])
        self.assertEqual(values["partner_ids"], [complaint.contact_id.id])
        # what the composer's "Send" does, as the KAM
        kam.message_post_with_template(template.id)
        message = complaint.message_ids[0]
        self.assertIn(complaint.contact_id, message.partner_ids)
        self.assertIn(complaint.name, message.subject)


# ----------------------------------------------------------------------
# Access per role
# ----------------------------------------------------------------------
class TestComplaintAccess(KamCase):

    def test_complaint_access_per_role(self):
        env = self.env
        total = env[Complaint].search([])
        self.assertEqual(visible(env, "kam_director"), total)
        self.assertEqual(visible(env, "kam_secretary"), total)
        self.assertEqual(set(visible(env, "kam_manager_1").mapped(
            "kam_manager_id.login")), {"kam_manager_1"})
        self.assertIn(ref(env, "complaint_closed"),
                      visible(env, "kam_manager_2"))
        self.assertEqual(set(visible(env, "kam_regional").mapped(
            "partner_id.kam_region_id")), {ref(env, "region_east_china")})
        # support staff: their teams' accounts only
        self.assertLessEqual(
            set(visible(env, "kam_support").mapped("partner_id")),
            {ref(env, "partner_kam_shanghai_metro"),
             ref(env, "partner_kam_hangzhou_mall")})
        self.assertEqual(visible(env, "kam_support_2"),
                         ref(env, "complaint_closed"))
        with self.raises_and_rolls_back(AccessError, NO_RULE):
            ref(env, "complaint_breached").with_env(
                as_user(env, "kam_support_2")).read(["name"])
        # station staff: also the complaints of the accounts their station
        # serves
        self.assertIn(ref(env, "complaint_resolved"),
                      visible(env, "kam_service"))

    def test_support_records_and_answers_complaints_of_own_teams(self):
        env = self.env
        complaint = new_complaint(env, login="kam_support",
                                  date_received=hours_ago(1))
        complaint.action_respond()
        self.assertEqual(complaint.state, "in_progress")
        with self.raises_and_rolls_back(AccessError, NO_RULE):
            new_complaint(env, login="kam_support",
                          account="partner_kam_wuxi_semicon")

    def test_secretary_reads_complaints_but_does_not_write(self):
        env = self.env
        complaint = ref(env, "complaint_breached").with_env(
            as_user(env, "kam_secretary"))
        self.assertTrue(complaint.read(["name", "state"]))
        with self.raises_and_rolls_back(AccessError, NO_RIGHT):
            complaint.write({"resolution": "x"})
        with self.raises_and_rolls_back(AccessError, NO_RIGHT):
            complaint.action_respond()
