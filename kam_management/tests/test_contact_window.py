# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Contact windows per industry (R9, issue 13): bad windows are refused
before anything is written; a visit planned outside its account's windows
is flagged (never refused), in the reader's time zone.

Dates: the visits are planned weeks ahead of today, on the weekday each
test needs.
"""
from datetime import datetime, time, timedelta

from odoo.exceptions import AccessError, ValidationError

from .common import KamCase, ds, ensure_zh_cn, today


def ahead(weekday, weeks=2):
    """A day ``weeks`` weeks or so from today that is a ``weekday``
    (0 = Monday)."""
    day = today() + timedelta(weeks=weeks)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def at(day, hour, minute=0):
    """``day`` at ``hour``:``minute`` UTC, as Odoo 11's string."""
    return ds(datetime.combine(day, time(hour, minute)))


TUESDAY, SATURDAY = 1, 5


class ContactWindowCase(KamCase):

    @classmethod
    def setUpClass(cls):
        super(ContactWindowCase, cls).setUpClass()
        env = cls.env
        cls.industry = env["res.partner.industry"].create(
            {"name": "Hospitals (test)"})
        # Monday to Friday (the default days), 09:00-17:00
        cls.window = env["kam.contact.window"].create({
            "industry_id": cls.industry.id, "hour_from": 9.0,
            "hour_to": 17.0, "place": "at the customer's site"})
        cls.account = env.ref("kam_management.partner_kam_shanghai_metro")
        cls.account.industry_id = cls.industry

    def plan(self, when, login="kam_manager_1", account=None):
        """A visit planned by kam_manager_1 (their account), read back as
        ``login``."""
        Visit = self.env["kam.visit"].with_env(
            self.as_user("kam_manager_1"))
        visit = Visit.create({
            "partner_id": (account or self.account).id,
            "purpose": "Quarterly review", "visit_date": when})
        self.env["kam.visit"].invalidate_cache()
        return visit.with_env(self.as_user(login))

    def window_rows(self):
        self.env.cr.execute("SELECT count(*), max(id), "
                            "array_agg(hour_to ORDER BY id) "
                            "FROM kam_contact_window")
        return self.env.cr.fetchone()

    def refused_at_error(self, call, match):
        """Run ``call``, which must raise a ValidationError matching
        ``match``; the window table as it was at the error."""
        taken = []
        with self.raises_and_rolls_back(ValidationError, match):
            try:
                call()
            except ValidationError:
                taken.append(self.window_rows())
                raise
        return taken[0]


class TestWindowValidation(ContactWindowCase):

    def test_bad_windows_are_refused_before_anything_is_written(self):
        Window = self.env["kam.contact.window"].with_env(
            self.as_user("kam_director"))
        base = {"industry_id": self.industry.id}
        before = self.window_rows()
        cases = [
            ({"hour_from": 9.0, "hour_to": 8.0},
             r"To: the contact window ends at 08:00, not after it starts "
             r"\(09:00\)"),
            ({"hour_from": 9.0, "hour_to": 9.0}, r"To: .* ends at 09:00"),
            ({"hour_from": 9.0, "hour_to": 25.0},
             r"To: 25:00 is not an hour of the day"),
            ({"hour_from": -1.0, "hour_to": 12.0},
             r"From: -1.0 is not an hour of the day"),
            # the default start (09:00) is after the given end
            ({"hour_to": 8.5}, r"To: .* ends at 08:30, not after it "
                               r"starts \(09:00\)"),
            ({"monday": False, "tuesday": False, "wednesday": False,
              "thursday": False, "friday": False},
             r"Days: tick at least one day"),
        ]
        for vals, match in cases:
            with self.subTest(vals=vals):
                at_error = self.refused_at_error(
                    lambda: Window.create(dict(base, **vals)), match)
                self.assertEqual(at_error, before)
        window = self.window.with_env(Window.env)
        for vals, match in [
                ({"hour_to": 7.0}, r"To: .* ends at 07:00, not after it "
                                   r"starts \(09:00\)"),
                ({"hour_from": 24.5}, r"From: 24:30 is not an hour"),
                ({"hour_from": 17.0}, r"To: .* ends at 17:00")]:
            with self.subTest(vals=vals):
                at_error = self.refused_at_error(
                    lambda: window.write(vals), match)
                self.assertEqual(at_error, before)
        self.assertEqual((self.window.hour_from, self.window.hour_to),
                         (9.0, 17.0))
        # a good window, up to midnight
        late = Window.create(dict(base, hour_from=18.0, hour_to=24.0,
                                  saturday=True))
        self.assertEqual(late.name_get()[0][1],
                         "Monday–Saturday 18:00–24:00")

    def test_refusal_is_translated(self):
        """The message is the shipped translation of its source."""
        ensure_zh_cn(self.env)
        director = self.as_user("kam_director")
        Window = self.env["kam.contact.window"].with_env(director).with_context(
            lang="zh_CN")
        with self.raises_and_rolls_back(ValidationError,
                                        "联系时段的结束时间 08:00 必须晚于") as caught:
            Window.create({"industry_id": self.industry.id,
                           "hour_from": 9.0, "hour_to": 8.0})
        self.assertNotIn("not after", caught.exception.name)

    def test_days_and_place_in_the_text(self):
        window = self.window.copy({"monday": False, "wednesday": False,
                                   "saturday": True, "sunday": True,
                                   "place": False})
        self.assertEqual(window._kam_window_text(),
                         "Tuesday, Thursday–Sunday 09:00–17:00")
        self.assertEqual(self.window._kam_window_text(),
                         "Monday–Friday 09:00–17:00 (at the customer's "
                         "site)")


class TestVisitWarning(ContactWindowCase):

    def test_inside_the_window_no_warning(self):
        visit = self.plan(at(ahead(TUESDAY), 10))
        self.assertFalse(visit.outside_contact_window)
        self.assertFalse(visit.contact_window_note)

    def test_saturday_or_evening_is_flagged_not_refused(self):
        for when, said in ((at(ahead(SATURDAY), 10), "Saturday at 10:00"),
                           (at(ahead(TUESDAY), 20), "Tuesday at 20:00"),
                           # the end is not in the window
                           (at(ahead(TUESDAY), 17), "Tuesday at 17:00")):
            with self.subTest(when=when):
                visit = self.plan(when)
                self.assertEqual(visit.state, "planned")
                self.assertTrue(visit.outside_contact_window)
                note = visit.contact_window_note
                self.assertIn("Planned on %s" % said, note)
                self.assertIn("Hospitals (test)", note)
                self.assertIn("Monday–Friday 09:00–17:00 (at the "
                              "customer's site)", note)

    def test_several_windows(self):
        """Any window of the industry will do."""
        self.env["kam.contact.window"].create({
            "industry_id": self.industry.id, "monday": False,
            "tuesday": False, "wednesday": False, "thursday": False,
            "friday": False, "saturday": True, "hour_from": 8.0,
            "hour_to": 12.0, "place": "at our office"})
        self.assertFalse(self.plan(at(ahead(SATURDAY), 10))
                         .outside_contact_window)
        visit = self.plan(at(ahead(SATURDAY), 13))
        self.assertTrue(visit.outside_contact_window)
        # every window, earliest first
        self.assertIn("industry Hospitals (test): Saturday 08:00–12:00 (at "
                      "our office); Monday–Friday 09:00–17:00",
                      visit.contact_window_note)

    def test_no_window_no_warning(self):
        # an industry without windows
        other = self.env["res.partner.industry"].create(
            {"name": "No norm (test)"})
        self.account.industry_id = other
        self.assertFalse(self.plan(at(ahead(SATURDAY), 23))
                         .outside_contact_window)
        # an account without an industry
        self.account.industry_id = False
        visit = self.plan(at(ahead(SATURDAY), 23))
        self.assertFalse(visit.outside_contact_window)
        self.assertFalse(visit.contact_window_note)

    def test_done_visit_is_not_flagged(self):
        visit = self.plan(at(today() - timedelta(days=today().weekday() + 2),
                             20))  # last Saturday, 20:00
        self.assertTrue(visit.outside_contact_window)
        visit.with_env(self.as_user("kam_manager_1")).action_done()
        self.env["kam.visit"].invalidate_cache()
        self.assertFalse(visit.outside_contact_window)

    def test_time_zone_of_the_reader(self):
        """02:00 UTC on a Tuesday is 10:00 in Shanghai: inside for a
        reader there, outside for a reader in UTC; 10:00 UTC is 18:00 in
        Shanghai."""
        self.user("kam_manager_1").tz = "Asia/Shanghai"
        tuesday = ahead(TUESDAY)
        early = self.plan(at(tuesday, 2))
        self.assertFalse(early.outside_contact_window)
        late = self.plan(at(tuesday, 10))
        self.assertTrue(late.outside_contact_window)
        self.assertIn("Tuesday at 18:00", late.contact_window_note)
        # the UTC reader (the regional manager) sees the UTC hours
        self.assertEqual(self.user("kam_regional").tz, False)
        early_utc = self.plan(at(tuesday, 2), login="kam_regional")
        self.assertTrue(early_utc.outside_contact_window)
        self.assertIn("Tuesday at 02:00", early_utc.contact_window_note)
        self.assertFalse(self.plan(at(tuesday, 10), login="kam_regional")
                         .outside_contact_window)
        # a time zone in the context wins (the web client sends it)
        self.assertFalse(late.with_context(tz="Europe/London")
                         .outside_contact_window)

    def test_onchange_warns(self):
        Visit = self.env["kam.visit"].with_env(
            self.as_user("kam_manager_1"))
        visit = Visit.new({"partner_id": self.account.id,
                           "visit_date": at(ahead(SATURDAY), 10),
                           "purpose": "Quarterly review"})
        result = visit._onchange_contact_window()
        self.assertEqual(result["warning"]["title"],
                         "Outside the Contact Window")
        self.assertIn("Saturday at 10:00", result["warning"]["message"])
        visit.visit_date = at(ahead(TUESDAY), 10)
        self.assertFalse(visit._onchange_contact_window())

    def test_form_shows_the_banner(self):
        arch = self.env["kam.visit"].with_env(
            self.as_user("kam_manager_1")).fields_view_get(
                view_type="form")["arch"]
        self.assertIn('class="alert alert-warning"', arch)
        self.assertIn('name="contact_window_note"', arch)


class TestIndustryForm(ContactWindowCase):
    """The windows are edited on the industry form of the key-account
    configuration, with the user's rights on the windows; the industry
    itself stays the administrators'."""

    def test_director_edits_windows_on_the_industry(self):
        director = self.as_user("kam_director")
        industry = self.industry.with_env(director)
        industry.write({"kam_contact_window_ids": [
            (1, self.window.id, {"hour_to": 18.0}),
            (0, 0, {"saturday": True, "monday": False, "tuesday": False,
                    "wednesday": False, "thursday": False, "friday": False,
                    "hour_from": 9.0, "hour_to": 12.0}),
            (4, self.window.id, False)]})
        self.env["kam.visit"].invalidate_cache()
        windows = self.industry.kam_contact_window_ids
        self.assertEqual(windows.mapped("hour_to"), [18.0, 12.0])
        self.assertEqual(windows[1].create_uid, self.user("kam_director"))
        industry.write({"kam_contact_window_ids": [(2, windows[1].id, 0)]})
        self.env["kam.visit"].invalidate_cache()
        self.assertEqual(self.industry.kam_contact_window_ids, self.window)
        # a bad window is refused as on the window itself
        with self.raises_and_rolls_back(ValidationError, "To: "):
            industry.write({"kam_contact_window_ids": [
                (1, self.window.id, {"hour_to": 8.0})]})
        # the industry itself is not the director's
        with self.raises_and_rolls_back(AccessError, "not allowed to "
                                                     "modify"):
            industry.write({"name": "Renamed"})

    def test_kam_cannot_edit_windows(self):
        industry = self.industry.with_env(self.as_user("kam_manager_1"))
        self.assertTrue(industry.kam_contact_window_ids.read(["hour_to"]))
        with self.raises_and_rolls_back(AccessError, "not allowed to "
                                                     "modify"):
            industry.write({"kam_contact_window_ids": [
                (1, self.window.id, {"hour_to": 18.0})]})
        with self.raises_and_rolls_back(AccessError, "not allowed to "
                                                     "create"):
            industry.write({"kam_contact_window_ids": [
                (0, 0, {"hour_from": 9.0, "hour_to": 12.0})]})
        self.assertEqual(self.window.hour_to, 17.0)

    def test_industry_form_is_editable_by_directors(self):
        view = self.env.ref("kam_management.res_partner_industry_view_form_kam")
        arch = self.env["res.partner.industry"].with_env(
            self.as_user("kam_director")).fields_view_get(
                view_id=view.id, view_type="form")["arch"]
        self.assertIn('edit="true"', arch)
        self.assertIn('create="false"', arch)
