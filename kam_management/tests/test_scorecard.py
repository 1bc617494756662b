# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""KAM scorecards (R4): each formula on hand-made data, targets and
satisfaction bad input, access per role.

Dates: every test works on a month three months before today
(``cls.month``), with its own records dated in it and around it, so that
it holds whatever the day it runs on (month ends, leap days, year
changes: the days are computed, never written down)."""
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError

from .common import (KamCase, as_user, ds, month_end, month_start, ref,
                     rights_denied, rule_denied, today, with_cases)
from .rfm_common import confirmed_order


def days_of(start, end):
    """Days from ``start`` to ``end`` (dates), both included."""
    return (end - start).days + 1


class ScorecardCase(KamCase):
    """A fresh KAM in East China, so demo data does not mix in, and the
    month the tests score."""

    @classmethod
    def setUpClass(cls):
        super(ScorecardCase, cls).setUpClass()
        env = cls.env
        cls.kam = env["res.users"].create({
            "name": "Scorecard KAM", "login": "scorecard_kam_test",
            "groups_id": [(6, 0, [ref(env, "group_kam_user").id])]})
        ref(env, "region_east_china").write(
            {"member_ids": [(4, cls.kam.id)]})
        # a whole month in the past: done visits and orders may be in it
        cls.month = month_start(months=-3)
        cls.month_end = month_end(cls.month)
        cls.next_month = month_start(cls.month, 1)
        cls.previous_month = month_start(cls.month, -1)
        # "a key account since long before the month"
        cls.long_ago = month_start(cls.month, -14)

    def day(self, n, month=None):
        """The ``n``-th day (1-based) of ``month`` (the test month)."""
        return (month or self.month) + timedelta(days=n - 1)

    def at(self, n, month=None):
        """10:00 on the ``n``-th day of ``month``, as Odoo's string."""
        day = self.day(n, month)
        return ds(datetime(day.year, day.month, day.day, 10, 0, 0))

    def account(self, name, since=None):
        since = since or self.long_ago
        env = self.env
        partner = env["res.partner"].create({
            "name": name, "is_company": True, "kam_is_key_account": True,
            "kam_account_type": "key", "kam_manager_id": self.kam.id,
            "kam_region_id": ref(env, "region_east_china").id,
            "kam_relationship_level_id": ref(
                env, "relationship_level_vendor").id,
            "kam_since": ds(since)})
        # its promotion happened long before the month
        partner.kam_relationship_history_ids.write(
            {"date": ds(since) + " 00:00:00"})
        return partner

    def order(self, partner, amount, date):
        env = self.env
        product = env["product.product"].create({
            "name": "Chiller %s" % amount, "type": "service",
            "list_price": amount, "taxes_id": [(6, 0, [])]})
        return confirmed_order(env, product, partner, amount, date)

    def card(self, kam=None, month=None):
        cards = self.env["kam.scorecard"]._kam_refresh_scorecards(
            ds(month or self.month), [(kam or self.kam).id])
        self.assertEqual(len(cards), 1)
        return cards

    def snapshot(self, partner, month, churn_risk, segment="at_risk"):
        return self.env["kam.rfm.snapshot"].sudo().create({
            "partner_id": partner.id, "month": ds(month), "date": ds(month),
            "churn_risk": churn_risk, "segment": segment,
            "kam_manager_id": partner.kam_manager_id.id,
            "kam_region_id": partner.kam_region_id.id})


class TestScorecardFigures(ScorecardCase):
    """Each criterion of the scorecard on hand-made data."""

    def test_target_achievement_with_pro_rata_targets(self):
        env = self.env
        a = self.account("SC Alpha")
        contact = env["res.partner"].create({"name": "Buyer",
                                             "parent_id": a.id})
        self.order(a, 3000, self.at(5))
        self.order(contact, 1000, self.at(20))   # a contact's order
        self.order(a, 5000, self.at(1, self.next_month))  # next month
        draft = env["sale.order"].create({"partner_id": a.id})  # unconfirmed
        self.assertEqual(draft.state, "draft")
        # a quarterly target ending with the month: the month has its own
        # days of the quarter's (e.g. March 31 of 90)
        quarter_start = month_start(self.month, -2)
        env["kam.target"].create({
            "user_id": self.kam.id, "date_from": ds(quarter_start),
            "date_to": ds(self.month_end), "amount": 9000})
        share = (days_of(self.month, self.month_end)
                 / float(days_of(quarter_start, self.month_end)))
        c = self.card()
        self.assertAlmostEqual(c.sales_amount, 4000)
        self.assertAlmostEqual(c.target_amount, 9000 * share)
        self.assertAlmostEqual(c.target_achievement_pct,
                               100 * 4000 / (9000 * share))

    def test_no_target_means_no_achievement_figure(self):
        a = self.account("SC NoTarget")
        self.order(a, 1000, self.at(5))
        c = self.card()
        self.env.cr.execute("SELECT target_achievement_pct, sales_amount "
                            "FROM kam_scorecard WHERE id = %s", (c.id,))
        self.assertEqual(self.env.cr.fetchone(), (None, 1000.0))

    def test_satisfaction_averages_accounts(self):
        a = self.account("SC Sat A")
        b = self.account("SC Sat B")
        Sat = self.env["kam.satisfaction"]
        for partner, score, day in (
                (a, 5, self.day(2)), (a, 3, self.day(20)),
                (b, 2, self.day(10)), (b, 1, self.day(2, self.next_month))):
            Sat.create({"partner_id": partner.id, "score": score,
                        "date": ds(day)})
        c = self.card()
        # A: (5 + 3) / 2 = 4; B: 2 (the next month's score is another month)
        self.assertAlmostEqual(c.satisfaction_avg, 3.0)
        self.assertEqual(c.satisfaction_count, 3)

    def test_loyalty_repeat_purchase_and_upgrades(self):
        a = self.account("SC Loyal A")
        b = self.account("SC Loyal B")
        self.account("SC Loyal C")  # buys nothing: not in the base
        self.order(a, 100, self.at(2))
        self.order(a, 100, self.at(9))
        self.order(b, 100, self.at(9))
        a.write({"kam_relationship_level_id":
                 ref(self.env, "relationship_level_partner").id})
        up = a.kam_relationship_history_ids.filtered(
            lambda h: h.direction == "up")
        self.assertEqual(len(up), 1)
        up.write({"date": self.at(15)})
        c = self.card()
        self.assertEqual((c.buyer_count, c.repeat_buyer_count), (2, 1))
        self.assertAlmostEqual(c.repeat_purchase_pct, 50.0)
        self.assertEqual(c.level_upgrade_count, 1)

    def test_churn_rate_lost_over_accounts_at_start(self):
        accounts = [self.account("SC Churn %s" % i) for i in range(4)]
        late = self.account("SC Churn New", since=self.day(10))
        late.kam_relationship_history_ids.write(
            {"date": ds(self.day(10)) + " 00:00:00"})
        director = as_user(self.env, "kam_director")
        accounts[0].with_env(director).action_kam_demote()
        out = accounts[0].kam_relationship_history_ids.filtered(
            lambda h: h.direction == "out")
        self.assertEqual(len(out), 1)
        out.write({"date": self.at(20)})
        c = self.card()
        # 4 key accounts on the 1st (the new one came later), 1 demoted
        self.assertEqual((c.accounts_at_start, c.accounts_lost), (4, 1))
        self.assertAlmostEqual(c.churn_rate_pct, 25.0)
        # the next month the demoted account is no longer counted
        following = self.card(month=self.next_month)
        self.assertEqual(
            (following.accounts_at_start, following.accounts_lost), (4, 0))

    def test_churn_counts_accounts_at_risk_for_the_whole_month(self):
        at_risk, recovered, late = [self.account("SC Risk %s" % i)
                                    for i in range(3)]
        self.account("SC Fine")
        previous, month = self.previous_month, self.month
        # at risk at the start (previous month) and at the end: lost
        self.snapshot(at_risk, previous, True)
        self.snapshot(at_risk, month, True)
        # at risk the previous month only, or turning at risk: not lost
        self.snapshot(recovered, previous, True)
        self.snapshot(recovered, month, False, "loyal")
        self.snapshot(late, previous, False, "loyal")
        self.snapshot(late, month, True)
        Card = self.env["kam.scorecard"]
        self.assertEqual(
            Card._kam_churn_risk_lost([self.kam.id], ds(month),
                                      ds(self.month_end)),
            {self.kam.id: {at_risk.id}})
        c = self.card()
        self.assertEqual((c.accounts_at_start, c.accounts_lost), (4, 1))
        self.assertAlmostEqual(c.churn_rate_pct, 25.0)

    def test_sales_share_over_estimated_purchases(self):
        days = days_of(self.month, self.month_end)
        big = self.account("SC Wallet Big")
        small = self.account("SC Wallet Small")
        no_estimate = self.account("SC Wallet None")
        # 1,000 and 100 a day: 1,000 x days and 100 x days in the month
        big.write({"kam_estimated_annual_purchases": 365000.0})
        small.write({"kam_estimated_annual_purchases": 36500.0})
        self.order(big, 6200.0, self.at(5))
        self.order(small, 3100.0, self.at(6))
        self.order(no_estimate, 99999.0, self.at(7))  # left out
        c = self.card()
        # (6,200 + 3,100) / (1,000 x days + 100 x days) x 100
        self.assertAlmostEqual(c.sales_share_pct,
                               9300.0 / (1100.0 * days) * 100)
        other = self.env["res.users"].create({
            "name": "No Wallet KAM", "login": "no_wallet_kam_test",
            "groups_id": [(6, 0, [ref(self.env, "group_kam_user").id])]})
        self.assertFalse(self.card(kam=other).sales_share_pct)

    def test_visit_compliance_from_monthly_snapshots(self):
        a = self.account("SC Visits A")
        self.account("SC Visits B")
        self.env["kam.visit"].create({
            "partner_id": a.id, "user_id": self.kam.id, "purpose": "Visit",
            "visit_date": self.at(2), "state": "done"})
        self.env["kam.visit.compliance"]._cron_visit_compliance(
            today=ds(self.day(10)))
        c = self.card()
        # A visited, B overdue (a key account for over a year): half
        self.assertAlmostEqual(c.visit_compliance_pct, 50.0)

    def test_refresh_is_idempotent_and_read_groupable(self):
        self.account("SC Idem")
        first = self.card()
        second = self.card()
        self.assertEqual(first, second)
        groups = self.env["kam.scorecard"].read_group(
            [("user_id", "=", self.kam.id)],
            ["user_id", "churn_rate_pct", "sales_amount"], ["user_id"])
        self.assertEqual(groups[0]["user_id_count"], 1)


class TestScorecardCron(KamCase):

    def test_cron_covers_every_kam(self):
        Card = self.env["kam.scorecard"]
        Card._cron_scorecard(today=ds(today()))
        # the current and the previous month
        for month in (month_start(), month_start(months=-1)):
            users = Card.search(
                [("period_start", "=", ds(month))]).mapped("user_id")
            self.assertIn(ref(self.env, "user_kam_manager_1"), users)
            self.assertIn(ref(self.env, "user_kam_manager_2"), users)


# ----------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------
class TestScorecardBadInput(ScorecardCase):

    def test_overlapping_targets_refused(self):
        Target = self.env["kam.target"]
        Target.create({"user_id": self.kam.id, "date_from": ds(self.month),
                       "date_to": ds(self.month_end), "amount": 100})
        with self.raises_and_rolls_back(ValidationError, "overlaps"):
            Target.create({
                "user_id": self.kam.id, "date_from": ds(self.day(15)),
                "date_to": ds(self.day(15, self.next_month)),
                "amount": 100})
        # the next month is fine
        Target.create({"user_id": self.kam.id,
                       "date_from": ds(self.next_month),
                       "date_to": ds(month_end(self.next_month)),
                       "amount": 100})
        self.assertEqual(Target.search_count(
            [("user_id", "=", self.kam.id)]), 2)

    def test_target_period_ending_before_it_starts(self):
        with self.raises_and_rolls_back(ValidationError, "before"):
            self.env["kam.target"].create({
                "user_id": self.kam.id, "date_from": ds(self.month_end),
                "date_to": ds(self.month), "amount": 1})

    def check_score_refused(self, score):
        with self.raises_and_rolls_back(ValidationError, "Score"):
            self.env["kam.satisfaction"].create({
                "partner_id": ref(self.env, "partner_kam_shanghai_metro").id,
                "score": score})

    def test_errors_translated(self):
        zh = self.env(context={"lang": "zh_CN"})
        with self.assertRaisesRegex(ValidationError, "满意") as info:
            with self.env.cr.savepoint():
                zh["kam.satisfaction"].create({
                    "partner_id": ref(zh, "partner_kam_shanghai_metro").id,
                    "score": 9})
        self.assertIn("满意", info.exception.name)


TestScorecardBadInput = with_cases(
    "check_score_refused", [0, 6, -1], ["0", "6", "minus_1"],
    prefix="test_satisfaction_outside_1_to_5")(TestScorecardBadInput)


# ----------------------------------------------------------------------
# Access
# ----------------------------------------------------------------------
class TestScorecardAccess(KamCase):

    def test_scorecard_visibility_per_role(self):
        env = self.env
        month = ds(month_start(months=-1))
        env["kam.scorecard"]._kam_refresh_scorecards(month)
        k1 = ref(env, "user_kam_manager_1")
        k2 = ref(env, "user_kam_manager_2")

        def seen(login):
            return set(env["kam.scorecard"].with_env(
                as_user(env, login)).search(
                    [("period_start", "=", month)]).mapped("user_id"))
        self.assertEqual(seen("kam_manager_1"), {k1})
        self.assertLessEqual({k1, k2}, seen("kam_regional"))
        self.assertLessEqual({k1, k2}, seen("kam_director"))
        with self.assertRaisesRegex(
                AccessError, rights_denied("kam.scorecard", "access")):
            env["kam.scorecard"].with_env(
                as_user(env, "kam_support")).search([])

    def test_targets_set_by_regional_manager_for_members_only(self):
        env = self.env
        regional = as_user(env, "kam_regional")
        k1 = ref(env, "user_kam_manager_1")
        # a month after every target of the KAMs (the demo ones are
        # around the day the demo was installed)
        last = max([today()] + [
            fields.Date.from_string(t.date_to)
            for t in env["kam.target"].search([])])
        start = month_start(last, 1)
        period = {"date_from": ds(start), "date_to": ds(month_end(start))}
        Target = env["kam.target"].with_env(regional)
        target = Target.create(dict(period, user_id=k1.id, amount=10))
        with self.raises_and_rolls_back(AccessError, rule_denied(
                "Key Account Manager Sales Target", "write")):
            Target.create(dict(period, amount=10,
                               user_id=ref(env, "user_kam_regional").id))
        kam1 = as_user(env, "kam_manager_1")
        self.assertEqual(target.with_env(kam1).read(["amount"])[0]["amount"],
                         10)
        with self.raises_and_rolls_back(
                AccessError, rights_denied("kam.target", "modify")):
            target.with_env(kam1).write({"amount": 1e9})
        self.assertFalse(env["kam.target"].with_env(
            as_user(env, "kam_manager_2")).search([("id", "=", target.id)]))

    def test_kam_does_not_score_own_accounts(self):
        """A KAM is judged on satisfaction (R4): the scores of their
        accounts come from the customer or the secretary (issue 12); the
        accounts of others they do not even see."""
        env = self.env
        kam1 = as_user(env, "kam_manager_1")
        metro = ref(env, "partner_kam_shanghai_metro")
        before = env["kam.satisfaction"].search_count([])
        with self.raises_and_rolls_back(
                AccessError, "Satisfaction of %s: you are its key account "
                             "manager" % metro.name):
            env["kam.satisfaction"].with_env(kam1).create({
                "partner_id": metro.id, "score": 4})
        self.assertEqual(env["kam.satisfaction"].search_count([]), before)
        secretary = as_user(env, "kam_secretary")
        row = env["kam.satisfaction"].with_env(secretary).create({
            "partner_id": metro.id, "score": 4})
        self.assertEqual(row.kam_manager_id,
                         ref(env, "user_kam_manager_1"))
        self.assertEqual(row.with_env(kam1).read(["score"])[0]["score"], 4)
        with self.raises_and_rolls_back(AccessError,
                                        rule_denied("Contact", "read")):
            env["kam.satisfaction"].with_env(kam1).create({
                "partner_id": ref(env, "partner_kam_wuxi_semicon").id,
                "score": 4})
