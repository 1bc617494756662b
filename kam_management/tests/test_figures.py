# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Figures a director can trust (issue 12, R4, R8, R13).

- one definition of confirmed sales: the month-end report, the scorecard,
  the sales target and a sum computed here from ``sale.order`` rows agree,
  with orders in two currencies, a contact's order, a cancelled order and
  orders confirmed on the month's last day and the next month's first;
- the margin (R13, issue 13) follows the same definition: the RFM margin
  and margin rate equal those computed here from ``sale.order.line``
  margins, with the same orders (two currencies, a contact's order, a
  cancelled order);
- every figure is reproducible: recomputed later from the same data, a
  scorecard and a report give the same figures; a figure without a base
  is empty (False), not 0;
- a month without daily compliance records is rebuilt from the visits;
- visit reports: punctuality, and the supervisor told once when a report
  stays overdue.

Dates are those of ScorecardCase: a month three months before today.
"""
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import ValidationError

from .common import as_user, ds, month_start, ref, today
from .test_scorecard import ScorecardCase

STATES_COUNTED = ("sale", "done")
REPORT_ACTIVITY = "kam_management.mail_activity_type_kam_visit_report"


def at(day, hour=10, minute=0):
    return ds(datetime(day.year, day.month, day.day, hour, minute))


class FiguresCase(ScorecardCase):

    def kam_report(self, month=None):
        """The KAM's month-end report of ``month``, drafted by the monthly
        action on the 2nd of the next month."""
        month = month or self.month
        Report = self.env["kam.report"]
        Report._cron_monthly_reports(
            today=ds(month_start(month, 1) + timedelta(days=1)))
        report = Report.search([("report_type", "=", "kam_monthly"),
                                ("user_id", "=", self.kam.id),
                                ("period_start", "=", ds(month))])
        self.assertEqual(len(report), 1)
        return report


class TestOneDefinitionOfSales(FiguresCase):
    """README "Confirmed sales": states, the confirmation date, the
    roll-up of contacts, the rate of the confirmation day."""

    def setUp(self):
        super(TestOneDefinitionOfSales, self).setUp()
        env = self.env
        self.company = env.user.company_id
        self.usd = env.ref("base.USD")
        if self.company.currency_id == self.usd:
            self.usd = env.ref("base.EUR")
        self.usd.active = True
        # the company's own rates of both currencies in the month: a rate
        # that changes on the 15th, so the day of each order matters
        Rate = env["res.currency.rate"]
        for currency, day, rate in (
                (self.company.currency_id, 1, 1.0),
                (self.usd, 1, 0.125), (self.usd, 15, 0.16),
                (self.usd, self.month_end.day, 0.2)):
            Rate.create({"currency_id": currency.id, "rate": rate,
                         "name": ds(self.day(day)),
                         "company_id": self.company.id})
        self.usd_pricelist = env["product.pricelist"].create({
            "name": "Foreign currency list", "currency_id": self.usd.id,
            "company_id": self.company.id})

    def order(self, partner, amount, date, pricelist=None, state=None,
              cost=0.0):
        """A confirmed order of one untaxed line, confirmed at ``date``,
        in the currency of ``pricelist`` (default: the company's), then
        moved to ``state`` if given (e.g. cancelled). The line costs
        ``cost`` (its ``purchase_price``, in the order's currency)."""
        env = self.env
        product = env["product.product"].create({
            "name": "Unit %s" % amount, "type": "service",
            "taxes_id": [(6, 0, [])]})
        vals = {"partner_id": partner.id,
                "order_line": [(0, 0, {"product_id": product.id,
                                       "product_uom_qty": 1,
                                       "price_unit": amount,
                                       "purchase_price": cost,
                                       "tax_id": [(6, 0, [])]})]}
        if pricelist:
            vals["pricelist_id"] = pricelist.id
        order = env["sale.order"].create(vals)
        order.action_confirm()
        order.write({"confirmation_date": date})
        if state == "cancel":
            order.action_cancel()
        self.assertEqual(order.amount_untaxed, amount)
        return order

    def independent_sum(self, account):
        """Confirmed sales of ``account`` in the month, straight from the
        orders: each converted with Odoo's own ``res.currency.compute`` at
        its confirmation day."""
        orders = self.env["sale.order"].search([
            ("partner_id", "child_of", account.id),
            ("state", "in", STATES_COUNTED),
            ("confirmation_date", ">=", ds(self.month) + " 00:00:00"),
            ("confirmation_date", "<", ds(self.next_month) + " 00:00:00")])
        total = 0.0
        target = self.company.currency_id
        for order in orders:
            currency = order.pricelist_id.currency_id.with_context(
                date=order.confirmation_date[:10],
                company_id=self.company.id)
            total += currency.compute(order.amount_untaxed, target,
                                      round=False)
        return total, orders

    def test_report_scorecard_target_and_orders_agree(self):
        env = self.env
        account = self.account("Sales Co")
        contact = env["res.partner"].create({"name": "Buyer",
                                             "parent_id": account.id})
        last_day = self.month_end
        self.order(account, 1000, at(self.day(3)))
        self.order(contact, 500, at(self.day(10)))          # a contact's
        self.order(account, 100, at(self.day(16)),          # foreign
                   pricelist=self.usd_pricelist)
        self.order(account, 700, at(self.day(5)), state="cancel")
        self.order(account, 300, at(last_day, 23, 30))      # last day
        self.order(account, 400, at(self.next_month, 0, 30))  # next month
        env["kam.target"].create({
            "user_id": self.kam.id, "date_from": ds(self.month),
            "date_to": ds(last_day), "amount": 4000})

        expected, orders = self.independent_sum(account)
        self.assertEqual(len(orders), 4)
        # 1000 + 500 + 100 USD at the 15th's rate (0.16) + 300
        self.assertAlmostEqual(expected, 1800 + 100 / 0.16, places=2)

        card = self.card()
        report = self.kam_report()
        target = env["kam.target"].search([("user_id", "=", self.kam.id)])
        self.assertAlmostEqual(card.sales_amount, expected, places=2)
        self.assertAlmostEqual(report.sales_amount, expected, places=2)
        self.assertAlmostEqual(target.achieved_amount, expected, places=2)
        self.assertAlmostEqual(card.target_achievement_pct,
                               100 * expected / 4000, places=4)
        self.assertAlmostEqual(report.target_achievement_pct,
                               card.target_achievement_pct, places=4)
        self.assertAlmostEqual(target.achievement_pct,
                               card.target_achievement_pct, places=4)
        # the RFM refresh counts the same orders at the same amounts
        rfm = env["kam.rfm.snapshot"]
        window = env["ir.config_parameter"].sudo().get_param(
            "kam_management.rfm_window_days")
        figures = rfm._kam_rfm_figures(
            last_day, (last_day - self.month).days + 1, [account.id])
        self.assertTrue(window)
        self.assertAlmostEqual(float(figures[account.id]["monetary"]),
                               expected, places=2)
        self.assertEqual(figures[account.id]["frequency"], 4)

    def test_rfm_margin_agrees_with_the_order_lines(self):
        """The RFM margin and margin rate (R13, issue 13) of an account
        equal those computed here from the margins of its orders' lines,
        each order converted at its confirmation day: the one definition
        with its states, roll-up and rates."""
        env = self.env
        account = self.account("Margin Co")
        contact = env["res.partner"].create({"name": "Margin Buyer",
                                             "parent_id": account.id})
        self.order(account, 1000, at(self.day(3)), cost=600)
        self.order(contact, 500, at(self.day(10)), cost=100)  # a contact's
        self.order(account, 100, at(self.day(16)),            # foreign
                   pricelist=self.usd_pricelist, cost=40)
        self.order(account, 700, at(self.day(5)), state="cancel", cost=10)
        last_day = self.month_end
        orders = env["sale.order"].search([
            ("partner_id", "child_of", account.id),
            ("state", "in", STATES_COUNTED)])
        self.assertEqual(len(orders), 3)
        target = self.company.currency_id
        margin = revenue = 0.0
        for order in orders:
            currency = order.pricelist_id.currency_id.with_context(
                date=order.confirmation_date[:10],
                company_id=self.company.id)
            line_margin = sum(order.order_line.mapped("margin"))
            margin += currency.compute(line_margin, target, round=False)
            revenue += currency.compute(order.amount_untaxed, target,
                                        round=False)
        # 400 + 400 + 60 USD at the 15th's rate (0.16)
        self.assertAlmostEqual(margin, 800 + 60 / 0.16, places=2)

        env["kam.rfm.snapshot"]._kam_rfm_refresh(as_of=ds(last_day))
        account.invalidate_cache()
        self.assertAlmostEqual(account.kam_rfm_monetary, revenue, places=2)
        self.assertAlmostEqual(account.kam_rfm_margin, margin, places=2)
        self.assertAlmostEqual(account.kam_rfm_margin_rate,
                               round(100 * margin / revenue, 2), places=2)
        snapshot = account.kam_rfm_snapshot_ids
        self.assertAlmostEqual(snapshot.margin, margin, places=2)
        self.assertAlmostEqual(snapshot.margin_rate,
                               account.kam_rfm_margin_rate, places=2)

    def test_order_date_does_not_move_a_confirmed_order(self):
        """An order dated in the previous month but confirmed in this one
        counts in this one, everywhere."""
        account = self.account("Late Confirm Co")
        order = self.order(account, 900, at(self.day(2)))
        order.write({"date_order": at(self.month - timedelta(days=3))})
        self.assertAlmostEqual(self.card().sales_amount, 900)
        previous = self.card(month=self.previous_month)
        self.assertAlmostEqual(previous.sales_amount, 0.0)


class TestReproducibleFigures(FiguresCase):

    def test_recomputed_later_the_figures_are_the_same(self):
        env = self.env
        account = self.account("Repro Co")
        other = self.account("Repro Other Co")
        self.order(account, 2500, at(self.day(4)))
        env["kam.target"].create({
            "user_id": self.kam.id, "date_from": ds(self.month),
            "date_to": ds(self.month_end), "amount": 5000})
        env["kam.visit"].create({
            "partner_id": account.id, "user_id": self.kam.id,
            "purpose": "Review", "visit_date": at(self.day(6)),
            "state": "done"})
        fields_compared = [
            "sales_amount", "target_amount", "target_achievement_pct",
            "visit_compliance_pct", "repeat_purchase_pct", "churn_rate_pct",
            "report_due_count", "report_on_time_count",
            "report_punctuality_pct", "satisfaction_avg", "sales_share_pct"]
        first = self.card().read(fields_compared)[0]
        report = self.kam_report()
        report_fields = ["sales_amount", "target_amount",
                         "target_achievement_pct", "visit_compliance_pct",
                         "visits_done", "visits_required",
                         "report_punctuality_pct"]
        first_report = report.read(report_fields)[0]

        # later: new rates, orders and visits after the month, the daily
        # actions run again; the month's own data is unchanged
        env["res.currency.rate"].create({
            "currency_id": env.user.company_id.currency_id.id,
            "rate": 1.0, "name": ds(self.next_month + timedelta(days=3)),
            "company_id": env.user.company_id.id})
        self.order(account, 777, at(self.next_month + timedelta(days=2)))
        self.order(other, 333, at(self.next_month + timedelta(days=5)))
        env["kam.visit.compliance"]._cron_visit_compliance()
        env["kam.scorecard"]._cron_scorecard()

        again = self.card().read(fields_compared)[0]
        report._kam_fill_figures()
        self.assertEqual(first, again)
        self.assertEqual(first_report, report.read(report_fields)[0])

    def test_a_figure_without_a_base_is_empty_not_zero(self):
        """No target, no report due: False over the ORM (and RPC), NULL
        in the table; the pivot's average skips it."""
        self.account("Empty Co")
        card = self.card()
        self.assertIs(card.target_achievement_pct, False)
        self.assertIs(card.report_punctuality_pct, False)
        self.assertIs(card.target_amount, False)
        self.env.cr.execute(
            "SELECT target_achievement_pct, report_punctuality_pct "
            "FROM kam_scorecard WHERE id = %s", (card.id,))
        self.assertEqual(self.env.cr.fetchone(), (None, None))
        report = self.kam_report()
        self.assertIs(report.target_achievement_pct, False)
        self.assertIs(report.report_punctuality_pct, False)
        # 0 is a figure, shown as such
        self.env["kam.target"].create({
            "user_id": self.kam.id, "date_from": ds(self.month),
            "date_to": ds(self.month_end), "amount": 1000})
        self.assertEqual(self.card().target_achievement_pct, 0.0)
        self.assertIsNot(self.card().target_achievement_pct, False)

    def test_compliance_of_a_month_before_any_account_is_empty(self):
        """A KAM whose accounts became key accounts after the month has no
        account to comply with: no compliance figure."""
        self.account("Young Co", since=self.next_month)
        card = self.card()
        self.assertIs(card.visit_compliance_pct, False)
        self.assertIs(self.kam_report().visit_compliance_pct, False)


class TestRebuiltMonth(FiguresCase):
    """The reports drafted at install showed 0.00 % compliance: the month
    before the install had no daily records. Such a month is rebuilt once
    from the visits."""

    def setUp(self):
        super(TestRebuiltMonth, self).setUp()
        # no daily record of the month, as on a database installed since
        self.env.cr.execute(
            "DELETE FROM kam_visit_compliance_snapshot WHERE month = %s",
            (ds(self.month),))

    def visit(self, partner, day, kind="on_site"):
        return self.env["kam.visit"].create({
            "partner_id": partner.id, "user_id": self.kam.id,
            "purpose": "Monthly review", "visit_date": at(day),
            "kind": kind, "state": "done"})

    def test_rebuilt_month_matches_the_visits(self):
        regular = self.account("Regular Co")
        late = self.account("Late Co")
        phoned = self.account("Phoned Co")
        # Regular: visits 25 days apart from before the month to after it
        for offset in (-20, 5, 30):
            self.visit(regular, self.day(1) + timedelta(days=offset))
        # Late: the last visit before the month was 40 days before it
        # ends, the next one only after the due date had passed
        self.visit(late, self.month_end - timedelta(days=40))
        self.visit(late, self.month_end - timedelta(days=2))
        # Phoned: phone calls only, which the KAM rule does not count
        for offset in (-20, 5):
            self.visit(phoned, self.day(1) + timedelta(days=offset),
                       kind="phone")
        card = self.card()
        self.assertAlmostEqual(card.visit_compliance_pct, 100.0 / 3)
        Snapshot = self.env["kam.visit.compliance.snapshot"]
        rows = Snapshot.search([("month", "=", ds(self.month)),
                                ("role", "=", "kam"),
                                ("responsible_id", "=", self.kam.id)])
        states = {row.partner_id: row.state for row in rows}
        self.assertEqual(len(states), 3)
        self.assertEqual(states[late], "overdue")
        self.assertEqual(states[phoned], "overdue")
        # due soon a few days before its visit in the month, never overdue
        self.assertEqual(states[regular], "due_soon")
        # rebuilt once: the report reads the same rows, a second rebuild
        # writes nothing
        self.assertAlmostEqual(self.kam_report().visit_compliance_pct,
                               100.0 / 3)
        self.assertEqual(Snapshot._kam_rebuild_month(ds(self.month)), 0)

    def test_rebuilt_as_the_daily_action_would_have_seen_it(self):
        """The same visits, once with the daily action run on every day of
        the month, once rebuilt: the same worst states."""
        accounts = [self.account("Daily %s" % n) for n in range(3)]
        self.visit(accounts[0], self.day(1) - timedelta(days=10))
        self.visit(accounts[0], self.day(18))
        self.visit(accounts[1], self.day(1) - timedelta(days=29))
        self.visit(accounts[1], self.day(12))
        # accounts[2]: never visited, a key account since long ago
        Snapshot = self.env["kam.visit.compliance.snapshot"]
        self.assertGreater(Snapshot._kam_rebuild_month(ds(self.month)), 0)
        rebuilt = self.states()
        self.assertEqual(len(rebuilt), 3)
        # the daily action on each day of the month, seeing only the visits
        # done by then: those of the month are logged on their day
        self.env.cr.execute(
            "DELETE FROM kam_visit_compliance_snapshot WHERE month = %s",
            (ds(self.month),))
        in_month = self.env["kam.visit"].search([
            ("partner_id", "in", [a.id for a in accounts]),
            ("visit_date", ">=", ds(self.month))])
        logged = {v.id: v.state for v in in_month}
        in_month.write({"state": "planned"})
        Compliance = self.env["kam.visit.compliance"]
        day = self.month
        while day <= self.month_end:
            for visit in in_month:
                if visit.visit_date[:10] == ds(day):
                    visit.write({"state": logged[visit.id]})
            Compliance._kam_refresh(today=ds(day), activities=False)
            self.env.cr.execute(
                "INSERT INTO kam_visit_compliance_snapshot (month, "
                "partner_id, rule_id, role, responsible_id, state, "
                "compliant, compliant_pct) SELECT %s, partner_id, rule_id, "
                "role, responsible_id, state, state <> 'overdue', 0 "
                "FROM kam_visit_compliance WHERE partner_id = ANY(%s) "
                "ON CONFLICT (month, partner_id, rule_id) DO UPDATE SET "
                "state = CASE WHEN kam_visit_compliance_snapshot.state = "
                "'overdue' OR EXCLUDED.state = 'overdue' THEN 'overdue' "
                "WHEN kam_visit_compliance_snapshot.state = 'due_soon' OR "
                "EXCLUDED.state = 'due_soon' THEN 'due_soon' ELSE 'ok' END",
                (ds(self.month), [a.id for a in accounts]))
            day += timedelta(days=1)
        Snapshot.invalidate_cache()
        self.assertEqual(self.states(), rebuilt)
        self.assertEqual(rebuilt[accounts[2].id], "overdue")

    def states(self):
        self.env.cr.execute(
            "SELECT s.partner_id, s.state FROM kam_visit_compliance_snapshot s"
            " JOIN res_partner p ON p.id = s.partner_id"
            " WHERE s.month = %s AND p.kam_manager_id = %s AND s.role = 'kam'",
            (ds(self.month), self.kam.id))
        return dict(self.env.cr.fetchall())

    def test_the_current_month_is_never_rebuilt(self):
        self.account("Now Co")
        Snapshot = self.env["kam.visit.compliance.snapshot"]
        self.env.cr.execute(
            "DELETE FROM kam_visit_compliance_snapshot WHERE month = %s",
            (ds(month_start()),))
        self.assertEqual(Snapshot._kam_rebuild_month(ds(today())), 0)


class TestVisitReports(FiguresCase):
    """R8: a report is due within visit_report_days (3); still overdue
    visit_report_escalation_days (7) later, the supervisor is told once."""

    def setUp(self):
        super(TestVisitReports, self).setUp()
        self.supervisor = ref(self.env, "user_kam_regional")
        self.partner = self.account("Report Co")

    def visit(self, days_ago):
        moment = fields.Datetime.from_string(fields.Datetime.now()) - \
            timedelta(days=days_ago)
        return self.env["kam.visit"].create({
            "partner_id": self.partner.id, "user_id": self.kam.id,
            "purpose": "Review", "visit_date": ds(moment),
            "state": "done"})

    def activities(self, user, visits):
        return self.env["mail.activity"].search([
            ("res_model", "=", "kam.visit"), ("res_id", "in", visits.ids),
            ("user_id", "=", user.id),
            ("activity_type_id", "=", self.env.ref(REPORT_ACTIVITY).id)])

    def test_supervisor_told_once_after_seven_more_days(self):
        Compliance = self.env["kam.visit.compliance"]
        fresh = self.visit(5)       # overdue, not yet for a week
        old = self.visit(12)        # overdue for 9 days
        Compliance._cron_visit_compliance()
        visits = fresh | old
        self.assertEqual(len(self.activities(self.kam, visits)), 2)
        told = self.activities(self.supervisor, visits)
        self.assertEqual(told.mapped("res_id"), [old.id])
        self.assertTrue(old.report_escalated_date)
        self.assertFalse(fresh.report_escalated_date)
        # a second run tells nobody again
        Compliance._cron_visit_compliance()
        self.assertEqual(len(self.activities(self.supervisor, visits)), 1)
        self.assertEqual(len(self.activities(self.kam, visits)), 2)

    def test_escalation_days_are_a_setting(self):
        ICP = self.env["ir.config_parameter"]
        ICP.set_param("kam_management.visit_report_escalation_days", "1")
        visit = self.visit(5)
        self.env["kam.visit.compliance"]._cron_visit_compliance()
        self.assertEqual(len(self.activities(self.supervisor, visit)), 1)

    def test_days_below_zero_refused(self):
        ICP = self.env["ir.config_parameter"]
        for key in ("kam_management.visit_report_days",
                    "kam_management.visit_report_escalation_days",
                    "kam_management.visit_logged_late_days"):
            before = ICP.get_param(key)
            with self.assertRaisesRegex(ValidationError, key):
                with self.env.cr.savepoint():
                    ICP.set_param(key, "-1")
            with self.assertRaisesRegex(ValidationError, "whole number"):
                with self.env.cr.savepoint():
                    ICP.set_param(key, "three")
            self.assertEqual(ICP.get_param(key), before)
        with self.assertRaisesRegex(ValidationError,
                                    r"Visit Report Due within \(days\)"):
            with self.env.cr.savepoint():
                self.env["res.config.settings"].create(
                    {"kam_visit_report_days": -2})
        # the settings write the parameter
        self.env["res.config.settings"].create(
            {"kam_visit_report_days": 5}).execute()
        self.assertEqual(ICP.get_param("kam_management.visit_report_days"),
                         "5")
        ICP.set_param("kam_management.visit_report_days", "3")
        self.assertEqual(ICP.get_param("kam_management.visit_report_days"),
                         "3")

    def test_punctuality_on_scorecard_and_report(self):
        env = self.env
        base = fields.Datetime.from_string(at(self.day(5)))
        visits = env["kam.visit"]
        for n in range(4):
            visits |= env["kam.visit"].create({
                "partner_id": self.partner.id, "user_id": self.kam.id,
                "purpose": "Review %s" % n,
                "visit_date": ds(base + timedelta(days=n)),
                "state": "done"})
        # two reports on time (within 3 days), one late, one never
        for visit, delay in zip(visits, (1, 3, 6)):
            # submitted on a given day in the past: only SQL can date it
            env.cr.execute(
                "UPDATE kam_visit SET state = 'submitted', "
                "date_submitted = visit_date + %s * interval '1 day' "
                "WHERE id = %s", (delay, visit.id))
        visits.invalidate_cache()
        card = self.card()
        self.assertEqual((card.report_due_count, card.report_on_time_count),
                         (4, 2))
        self.assertAlmostEqual(card.report_punctuality_pct, 50.0)
        report = self.kam_report()
        self.assertEqual((report.report_due_count,
                          report.report_on_time_count), (4, 2))
        self.assertAlmostEqual(report.report_punctuality_pct, 50.0)


class TestTargetTracking(FiguresCase):

    def test_target_changes_are_in_the_chatter(self):
        """A scorecard input: who changed a target, from what to what."""
        env = self.env
        regional = as_user(env, "kam_regional")
        ref(env, "region_east_china").write(
            {"member_ids": [(4, self.kam.id)]})
        target = env["kam.target"].with_env(regional).create({
            "user_id": self.kam.id, "date_from": ds(self.month),
            "date_to": ds(self.month_end), "amount": 1000})
        target.write({"amount": 1500})
        tracked = target.sudo().message_ids.mapped("tracking_value_ids")
        amounts = tracked.filtered(lambda t: t.field == "amount"
                                   and t.new_value_monetary == 1500.0)
        self.assertEqual(len(amounts), 1)
        self.assertEqual(amounts.old_value_monetary, 1000.0)
        self.assertEqual(amounts.mail_message_id.author_id,
                         ref(env, "user_kam_regional").partner_id)
