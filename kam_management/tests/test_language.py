# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Text the addon writes for a person is in that person's language, and
its visit activities go through ``mail.activity`` (issue 17).

One run of each scheduled action serves a zh_CN reader and an en_US
reader at once: both must read their own language, whoever runs the
action. The visit activities are the ORM's (followers, bus notification)
and a person with more than the limit gets one digest instead of a
flood."""
from contextlib import ExitStack
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import fields

from .common import (KamCase, ds, ensure_zh_cn, month_start, ref, today)

ZH_DUE = "大客户拜访到期"
EN_DUE = "Key-account visit due"
VISIT_TYPE = "mail_activity_type_kam_visit"
DIGEST_TYPE = "mail_activity_type_kam_visit_digest"
ESCALATION_TYPE = "mail_activity_type_kam_visit_escalation"
ESCALATION_DIGEST_TYPE = "mail_activity_type_kam_visit_escalation_digest"
LIMIT_PARAM = "kam_management.visit_activity_digest_limit"


class LanguageCase(KamCase):
    """A zh_CN and an en_US key account manager of their own, in the
    demo's East China region; the action runs as the (en_US) superuser."""

    @classmethod
    def setUpClass(cls):
        super(LanguageCase, cls).setUpClass()
        ensure_zh_cn(cls.env)
        cls.env.user.lang = "en_US"
        cls.kam_zh = cls.new_kam("Lang KAM zh", "lang_kam_zh", "zh_CN")
        cls.kam_en = cls.new_kam("Lang KAM en", "lang_kam_en", "en_US")

    @classmethod
    def new_kam(cls, name, login, lang):
        return cls.env["res.users"].create({
            "name": name, "login": login, "lang": lang,
            "groups_id": [(6, 0, [ref(cls.env, "group_kam_user").id])]})

    def account(self, kam, name, since_days=400):
        """A key account of ``kam``, never visited, due long ago."""
        return self.env["res.partner"].create({
            "name": name, "is_company": True,
            "kam_is_key_account": True, "kam_account_type": "key",
            "kam_manager_id": kam.id,
            "kam_region_id": self.kam_ref("region_east_china").id,
            "kam_relationship_level_id": self.kam_ref(
                "relationship_level_vendor").id,
            "kam_since": ds(today() - timedelta(days=since_days))})

    def activities(self, type_xmlid, user, res_ids=None):
        domain = [("res_model", "=", "res.partner"),
                  ("activity_type_id", "=", self.kam_ref(type_xmlid).id),
                  ("user_id", "=", user.id)]
        if res_ids is not None:
            domain.append(("res_id", "in", res_ids))
        return self.env["mail.activity"].search(domain)

    def cron(self, day=None):
        return self.env["kam.visit.compliance"]._cron_visit_compliance(
            today=ds(day or today()))


class TestVisitActivities(LanguageCase):

    def test_due_activity_in_each_readers_language(self):
        zh = self.account(self.kam_zh, "Lang Account zh")
        en = self.account(self.kam_en, "Lang Account en")
        self.cron()
        self.assertEqual(
            self.activities(VISIT_TYPE, self.kam_zh, zh.ids).summary, ZH_DUE)
        self.assertEqual(
            self.activities(VISIT_TYPE, self.kam_en, en.ids).summary, EN_DUE)

    def test_due_activity_through_the_orm(self):
        """Created by ``mail.activity.create``: the KAM follows the
        account and the activity counter is told at once (bus)."""
        self.env["bus.bus"].search([]).unlink()
        account = self.account(self.kam_zh, "Lang Account follow")
        with ExitStack() as stack:
            self.env.cr.execute("SELECT now() AT TIME ZONE 'UTC'")
            skew = abs(datetime.utcnow() - fields.Datetime.from_string(
                self.env.cr.fetchone()[0]))
            if skew > timedelta(minutes=1):
                # a faked clock (make test-dates): Odoo's bus deletes, at
                # random (1 send in 100), the notifications older than 100 s
                # by Python's clock, and their create_date is PostgreSQL's
                # real one: every notification would be. Not the behaviour
                # under test, so that clean-up waits.
                stack.enter_context(patch.object(
                    type(self.env["bus.bus"]), "gc", lambda bus: None))
            self.cron()
        self.assertTrue(self.activities(VISIT_TYPE, self.kam_zh, account.ids))
        self.assertIn(self.kam_zh.partner_id,
                      account.message_follower_ids.mapped("partner_id"))
        notes = self.env["bus.bus"].search([
            ("channel", "like", '"res.partner",%d]'
             % self.kam_zh.partner_id.id)])
        self.assertTrue(any("activity_updated" in note.message
                            for note in notes))

    def test_escalation_in_each_readers_language(self):
        """The same run escalates to a zh_CN regional manager and, for a
        regional manager's own overdue visit, to en_US directors."""
        manager = self.user("kam_regional")
        manager.lang = "zh_CN"
        account = self.account(self.kam_en, "Lang Escalated Co")
        self.cron()
        esc = self.activities(ESCALATION_TYPE, manager, account.ids)
        self.assertEqual(len(esc), 1)
        self.assertRegex(esc.summary, r"^拜访已逾期 \d+ 天：Lang Escalated Co$")
        directors = self.env["res.users"]._kam_directors()
        directors.write({"lang": "en_US"})
        other = self.account(self.kam_zh, "Lang Late Co", since_days=900)
        self.cron()
        for director in directors:
            esc = self.activities(ESCALATION_TYPE, director, other.ids)
            self.assertRegex(esc.summary,
                             r"^Visit overdue by \d+ days: Lang Late Co$")

    def test_closing_note_in_the_readers_language(self):
        account = self.account(self.kam_zh, "Lang Closed Co")
        self.cron()
        activity = self.activities(VISIT_TYPE, self.kam_zh, account.ids)
        self.assertTrue(activity)
        # the account leaves the KAM: the activity is closed with a note
        account.write({"kam_manager_id": self.kam_en.id})
        self.assertFalse(activity.exists())
        self.assertIn("拜访已完成或不再需要。",
                      account.message_ids[0].body)


class TestVisitDigest(LanguageCase):

    def setUp(self):
        super(TestVisitDigest, self).setUp()
        self.env["ir.config_parameter"].set_param(LIMIT_PARAM, "2")
        self.accounts = self.env["res.partner"]
        for i in range(3):
            self.accounts |= self.account(self.kam_zh, "Digest Co %d" % i)

    def digest(self, user=None):
        return self.activities(DIGEST_TYPE, user or self.kam_zh)

    def test_one_digest_above_the_limit(self):
        self.cron()
        self.assertFalse(self.activities(VISIT_TYPE, self.kam_zh))
        digest = self.digest()
        self.assertEqual(len(digest), 1)
        self.assertEqual((digest.res_model, digest.res_id),
                         ("res.partner", self.kam_zh.partner_id.id))
        self.assertEqual(digest.summary, "3 个大客户待拜访")
        for name in self.accounts.mapped("name"):
            self.assertIn(name, digest.note)
        self.assertEqual(digest.date_deadline,
                         min(self.accounts.mapped(
                             "kam_visit_compliance_ids.due_date")))
        # the same day again: the same digest, nothing new
        self.cron()
        self.assertEqual(self.digest(), digest)
        self.assertFalse(self.activities(VISIT_TYPE, self.kam_zh))

    def test_back_under_the_limit_gets_single_activities(self):
        self.cron()
        self.accounts[0].write({"kam_manager_id": self.kam_en.id})
        self.assertFalse(self.digest())
        self.assertEqual(
            self.activities(VISIT_TYPE, self.kam_zh).mapped("res_id"),
            self.accounts[1:].ids)

    def test_escalations_above_the_limit_make_one_digest(self):
        manager = self.user("kam_regional")
        manager.lang = "en_US"
        self.cron()
        self.assertFalse(self.activities(ESCALATION_TYPE, manager,
                                         self.accounts.ids))
        digest = self.activities(ESCALATION_DIGEST_TYPE, manager)
        self.assertEqual(len(digest), 1)
        self.assertRegex(digest.summary,
                         r"^\d+ key-account visits overdue$")
        for name in self.accounts.mapped("name"):
            self.assertIn(name, digest.note)
        # escalated once: the next day adds nothing
        self.cron(today() + timedelta(days=1))
        self.assertEqual(self.activities(ESCALATION_DIGEST_TYPE, manager),
                         digest)


class TestTextsOfOtherActions(LanguageCase):

    def test_information_notice_in_each_readers_language(self):
        """An important or a critical item notifies at once the zh_CN
        regional manager and the en_US directors (R10): each activity and
        message in its reader's language."""
        manager = self.user("kam_regional")
        manager.lang = "zh_CN"
        directors = self.env["res.users"]._kam_directors()
        directors.write({"lang": "en_US"})
        for importance, label_zh, label_en in (
                ("important", "重要", "Important"),
                ("critical", "紧急", "Critical")):
            with self.subTest(importance=importance):
                info = self.env["kam.info"].sudo(
                    self.user("kam_manager_1")).create({
                        "partner_id": self.kam_ref(
                            "partner_kam_shanghai_metro").id,
                        "name": "News",
                        "category_id": self.kam_ref(
                            "info_category_competitor").id,
                        "importance": importance})
                activities = self.env["mail.activity"].search([
                    ("res_model", "=", "kam.info"),
                    ("res_id", "=", info.id)])
                by_user = {a.user_id: a.summary for a in activities}
                self.assertRegex(by_user[manager], "^%s信息" % label_zh)
                for director in directors:
                    self.assertRegex(
                        by_user[director],
                        "^%s information on .*: please acknowledge$"
                        % label_en)
                bodies = info.message_ids.mapped("body")
                self.assertTrue(any("请确认" in body for body in bodies))
                self.assertTrue(any("please acknowledge" in body
                                    for body in bodies))

    def test_category_proposal_in_each_directors_language(self):
        """A KAM proposes an information category: each director is asked
        in their language (the activity's summary)."""
        zh, en = self.user("kam_director"), self.env["res.users"].with_context(
            no_reset_password=True).create({
                "name": "Director Two", "login": "kam_director_lang",
                "lang": "en_US", "groups_id": [(6, 0, [
                    self.kam_ref("group_kam_director").id])]})
        zh.lang = "zh_CN"
        ensure_zh_cn(self.env)  # the shipped translation
        category = self.env["kam.info.category"].sudo(
            self.user("kam_manager_1")).create({"name": "Rumour"})
        activities = self.env["mail.activity"].search([
            ("res_model", "=", "kam.info.category"),
            ("res_id", "=", category.id)])
        by_user = {a.user_id: a.summary for a in activities}
        self.assertEqual(set(by_user), {zh, en})
        self.assertRegex(by_user[en],
                         "^Decide the proposed information category")
        self.assertRegex(by_user[zh], "^审批提议的信息类别“Rumour”")

    def test_drafted_report_title_in_the_authors_language(self):
        self.account(self.kam_zh, "Report Lang zh")
        self.account(self.kam_en, "Report Lang en")
        # a month without demo reports: 14 months back
        reports = self.env["kam.report"]._cron_monthly_reports(
            today=ds(month_start(months=-14)))
        zh = reports.filtered(lambda r: r.user_id == self.kam_zh)
        en = reports.filtered(lambda r: r.user_id == self.kam_en)
        self.assertIn("大客户经理月度工作报告", zh.name)
        self.assertIn("KAM Monthly Work Report", en.name)
        todo = self.env["mail.activity"].search([
            ("res_model", "=", "kam.report"),
            ("res_id", "in", (zh | en).ids)])
        summaries = {a.user_id: a.summary for a in todo}
        self.assertIn("月末报告", summaries[self.kam_zh])
        self.assertIn("Complete and submit", summaries[self.kam_en])
