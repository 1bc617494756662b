# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The month-end hand-in (R14, issue 13): drafted by the month-end action,
handed in by the KAM, entered by the sales secretary line by line or all at
once; late hand-ins and late entries on the scorecard, escalated once.

Dates are counted from today: months far from the demo hand-ins (the month
before the install day) are passed to the actions as ``today``.
"""
from datetime import timedelta

from odoo.exceptions import AccessError, UserError, ValidationError

from .common import (KamCase, ds, ensure_zh_cn, month_end, month_start, ref,
                     today)

HANDIN = "mail_activity_type_kam_month_handin"
LATE = "mail_activity_type_kam_month_handin_late"
NOT_THE_KAM = r"Only the key account manager, .*, can hand in"
NOT_SECRETARY = r"Only a sales secretary can confirm"
DENIED = r"security restrictions"


class HandinCase(KamCase):

    @classmethod
    def setUpClass(cls):
        super(HandinCase, cls).setUpClass()
        cls.Handin = cls.env["kam.month.handin"]
        cls.kam1 = ref(cls.env, "user_kam_manager_1")

    def activities(self, handin, type_xmlid, user=None):
        domain = [("res_model", "=", "kam.month.handin"),
                  ("res_id", "=", handin.id),
                  ("activity_type_id", "=", ref(self.env, type_xmlid).id)]
        if user:
            domain.append(("user_id", "=", user.id))
        return self.env["mail.activity"].search(domain)

    def prepare(self, month, login="kam_manager_1"):
        """The month's hand-ins drafted; ``login``'s one."""
        self.Handin._kam_prepare(ds(month))
        return self.Handin.search([("period_start", "=", ds(month)),
                                   ("user_id", "=", self.user(login).id)])

    def as_login(self, record, login):
        return record.with_env(self.as_user(login))

    def key_accounts(self, login):
        return self.env["res.partner"].search([
            ("kam_is_key_account", "=", True),
            ("kam_manager_id", "=", self.user(login).id)])


class TestPrepare(HandinCase):
    """The month-end action drafts the hand-ins once."""

    def test_drafts_prepared_once_by_the_cron(self):
        Report = self.env["kam.report"]
        month = month_start(months=-14)
        last = month_end(month)
        days = Report._kam_month_end_days()
        # not yet: the last ``days`` days of the month have not begun
        self.assertFalse(Report._cron_month_end_information(
            today=ds(last - timedelta(days=days))))
        self.assertFalse(self.Handin.search(
            [("period_start", "=", ds(month))]))
        created = Report._cron_month_end_information(
            today=ds(last - timedelta(days=days - 1)))
        self.assertEqual(created._name, "kam.month.handin")
        kams = self.env["res.partner"].search(
            [("kam_is_key_account", "=", True)]).mapped("kam_manager_id")
        self.assertEqual(set(created.mapped("user_id")), set(kams))
        mine = created.filtered(lambda h: h.user_id == self.kam1)
        self.assertEqual(mine.state, "draft")
        self.assertEqual(mine.region_id,
                         self.kam_ref("region_east_china"))
        self.assertEqual(set(mine.line_ids.mapped("partner_id")),
                         set(self.key_accounts("kam_manager_1")))
        # the default deadline: the last day of the month
        self.assertEqual(mine.handin_deadline, ds(last))
        todo = self.activities(mine, HANDIN)
        self.assertEqual(todo.mapped("user_id"), self.kam1)
        self.assertEqual(todo.date_deadline, ds(last))
        # a second run (and a third one on the last day): nothing new
        self.assertFalse(Report._cron_month_end_information(
            today=ds(last - timedelta(days=days - 1))))
        self.assertFalse(Report._cron_month_end_information(today=ds(last)))
        self.assertEqual(self.Handin.search_count(
            [("period_start", "=", ds(month))]), len(created))
        self.assertEqual(len(self.activities(mine, HANDIN)), 1)
        # an account promoted since gets its line in the draft
        newcomer = self.env["res.partner"].create({
            "name": "Handin Newcomer", "is_company": True})
        newcomer.write({
            "kam_is_key_account": True, "kam_account_type": "key",
            "kam_manager_id": self.kam1.id,
            "kam_region_id": self.kam_ref("region_east_china").id,
            "kam_relationship_level_id": self.kam_ref(
                "relationship_level_vendor").id})
        self.assertFalse(Report._cron_month_end_information(today=ds(last)))
        self.assertIn(newcomer, mine.line_ids.mapped("partner_id"))
        self.assertEqual(len(mine.line_ids.filtered(
            lambda l: l.partner_id == newcomer)), 1)

    def test_handin_day_is_a_setting(self):
        ICP = self.env["ir.config_parameter"]
        january = month_start(today().replace(month=1), months=-24)
        ICP.set_param("kam_management.handin_day", "5")
        handin = self.prepare(january)
        self.assertEqual(handin.handin_deadline,
                         ds(january.replace(month=2, day=5)))
        # a day the following month does not have: its last day
        ICP.set_param("kam_management.handin_day", "31")
        handin = self.prepare(month_start(january, months=12))
        self.assertEqual(handin.handin_deadline,
                         ds(month_end(january, 13)))
        for value in ("-1", "32", "soon"):
            with self.subTest(value=value):
                with self.assertRaisesRegex(ValidationError,
                                            "kam_management.handin_day"):
                    with self.env.cr.savepoint():
                        ICP.set_param("kam_management.handin_day", value)
        self.assertEqual(ICP.get_param("kam_management.handin_day"), "31")

    def test_missed_month_end_caught_up_once(self):
        """Issue 16: the scheduled actions stopped over the last days of a
        month (the month before had its hand-ins): the first run after
        drafts that month's hand-ins once, with ``month_end_days`` days
        to hand them in, so nobody is late for the outage."""
        Report = self.env["kam.report"]
        days = Report._kam_month_end_days()
        before, missed = month_start(months=-20), month_start(months=-19)
        self.prepare(before)
        back = month_start(months=-18) + timedelta(days=1)
        created = Report._cron_month_end_information(today=ds(back))
        self.assertEqual(set(created.mapped("period_start")), {ds(missed)})
        kams = self.env["res.partner"].search(
            [("kam_is_key_account", "=", True)]).mapped("kam_manager_id")
        self.assertEqual(set(created.mapped("user_id")), set(kams))
        mine = created.filtered(lambda h: h.user_id == self.kam1)
        deadline = ds(back + timedelta(days=days))
        self.assertEqual(mine.handin_deadline, deadline)
        self.assertFalse(mine.handin_late)
        todo = self.activities(mine, HANDIN)
        self.assertEqual(todo.mapped("user_id"), self.kam1)
        self.assertEqual(todo.date_deadline, deadline)
        # the next day, and again: nothing new, nobody late yet
        for day in (back, back + timedelta(days=1)):
            self.assertFalse(Report._cron_month_end_information(
                today=ds(day)))
        self.assertEqual(self.Handin.search_count(
            [("period_start", "=", ds(missed))]), len(created))
        self.assertFalse(mine.handin_late)
        self.assertEqual(len(self.activities(mine, HANDIN)), 1)

    def test_no_catch_up_without_earlier_hand_ins(self):
        """A month without hand-ins after a month without any either (a
        new install, or months the addon was not used) drafts nothing
        outside the month-end days."""
        Report = self.env["kam.report"]
        back = month_start(months=-24) + timedelta(days=1)
        self.assertFalse(Report._cron_month_end_information(today=ds(back)))
        self.assertFalse(self.Handin.search(
            [("period_start", "=", ds(month_start(months=-25)))]))


class TestWorkflow(HandinCase):
    """The KAM hands in, the sales secretary enters."""

    def setUp(self):
        super(TestWorkflow, self).setUp()
        # a month ahead: the deadline is still to come
        self.handin = self.prepare(month_start(months=2))
        self.assertTrue(len(self.handin.line_ids) >= 2)

    def hand_in(self):
        mine = self.as_login(self.handin, "kam_manager_1")
        line = mine.line_ids[0]
        line.write({"reviewed": True, "changes": "New purchasing head."})
        # as the form saves the lines and the remarks
        mine.write({"note": "All seen.", "line_ids": [
            (1, mine.line_ids[1].id, {"changes": "Second plant opened."})]})
        self.assertEqual(self.handin.line_ids[1].changes,
                         "Second plant opened.")
        mine.action_hand_in()
        return mine

    def test_hand_in_then_confirm_line_by_line(self):
        secretary = self.user("kam_secretary")
        # the secretary does not hand in for the KAM, nor the manager
        for login in ("kam_secretary", "kam_regional", "kam_director"):
            with self.subTest(login=login):
                with self.raises_and_rolls_back(AccessError, NOT_THE_KAM):
                    self.as_login(self.handin, login).action_hand_in()
        self.assertEqual(self.handin.state, "draft")
        self.hand_in()
        self.assertEqual(self.handin.state, "handed_in")
        self.assertFalse(self.handin.handin_late)
        self.assertEqual(self.handin.entry_deadline,
                         ds(today() + timedelta(days=3)))
        # the KAM's task is done, the secretary's is there
        self.assertFalse(self.activities(self.handin, HANDIN, self.kam1))
        enter = self.activities(self.handin, HANDIN, secretary)
        self.assertEqual(len(enter), 1)
        self.assertIn(self.kam1.name, enter.summary)
        # handing in twice
        with self.raises_and_rolls_back(
                UserError, "Hand In: .* is Handed In; allowed only from To "
                           "Hand In"):
            self.as_login(self.handin, "kam_manager_1").action_hand_in()
        # the KAM's lines are closed now
        with self.raises_and_rolls_back(UserError, "only a hand-in still"):
            self.as_login(self.handin.line_ids[0], "kam_manager_1").write(
                {"changes": "More."})
        # the KAM does not confirm the entry
        with self.raises_and_rolls_back(AccessError, NOT_SECRETARY):
            self.as_login(self.handin, "kam_manager_1").action_confirm_entered()
        with self.raises_and_rolls_back(AccessError, NOT_SECRETARY):
            self.as_login(self.handin.line_ids[0],
                          "kam_director").action_confirm_entered()
        lines = self.as_login(self.handin.line_ids, "kam_secretary")
        lines[0].action_confirm_entered()
        self.assertTrue(self.handin.line_ids[0].entered)
        self.assertEqual(self.handin.line_ids[0].entered_by_id, secretary)
        self.assertEqual(self.handin.state, "handed_in")
        with self.raises_and_rolls_back(UserError, "entered already"):
            lines[0].action_confirm_entered()
        lines[1:].action_confirm_entered()
        self.assertEqual(self.handin.state, "entered")
        self.assertEqual(self.handin.entered_by_id, secretary)
        self.assertFalse(self.handin.entry_late)
        self.assertFalse(self.activities(self.handin, HANDIN))
        # the chatter tracked the moves, by who made them
        tracked = self.env["mail.tracking.value"].search([
            ("mail_message_id.model", "=", "kam.month.handin"),
            ("mail_message_id.res_id", "=", self.handin.id),
            ("field", "=", "state")])
        by_value = {t.new_value_char: t.mail_message_id.author_id
                    for t in tracked}
        self.assertEqual(by_value["Handed In"], self.kam1.partner_id)
        self.assertEqual(by_value["Entered"], secretary.partner_id)

    def test_confirm_all_at_once(self):
        self.hand_in()
        self.as_login(self.handin, "kam_secretary").action_confirm_entered()
        self.assertEqual(self.handin.state, "entered")
        self.assertTrue(all(self.handin.line_ids.mapped("entered")))
        self.assertEqual(set(self.handin.line_ids.mapped("entered_by_id")),
                         {self.user("kam_secretary")})
        with self.raises_and_rolls_back(
                UserError, "Confirm Entered: .* is Entered"):
            self.as_login(self.handin,
                          "kam_secretary").action_confirm_entered()

    def test_who_sees_and_writes(self):
        handin = self.handin
        for login, sees in (("kam_manager_1", True), ("kam_manager_2", False),
                            ("kam_regional", True), ("kam_director", True),
                            ("kam_secretary", True)):
            with self.subTest(login=login):
                found = self.Handin.with_env(self.as_user(login)).search(
                    [("id", "=", handin.id)])
                self.assertEqual(bool(found), sees)
                lines = self.env["kam.month.handin.line"].with_env(
                    self.as_user(login)).search(
                        [("handin_id", "=", handin.id)])
                self.assertEqual(bool(lines), sees)
        with self.raises_and_rolls_back(AccessError, "not allowed to access"):
            self.as_login(handin, "kam_support").read(["state"])
        with self.raises_and_rolls_back(AccessError, DENIED):
            self.as_login(handin.line_ids[0], "kam_manager_2").write(
                {"changes": "x"})
        for login in ("kam_secretary", "kam_regional"):
            with self.subTest(login=login):
                with self.raises_and_rolls_back(
                        AccessError, "Only the key account manager"):
                    self.as_login(handin.line_ids[0], login).write(
                        {"changes": "x"})
        with self.raises_and_rolls_back(
                AccessError, "Only the key account manager, .*, can write "
                             "the lines and remarks"):
            self.as_login(handin, "kam_secretary").write({"line_ids": [
                (1, handin.line_ids[0].id, {"changes": "x"})]})
        with self.raises_and_rolls_back(AccessError, "not allowed to delete"):
            self.as_login(handin, "kam_manager_1").write(
                {"line_ids": [(2, handin.line_ids[0].id)]})
        # nobody writes the workflow's fields
        with self.raises_and_rolls_back(UserError, "cannot be written"):
            self.as_login(handin, "kam_manager_1").write(
                {"handin_late": False})
        with self.raises_and_rolls_back(UserError, "cannot be written"):
            self.as_login(handin.line_ids[0], "kam_manager_1").write(
                {"entered": True})
        with self.raises_and_rolls_back(UserError, "Move to Entered"):
            self.as_login(handin, "kam_manager_1").write({"state": "entered"})

    def test_information_items_of_the_month(self):
        line = self.handin.line_ids[0]
        info = self.env["kam.info"].create({
            "name": "Handin news", "partner_id": line.partner_id.id,
            "category_id": self.env["kam.info.category"].search(
                [], limit=1).id,
            "importance": "normal", "date": self.handin.period_start})
        line.invalidate_cache()
        self.assertIn(info, line.info_ids)
        self.assertEqual(line.info_count, len(line.info_ids))


class TestLate(HandinCase):
    """Late hand-ins and late entries: on the scorecard, escalated once."""

    def setUp(self):
        super(TestLate, self).setUp()
        self.month = month_start(months=-3)
        self.handin = self.prepare(self.month)
        self.day_after = ds(month_end(self.month) + timedelta(days=1))

    def scorecard(self):
        return self.env["kam.scorecard"]._kam_refresh_scorecards(
            ds(self.month), [self.kam1.id])

    def test_late_handin_escalated_once_and_on_the_scorecard(self):
        regional = self.user("kam_regional")
        self.Handin._kam_check_late(ds(month_end(self.month)))
        self.assertFalse(self.handin.handin_late)
        self.Handin._kam_check_late(self.day_after)
        self.assertTrue(self.handin.handin_late)
        self.assertTrue(self.handin.handin_escalated_date)
        late = self.activities(self.handin, LATE)
        self.assertEqual(late.mapped("user_id"), regional)
        self.assertIn(self.kam1.name, late.summary)
        self.Handin._kam_check_late(self.day_after)
        self.Handin._kam_month_end(ds(today()))
        self.assertEqual(len(self.activities(self.handin, LATE)), 1)
        card = self.scorecard()
        self.assertTrue(card.handin_late)
        self.assertFalse(card.handin_entry_late)
        self.assertTrue(self.as_login(card, "kam_manager_1").handin_late)
        # handed in now: late it stays
        self.as_login(self.handin, "kam_manager_1").action_hand_in()
        self.assertTrue(self.handin.handin_late)

    def test_handed_in_after_the_deadline_is_late(self):
        self.as_login(self.handin, "kam_manager_1").action_hand_in()
        self.assertTrue(self.handin.handin_late)

    def test_late_entry_escalated_once_and_on_the_scorecard(self):
        self.as_login(self.handin, "kam_manager_1").action_hand_in()
        directors = self.env["res.users"]._kam_directors(
            self.handin.company_id)
        self.assertTrue(directors)
        deadline = self.handin.entry_deadline
        self.Handin._kam_check_late(deadline)
        self.assertFalse(self.handin.entry_late)
        after = ds(today() + timedelta(days=4))
        self.Handin._kam_check_late(after)
        self.assertTrue(self.handin.entry_late)
        late = self.activities(self.handin, LATE).filtered(
            lambda a: "not entered" in a.summary)
        self.assertEqual(set(late.mapped("user_id")), set(directors))
        self.Handin._kam_check_late(after)
        self.assertEqual(len(self.activities(self.handin, LATE).filtered(
            lambda a: "not entered" in a.summary)), len(directors))
        card = self.scorecard()
        self.assertTrue(card.handin_entry_late)
        # entered now: late it stays
        self.as_login(self.handin, "kam_secretary").action_confirm_entered()
        self.assertEqual(self.handin.state, "entered")
        self.assertTrue(self.handin.entry_late)

    def test_escalation_in_the_readers_language(self):
        """A zh_CN regional manager reads the late hand-in in Chinese, an
        en_US director the late entry in English."""
        ensure_zh_cn(self.env)
        self.user("kam_regional").lang = "zh_CN"
        self.user("kam_director").lang = "en_US"
        self.Handin._kam_check_late(self.day_after)
        summary = self.activities(self.handin, LATE).summary
        self.assertTrue(summary.startswith("逾期："), summary)
        # the en_US director reads the late entry in English
        self.as_login(self.handin, "kam_manager_1").action_hand_in()
        self.Handin._kam_check_late(ds(today() + timedelta(days=4)))
        director = self.activities(self.handin, LATE,
                                   self.user("kam_director"))
        self.assertTrue(director.summary.startswith(
            "Late: the information updates"), director.summary)
