# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Check-in and check-out of a visit, its photos, and the visit rules that
require a check-in (R8, issue 14), as the real demo users.

Positions are Shanghai's (the account) and points 5 km north of it; dates
are relative to today."""
import base64
from datetime import datetime, time, timedelta

from psycopg2 import sql

from odoo.exceptions import AccessError, UserError, ValidationError

from ..models.kam_visit_check_in import haversine_m, image_type
from .common import KamCase, ds, hours_ago, month_start, today

LAT, LON = 31.2304, 121.4737
# 5 km north: a degree of latitude is about 111.2 km
FAR_LAT = LAT + 5000 / 111195.0
KAM_RULE = "visit_rule_kam_monthly"
# the smallest PNG there is (a 1x1 pixel)
PNG = base64.b64decode(
    b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB"
    b"0C8AAAAASUVORK5CYII=")
CHECK_IN_COLUMNS = (
    "check_in_at", "check_in_latitude", "check_in_longitude",
    "check_in_accuracy", "check_in_distance_m", "check_in_no_position",
    "check_in_flag", "check_out_at", "check_out_latitude", "state",
    "visit_date", "duration")


class CheckInCase(KamCase):

    def setUp(self):
        super(CheckInCase, self).setUp()
        self.account = self.env["res.partner"].create({
            "name": "Check-in Test Co", "is_company": True,
            "kam_is_key_account": True, "kam_account_type": "key",
            "kam_manager_id": self.user("kam_manager_1").id,
            "kam_region_id": self.kam_ref("region_east_china").id,
            "kam_relationship_level_id": self.kam_ref(
                "relationship_level_vendor").id,
            "kam_since": ds(today() - timedelta(days=60)),
            "partner_latitude": LAT, "partner_longitude": LON,
        })
        self.visit = self.plan("kam_manager_1")

    def plan(self, login, account=None):
        return self.env["kam.visit"].with_env(self.as_user(login)).create({
            "partner_id": (account or self.account).id,
            "visit_date": ds(datetime.combine(today() - timedelta(days=1),
                                              time(9))),
            "purpose": "Check the chillers"})

    def as_visitor(self, visit=None, login="kam_manager_1"):
        return (visit or self.visit).with_env(self.as_user(login))

    def stored(self, visit=None):
        """The visit's check-in columns as stored (not the cache)."""
        self.env.cr.execute(sql.SQL(
            "SELECT {} FROM kam_visit WHERE id = %s").format(
                sql.SQL(", ").join(map(sql.Identifier, CHECK_IN_COLUMNS))),
            ((visit or self.visit).id,))
        return dict(zip(CHECK_IN_COLUMNS, self.env.cr.fetchone()))

    def refused(self, exc, match, call, visit=None):
        """``call`` raises ``exc`` matching ``match``, and nothing of the
        visit changed at the moment of the error."""
        before = self.stored(visit)
        at_error = []
        with self.assertRaisesRegex(exc, match):
            with self.env.cr.savepoint():
                try:
                    call()
                except exc:
                    at_error.append(self.stored(visit))
                    raise
        self.assertEqual(at_error, [before])

    def compliance(self, rule=KAM_RULE):
        self.env["kam.visit.compliance"]._kam_refresh(
            partner_ids=self.account.ids)
        self.account.invalidate_cache()
        rows = self.account.kam_visit_compliance_ids.filtered(
            lambda r: r.rule_id == self.kam_ref(rule))
        self.assertEqual(len(rows), 1)
        return rows.state

    def require_check_in(self, radius=1000):
        self.kam_ref(KAM_RULE).write({"require_check_in": True,
                                      "check_in_radius_m": radius})


class TestCheckIn(CheckInCase):

    def test_haversine(self):
        self.assertAlmostEqual(haversine_m(LAT, LON, FAR_LAT, LON), 5000,
                               delta=1)
        self.assertEqual(haversine_m(LAT, LON, LAT, LON), 0)

    def test_check_in_and_out_at_the_account(self):
        visit = self.as_visitor()
        visit.action_check_in(LAT, LON, 12.5)
        row = self.stored()
        self.assertTrue(row["check_in_at"])
        self.assertEqual((row["check_in_latitude"], row["check_in_longitude"],
                          row["check_in_accuracy"]), (LAT, LON, 12.5))
        self.assertEqual(row["check_in_distance_m"], 0)
        self.assertFalse(row["check_in_no_position"])
        self.assertIsNone(row["check_in_flag"])
        self.assertEqual(row["state"], "planned")
        self.assertIn("mlat=31.230400&mlon=121.473700",
                      visit.check_in_map_url)
        # two hours on site
        self.env.cr.execute(
            "UPDATE kam_visit SET check_in_at = %s WHERE id = %s",
            (hours_ago(2), visit.id))
        visit.invalidate_cache()
        visit.action_check_out(LAT + 0.0001, LON, 8)
        row = self.stored()
        self.assertEqual(row["state"], "done")
        self.assertEqual(ds(row["visit_date"]), ds(row["check_in_at"]))
        self.assertAlmostEqual(row["duration"], 2.0, delta=0.02)
        self.assertEqual(row["check_out_latitude"], LAT + 0.0001)
        self.assertTrue(visit.verified_on_site)
        self.assertIn(visit, self.env["kam.visit"].search(
            [("verified_on_site", "=", True)]))
        self.assertEqual(self.compliance(), "ok")

    def test_check_in_without_a_position(self):
        visit = self.as_visitor()
        visit.action_check_in(None, None, None)
        row = self.stored()
        self.assertTrue(row["check_in_at"])
        self.assertTrue(row["check_in_no_position"])
        self.assertIsNone(row["check_in_distance_m"])
        self.assertEqual(row["check_in_flag"], "no_position")
        self.assertFalse(visit.check_in_map_url)
        self.assertIn(visit, self.env["kam.visit"].search(
            [("check_in_flag", "!=", False)]))
        visit.action_check_out(False, False, False)
        self.assertFalse(visit.verified_on_site)

    def test_far_check_in_is_flagged(self):
        visit = self.as_visitor()
        visit.action_check_in(FAR_LAT, LON, 20)
        self.assertAlmostEqual(visit.check_in_distance_m, 5000, delta=2)
        self.assertEqual(visit.check_in_flag, "far")
        # a rule with a radius wide enough takes the flag away
        self.require_check_in(radius=6000)
        visit.invalidate_cache()
        self.assertFalse(visit.check_in_flag)

    def test_account_without_position(self):
        self.account.write({"partner_latitude": 0, "partner_longitude": 0})
        visit = self.as_visitor()
        visit.action_check_in(LAT, LON, 5)
        row = self.stored()
        self.assertIsNone(row["check_in_distance_m"])
        self.assertEqual(row["check_in_flag"], "account_no_position")

    def test_refusals_store_nothing(self):
        visit = self.as_visitor()
        for args, match in (
                ((91, LON, 5), r"Check-in Latitude: 91 is not a latitude"),
                ((-90.5, LON, 5), r"Check-in Latitude: -90.5 is not a lat"),
                ((LAT, 180.1, 5), r"Check-in Longitude: 180.1 is not a lon"),
                ((LAT, -181, 5), r"Check-in Longitude: -181 is not a lon"),
                ((LAT, LON, -1), r"Check-in Accuracy \(m\): an accuracy "
                                 r"cannot be negative"),
                ((LAT, None, 5), r"Check-in Longitude: give both"),
                (("north", LON, 5), r"Check-in Latitude: north is not a "
                                    r"number"),
                ((float("nan"), LON, 5), r"Check-in Latitude: nan is not")):
            self.refused(ValidationError, match,
                         lambda args=args: visit.action_check_in(*args))
        self.refused(UserError, r"Checked In: check in to the visit .* "
                                r"before checking out",
                     lambda: visit.action_check_out(LAT, LON, 5))
        visit.action_check_in(LAT, LON, 5)
        self.refused(UserError, r"Checked In: the visit .* was checked in "
                                r"already",
                     lambda: visit.action_check_in(LAT, LON, 5))
        self.refused(ValidationError, r"Check-out Latitude: 95 is not",
                     lambda: visit.action_check_out(95, LON, 5))
        self.refused(ValidationError, r"Check-out Accuracy \(m\): an acc",
                     lambda: visit.action_check_out(LAT, LON, -0.1))
        visit.action_check_out(LAT, LON, 5)
        self.refused(UserError, r"Checked Out: the visit .* was checked "
                                r"out already",
                     lambda: visit.action_check_out(LAT, LON, 5))

    def test_only_a_planned_visit(self):
        cancelled = self.plan("kam_manager_1")
        self.as_visitor(cancelled).action_cancel()
        self.refused(UserError, r"Check In: .* is Cancelled; allowed only "
                                r"from Planned",
                     lambda: self.as_visitor(cancelled).action_check_in(
                         LAT, LON, 5), visit=cancelled)

    def test_only_the_visitor(self):
        # the supervisor reads the visit, but does not check in for the KAM
        for login in ("kam_regional", "kam_director"):
            self.refused(
                AccessError, r"Check In: only the visitor \(.*\) can do",
                lambda login=login: self.as_visitor(
                    login=login).action_check_in(LAT, LON, 5))
        # another KAM does not even see it
        self.refused(AccessError, r"security restrictions",
                     lambda: self.as_visitor(
                         login="kam_manager_2").action_check_in(LAT, LON, 5))
        self.as_visitor().action_check_in(LAT, LON, 5)
        self.refused(
            AccessError, r"Check Out: only the visitor",
            lambda: self.as_visitor(login="kam_regional").action_check_out(
                LAT, LON, 5))

    def test_check_in_fields_are_set_by_the_buttons_only(self):
        visit = self.as_visitor()
        for vals in ({"check_in_at": hours_ago(1)},
                     {"check_in_distance_m": 0},
                     {"check_in_flag": False},
                     {"check_out_latitude": LAT}):
            self.refused(UserError, r"set by the buttons Check In and Check "
                                    r"Out and cannot be written",
                         lambda vals=vals: visit.write(vals))
        with self.assertRaisesRegex(UserError, r"cannot be written: "
                                               r"check_in_at"):
            self.env["kam.visit"].with_env(self.as_user(
                "kam_manager_1")).create({
                    "partner_id": self.account.id, "purpose": "x",
                    "check_in_at": hours_ago(1)})
        # a copy is a new plan, not checked in
        visit.action_check_in(LAT, LON, 5)
        self.assertFalse(visit.copy().check_in_at)


class TestCheckInRules(CheckInCase):
    """A rule requiring a check-in counts only visits that prove
    themselves."""

    def check_in_and_out(self, lat, lon, visit=None):
        visit = self.as_visitor(visit)
        visit.action_check_in(lat, lon, 10)
        visit.action_check_out(lat, lon, 10)
        return visit

    def test_without_the_requirement_any_visit_counts(self):
        self.assertEqual(self.compliance(), "overdue")
        self.check_in_and_out(FAR_LAT, LON)
        self.assertEqual(self.compliance(), "ok")

    def test_a_far_check_in_does_not_count(self):
        self.require_check_in()
        self.assertEqual(self.compliance(), "overdue")
        visit = self.check_in_and_out(FAR_LAT, LON)
        self.assertEqual(visit.check_in_flag, "far")
        self.assertEqual(self.compliance(), "overdue")
        # reviewing it changes nothing: the account has a position
        visit.write({"report_summary": "Met the facility manager."})
        visit.action_submit()
        visit.with_env(self.as_user("kam_regional")).action_review()
        self.assertEqual(self.compliance(), "overdue")
        # within the radius it counts
        self.check_in_and_out(LAT + 0.001, LON, self.plan("kam_manager_1"))
        self.assertEqual(self.compliance(), "ok")

    def test_a_visit_without_a_check_in_does_not_count(self):
        self.require_check_in()
        visit = self.as_visitor()
        visit.action_done()
        self.assertEqual(self.compliance(), "overdue")

    def test_no_position_does_not_count(self):
        self.require_check_in()
        self.check_in_and_out(None, None)
        self.assertEqual(self.compliance(), "overdue")

    def test_account_without_position_counts_after_review(self):
        self.require_check_in()
        self.account.write({"partner_latitude": 0, "partner_longitude": 0})
        visit = self.check_in_and_out(LAT, LON)
        self.assertEqual(visit.check_in_flag, "account_no_position")
        self.assertFalse(visit.verified_on_site)
        self.assertEqual(self.compliance(), "overdue")
        visit.write({"report_summary": "Met the facility manager."})
        visit.action_submit()
        self.assertEqual(self.compliance(), "overdue")
        visit.with_env(self.as_user("kam_regional")).action_review()
        self.assertEqual(self.compliance(), "ok")
        self.assertTrue(visit.verified_on_site)

    def test_rebuilt_month_counts_the_same(self):
        """A past month rebuilt from the visits applies the requirement
        too (the snapshot shares the compliance SQL)."""
        self.require_check_in()
        # a key account for 120 days: overdue at the end of last month
        # whatever its length (at 60 days, on 29 February its first visit
        # was due on 31 January, the month's last day: due soon)
        self.account.write({"kam_since": ds(today() - timedelta(days=120))})
        Snapshot = self.env["kam.visit.compliance.snapshot"]
        self.check_in_and_out(FAR_LAT, LON)
        month = (today().replace(day=1) - timedelta(days=1)).replace(day=1)
        self.env.cr.execute(
            "DELETE FROM kam_visit_compliance_snapshot WHERE month = %s",
            (month,))
        self.assertTrue(Snapshot._kam_rebuild_month(ds(month)))
        # nothing of this month counts for last month either way: the
        # account was overdue (since 120 days ago, no earlier visit)
        rows = Snapshot.search([("month", "=", ds(month)),
                                ("partner_id", "=", self.account.id),
                                ("rule_id", "=", self.kam_ref(KAM_RULE).id)])
        self.assertEqual(rows.state, "overdue")

    def test_radius_must_be_positive(self):
        with self.assertRaisesRegex(ValidationError,
                                    r"Check-in Radius \(m\): the radius"):
            self.kam_ref(KAM_RULE).write({"check_in_radius_m": 0})


class TestVisitPhotos(CheckInCase):

    def test_image_type(self):
        self.assertEqual(image_type(PNG), "image/png")
        self.assertEqual(image_type(b"\xff\xd8\xff\xdb rest"), "image/jpeg")
        self.assertIsNone(image_type(b"%PDF-1.4"))
        self.assertIsNone(image_type(b"<svg xmlns='...'/>"))

    def test_add_photo(self):
        visit = self.as_visitor()
        att_id = visit.action_add_photo("door.png", base64.b64encode(PNG))
        attachment = self.env["ir.attachment"].browse(att_id)
        self.assertEqual((attachment.res_model, attachment.res_id),
                         ("kam.visit", visit.id))
        self.assertEqual(attachment.mimetype, "image/png")
        self.assertEqual(visit.photo_ids, attachment)
        self.assertEqual(visit.photo_count, 1)
        # the reviewer sees it
        self.assertEqual(visit.with_env(self.as_user(
            "kam_regional")).photo_ids.ids, [att_id])

    def test_refused_photos_store_nothing(self):
        visit = self.as_visitor()
        Attachment = self.env["ir.attachment"]
        before = Attachment.search_count([("res_model", "=", "kam.visit")])
        with self.assertRaisesRegex(ValidationError,
                                    r"Photos: notes.pdf is not a photo"):
            visit.action_add_photo("notes.pdf",
                                   base64.b64encode(b"%PDF-1.4 ..."))
        self.env["ir.config_parameter"].set_param(
            "kam_management.visit_photo_max_mb", "1")
        big = PNG + b"\0" * (1024 * 1024)
        with self.assertRaisesRegex(ValidationError,
                                    r"Photos: big.png is 1.0 MB; a photo "
                                    r"may have at most 1 MB"):
            visit.action_add_photo("big.png", base64.b64encode(big))
        self.assertEqual(
            Attachment.search_count([("res_model", "=", "kam.visit")]),
            before)
        self.assertFalse(visit.photo_ids)
        # the form's upload: an attachment linked by a write
        pdf = Attachment.with_env(self.as_user("kam_manager_1")).create({
            "name": "notes.pdf", "datas": base64.b64encode(b"%PDF-1.4"),
            "res_model": "kam.visit", "res_id": visit.id})
        with self.assertRaisesRegex(ValidationError, r"Photos: .* is not a "
                                                     r"photo"):
            visit.write({"photo_ids": [(6, 0, [pdf.id])]})
        with self.assertRaisesRegex(ValidationError, r"is not a photo"):
            visit.write({"photo_ids": [(0, 0, {
                "name": "x.txt", "datas": base64.b64encode(b"hello")})]})

    def test_only_the_visitor_adds_photos(self):
        with self.assertRaisesRegex(AccessError, r"Add Photo: only the "
                                                 r"visitor"):
            self.as_visitor(login="kam_regional").action_add_photo(
                "x.png", base64.b64encode(PNG))

    def test_photo_limit_parameter_is_checked(self):
        with self.assertRaisesRegex(ValidationError,
                                    r"visit_photo_max_mb: \"0\" is not "
                                    r"allowed"):
            self.env["ir.config_parameter"].set_param(
                "kam_management.visit_photo_max_mb", "0")


class TestVerifiedOnSite(CheckInCase):
    """Scorecards and month-end reports count the visits verified on
    site."""

    def scorecard(self):
        cards = self.env["kam.scorecard"]._kam_refresh_scorecards(
            ds(month_start()), [self.user("kam_manager_1").id])
        return cards.visits_verified_count

    def month_report(self):
        report = self.env["kam.report"].search([
            ("report_type", "=", "kam_monthly"),
            ("period_start", "=", ds(month_start())),
            ("user_id", "=", self.user("kam_manager_1").id)])
        if not report:
            report = self.env["kam.report"].create({
                "report_type": "kam_monthly",
                "period_start": ds(month_start()),
                "user_id": self.user("kam_manager_1").id})
        report.action_refresh_figures()
        return report.visits_verified_count

    def test_counts(self):
        card, report = self.scorecard(), self.month_report()
        # far away: done, not verified
        far = self.as_visitor()
        far.action_check_in(FAR_LAT, LON, 10)
        far.action_check_out(FAR_LAT, LON, 10)
        # no check-in at all
        self.as_visitor(self.plan("kam_manager_1")).action_done()
        self.assertEqual((self.scorecard(), self.month_report()),
                         (card, report))
        # at the door
        near = self.as_visitor(self.plan("kam_manager_1"))
        near.action_check_in(LAT, LON, 10)
        self.assertEqual(self.scorecard(), card)  # not done yet
        near.action_check_out(LAT, LON, 10)
        self.assertEqual((self.scorecard(), self.month_report()),
                         (card + 1, report + 1))
