# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .kam_fields import Figure
from .kam_lock import acquire_run
from .kam_sales import confirmed_sales

_logger = logging.getLogger(__name__)

# Whether an account was a key account at a date: its last level change
# before that date left it with a level; without history before the date,
# it is a key account now and has been since before the date.
AT_START_SQL = """
SELECT p.kam_manager_id, p.id
  FROM res_partner p
  LEFT JOIN LATERAL (
        SELECT h.new_level_id IS NOT NULL AS is_key
          FROM kam_relationship_history h
         WHERE h.partner_id = p.id AND h.date < %(start)s
         ORDER BY h.date DESC, h.id DESC LIMIT 1) last ON TRUE
  LEFT JOIN LATERAL (
        SELECT h.old_level_id IS NOT NULL AS was_key
          FROM kam_relationship_history h
         WHERE h.partner_id = p.id AND h.date >= %(start)s
         ORDER BY h.date, h.id LIMIT 1) next ON TRUE
 WHERE p.kam_manager_id = ANY(%(users)s)
   AND (last.is_key
        OR (last.is_key IS NULL AND next.was_key)
        OR (last.is_key IS NULL AND next.was_key IS NULL
            AND p.kam_is_key_account AND p.kam_since < %(start)s))
"""

HISTORY_SQL = """
SELECT p.kam_manager_id, h.direction, h.partner_id
  FROM kam_relationship_history h
  JOIN res_partner p ON p.id = h.partner_id
 WHERE p.kam_manager_id = ANY(%(users)s)
   AND h.date >= %(start)s AND h.date < %(stop)s
   AND (h.direction = 'out' OR (h.direction = 'up' AND h.loyalty_upgrade))
"""

# each account weighs the same, however many surveys it answered; the
# number of scores by source (the customer's answers, entered by hand)
SATISFACTION_SQL = """
SELECT kam_manager_id, avg(account_avg), sum(n), sum(n_customer),
       sum(n_manual)
  FROM (SELECT kam_manager_id, partner_id, avg(score) AS account_avg,
               count(*) AS n,
               count(*) FILTER (WHERE source = 'customer') AS n_customer,
               count(*) FILTER (WHERE source = 'manual') AS n_manual
          FROM kam_satisfaction
         WHERE kam_manager_id = ANY(%(users)s)
           AND date >= %(start)s AND date <= %(end)s
         GROUP BY kam_manager_id, partner_id) x
 GROUP BY kam_manager_id
"""

# accounts at churn risk at the start (previous month's RFM snapshot) and at
# the end (the month's snapshot) of a one-month period
CHURN_RISK_SQL = """
SELECT s.kam_manager_id, s.partner_id
  FROM kam_rfm_snapshot s
  JOIN kam_rfm_snapshot p
    ON p.partner_id = s.partner_id AND p.month = %(previous)s
   AND p.churn_risk
 WHERE s.month = %(month)s AND s.churn_risk
   AND s.kam_manager_id = ANY(%(users)s)
"""

# the month-end hand-in (R14): late to hand in, late to enter
HANDIN_SQL = """
SELECT user_id, bool_or(handin_late), bool_or(entry_late)
  FROM kam_month_handin
 WHERE period_start = %(start)s AND user_id = ANY(%(users)s)
 GROUP BY user_id
"""

# the KAM's month-end report of the month (R4, issue 13): submitted late
REPORT_LATE_SQL = """
SELECT user_id, bool_or(submit_late)
  FROM kam_report
 WHERE report_type = 'kam_monthly' AND period_start = %(start)s
   AND user_id = ANY(%(users)s)
 GROUP BY user_id
"""

UPSERT_SQL = """
INSERT INTO kam_scorecard
       (user_id, period_start, period_end, company_id, sales_amount,
        target_amount, target_achievement_pct, satisfaction_avg,
        satisfaction_count, buyer_count, repeat_buyer_count,
        repeat_purchase_pct, level_upgrade_count, accounts_at_start,
        accounts_lost, churn_rate_pct, visit_compliance_pct,
        sales_share_pct, report_due_count, report_on_time_count,
        report_punctuality_pct,
        satisfaction_customer_count, satisfaction_manual_count,
        handin_late, handin_entry_late, report_late, visits_verified_count,
        create_uid, create_date, write_uid, write_date)
SELECT x.*, %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s,
       now() AT TIME ZONE 'UTC'
  FROM unnest(%(user_id)s::int[], %(period_start)s::date[],
              %(period_end)s::date[], %(company_id)s::int[],
              %(sales_amount)s::float8[], %(target_amount)s::float8[],
              %(target_achievement_pct)s::float8[],
              %(satisfaction_avg)s::float8[], %(satisfaction_count)s::int[],
              %(buyer_count)s::int[], %(repeat_buyer_count)s::int[],
              %(repeat_purchase_pct)s::float8[],
              %(level_upgrade_count)s::int[], %(accounts_at_start)s::int[],
              %(accounts_lost)s::int[], %(churn_rate_pct)s::float8[],
              %(visit_compliance_pct)s::float8[],
              %(sales_share_pct)s::float8[], %(report_due_count)s::int[],
              %(report_on_time_count)s::int[],
              %(report_punctuality_pct)s::float8[],
              %(satisfaction_customer_count)s::int[],
              %(satisfaction_manual_count)s::int[],
              %(handin_late)s::bool[],
              %(handin_entry_late)s::bool[],
              %(report_late)s::bool[],
              %(visits_verified_count)s::int[]) AS x
ON CONFLICT (user_id, period_start) DO UPDATE SET
       period_end = EXCLUDED.period_end,
       company_id = EXCLUDED.company_id,
       sales_amount = EXCLUDED.sales_amount,
       target_amount = EXCLUDED.target_amount,
       target_achievement_pct = EXCLUDED.target_achievement_pct,
       satisfaction_avg = EXCLUDED.satisfaction_avg,
       satisfaction_count = EXCLUDED.satisfaction_count,
       buyer_count = EXCLUDED.buyer_count,
       repeat_buyer_count = EXCLUDED.repeat_buyer_count,
       repeat_purchase_pct = EXCLUDED.repeat_purchase_pct,
       level_upgrade_count = EXCLUDED.level_upgrade_count,
       accounts_at_start = EXCLUDED.accounts_at_start,
       accounts_lost = EXCLUDED.accounts_lost,
       churn_rate_pct = EXCLUDED.churn_rate_pct,
       visit_compliance_pct = EXCLUDED.visit_compliance_pct,
       sales_share_pct = EXCLUDED.sales_share_pct,
       report_due_count = EXCLUDED.report_due_count,
       report_on_time_count = EXCLUDED.report_on_time_count,
       report_punctuality_pct = EXCLUDED.report_punctuality_pct,
       satisfaction_customer_count = EXCLUDED.satisfaction_customer_count,
       satisfaction_manual_count = EXCLUDED.satisfaction_manual_count,
       handin_late = EXCLUDED.handin_late,
       handin_entry_late = EXCLUDED.handin_entry_late,
       report_late = EXCLUDED.report_late,
       visits_verified_count = EXCLUDED.visits_verified_count,
       write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
"""


def ratio(numerator, denominator):
    """numerator / denominator x 100, or None (no figure) without a base."""
    if not denominator:
        return None
    return 100.0 * numerator / denominator


class KamScorecard(models.Model):
    """A KAM's scorecard for one month (R4): target achievement,
    satisfaction, loyalty, key-account churn and visit compliance.

    One stored row per KAM and month, written by ``_kam_refresh_scorecards``
    in a few set-based queries (no per-account search) and refreshed daily
    by ``ir_cron_scorecard`` for the current and the previous month, and by
    the month-end reports. Percentages without a base (no target, no
    buyer, no account at the start) are empty, not 0, so that averages in
    the pivot skip them.
    """

    _name = "kam.scorecard"
    _inherit = ["kam.input.check"]
    _description = "Key Account Manager Scorecard"
    _order = "period_start desc, user_id"
    _rec_name = "user_id"

    user_id = fields.Many2one("res.users", string="Key Account Manager",
                              readonly=True, required=True, index=True)
    period_start = fields.Date(string="Month", readonly=True, required=True)
    period_end = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", string="Company",
                                 readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id",
                                  readonly=True)
    sales_amount = fields.Float(
        string="Confirmed Sales", readonly=True,
        help="Untaxed confirmed sales orders (state Sales Order or Locked) "
             "of the KAM's key accounts and their contacts confirmed in the "
             "month, in the company currency.")
    target_amount = Figure(
        string="Target", readonly=True,
        help="The KAM's sales targets, each pro rata to the days it shares "
             "with the month.")
    target_achievement_pct = Figure(
        string="Target Achievement (%)", readonly=True, group_operator="avg",
        help="Confirmed sales / target x 100. Empty without a target.")
    satisfaction_avg = Figure(
        string="Satisfaction (1-5)", readonly=True, group_operator="avg",
        help="Average over the accounts of each account's average "
             "satisfaction score in the month. Empty without a score.")
    satisfaction_count = fields.Integer(string="Scores", readonly=True)
    satisfaction_customer_count = fields.Integer(
        string="Customer Answers", readonly=True,
        help="Scores of the month that are the customers' own answers to "
             "satisfaction requests.")
    satisfaction_manual_count = fields.Integer(
        string="Entered by Hand", readonly=True,
        help="Scores of the month entered by the sales secretary or "
             "customer service.")
    buyer_count = fields.Integer(
        string="Accounts Buying", readonly=True,
        help="Key accounts with at least one confirmed order in the month.")
    repeat_buyer_count = fields.Integer(
        string="Accounts Buying Again", readonly=True,
        help="Key accounts with at least two confirmed orders in the month.")
    repeat_purchase_pct = Figure(
        string="Repeat-Purchase Share (%)", readonly=True,
        group_operator="avg",
        help="Accounts buying again / accounts buying x 100 (loyalty).")
    level_upgrade_count = fields.Integer(
        string="Level Upgrades", readonly=True,
        help="Relationship-level changes up the ladder in the month "
             "decided by someone other than the KAM: approved level "
             "requests and direct changes by the regional manager or a "
             "sales director (loyalty, R11).")
    accounts_at_start = fields.Integer(
        string="Key Accounts at Start", readonly=True,
        help="The KAM's key accounts on the first day of the month.")
    accounts_lost = fields.Integer(
        string="Key Accounts Lost", readonly=True,
        help="Key accounts of the KAM demoted during the month, or at RFM "
             "churn risk for the whole month (at risk in the previous "
             "month's and in this month's RFM snapshot).")
    churn_rate_pct = Figure(
        string="Churn Rate (%)", readonly=True, group_operator="avg",
        help="Key accounts lost / key accounts at start x 100.")
    visit_compliance_pct = Figure(
        string="Visit Compliance (%)", readonly=True, group_operator="avg",
        help="Share of the KAM's accounts never overdue for a visit in the "
             "month (Compliance by Month).")
    sales_share_pct = Figure(
        string="Sales Share (%)", readonly=True, group_operator="avg",
        help="Share of wallet: confirmed sales of the KAM's key accounts "
             "that have estimated annual purchases / those estimates pro "
             "rata to the days of the month x 100. Empty when no account "
             "has an estimate.")

    report_due_count = fields.Integer(
        string="Visit Reports Due", readonly=True,
        help="The KAM's done visits of the month whose report is submitted "
             "or past its deadline (kam_management.visit_report_days).")
    report_on_time_count = fields.Integer(
        string="Visit Reports on Time", readonly=True,
        help="Of those, reports submitted within the deadline.")
    report_punctuality_pct = Figure(
        string="Report Punctuality (%)", readonly=True, group_operator="avg",
        help="Visit reports on time / visit reports due x 100 (R8). Empty "
             "without a report due.")

    visits_verified_count = fields.Integer(
        string="Visits Verified on Site", readonly=True,
        help="The KAM's done visits of the month checked in within the "
             "radius of the account's position, or on an account without "
             "a position and reviewed by the supervisor (issue 14).")

    handin_late = fields.Boolean(
        string="Hand-In Late", readonly=True,
        help="The KAM's month-end hand-in of the month (R14) was not "
             "handed in by its deadline (kam_management.handin_day).")
    handin_entry_late = fields.Boolean(
        string="Hand-In Entered Late", readonly=True,
        help="The sales secretary did not enter the KAM's month-end "
             "hand-in within kam_management.handin_entry_days days.")

    report_late = fields.Boolean(
        string="Month-End Report Late", readonly=True,
        help="The KAM's month-end report of the month was not submitted by "
             "its deadline (kam_management.report_submit_day of the "
             "following month).")

    _sql_constraints = [
        ("user_period_uniq", "unique(user_id, period_start)",
         "One scorecard per key account manager and month."),
    ]

    # ------------------------------------------------------------------
    # Figures, one method per criterion (each for all KAMs at once)
    # ------------------------------------------------------------------
    @api.model
    def _kam_sales_by_account(self, account_ids, start, end, currency=None):
        """Confirmed sales per account in [start, end] (dates), as defined
        once in ``kam_sales``: {account_id: {"amount": untaxed in
        ``currency`` (default: the user's company currency), "orders":
        number of orders}}."""
        stop = fields.Date.to_string(
            fields.Date.from_string(end) + timedelta(days=1))
        currency = currency or self.env.user.company_id.currency_id
        return {account_id: {"amount": amount, "orders": orders}
                for account_id, (amount, orders) in confirmed_sales(
                    self.env.cr, start, stop, account_ids,
                    currency.id).items()}

    def _kam_accounts_by_user(self, user_ids):
        """{user_id: [account ids]}: key accounts (and accounts demoted
        since) whose KAM is the user."""
        self.env.cr.execute(
            "SELECT kam_manager_id, array_agg(id) FROM res_partner "
            "WHERE kam_manager_id = ANY(%s) GROUP BY kam_manager_id",
            (list(user_ids),))
        return dict(self.env.cr.fetchall())

    def _kam_user_companies(self, user_ids):
        """{user_id: res.company}: the company a KAM's scorecard belongs
        to, whose currency its amounts are in (the user's company, not the
        one of whoever runs the refresh)."""
        users = self.env["res.users"].sudo().browse(  # sudo: companies
            list(user_ids))
        return {user.id: user.company_id for user in users}

    def _kam_score_sales(self, user_ids, start, end):
        """{user_id: {"sales", "buyers", "repeat_buyers"}}, each KAM's
        amounts in the currency of their company."""
        accounts = self._kam_accounts_by_user(user_ids)
        companies = self._kam_user_companies(accounts)
        by_currency = {}
        for user_id, account_ids in accounts.items():
            by_currency.setdefault(companies[user_id].currency_id,
                                   []).extend(account_ids)
        sales = {}
        for currency, account_ids in by_currency.items():
            for account_id, value in self._kam_sales_by_account(
                    account_ids, start, end, currency).items():
                sales[(currency.id, account_id)] = value
        result = {}
        for user_id, account_ids in accounts.items():
            currency = companies[user_id].currency_id.id
            rows = [sales[(currency, a)] for a in account_ids
                    if (currency, a) in sales]
            result[user_id] = {
                "sales": sum(r["amount"] for r in rows),
                "buyers": len(rows),
                "repeat_buyers": len([r for r in rows if r["orders"] >= 2]),
            }
        return result

    def _kam_score_satisfaction(self, user_ids, start, end):
        """{user_id: (average, number of scores, of which the customers'
        answers, of which entered by hand)}."""
        self.env.cr.execute(SATISFACTION_SQL, {
            "users": list(user_ids), "start": start, "end": end})
        return {uid: (float(avg), n, n_customer, n_manual)
                for uid, avg, n, n_customer, n_manual
                in self.env.cr.fetchall()}

    def _kam_score_history(self, user_ids, start, end):
        """({user_id: upgrades}, {user_id: set of demoted accounts})."""
        stop = fields.Date.to_string(
            fields.Date.from_string(end) + timedelta(days=1))
        self.env.cr.execute(HISTORY_SQL, {
            "users": list(user_ids), "start": start, "stop": stop})
        upgrades, demoted = {}, {}
        for user_id, direction, partner_id in self.env.cr.fetchall():
            if direction == "up":
                upgrades[user_id] = upgrades.get(user_id, 0) + 1
            else:
                demoted.setdefault(user_id, set()).add(partner_id)
        return upgrades, demoted

    def _kam_churn_risk_lost(self, user_ids, start, end):
        """{user_id: set of account ids} lost because at churn risk for the
        whole period (R13, R16): flagged in the RFM snapshot of the month
        before the period (its start) and in the period's own month (its
        end), with the user as KAM."""
        previous = fields.Date.to_string(
            (fields.Date.from_string(start) - timedelta(days=1)).replace(
                day=1))
        self.env.cr.execute(CHURN_RISK_SQL, {
            "users": list(user_ids), "month": start, "previous": previous})
        lost = {}
        for user_id, partner_id in self.env.cr.fetchall():
            lost.setdefault(user_id, set()).add(partner_id)
        return lost

    def _kam_score_sales_share(self, user_ids, start, end):
        """{user_id: sales share (%)} (R4 "sales share", share of wallet):
        confirmed sales of the KAM's key accounts that have an estimated
        annual purchase volume / the sum of those estimates pro rata to the
        days of the period x 100. Accounts without an estimate are left
        out of both sides; no estimate at all gives no figure."""
        # sudo: the scorecard is computed for every KAM at once
        Partner = self.env["res.partner"].sudo()  # sudo: see above
        accounts = Partner.search([
            ("kam_is_key_account", "=", True),
            ("kam_manager_id", "in", list(user_ids)),
            ("kam_estimated_annual_purchases", ">", 0)])
        if not accounts:
            return {}
        days = (fields.Date.from_string(end)
                - fields.Date.from_string(start)).days + 1
        companies = self._kam_user_companies(
            accounts.mapped("kam_manager_id").ids)
        sales = {}
        for currency in set(c.currency_id for c in companies.values()):
            mine = accounts.filtered(
                lambda a, cur=currency:
                companies[a.kam_manager_id.id].currency_id == cur)
            sales.update(self._kam_sales_by_account(
                mine.ids, start, end, currency))
        wallet, ours = {}, {}
        for account in accounts:
            uid = account.kam_manager_id.id
            wallet[uid] = wallet.get(uid, 0.0) + \
                account.kam_estimated_annual_purchases * days / 365.0
            ours[uid] = ours.get(uid, 0.0) + \
                sales.get(account.id, {}).get("amount", 0.0)
        return {uid: ratio(ours[uid], wallet[uid]) for uid in wallet}

    def _kam_score_churn(self, user_ids, start, end):
        """{user_id: (accounts at start, accounts lost)}."""
        self.env.cr.execute(AT_START_SQL, {"users": list(user_ids),
                                           "start": start})
        at_start = {}
        for user_id, partner_id in self.env.cr.fetchall():
            at_start.setdefault(user_id, set()).add(partner_id)
        _upgrades, demoted = self._kam_score_history(user_ids, start, end)
        risk = self._kam_churn_risk_lost(user_ids, start, end)
        result = {}
        for user_id in user_ids:
            base = at_start.get(user_id, set())
            lost = (demoted.get(user_id, set())
                    | risk.get(user_id, set())) & base
            result[user_id] = (len(base), len(lost))
        return result

    def _kam_score_handin(self, user_ids, start):
        """{user_id: (hand-in late, entry late)} of the month's hand-in."""
        self.env.cr.execute(HANDIN_SQL, {"users": list(user_ids),
                                         "start": start})
        return {uid: (late, entry_late)
                for uid, late, entry_late in self.env.cr.fetchall()}

    def _kam_score_report_late(self, user_ids, start):
        """{user_id: True} when the KAM's month-end report of the month is
        late."""
        self.env.cr.execute(REPORT_LATE_SQL, {"users": list(user_ids),
                                              "start": start})
        return {uid: late for uid, late in self.env.cr.fetchall()}

    def _kam_score_visits(self, user_ids, start):
        # sudo: the scorecard is computed for every KAM at once
        Snapshot = self.env["kam.visit.compliance.snapshot"].sudo()  # sudo: see above
        Snapshot._kam_rebuild_month(start)
        return Snapshot.kam_compliance_share(user_ids, start)

    # ------------------------------------------------------------------
    # Refresh
    # ------------------------------------------------------------------
    def _kam_scorecard_users(self, start, end):
        self.env.cr.execute("""
            SELECT kam_manager_id FROM res_partner
             WHERE kam_manager_id IS NOT NULL
            UNION
            SELECT user_id FROM kam_target
             WHERE date_from <= %s AND date_to >= %s""", (end, start))
        return sorted(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _kam_refresh_scorecards(self, period_start, user_ids=None):
        """Write the scorecards of the month starting on ``period_start``
        for ``user_ids`` (every KAM when None). Idempotent (upsert)."""
        start = fields.Date.from_string(period_start).replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        start, end = fields.Date.to_string(start), fields.Date.to_string(end)
        users = list(user_ids) if user_ids is not None else \
            self._kam_scorecard_users(start, end)
        if not users:
            return self.browse()
        targets = self.env["kam.target"].sudo()._kam_target_amounts(  # sudo: every KAM
            users, start, end)
        sales = self._kam_score_sales(users, start, end)
        satisfaction = self._kam_score_satisfaction(users, start, end)
        upgrades, _demoted = self._kam_score_history(users, start, end)
        churn = self._kam_score_churn(users, start, end)
        visits = self._kam_score_visits(users, start)
        # sudo: the punctuality of every KAM's visits
        Visit = self.env["kam.visit"].sudo()  # sudo: see above
        reports = Visit._kam_report_punctuality(
            start, fields.Date.to_string(
                fields.Date.from_string(end) + timedelta(days=1)), users)
        shares = self._kam_score_sales_share(users, start, end)
        handins = self._kam_score_handin(users, start)
        reports_late = self._kam_score_report_late(users, start)
        verified = Visit._kam_verified_counts(
            start, fields.Date.to_string(
                fields.Date.from_string(end) + timedelta(days=1)), users)
        cols = {k: [] for k in (
            "user_id", "period_start", "period_end", "company_id",
            "sales_amount", "target_amount", "target_achievement_pct",
            "satisfaction_avg", "satisfaction_count", "buyer_count",
            "repeat_buyer_count", "repeat_purchase_pct",
            "level_upgrade_count", "accounts_at_start", "accounts_lost",
            "churn_rate_pct", "visit_compliance_pct", "sales_share_pct",
            "report_due_count", "report_on_time_count",
            "report_punctuality_pct",
            "satisfaction_customer_count", "satisfaction_manual_count",
            "handin_late", "handin_entry_late", "report_late",
            "visits_verified_count")}
        companies = self._kam_user_companies(users)
        for uid in users:
            sale = sales.get(uid, {"sales": 0.0, "buyers": 0,
                                   "repeat_buyers": 0})
            target = targets.get(uid)
            score, n_scores, n_customer, n_manual = satisfaction.get(
                uid, (None, 0, 0, 0))
            at_start, lost = churn.get(uid, (0, 0))
            due, on_time = reports.get(uid, (0, 0))
            row = {
                "user_id": uid, "period_start": start, "period_end": end,
                "company_id": companies[uid].id,
                "sales_amount": sale["sales"],
                "target_amount": target,
                "target_achievement_pct": ratio(sale["sales"], target),
                "satisfaction_avg": score, "satisfaction_count": n_scores,
                "buyer_count": sale["buyers"],
                "repeat_buyer_count": sale["repeat_buyers"],
                "repeat_purchase_pct": ratio(sale["repeat_buyers"],
                                             sale["buyers"]),
                "level_upgrade_count": upgrades.get(uid, 0),
                "accounts_at_start": at_start, "accounts_lost": lost,
                "churn_rate_pct": ratio(lost, at_start),
                "visit_compliance_pct": visits.get(uid),
                "sales_share_pct": shares.get(uid),
                "report_due_count": due,
                "report_on_time_count": on_time,
                "report_punctuality_pct": ratio(on_time, due),
                "satisfaction_customer_count": n_customer,
                "satisfaction_manual_count": n_manual,
                "handin_late": bool(handins.get(uid, (False,))[0]),
                "handin_entry_late": bool(handins.get(uid, (False, False))[1]),
                "report_late": bool(reports_late.get(uid)),
                "visits_verified_count": verified.get(uid, 0),
            }
            for key, value in row.items():
                cols[key].append(value)
        cols["uid"] = self.env.uid
        self.env.cr.execute(UPSERT_SQL, cols)
        self.invalidate_cache()
        return self.sudo().search([  # sudo: the rows just written
            ("period_start", "=", start), ("user_id", "in", users)])

    @api.model
    def _cron_scorecard(self, today=None):
        """Daily: the current and the previous month. A run that starts
        while another one is running skips (the rows are upserted, so
        running twice in a row changes nothing)."""
        if not acquire_run(self.env,
                           "kam_management.ir_cron_scorecard"):
            _logger.info("scorecards: another run is in progress")
            return False
        today = fields.Date.from_string(
            today or fields.Date.context_today(self))
        first = today.replace(day=1)
        previous = (first - timedelta(days=1)).replace(day=1)
        for month in (previous, first):
            self._kam_refresh_scorecards(fields.Date.to_string(month))
        return True

    @api.model
    def action_kam_refresh(self):
        """Refresh now (button for regional managers and directors)."""
        if not self.env.user.has_group(
                "kam_management.group_kam_regional_manager"):
            raise AccessError(_(
                "Only regional managers and sales directors can refresh the "
                "scorecards."))
        self._cron_scorecard()
        return True
