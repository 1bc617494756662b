# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""RFM analysis of key accounts (R13) and churn early warning (R10, R16),
on hand-made orders and explicit dates.

Dates: the refreshes run as of ``AS_OF``, a fixed day, on orders the tests
make with dates around it. Demo orders are dated relative to the install
day (at most 640 days before it), so none falls in these windows; where a
result depends on the other key accounts (quintile scores), the test leaves
its own accounts as the only key accounts. Tests about the demo accounts
refresh as of today.
"""
from odoo.exceptions import AccessError, ValidationError

from .common import KamCase, as_user, ds, make_company, ref, today
from .rfm_common import (churn_activities, figures, key_account,
                         make_product, only_these_key_accounts, order,
                         refresh, rfm_rules)

AS_OF = "2024-06-30"  # window of 365 days: 2023-07-02 .. 2024-06-30

# Odoo 11's messages: a record rule or a field's groups refuse a read; an
# access right refuses the model
READ_REFUSED = r"security restrictions(?s:.*)Operation: read\)"
MODEL_REFUSED = r"not allowed to access this document(?s:.*)kam\.rfm\.snapshot"


def foreign_pricelist(env):
    """A pricelist in a currency other than the company's, with rates that
    make one unit worth 0.5 company unit on 2024-01-10 and 0.25 after."""
    company = env.user.company_id
    currency = env["res.currency"].with_context(active_test=False).search([
        ("name", "in", ("EUR", "USD", "CNY")),
        ("id", "!=", company.currency_id.id)], limit=1)
    Rate = env["res.currency.rate"]
    # rates are units of the currency per unit of the base currency
    Rate.create({"name": "2024-01-09", "rate": 1.5, "company_id": company.id,
                 "currency_id": company.currency_id.id})
    Rate.create({"name": "2024-01-09", "rate": 3.0, "company_id": company.id,
                 "currency_id": currency.id})
    Rate.create({"name": "2024-01-11", "rate": 6.0, "company_id": company.id,
                 "currency_id": currency.id})
    return env["product.pricelist"].create({
        "name": "RFM foreign", "currency_id": currency.id})


class RfmCase(KamCase):
    """With a product for the hand-made orders."""

    @classmethod
    def setUpClass(cls):
        super(RfmCase, cls).setUpClass()
        cls.product = make_product(cls.env)

    def order(self, partner, date, amount, **kwargs):
        return order(self.env, self.product, partner, date, amount,
                     **kwargs)


class TestRfmFigures(RfmCase):
    """Recency, frequency and amount of an account, and its snapshots."""

    def test_exact_rfm_values(self):
        env = self.env
        account = key_account(env, "RFM Exact Co")
        contact = env["res.partner"].create({"name": "Buyer Wang",
                                             "parent_id": account.id})
        foreign = foreign_pricelist(env)
        # counted in the window
        self.order(account, "2024-06-20", 1000.0)
        self.order(account, "2024-03-01", 500.0, state="done")
        self.order(contact, "2024-06-29", 2000.0)  # for its company
        self.order(account, "2024-01-10", 100.0, pricelist=foreign)
        self.order(account, "2024-06-10", -200.0)  # a refund
        self.order(account, "2024-06-15", 0.0)
        # never counted
        self.order(account, "2024-06-25", 9999.0, state="cancel")
        self.order(account, "2024-06-28", 7777.0, state="draft")
        self.order(account, "2024-06-28", 6666.0, state="sent")
        self.order(account, "2024-07-05", 5000.0)  # after the date
        # previous window (2022-07-02 .. 2023-07-01) and older
        self.order(account, "2023-05-01", 300.0)
        self.order(account, "2021-01-01", 400.0)

        refresh(env, AS_OF)
        got = figures(account)
        self.assertEqual(got["last_order"], "2024-06-29")
        self.assertEqual(got["recency"], 1)
        # positive orders only: 1000, 500, 2000 and 100 in the foreign
        # currency
        self.assertEqual(got["frequency"], 4)
        # 1000 + 500 + 2000 + 100 * 1.5 / 3.0 - 200 + 0
        self.assertAlmostEqual(got["monetary"], 3350.0)
        self.assertFalse(got["churn"])
        self.assertTrue(got["segment"])
        snapshot = account.kam_rfm_snapshot_ids
        self.assertEqual(len(snapshot), 1)
        self.assertEqual((snapshot.month, snapshot.date),
                         ("2024-06-01", AS_OF))
        self.assertEqual((snapshot.frequency, snapshot.recency_days), (4, 1))
        self.assertAlmostEqual(snapshot.monetary, 3350.0)
        self.assertEqual(snapshot.score, got["score"])
        self.assertEqual(snapshot.kam_manager_id, account.kam_manager_id)
        # the contact has no figures of its own
        self.assertFalse(contact.kam_rfm_score)

    def test_window_setting_and_recency_outside_window(self):
        env = self.env
        account = key_account(env, "RFM Window Co")
        self.order(account, "2024-01-01", 100.0)
        self.order(account, "2024-06-01", 50.0)
        env["ir.config_parameter"].set_param(
            "kam_management.rfm_window_days", "30")
        refresh(env, AS_OF)
        got = figures(account)
        self.assertEqual((got["recency"], got["frequency"]), (29, 1))
        self.assertAlmostEqual(got["monetary"], 50.0)
        # nothing in the last 10 days: recency still counts, the window is
        # empty
        env["ir.config_parameter"].set_param(
            "kam_management.rfm_window_days", "10")
        refresh(env, AS_OF)
        got = figures(account)
        self.assertEqual(
            (got["recency"], got["frequency"], got["monetary"]), (29, 0, 0))

    def test_account_without_orders_and_refund_only(self):
        env = self.env
        silent = key_account(env, "RFM Silent Co")
        refunded = key_account(env, "RFM Refund Co")
        self.order(refunded, "2024-06-01", -500.0)
        refresh(env, AS_OF)
        for account, monetary in ((silent, 0.0), (refunded, -500.0)):
            with self.subTest(account=account.name):
                got = figures(account)
                self.assertFalse(got["last_order"])
                self.assertEqual(got["frequency"], 0)
                self.assertAlmostEqual(got["monetary"], monetary)
                self.assertFalse(got["segment"])
                self.assertFalse(got["churn"])
                # no purchase ranks below every account that bought
                self.assertEqual(got["score"][0], "1")
                # recency is empty (NULL), not 0
                env.cr.execute("SELECT kam_rfm_recency_days FROM res_partner "
                               "WHERE id = %s", (account.id,))
                self.assertIsNone(env.cr.fetchone()[0])
        self.assertEqual(env["res.partner"].search([
            ("id", "in", (silent | refunded).ids),
            ("kam_rfm_recency_days", "=", False)]), silent | refunded)

    def test_margin_and_empty_margin_rate(self):
        """The margin of the window (R13, issue 13) and its rate; without a
        positive revenue the rate is empty (False, NULL), not 0."""
        env = self.env
        earning = key_account(env, "RFM Margin Co")
        silent = key_account(env, "RFM Margin Silent Co")
        free = key_account(env, "RFM Margin Free Co")
        refunded = key_account(env, "RFM Margin Refund Co")
        self.order(earning, "2024-06-20", 1000.0, cost=750.0)
        self.order(earning, "2024-05-20", 500.0, cost=550.0)  # at a loss
        self.order(earning, "2023-05-01", 800.0, cost=0.0)  # before
        self.order(free, "2024-06-20", 0.0, cost=0.0)
        self.order(refunded, "2024-06-01", -500.0, cost=-400.0)
        refresh(env, AS_OF)
        got = figures(earning)
        self.assertAlmostEqual(got["margin"], 200.0)
        self.assertAlmostEqual(got["margin_rate"], 13.33)
        snapshot = earning.kam_rfm_snapshot_ids
        self.assertAlmostEqual(snapshot.margin, 200.0)
        self.assertAlmostEqual(snapshot.margin_rate, 13.33)
        for account, margin in ((silent, 0.0), (free, 0.0),
                                (refunded, -100.0)):
            with self.subTest(account=account.name):
                got = figures(account)
                self.assertAlmostEqual(got["margin"], margin)
                self.assertIs(got["margin_rate"], False)
                self.assertIs(account.kam_rfm_snapshot_ids.margin_rate,
                              False)
                env.cr.execute(
                    "SELECT kam_rfm_margin_rate FROM res_partner "
                    "WHERE id = %s", (account.id,))
                self.assertIsNone(env.cr.fetchone()[0])
        # demoted: no figures left
        earning.action_kam_demote()
        refresh(env, AS_OF)
        got = figures(earning)
        self.assertFalse(got["margin"])
        self.assertIs(got["margin_rate"], False)

    def test_quintiles_among_key_accounts_and_thresholds(self):
        env = self.env
        accounts = [key_account(env, "RFM Q%d" % i) for i in range(5)]
        only_these_key_accounts(env, accounts)
        for i, account in enumerate(accounts):
            # i + 1 orders of 100, the latest i days before the date
            for k in range(i + 1):
                self.order(account, "2024-06-%02d" % (26 + i - k * 3), 100.0)
        refresh(env, AS_OF)
        scores = [figures(a)["score"] for a in accounts]
        # recency 4, 3, 2, 1, 0 days; frequency 1..5; amount 100..500
        self.assertEqual(scores, ["111", "222", "333", "444", "555"])
        self.assertEqual([figures(a)["segment"] for a in accounts], [
            "lost", "hibernating", "loyal", "champions", "champions"])
        # fixed thresholds instead
        ICP = env["ir.config_parameter"]
        ICP.set_param("kam_management.rfm_scoring", "threshold")
        ICP.set_param("kam_management.rfm_recency_thresholds", "0,1,2,3")
        ICP.set_param("kam_management.rfm_frequency_thresholds", "2,3,4,5")
        ICP.set_param("kam_management.rfm_monetary_thresholds",
                      "150,250,350,1000")
        refresh(env, AS_OF)
        self.assertEqual([figures(a)["score"] for a in accounts], [
            "111", "222", "333", "444", "554"])

    def test_snapshots_are_monthly_and_idempotent(self):
        env = self.env
        account = key_account(env, "RFM Snapshot Co")
        self.order(account, "2024-05-20", 100.0)
        refresh(env, "2024-05-31")
        refresh(env, "2024-05-31")
        self.order(account, "2024-06-10", 50.0)
        refresh(env, "2024-06-15")
        refresh(env, AS_OF)
        snapshots = env["kam.rfm.snapshot"].search(
            [("partner_id", "=", account.id)], order="month")
        self.assertEqual(snapshots.mapped("month"),
                         ["2024-05-01", "2024-06-01"])
        may, june = snapshots
        self.assertEqual((may.date, may.frequency, may.recency_days),
                         ("2024-05-31", 1, 11))
        self.assertEqual((june.date, june.frequency, june.recency_days),
                         (AS_OF, 2, 20))
        self.assertAlmostEqual(june.monetary, 150.0)
        env.cr.execute("SELECT count(*) FROM kam_rfm_snapshot "
                       "GROUP BY partner_id, month HAVING count(*) > 1")
        self.assertFalse(env.cr.fetchall())

    def test_history_snapshot_touches_nothing_else(self):
        """Rebuilding a past month-end's snapshot leaves the accounts and the
        warnings alone."""
        env = self.env
        account = key_account(env, "RFM History Co")
        for date in ("2023-01-10", "2023-02-10", "2023-03-10"):
            self.order(account, date, 1000.0)
        stats = env["kam.rfm.snapshot"]._kam_rfm_refresh(
            as_of="2023-12-31", snapshot_only=True)
        self.assertEqual(stats["warnings"], 0)
        self.assertGreater(stats["accounts"], 0)
        snapshot = account.kam_rfm_snapshot_ids
        self.assertEqual(
            (snapshot.month, snapshot.frequency, snapshot.recency_days),
            ("2023-12-01", 3, 296))
        self.assertFalse(figures(account)["score"])
        self.assertFalse(churn_activities(env, account))

    def test_demoted_account_loses_its_figures(self):
        env = self.env
        account = key_account(env, "RFM Demoted Co")
        self.order(account, "2024-06-20", 100.0)
        refresh(env, AS_OF)
        self.assertTrue(figures(account)["score"])
        account.action_kam_demote()
        refresh(env, AS_OF)
        got = figures(account)
        self.assertFalse(got["score"])
        self.assertFalse(got["frequency"])
        self.assertFalse(got["churn"])
        # its history stays
        self.assertTrue(account.kam_rfm_snapshot_ids)

    def test_query_count_does_not_grow_with_accounts(self):
        """Set-based: the same number of queries for 5 or 40 more
        accounts."""
        env = self.env

        def count(as_of):
            refresh(env, as_of)  # settles figures and warnings
            refresh(env, as_of)  # and caches
            before = env.cr.sql_log_count
            stats = refresh(env, as_of)
            return env.cr.sql_log_count - before, stats

        for i in range(5):
            self.order(key_account(env, "RFM Few %d" % i),
                       "2024-06-0%d" % (i + 1), 100.0 * (i + 1))
        few, stats_few = count(AS_OF)
        for i in range(35):
            key_account(env, "RFM Many %d" % i)
        many, stats_many = count(AS_OF)
        self.assertEqual(stats_many["accounts"], stats_few["accounts"] + 35)
        self.assertEqual(stats_few["batches"], stats_many["batches"])
        self.assertEqual(few, many)
        self.assertLess(few, 20)


class TestRfmRules(KamCase):
    """The pure scoring rules (see README "Key-account information and RFM
    analysis")."""

    def test_quintile_score_boundaries(self):
        rules = rfm_rules()
        scores = rules.quintile_scores({i: i for i in range(11)})
        # percent rank i/10: < 0.2 -> 1, < 0.4 -> 2, < 0.6 -> 3, < 0.8 -> 4
        self.assertEqual([scores[i] for i in range(11)],
                         [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 5])
        # ties share a score: the share of strictly worse accounts decides
        self.assertEqual(
            rules.quintile_scores({"a": 0, "b": 0, "c": 0, "d": 10}),
            {"a": 1, "b": 1, "c": 1, "d": 5})
        self.assertEqual(rules.quintile_scores({"a": -50.0, "b": 0.0}),
                         {"a": 1, "b": 5})
        self.assertEqual(rules.quintile_scores({"only": 7}), {"only": 3})
        self.assertEqual(rules.quintile_scores({}), {})

    def test_threshold_score_boundaries(self):
        rules = rfm_rules()
        days = [30, 90, 180, 365]
        self.assertEqual(
            [rules.threshold_score(v, days, True)
             for v in (0, 30, 31, 90, 91, 180, 181, 365, 366, None)],
            [5, 5, 4, 4, 3, 3, 2, 2, 1, 1])
        counts = [1, 3, 6, 12]
        self.assertEqual(
            [rules.threshold_score(v, counts)
             for v in (0, 1, 2, 3, 5, 6, 11, 12, 40)],
            [1, 2, 2, 3, 3, 4, 4, 5, 5])
        self.assertEqual(
            rules.threshold_score(-100.0, [10.0, 20.0, 30.0, 40.0]), 1)

    def test_segment_rules(self):
        segment = rfm_rules().rfm_segment
        self.assertEqual(segment(4, 4, 4, True), "champions")
        self.assertEqual(segment(5, 5, 3, True), "loyal")
        self.assertEqual(segment(3, 3, 1, True), "loyal")
        self.assertEqual(segment(5, 2, 5, True), "potential")
        self.assertEqual(segment(3, 1, 1, True), "potential")
        self.assertEqual(segment(2, 3, 5, True), "at_risk")
        self.assertEqual(segment(1, 5, 5, True), "at_risk")
        self.assertEqual(segment(2, 2, 5, True), "hibernating")
        self.assertEqual(segment(1, 2, 5, True), "lost")
        self.assertIsNone(segment(1, 1, 1, False))

    def test_churn_rules(self):
        churn = rfm_rules().is_churn_risk
        settings = {"churn_recency_days": 180, "churn_drop_percent": 50}

        def row(**values):
            base = {"last_order": "2024-06-01", "recency": 10,
                    "frequency": 4, "prev_frequency": 4, "monetary": 400.0,
                    "prev_monetary": 400.0}
            base.update(values)
            return churn(base, settings)

        self.assertFalse(row())
        self.assertFalse(row(recency=180))
        self.assertTrue(row(recency=181))
        self.assertTrue(row(frequency=2))  # halved
        self.assertFalse(row(frequency=3))
        self.assertTrue(row(monetary=200.0))
        self.assertFalse(row(monetary=200.01))
        self.assertTrue(row(monetary=-50.0))
        self.assertFalse(row(prev_frequency=0, prev_monetary=0.0,
                             frequency=0, monetary=0.0))
        self.assertFalse(row(last_order=None, recency=None))


class TestRfmWarnings(RfmCase):
    """Early warnings to the KAM and the region's manager (R10, R16)."""

    def test_churn_warnings_once_for_kam_and_regional_manager(self):
        env = self.env
        account = key_account(env, "RFM Churn Co")
        # four orders in the previous window, one in this one: orders -75%
        for date in ("2023-01-10", "2023-02-10", "2023-03-10",
                     "2023-04-10"):
            self.order(account, date, 1000.0)
        self.order(account, "2024-06-01", 4000.0)
        # alone: the warnings counted are this account's
        only_these_key_accounts(env, [account])
        stats = refresh(env, AS_OF)
        self.assertTrue(figures(account)["churn"])
        activities = churn_activities(env, account)
        self.assertEqual(set(activities.mapped("user_id")), {
            ref(env, "user_kam_manager_1"), ref(env, "user_kam_regional")})
        self.assertEqual(len(activities), 2)
        self.assertEqual(stats["warnings"], 2)
        # the activity type's 3 days after the refresh's date
        self.assertEqual(activities.mapped("date_deadline"),
                         ["2024-07-03", "2024-07-03"])
        self.assertIn("Churn", activities[0].summary)
        # a second run, or one after the account stayed at risk (a
        # fortnight later, still with one order against four): no
        # duplicate
        refresh(env, AS_OF)
        refresh(env, "2024-07-15")
        self.assertTrue(figures(account)["churn"])
        self.assertEqual(len(churn_activities(env, account)), 2)
        # done by the KAM: not raised again while the account stays at risk
        activities.filtered(
            lambda a: a.user_id == ref(env, "user_kam_manager_1")
        ).action_done()
        refresh(env, AS_OF)
        self.assertEqual(len(churn_activities(env, account)), 1)

    def test_score_drop_warning_and_open_activity_not_duplicated(self):
        env = self.env
        account = key_account(env, "RFM Drop Co",
                              kam_manager_id=ref(env,
                                                 "user_kam_manager_2").id,
                              kam_region_id=ref(env,
                                                "region_south_china").id)
        # ranked against one account that bought in the window only (not
        # against the demo accounts): no order scores 1 in every letter
        buyer = key_account(env, "RFM Drop Buyer")
        self.order(buyer, "2024-06-20", 100.0)
        only_these_key_accounts(env, [account, buyer])
        refresh(env, AS_OF)
        self.assertFalse(churn_activities(env, account))
        # as if the previous refresh had scored it 5 in every letter, with
        # the region's manager already holding an open warning
        env.cr.execute("UPDATE res_partner SET kam_rfm_score = '555' "
                       "WHERE id = %s", (account.id,))
        env["mail.activity"].create({
            "res_model_id": env["ir.model"]._get("res.partner").id,
            "res_id": account.id,
            "activity_type_id": ref(
                env, "mail_activity_type_kam_churn_risk").id,
            "user_id": ref(env, "user_kam_director").id})
        env["res.partner"].invalidate_cache()
        refresh(env, AS_OF)
        self.assertEqual(figures(account)["score"], "111")
        activities = churn_activities(env, account)
        self.assertEqual(sorted(activities.mapped("user_id.login")), [
            "kam_director", "kam_manager_2"])
        self.assertIn("555", activities.filtered(
            lambda a: a.user_id.login == "kam_manager_2").note)
        # unchanged score: no further warning
        refresh(env, AS_OF)
        self.assertEqual(len(churn_activities(env, account)), 2)


class TestRfmSettings(RfmCase):
    """The analysis settings are checked before anything is computed."""

    def test_bad_settings_are_refused(self):
        env = self.env
        Settings = env["res.config.settings"]
        bad = [
            ({"kam_rfm_window_days": 0}, "window"),
            ({"kam_rfm_window_days": -30}, "window"),
            ({"kam_churn_drop_percent": 0}, "drop"),
            ({"kam_churn_drop_percent": 120}, "drop"),
            ({"kam_churn_recency_days": 0}, "without order"),
            ({"kam_rfm_recency_thresholds": "90,30,180,365"}, "Recency"),
            ({"kam_rfm_frequency_thresholds": "1,2,3"}, "Frequency"),
            ({"kam_rfm_monetary_thresholds": "a,b,c,d"}, "Monetary"),
            ({"kam_rfm_monetary_thresholds": "-1,2,3,4"}, "Monetary"),
        ]
        for vals, word in bad:
            with self.subTest(vals=vals):
                with self.raises_and_rolls_back(ValidationError, word):
                    Settings.create(vals).execute()
        good = Settings.create({"kam_rfm_window_days": 180,
                                "kam_churn_drop_percent": 40,
                                "kam_rfm_scoring": "threshold",
                                "kam_rfm_monetary_thresholds":
                                    "1, 2, 3, 4.5"})
        good.execute()
        ICP = env["ir.config_parameter"]
        self.assertEqual(ICP.get_param("kam_management.rfm_window_days"),
                         "180")
        self.assertEqual(ICP.get_param("kam_management.churn_drop_percent"),
                         "40")
        self.assertEqual(
            ICP.get_param("kam_management.rfm_monetary_thresholds"),
            "1,2,3,4.5")
        values = Settings.get_values()
        self.assertEqual(values["kam_rfm_window_days"], 180)
        self.assertEqual(values["kam_rfm_scoring"], "threshold")

    def test_bad_parameter_stops_the_refresh_before_any_write(self):
        env = self.env
        account = key_account(env, "RFM Bad Param Co")
        self.order(account, "2024-06-20", 100.0)
        env["ir.config_parameter"].set_param(
            "kam_management.rfm_window_days", "0")
        env.cr.execute("SELECT count(*) FROM kam_rfm_snapshot")
        snapshots_before = env.cr.fetchone()[0]
        at_error = {}
        with self.raises_and_rolls_back(ValidationError, "window"):
            try:
                refresh(env, AS_OF)
            except ValidationError:
                # what the refresh had written when it stopped, before the
                # rollback hides it
                at_error["score"] = figures(account)["score"]
                env.cr.execute("SELECT count(*) FROM kam_rfm_snapshot")
                at_error["snapshots"] = env.cr.fetchone()[0]
                at_error["last_refresh"] = env[
                    "ir.config_parameter"].get_param(
                        "kam_management.rfm_last_refresh")
                raise
        self.assertEqual(at_error["snapshots"], snapshots_before)
        self.assertFalse(at_error["score"])
        self.assertNotEqual(at_error["last_refresh"], AS_OF)

    def test_errors_are_translated(self):
        zh = self.env(context={"lang": "zh_CN"})
        zh["ir.config_parameter"].set_param(
            "kam_management.rfm_window_days", "-1")
        with self.assertRaisesRegex(ValidationError, "RFM") as info:
            with zh.cr.savepoint():
                refresh(zh, AS_OF)
        self.assertIn("RFM", info.exception.name)
        self.assertIn("天", info.exception.name)


class TestRfmRights(KamCase):
    """Who refreshes, edits and reads the analysis."""

    def test_refresh_rights(self):
        env = self.env
        for login in ("kam_support", "kam_secretary"):
            with self.subTest(login=login):
                partners = env["res.partner"].with_env(as_user(env, login))
                with self.raises_and_rolls_back(
                        AccessError, "may refresh the RFM analysis"):
                    partners.action_kam_rfm_refresh()
        kam = env["res.partner"].with_env(as_user(env, "kam_manager_1"))
        self.assertEqual(kam.action_kam_rfm_refresh()["tag"], "reload")

    def test_rfm_fields_are_not_typed_in(self):
        env = self.env
        account = ref(env, "partner_kam_shanghai_metro")
        computed = "RFM analysis fields are computed"
        for login in ("kam_manager_1", "kam_director", "kam_secretary"):
            with self.subTest(login=login):
                mine = account.with_env(as_user(env, login))
                with self.raises_and_rolls_back(AccessError, computed):
                    mine.write({"kam_rfm_score": "555"})
                with self.raises_and_rolls_back(AccessError, computed):
                    mine.write({"kam_churn_risk": False})
                with self.raises_and_rolls_back(AccessError, computed):
                    mine.write({"kam_rfm_margin": 1e9})
                with self.raises_and_rolls_back(AccessError, computed):
                    mine.write({"kam_rfm_margin_rate": 99.0})
        with self.raises_and_rolls_back(AccessError, computed):
            make_company(as_user(env, "kam_manager_1"), "Typed In",
                         kam_rfm_frequency=3)

    def test_kam_sees_only_own_accounts_analysis(self):
        env = self.env
        # the demo accounts, as of today (their orders are dated from the
        # install day)
        refresh(env, ds(today()))
        kam1 = as_user(env, "kam_manager_1")
        rows = env["res.partner"].with_env(kam1).search_read(
            [("kam_is_key_account", "=", True)],
            ["kam_rfm_score", "kam_rfm_segment", "kam_manager_id"])
        self.assertTrue(rows)
        self.assertTrue(all(r["kam_rfm_score"] for r in rows), rows)
        self.assertEqual({r["kam_manager_id"][0] for r in rows}, {
            ref(env, "user_kam_manager_1").id})
        other = ref(env, "partner_kam_wuxi_semicon").with_env(kam1)
        with self.assertRaisesRegex(AccessError, READ_REFUSED):
            other.read(["kam_rfm_score"])
        Snapshot = env["kam.rfm.snapshot"]
        expected = {
            "kam_manager_1": Snapshot.search([
                ("partner_id.kam_manager_id", "=",
                 ref(env, "user_kam_manager_1").id)]),
            "kam_regional": Snapshot.search([
                ("partner_id.kam_region_id", "=",
                 ref(env, "region_east_china").id)]),
            # support staff: the accounts of the support teams they are on
            # (R5)
            "kam_support": Snapshot.search([
                ("partner_id.kam_support_user_ids", "in",
                 [ref(env, "user_kam_support").id])]),
            "kam_director": Snapshot.search([]),
            "kam_secretary": Snapshot.search([]),
        }
        for login, snapshots in expected.items():
            with self.subTest(login=login):
                self.assertTrue(snapshots)
                seen = Snapshot.with_env(as_user(env, login)).search([])
                self.assertEqual(set(seen.ids), set(snapshots.ids))
        # the pivot by segment only counts what the KAM may see
        groups = env["res.partner"].with_env(kam1).read_group(
            [("kam_is_key_account", "=", True)], ["kam_rfm_segment"],
            ["kam_rfm_segment"])
        self.assertEqual(sum(g["kam_rfm_segment_count"] for g in groups),
                         len(rows))
        # users outside the KAM groups cannot read the analysis at all
        clerk = env["res.users"].create({
            "name": "RFM Clerk", "login": "rfm_clerk_test",
            "groups_id": [(6, 0, [ref(env, "base.group_user").id])]})
        with self.assertRaisesRegex(AccessError, READ_REFUSED):
            ref(env, "partner_kam_shanghai_metro").sudo(clerk).read(
                ["kam_rfm_score"])
        with self.assertRaisesRegex(AccessError, MODEL_REFUSED):
            Snapshot.sudo(clerk).search([])
