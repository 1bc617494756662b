# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Satisfaction comes from the customer, or from someone other than the
account's KAM (issue 12, R4).

The scheduled action asks each recipient contact of each key account once
per period, through the mail queue, in the contact's language; the answer
(what Odoo's rating controller calls, ``_kam_answer``, as sudo for the
public user) becomes a score of source Customer, updated by a second
answer; scores entered by hand are Manual and record who entered them; the
account's KAM never enters, corrects or deletes one. The real HTTP route is
run over a server in ``tests/test_satisfaction_http.py``.

Dates: everything happens today, or is moved back by the scheduled
action's interval (computed, never written down).
"""
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import (KamCase, as_user, ds, ensure_zh_cn, month_start, ref,
                     today)

REQUEST = "kam.satisfaction.request"
KAM_ANSWERS = r"you are its key account manager"
ONLY_HAND = r"Only the sales secretary and the customer service"
SOURCE_REFUSED = r"Source: only a customer's own answer"


class SatisfactionCase(KamCase):
    """A key account of a fresh KAM with three contacts (two recipients,
    one English, one Chinese, and one not asked), and a company that is
    not a key account with a recipient of its own."""

    @classmethod
    def setUpClass(cls):
        super(SatisfactionCase, cls).setUpClass()
        env = cls.env
        ensure_zh_cn(env)
        Users = env["res.users"].with_context(no_reset_password=True)
        cls.kam = Users.create({
            "name": "Satisfaction KAM", "login": "satisfaction_kam_test",
            "email": "satisfaction.kam@example.com",
            "groups_id": [(6, 0, [ref(env, "group_kam_user").id])]})
        ref(env, "region_east_china").write(
            {"member_ids": [(4, cls.kam.id)]})
        cls.account = cls.key_account("Satisfaction Steel")
        Partner = env["res.partner"]
        cls.buyer = Partner.create({
            "name": "Alice Buyer", "parent_id": cls.account.id,
            "email": "alice@example.com", "lang": "en_US",
            "kam_satisfaction_recipient": True})
        cls.buyer_zh = Partner.create({
            "name": "王芳", "parent_id": cls.account.id,
            "email": "wang.fang@example.com", "lang": "zh_CN",
            "kam_satisfaction_recipient": True})
        cls.engineer = Partner.create({
            "name": "Bob Engineer", "parent_id": cls.account.id,
            "email": "bob@example.com"})
        cls.other_company = Partner.create({
            "name": "Not Key Ltd", "is_company": True})
        cls.stranger = Partner.create({
            "name": "Carol Stranger", "parent_id": cls.other_company.id,
            "email": "carol@example.com",
            "kam_satisfaction_recipient": True})
        cls.mine = cls.buyer | cls.buyer_zh | cls.engineer | cls.stranger

    @classmethod
    def key_account(cls, name, kam=None):
        return cls.env["res.partner"].create({
            "name": name, "is_company": True, "kam_is_key_account": True,
            "kam_account_type": "key",
            "kam_manager_id": (kam or cls.kam).id,
            "kam_region_id": ref(cls.env, "region_east_china").id,
            "kam_relationship_level_id": ref(
                cls.env, "relationship_level_vendor").id})

    def run_cron(self):
        """The scheduled action; the requests of this test's contacts."""
        self.env[REQUEST]._cron_satisfaction_request()
        return self.requests()

    def requests(self):
        return self.env[REQUEST].search(
            [("contact_id", "in", self.mine.ids)])

    def rating_of(self, request):
        # sudo: the ratings of requests are the system's
        return self.env["rating.rating"].sudo().search([
            ("res_model", "=", REQUEST), ("res_id", "=", request.id)])

    def mails_of(self, requests):
        # sudo: the queued e-mails of requests are the system's
        return self.env["mail.mail"].sudo().search([
            ("model", "=", REQUEST), ("res_id", "in", requests.ids)])

    def answer(self, request, score, feedback=None, token=None):
        """What the rating controller does for the public user."""
        token = token or self.rating_of(request).access_token
        public = self.env(user=self.env.ref("base.public_user").id)
        # sudo: as the controller, for a customer without a user
        return public[REQUEST].sudo().browse(request.id)._kam_answer(
            token, score, feedback=feedback)

    def scores(self):
        return self.env["kam.satisfaction"].search(
            [("partner_id", "=", self.account.id)])


class TestSatisfactionRequests(SatisfactionCase):
    """The scheduled action: one request, one rating and one queued e-mail
    per recipient contact, once per period."""

    def test_cron_asks_each_recipient_once_by_queued_mail(self):
        requests = self.run_cron()
        self.assertEqual(requests.mapped("contact_id"),
                         self.buyer | self.buyer_zh)
        self.assertEqual(set(requests.mapped("partner_id")), {self.account})
        self.assertEqual(set(requests.mapped("kam_manager_id")), {self.kam})
        self.assertEqual(set(requests.mapped("state")), {"sent"})
        base_url = self.env["ir.config_parameter"].sudo().get_param(
            "web.base.url")
        for request in requests:
            rating = self.rating_of(request)
            self.assertEqual(len(rating), 1)
            self.assertEqual(rating.partner_id, request.contact_id)
            self.assertEqual(rating.rated_partner_id, self.kam.partner_id)
            self.assertFalse(rating.consumed)
            mail = self.mails_of(request)
            self.assertEqual(len(mail), 1)
            # queued for Odoo's mail queue, not sent at once
            self.assertEqual(mail.state, "outgoing")
            self.assertEqual(mail.recipient_ids, request.contact_id)
            # one link per score, absolute, needing no login
            for score in range(1, 6):
                self.assertIn('href="%s/rating/%s/%d"' % (
                    base_url, rating.access_token, score), mail.body_html)

    def test_mail_in_the_contact_language(self):
        template = self.kam_ref("mail_template_kam_satisfaction_request")
        english = template.subject
        template.with_context(lang="zh_CN").write(
            {"subject": "${object.company_id.name}：客户满意度调查"})
        self.assertEqual(template.with_context(lang="en_US").subject,
                         english)
        self.run_cron()
        zh_mail = self.mails_of(self.requests().filtered(
            lambda r: r.contact_id == self.buyer_zh))
        en_mail = self.mails_of(self.requests().filtered(
            lambda r: r.contact_id == self.buyer))
        self.assertIn("客户满意度调查", zh_mail.subject)
        self.assertIn("how satisfied are you", en_mail.subject)

    def test_second_run_in_the_period_asks_nobody_again(self):
        first = self.run_cron()
        mails = self.mails_of(first)
        self.assertEqual(len(mails), 2)
        # answered or not: nobody is asked twice in the period
        self.answer(first[0], 4)
        self.env[REQUEST]._cron_satisfaction_request()
        self.assertEqual(self.requests(), first)
        self.assertEqual(self.mails_of(self.requests()), mails)
        # a period later (the action's interval, three months), each is
        # asked again
        cron = self.kam_ref("ir_cron_satisfaction_request")
        self.assertEqual((cron.interval_number, cron.interval_type),
                         (3, "months"))
        earlier = fields.Datetime.from_string(fields.Datetime.now()) \
            - relativedelta(months=3) + timedelta(minutes=5)
        self.env.cr.execute(
            "UPDATE kam_satisfaction_request SET date_sent = %s "
            "WHERE id IN %s", (ds(earlier), tuple(first.ids)))
        self.env[REQUEST].invalidate_cache()
        second = self.requests() - first
        self.assertFalse(second)
        self.env[REQUEST]._cron_satisfaction_request()
        second = self.requests() - first
        self.assertEqual(second.mapped("contact_id"),
                         self.buyer | self.buyer_zh)

    def test_interval_is_the_scheduled_action_s(self):
        """An administrator changes the period on the scheduled action:
        monthly requests ask again after a month."""
        first = self.run_cron()
        self.kam_ref("ir_cron_satisfaction_request").write(
            {"interval_number": 1, "interval_type": "months"})
        earlier = fields.Datetime.from_string(fields.Datetime.now()) \
            - relativedelta(months=1) + timedelta(hours=2)
        self.env.cr.execute(
            "UPDATE kam_satisfaction_request SET date_sent = %s "
            "WHERE id IN %s", (ds(earlier), tuple(first.ids)))
        self.env[REQUEST].invalidate_cache()
        self.env[REQUEST]._cron_satisfaction_request()
        self.assertEqual(len(self.requests() - first), 2)

    def test_no_request_for_other_contacts(self):
        """Not flagged, of a company that is not a key account, or without
        an e-mail: nobody to ask."""
        requests = self.run_cron()
        self.assertNotIn(self.engineer, requests.mapped("contact_id"))
        self.assertNotIn(self.stranger, requests.mapped("contact_id"))
        self.assertFalse(self.env[REQUEST].search(
            [("partner_id", "=", self.other_company.id)]))

    def test_recipient_needs_an_email(self):
        with self.raises_and_rolls_back(
                ValidationError, "Satisfaction Survey Recipient: .* no "
                                 "e-mail"):
            self.engineer.write({"email": False,
                                 "kam_satisfaction_recipient": True})

    def test_request_only_for_a_contact_of_the_account(self):
        with self.raises_and_rolls_back(
                ValidationError, "Contact: .*Carol Stranger is not a "
                                 "contact of Satisfaction Steel"):
            self.env[REQUEST].create({"partner_id": self.account.id,
                                      "contact_id": self.stranger.id})


class TestSatisfactionRecipients(SatisfactionCase):
    """The account's people tick the recipients on the contact forms."""

    def test_account_people_tick_recipients(self):
        metro = self.kam_ref("partner_kam_shanghai_metro")
        contact = self.env["res.partner"].create({
            "name": "Frank Contact", "parent_id": metro.id,
            "email": "frank@example.com"})
        kam1 = as_user(self.env, "kam_manager_1")
        contact.with_env(kam1).write({"kam_satisfaction_recipient": True})
        self.assertTrue(contact.kam_satisfaction_recipient)
        contact.with_env(as_user(self.env, "kam_secretary")).write(
            {"kam_satisfaction_recipient": False})
        self.assertFalse(contact.kam_satisfaction_recipient)
        # on the contact's own form and in the account's contact pop-up
        view = self.env["res.partner"].with_env(kam1).fields_view_get(
            view_type="form")
        self.assertIn('name="kam_satisfaction_recipient"', view["arch"])
        child = view["fields"]["child_ids"]["views"]["form"]
        self.assertIn('name="kam_satisfaction_recipient"', child["arch"])


class TestSatisfactionAnswers(SatisfactionCase):
    """The customer's answer becomes a score of source Customer."""

    def test_answer_makes_a_customer_score_and_a_second_updates_it(self):
        request = self.run_cron().filtered(
            lambda r: r.contact_id == self.buyer)
        rating = self.answer(request, 4)
        row = self.scores()
        self.assertEqual(len(row), 1)
        self.assertEqual((row.source, row.score, row.rating_id,
                          row.contact_id, row.entered_by_id),
                         ("customer", 4, rating, self.buyer,
                          self.env["res.users"]))
        self.assertEqual(row.kam_manager_id, self.kam)
        self.assertEqual(row.region_id, self.kam_ref("region_east_china"))
        self.assertEqual(row.date, fields.Date.context_today(row))
        # Odoo's 0-10 rating: the score doubled, answered
        self.assertEqual((rating.rating, rating.consumed), (8.0, True))
        self.assertEqual((request.state, request.satisfaction_id),
                         ("answered", row))
        # the same link again, with a comment: the row is updated
        self.answer(request, 2, feedback="Slow answers in the summer.")
        self.assertEqual(self.scores(), row)
        self.assertEqual((row.score, row.comment),
                         (2, "Slow answers in the summer."))
        self.assertEqual(rating.feedback, "Slow answers in the summer.")
        # tracked in the row's chatter
        tracked = self.env["mail.tracking.value"].search([
            ("mail_message_id.model", "=", "kam.satisfaction"),
            ("mail_message_id.res_id", "=", row.id),
            ("field", "=", "score")], order="id")
        self.assertEqual([(t.old_value_integer, t.new_value_integer)
                          for t in tracked], [(0, 4), (4, 2)])

    def test_the_kam_changes_nothing_later(self):
        """A change of KAM after the answer leaves the score with the KAM
        of the time."""
        request = self.run_cron()[0]
        self.answer(request, 5)
        self.account.write({"kam_manager_id": ref(
            self.env, "user_kam_manager_2").id})
        self.assertEqual(self.scores().kam_manager_id, self.kam)

    def test_answer_outside_1_to_5_is_refused(self):
        request = self.run_cron().filtered(
            lambda r: r.contact_id == self.buyer)  # en_US
        for score in (0, 6, 10, "5", 4.0, True):
            with self.subTest(score=score):
                with self.raises_and_rolls_back(
                        ValidationError, "is not a satisfaction score"):
                    self.answer(request, score)
        self.assertFalse(self.scores())
        self.assertFalse(self.rating_of(request).consumed)

    def test_answer_with_a_wrong_token_is_refused(self):
        request = self.run_cron()[0]
        with self.raises_and_rolls_back(AccessError, "not valid"):
            self.answer(request, 5, token="not-a-token")
        # nor with another request's token
        other = self.requests() - request
        with self.raises_and_rolls_back(AccessError, "not valid"):
            self.answer(request, 5, token=self.rating_of(other).access_token)
        self.assertFalse(self.scores())

    def test_answer_of_a_contact_who_left_for_another_company(self):
        request = self.run_cron().filtered(
            lambda r: r.contact_id == self.buyer_zh)
        self.buyer_zh.write({"parent_id": self.other_company.id})
        ensure_zh_cn(self.env)
        # told in the contact's language (zh_CN)
        with self.raises_and_rolls_back(
                ValidationError, "王芳 已不再是 Satisfaction Steel 的联系人"):
            self.answer(request, 5)
        self.assertFalse(self.scores())
        self.assertFalse(self.env["kam.satisfaction"].search(
            [("partner_id", "=", self.other_company.id)]))

    def test_error_in_the_contact_language(self):
        request = self.run_cron().filtered(
            lambda r: r.contact_id == self.buyer_zh)
        ensure_zh_cn(self.env)
        with self.raises_and_rolls_back(ValidationError,
                                        "评分：9 不是有效的满意度评分"):
            self.answer(request, 9)

    def test_deleted_answer_closes_its_request(self):
        """A director deletes a fake answer: its link counts no more."""
        request = self.run_cron().filtered(
            lambda r: r.contact_id == self.buyer)  # en_US
        self.answer(request, 5)
        director = as_user(self.env, "kam_director")
        self.scores().with_env(director).unlink()
        self.assertEqual(request.state, "closed")
        with self.raises_and_rolls_back(UserError, "is closed"):
            self.answer(request, 5)
        self.assertFalse(self.scores())

    def test_rating_apply_needs_the_token(self):
        """rating.mixin's public hook, over RPC as a KAM: without the
        customer's token nothing is recorded."""
        request = self.run_cron()[0]
        kam = request.with_env(as_user(self.env, "kam_manager_1"))
        with self.raises_and_rolls_back(AccessError, "link e-mailed"):
            kam.rating_apply(5)
        with self.raises_and_rolls_back(AccessError, "not valid"):
            kam.rating_apply(5, token="guess")
        self.assertFalse(self.scores())


class TestSatisfactionByHand(SatisfactionCase):
    """Scores entered by hand: the secretary and customer service, never
    the account's KAM."""

    def vals(self, **more):
        return dict({"partner_id": self.account.id, "score": 3,
                     "date": ds(today()), "survey": "Review meeting"},
                    **more)

    def test_secretary_enters_a_manual_score(self):
        secretary = as_user(self.env, "kam_secretary")
        row = self.env["kam.satisfaction"].with_env(secretary).create(
            self.vals())
        self.assertEqual((row.source, row.entered_by_id),
                         ("manual", self.user("kam_secretary")))
        self.assertEqual(row.kam_manager_id, self.kam)
        row.write({"score": 4, "comment": "After the review."})
        self.assertEqual(row.score, 4)

    def test_nobody_claims_a_customer_answer_by_hand(self):
        secretary = as_user(self.env, "kam_secretary")
        Satisfaction = self.env["kam.satisfaction"].with_env(secretary)
        request = self.run_cron()[0]
        rating = self.rating_of(request)
        for vals in ({"source": "customer"}, {"rating_id": rating.id},
                     {"contact_id": self.buyer.id}):
            with self.subTest(vals=vals):
                with self.raises_and_rolls_back(AccessError, SOURCE_REFUSED):
                    Satisfaction.create(self.vals(**vals))
                # an RPC caller chooses its context: a key is no pass
                with self.raises_and_rolls_back(AccessError, SOURCE_REFUSED):
                    Satisfaction.with_context(
                        kam_satisfaction_answer=True).create(self.vals(**vals))
        with self.raises_and_rolls_back(AccessError, "Entered By"):
            Satisfaction.create(self.vals(
                entered_by_id=self.user("kam_director").id))
        row = Satisfaction.create(self.vals())
        with self.raises_and_rolls_back(AccessError, SOURCE_REFUSED):
            row.write({"source": "customer"})
        with self.raises_and_rolls_back(AccessError, "recorded by the "
                                                     "system"):
            row.write({"entered_by_id": self.user("kam_director").id})
        # not even the administrator writes Customer by hand
        with self.raises_and_rolls_back(AccessError, SOURCE_REFUSED):
            row.sudo().write({"source": "customer"})
        self.assertEqual(self.scores().mapped("source"), ["manual"])

    def test_customer_answer_is_not_changed_by_hand(self):
        request = self.run_cron()[0]
        self.answer(request, 5)
        row = self.scores()
        for login in ("kam_secretary", "kam_director", "kam_regional"):
            with self.subTest(login=login):
                with self.raises_and_rolls_back(
                        AccessError, "the customer's own answer"):
                    row.with_env(as_user(self.env, login)).write(
                        {"score": 1})
        self.assertEqual(row.score, 5)

    def test_customer_service_of_the_team_enters_scores(self):
        support = as_user(self.env, "kam_support")
        team = self.account.kam_support_team_id
        member = self.env["kam.support.team.member"].create({
            "team_id": team.id, "user_id": self.user("kam_support").id,
            "role": "technical_support"})
        Satisfaction = self.env["kam.satisfaction"].with_env(support)
        with self.raises_and_rolls_back(AccessError, ONLY_HAND):
            Satisfaction.create(self.vals())
        member.write({"role": "customer_service"})
        row = Satisfaction.create(self.vals())
        self.assertEqual(row.entered_by_id, self.user("kam_support"))
        row.write({"score": 5})
        with self.raises_and_rolls_back(AccessError, "not allowed to "
                                                     "delete"):
            row.unlink()

    def test_kam_is_refused_whatever_their_groups(self):
        Satisfaction = self.env["kam.satisfaction"]
        before = self.env["kam.satisfaction"].search_count([])
        kam = self.env(user=self.kam.id)
        with self.raises_and_rolls_back(AccessError, KAM_ANSWERS):
            Satisfaction.with_env(kam).create(self.vals())
        # also when the KAM is the sales secretary too
        self.kam.write({"groups_id": [
            (4, ref(self.env, "group_kam_secretary").id)]})
        with self.raises_and_rolls_back(AccessError, KAM_ANSWERS):
            Satisfaction.with_env(kam).create(self.vals())
        # ... who enters scores of the other KAMs' accounts
        other = self.key_account("Someone Else's Account",
                                 kam=self.user("kam_manager_2"))
        row = Satisfaction.with_env(kam).create(
            self.vals(partner_id=other.id))
        self.assertEqual(row.entered_by_id, self.kam)
        # and a row of their own account entered by the secretary: they
        # neither correct nor delete it
        mine = Satisfaction.with_env(as_user(self.env, "kam_secretary")) \
            .create(self.vals())
        with self.raises_and_rolls_back(AccessError, KAM_ANSWERS):
            mine.with_env(kam).write({"score": 5})
        self.assertEqual(self.env["kam.satisfaction"].search_count([]),
                         before + 2)

    def test_regional_manager_corrects_but_not_own_account(self):
        regional = as_user(self.env, "kam_regional")
        secretary = as_user(self.env, "kam_secretary")
        row = self.env["kam.satisfaction"].with_env(secretary).create(
            self.vals())
        # regional managers correct and delete, but do not enter
        with self.raises_and_rolls_back(AccessError, ONLY_HAND):
            self.env["kam.satisfaction"].with_env(regional).create(
                self.vals())
        row.with_env(regional).write({"score": 2})
        self.assertEqual(row.score, 2)
        # an account of which the regional manager is the KAM: nothing
        own = self.key_account("Regional's Own Account",
                               kam=self.user("kam_regional"))
        own_row = self.env["kam.satisfaction"].with_env(secretary).create(
            self.vals(partner_id=own.id))
        with self.raises_and_rolls_back(AccessError, KAM_ANSWERS):
            own_row.with_env(regional).write({"score": 5})
        with self.raises_and_rolls_back(AccessError, KAM_ANSWERS):
            own_row.with_env(regional).unlink()
        row.with_env(regional).unlink()
        self.assertFalse(row.exists())

    def test_refusal_is_translated(self):
        ensure_zh_cn(self.env)
        kam = self.env(user=self.kam.id, context={"lang": "zh_CN"})
        with self.raises_and_rolls_back(AccessError, "的满意度：您是其大客户经理"):
            self.env["kam.satisfaction"].with_env(kam).create(self.vals())


class TestSatisfactionSecrets(SatisfactionCase):
    """The answer links are the customer's: no user reads them."""

    def test_tokens_and_queued_mails_are_hidden(self):
        requests = self.run_cron()
        for login in ("kam_director", "kam_secretary", "kam_regional",
                      "kam_manager_1"):
            with self.subTest(login=login):
                user_env = as_user(self.env, login)
                self.assertFalse(user_env["rating.rating"].search(
                    [("res_model", "=", REQUEST)]))
                self.assertFalse(user_env["mail.mail"].search(
                    [("model", "=", REQUEST)]))
        # the rating cannot be read, written or made by id either
        rating = self.rating_of(requests[0])
        kam = self.env(user=self.kam.id)
        with self.raises_and_rolls_back(AccessError, "security "
                                                     "restrictions"):
            rating.with_env(kam).read(["access_token"])
        with self.raises_and_rolls_back(AccessError, "security "
                                                     "restrictions"):
            rating.with_env(kam).write({"rating": 10, "consumed": True})

    def test_account_kam_does_not_read_the_requests(self):
        self.run_cron()
        with self.raises_and_rolls_back(AccessError, "not allowed to "
                                                     "access"):
            self.env[REQUEST].with_env(self.env(user=self.kam.id)).search(
                [])
        # the regional manager sees the requests of the region, not of
        # the accounts they manage themselves
        own = self.key_account("Regional's Asked Account",
                               kam=self.user("kam_regional"))
        contact = self.env["res.partner"].create({
            "name": "Dan Asked", "parent_id": own.id,
            "email": "dan@example.com", "kam_satisfaction_recipient": True})
        self.mine |= contact
        self.env[REQUEST]._cron_satisfaction_request()
        seen = self.env[REQUEST].with_env(
            as_user(self.env, "kam_regional")).search(
                [("contact_id", "in", self.mine.ids)])
        self.assertEqual(seen.mapped("contact_id"),
                         self.buyer | self.buyer_zh)
        director = self.env[REQUEST].with_env(
            as_user(self.env, "kam_director")).search(
                [("contact_id", "in", self.mine.ids)])
        self.assertEqual(len(director), 3)


class TestSatisfactionScorecard(SatisfactionCase):
    """The scorecard counts the scores of each source."""

    def test_counts_per_source(self):
        request = self.run_cron()[0]
        self.answer(request, 5)
        self.env["kam.satisfaction"].with_env(
            as_user(self.env, "kam_secretary")).create({
                "partner_id": self.account.id, "score": 2,
                "date": ds(today())})
        # a score of another month is another scorecard's
        self.env["kam.satisfaction"].create({
            "partner_id": self.account.id, "score": 1,
            "date": ds(month_start(months=-2))})
        card = self.env["kam.scorecard"]._kam_refresh_scorecards(
            ds(month_start()), [self.kam.id])
        self.assertEqual(
            (card.satisfaction_avg, card.satisfaction_count,
             card.satisfaction_customer_count,
             card.satisfaction_manual_count), (3.5, 2, 1, 1))
