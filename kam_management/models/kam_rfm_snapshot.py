# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""RFM analysis of key accounts (R13) with churn early warning (R10, R16),
and each account's margin over the same window (R13: what we earn).

The refresh is set-based: one aggregation query over ``sale_order`` for every
key account, scoring in Python, then batched ``UPDATE``/``INSERT`` statements
fed with arrays. Its number of queries does not grow with the number of
accounts, apart from one statement per write batch.
"""
import logging
from bisect import bisect_left
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .kam_fields import Figure
from .kam_lock import acquire_run
from .kam_sales import CONFIRMED_SALES_CTE, sales_params

_logger = logging.getLogger(__name__)

RFM_SEGMENTS = [
    ("champions", "Champions"),
    ("loyal", "Loyal"),
    ("potential", "Potential"),
    ("at_risk", "At Risk"),
    ("hibernating", "Hibernating"),
    ("lost", "Lost"),
]

# ir.config_parameter keys and their defaults (see README)
PARAM_DEFAULTS = {
    "kam_management.rfm_window_days": "365",
    "kam_management.rfm_scoring": "quintile",
    "kam_management.rfm_recency_thresholds": "30,90,180,365",
    "kam_management.rfm_frequency_thresholds": "1,3,6,12",
    "kam_management.rfm_monetary_thresholds": "10000,50000,200000,1000000",
    "kam_management.churn_recency_days": "180",
    "kam_management.churn_drop_percent": "50",
}

# rows per UPDATE / INSERT statement of the refresh
WRITE_BATCH = 2000
# Confirmed orders (R13) as defined once in kam_sales (states, the
# confirmation date, the roll-up to the commercial partner, the rate of the
# confirmation day), in the currency of the account's company.
ORDERS_CTE = CONFIRMED_SALES_CTE

# R, F, M, the margin in the window and the previous window's F and M per
# commercial partner.
RFM_QUERY = ORDERS_CTE + """
SELECT partner_id,
       MAX(sale_date) FILTER (WHERE amount > 0)::date AS last_order,
       COUNT(*) FILTER (WHERE amount > 0
                          AND sale_date >= %(window_from)s) AS frequency,
       COALESCE(SUM(amount) FILTER (
           WHERE sale_date >= %(window_from)s), 0) AS monetary,
       COALESCE(SUM(margin) FILTER (
           WHERE sale_date >= %(window_from)s), 0) AS margin,
       COUNT(*) FILTER (WHERE amount > 0
                          AND sale_date >= %(convert_from)s
                          AND sale_date < %(window_from)s) AS prev_frequency,
       COALESCE(SUM(amount) FILTER (
           WHERE sale_date >= %(convert_from)s
             AND sale_date < %(window_from)s), 0) AS prev_monetary
  FROM converted
 GROUP BY partner_id
"""

# Revenue and margin per commercial partner in a period (the 80/20 finder,
# R1), from the orders of the given companies only.
REVENUE_QUERY = ORDERS_CTE + """
SELECT partner_id, SUM(amount) AS revenue,
       COALESCE(SUM(margin), 0) AS margin
  FROM converted
 WHERE company_id = ANY(%(company_ids)s::int[])
 GROUP BY partner_id
"""

# with the account's company and its currency (each company's accounts
# are ranked among themselves, amounts in that company's currency)
ACCOUNTS_QUERY = """
SELECT p.id, p.kam_rfm_last_order_date, p.kam_rfm_recency_days,
       p.kam_rfm_frequency, p.kam_rfm_monetary, p.kam_rfm_margin,
       p.kam_rfm_margin_rate, p.kam_rfm_score,
       p.kam_rfm_segment, p.kam_churn_risk, p.kam_manager_id,
       p.kam_region_id, r.manager_id AS region_manager_id,
       p.company_id, c.currency_id
  FROM res_partner p
  LEFT JOIN kam_region r ON r.id = p.kam_region_id
  LEFT JOIN res_company c ON c.id = p.company_id
 WHERE p.kam_is_key_account AND p.active
 ORDER BY p.id
"""

UPDATE_PARTNERS = """
UPDATE res_partner p
   SET kam_rfm_last_order_date = u.last_order,
       kam_rfm_recency_days = u.recency,
       kam_rfm_frequency = u.frequency,
       kam_rfm_monetary = u.monetary,
       kam_rfm_margin = u.margin,
       kam_rfm_margin_rate = u.margin_rate,
       kam_rfm_score = u.score,
       kam_rfm_segment = u.segment,
       kam_churn_risk = u.churn
  FROM unnest(%s::int[], %s::date[], %s::int[], %s::int[], %s::numeric[],
              %s::numeric[], %s::numeric[], %s::varchar[], %s::varchar[],
              %s::bool[])
       AS u(id, last_order, recency, frequency, monetary, margin,
            margin_rate, score, segment, churn)
 WHERE p.id = u.id
"""

# Accounts no longer analysed (demoted or archived) keep no stale figures.
CLEAR_PARTNERS = """
UPDATE res_partner
   SET kam_rfm_last_order_date = NULL, kam_rfm_recency_days = NULL,
       kam_rfm_frequency = NULL, kam_rfm_monetary = NULL,
       kam_rfm_margin = NULL, kam_rfm_margin_rate = NULL,
       kam_rfm_score = NULL, kam_rfm_segment = NULL, kam_churn_risk = FALSE
 WHERE (kam_rfm_score IS NOT NULL OR kam_churn_risk)
   AND NOT (COALESCE(kam_is_key_account, FALSE) AND active)
"""

UPSERT_SNAPSHOTS = """
INSERT INTO kam_rfm_snapshot (
    partner_id, month, date, last_order_date, recency_days, frequency,
    monetary, margin, margin_rate, currency_id, r_score, f_score, m_score,
    score, segment, churn_risk, kam_manager_id, kam_region_id, company_id,
    create_uid, create_date, write_uid, write_date)
SELECT u.partner_id, %(month)s, %(date)s, u.last_order, u.recency,
       u.frequency, u.monetary, u.margin, u.margin_rate, u.currency_id,
       u.r_score, u.f_score, u.m_score, u.score, u.segment, u.churn,
       u.kam_id, u.region_id, u.company_id,
       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
  FROM unnest(%(ids)s::int[], %(last_order)s::date[], %(recency)s::int[],
              %(frequency)s::int[], %(monetary)s::numeric[],
              %(margin)s::numeric[], %(margin_rate)s::numeric[],
              %(r_score)s::int[], %(f_score)s::int[], %(m_score)s::int[],
              %(score)s::varchar[], %(segment)s::varchar[],
              %(churn)s::bool[], %(kam_id)s::int[],
              %(region_id)s::int[], %(company_id)s::int[],
              %(currency_id)s::int[])
       AS u(partner_id, last_order, recency, frequency, monetary, margin,
            margin_rate, r_score, f_score, m_score, score, segment, churn,
            kam_id, region_id, company_id, currency_id)
    ON CONFLICT (partner_id, month) DO UPDATE
   SET date = EXCLUDED.date,
       last_order_date = EXCLUDED.last_order_date,
       recency_days = EXCLUDED.recency_days,
       frequency = EXCLUDED.frequency,
       monetary = EXCLUDED.monetary,
       margin = EXCLUDED.margin,
       margin_rate = EXCLUDED.margin_rate,
       currency_id = EXCLUDED.currency_id,
       r_score = EXCLUDED.r_score,
       f_score = EXCLUDED.f_score,
       m_score = EXCLUDED.m_score,
       score = EXCLUDED.score,
       segment = EXCLUDED.segment,
       churn_risk = EXCLUDED.churn_risk,
       kam_manager_id = EXCLUDED.kam_manager_id,
       kam_region_id = EXCLUDED.kam_region_id,
       company_id = EXCLUDED.company_id,
       write_uid = EXCLUDED.write_uid,
       write_date = EXCLUDED.write_date
"""

OPEN_WARNINGS = """
SELECT res_id, user_id
  FROM mail_activity
 WHERE res_model = 'res.partner'
   AND activity_type_id = %s
   AND res_id = ANY(%s)
"""

RFM_PARTNER_FIELDS = [
    "kam_rfm_last_order_date", "kam_rfm_recency_days", "kam_rfm_frequency",
    "kam_rfm_monetary", "kam_rfm_margin", "kam_rfm_margin_rate",
    "kam_rfm_score", "kam_rfm_segment", "kam_churn_risk",
]


# ----------------------------------------------------------------------
# Scoring rules (pure functions, see README "Key-account information and
# RFM analysis")
# ----------------------------------------------------------------------
def quintile_scores(values):
    """Score each key from 1 to 5 by its value's percent rank.

    ``values`` maps keys to comparable values, higher is better. The percent
    rank is the share of the other accounts with a strictly worse value,
    ``p = below / (n - 1)``; the score is ``min(5, 1 + floor(5 p))``. Equal
    values get equal scores; a single account scores 3.
    """
    count = len(values)
    if count == 1:
        return {key: 3 for key in values}
    ordered = sorted(values.values())
    scores = {}
    for key, value in values.items():
        below = bisect_left(ordered, value)
        scores[key] = min(5, 1 + (5 * below) // (count - 1))
    return scores


def threshold_score(value, thresholds, lower_is_better=False):
    """Score from 1 to 5 against four ascending thresholds.

    Recency (lower is better): 5 up to the first threshold, then 4, 3, 2, and
    1 beyond the fourth or without any order (``None``). Frequency and amount:
    1 plus the number of thresholds reached.
    """
    if value is None:
        return 1
    if lower_is_better:
        return 5 - sum(1 for limit in thresholds if value > limit)
    return 1 + sum(1 for limit in thresholds if value >= limit)


def rfm_segment(r_score, f_score, m_score, has_order):
    """The segment of an account from its three scores.

    Checked in this order: champions (R, F and M all >= 4), loyal (R >= 3
    and F >= 3), potential (R >= 3), at risk (F >= 3: frequent buyers gone
    quiet), hibernating (R = 2) and lost (R = 1). No segment without any
    purchase.
    """
    if not has_order:
        return None
    if r_score >= 4 and f_score >= 4 and m_score >= 4:
        return "champions"
    if r_score >= 3 and f_score >= 3:
        return "loyal"
    if r_score >= 3:
        return "potential"
    if f_score >= 3:
        return "at_risk"
    if r_score == 2:
        return "hibernating"
    return "lost"


def is_churn_risk(row, settings):
    """Churn risk: an account that has bought and either has not ordered for
    more than the configured days, or whose frequency or amount fell by the
    configured share (or more) against the previous window."""
    if row["last_order"] is None:
        return False
    if row["recency"] > settings["churn_recency_days"]:
        return True
    keep = 100 - settings["churn_drop_percent"]
    if row["prev_frequency"] > 0 and \
            row["frequency"] * 100 <= row["prev_frequency"] * keep:
        return True
    return row["prev_monetary"] > 0 and \
        row["monetary"] * 100 <= row["prev_monetary"] * keep


def margin_rate(margin, revenue):
    """The margin in percent of the untaxed revenue, rounded to 0.01;
    None (an empty figure) without a positive revenue: no revenue gives no
    rate, and a rate of net refunds would read as the opposite of what it
    is."""
    if not revenue or revenue <= 0:
        return None
    return round(100.0 * (margin or 0.0) / revenue, 2)


def score_dropped(old_score, new_score, by=2):
    """Whether any letter of the score fell by ``by`` or more."""
    if not old_score or not new_score or len(old_score) != 3:
        return False
    return any(int(old) - int(new) >= by
               for old, new in zip(old_score, new_score))


class KamRfmSnapshot(models.Model):
    """A key account's RFM figures at a month (R13, R15).

    One row per account and month, upserted by every refresh of that month,
    so the row of a past month holds its month-end state and trends show in
    graphs and month reports.
    """

    _name = "kam.rfm.snapshot"
    _inherit = ["kam.input.check"]
    _description = "Key-Account RFM Snapshot"
    _order = "month desc, partner_id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Key Account", required=True, index=True,
        ondelete="cascade", readonly=True)
    month = fields.Date(required=True, index=True, readonly=True,
                        help="First day of the month of the snapshot.")
    date = fields.Date(string="Computed On", required=True, readonly=True)
    last_order_date = fields.Date(string="Last Order", readonly=True)
    recency_days = fields.Integer(string="Recency (days)", readonly=True)
    frequency = fields.Integer(readonly=True, group_operator="sum")
    monetary = fields.Monetary(readonly=True)
    # what we earn (R13): the margin of the same orders (sale_margin), and
    # its share of the untaxed revenue; no revenue: no rate (empty)
    margin = fields.Monetary(
        readonly=True,
        help="Margin (untaxed revenue less cost) of the confirmed orders "
             "in the analysis window, in the company currency.")
    margin_rate = Figure(
        string="Margin Rate (%)", digits=(16, 2), readonly=True,
        group_operator="avg",
        help="Margin in percent of the untaxed revenue of the window; "
             "empty without a positive revenue. Grouped, the plain average "
             "of the accounts' rates.")
    currency_id = fields.Many2one("res.currency", readonly=True)
    r_score = fields.Integer(string="R", readonly=True, group_operator="avg")
    f_score = fields.Integer(string="F", readonly=True, group_operator="avg")
    m_score = fields.Integer(string="M", readonly=True, group_operator="avg")
    score = fields.Char(string="RFM Score", size=3, readonly=True)
    segment = fields.Selection(RFM_SEGMENTS, string="RFM Segment",
                               readonly=True, index=True)
    churn_risk = fields.Boolean(readonly=True)
    kam_manager_id = fields.Many2one(
        "res.users", string="Key Account Manager", readonly=True,
        index=True)
    kam_region_id = fields.Many2one(
        "kam.region", string="Key-Account Region", readonly=True, index=True)
    # the refresh writes it in SQL too; related so that an upgrade fills
    # it on existing rows and a move of the account moves its history
    company_id = fields.Many2one(
        "res.company", string="Company", related="partner_id.company_id",
        store=True, readonly=True, index=True)

    _sql_constraints = [
        ("partner_month_uniq", "unique(partner_id, month)",
         "There is one RFM snapshot per key account and month."),
    ]

    # ------------------------------------------------------------------
    # Settings
    # ------------------------------------------------------------------
    @api.model
    def _kam_rfm_settings(self, raw=None):
        """The analysis settings, validated.

        ``raw`` maps config parameter keys to text values (the settings form
        passes what is being saved); by default they are read from
        ``ir.config_parameter``. Raises a ValidationError naming the setting.
        """
        if raw is None:
            ICP = self.env["ir.config_parameter"].sudo()  # sudo: system params
            raw = {key: ICP.get_param(key, default) for key, default in
                   PARAM_DEFAULTS.items()}
        scoring = raw.get("kam_management.rfm_scoring") or "quintile"
        if scoring not in ("quintile", "threshold"):
            raise ValidationError(_(
                "%s must be \"quintile\" or \"threshold\" (got \"%s\").")
                % (self._kam_rfm_setting_labels()[
                    "kam_management.rfm_scoring"], scoring))
        number, thresholds = self._kam_rfm_number, self._kam_rfm_thresholds
        return {
            "window_days": number(raw, "kam_management.rfm_window_days",
                                  int, 1, 3650),
            "scoring": scoring,
            "recency_thresholds": thresholds(
                raw, "kam_management.rfm_recency_thresholds", int),
            "frequency_thresholds": thresholds(
                raw, "kam_management.rfm_frequency_thresholds", int),
            "monetary_thresholds": thresholds(
                raw, "kam_management.rfm_monetary_thresholds", float),
            "churn_recency_days": number(
                raw, "kam_management.churn_recency_days", int, 1, 3650),
            "churn_drop_percent": number(
                raw, "kam_management.churn_drop_percent", int, 1, 100),
        }

    @api.model
    def _kam_rfm_number(self, raw, key, kind, low, high):
        """A number setting between ``low`` and ``high``."""
        text = raw.get(key)
        # 0 is a value here, not "unset" (0 == False in Python)
        if text is None or text is False or text == "":
            text = PARAM_DEFAULTS[key]
        text = str(text)
        try:
            value = kind(text.strip())
        except ValueError:
            raise ValidationError(_("%s: \"%s\" is not a number.") % (
                self._kam_rfm_setting_labels()[key], text))
        if not low <= value <= high:
            raise ValidationError(_(
                "%s must be between %s and %s (got %s).") % (
                    self._kam_rfm_setting_labels()[key], low, high, value))
        return value

    @api.model
    def _kam_rfm_thresholds(self, raw, key, kind):
        """Four ascending numbers, zero or more, separated by commas."""
        text = str(raw.get(key) or PARAM_DEFAULTS[key])
        try:
            values = [kind(part.strip()) for part in text.split(",")]
        except ValueError:
            raise ValidationError(_(
                "%s: \"%s\" is not a list of numbers.") % (
                    self._kam_rfm_setting_labels()[key], text))
        if len(values) != 4 or any(v < 0 for v in values) or \
                values != sorted(set(values)):
            raise ValidationError(_(
                "%s needs four different numbers, zero or more, in "
                "ascending order, separated by commas (got \"%s\").") % (
                    self._kam_rfm_setting_labels()[key], text))
        return values

    @api.model
    def _kam_rfm_setting_labels(self):
        return {
            "kam_management.rfm_window_days": _("RFM analysis window (days)"),
            "kam_management.rfm_scoring": _("RFM scoring method"),
            "kam_management.rfm_recency_thresholds":
                _("Recency thresholds (days)"),
            "kam_management.rfm_frequency_thresholds":
                _("Frequency thresholds (orders)"),
            "kam_management.rfm_monetary_thresholds":
                _("Monetary thresholds (amount)"),
            "kam_management.churn_recency_days":
                _("Churn risk after days without order"),
            "kam_management.churn_drop_percent":
                _("Churn risk on a drop of (%)"),
        }

    # ------------------------------------------------------------------
    # The refresh
    # ------------------------------------------------------------------
    @api.model
    def _kam_rfm_refresh(self, as_of=None, skip_if_locked=False,
                         snapshot_only=False):
        """Recompute the RFM figures of every active key account as of the
        date ``as_of`` (default: today), snapshot them and raise the early
        warnings. Returns counters (accounts, write batches, warnings).

        ``snapshot_only`` rebuilds the snapshot of a past month-end without
        touching the accounts or warning anyone (history for the trend
        graphs, e.g. after installing the addon on an existing database).

        Running it twice gives the same result and no duplicate snapshot or
        warning; it runs in one transaction, so a crash writes nothing.
        """
        settings = self._kam_rfm_settings()
        as_of = fields.Date.from_string(
            as_of or fields.Date.context_today(self))
        cr = self.env.cr
        if not acquire_run(self.env, "kam_management.ir_cron_rfm_refresh"):
            if skip_if_locked:
                _logger.info("RFM refresh already running; skipped")
                return {}
            raise UserError(_(
                "The RFM analysis is being refreshed right now; try again "
                "in a moment."))
        cr.execute(ACCOUNTS_QUERY)
        accounts = cr.dictfetchall()
        figures = self._kam_rfm_figures(
            as_of, settings["window_days"], [a["id"] for a in accounts])
        rows = self._kam_rfm_score_rows(accounts, figures, as_of, settings)
        stats = {"accounts": len(rows), "batches": 0, "warnings": 0,
                 "warning_queries": 0}
        if not snapshot_only:
            stats["batches"] += self._kam_rfm_write_partners(accounts, rows)
            cr.execute(CLEAR_PARTNERS)
        stats["batches"] += self._kam_rfm_write_snapshots(rows, as_of)
        self.env["res.partner"].invalidate_cache(RFM_PARTNER_FIELDS)
        self.invalidate_cache()
        if snapshot_only:
            return stats
        # warnings are per event, not per account: counted apart
        before = cr.sql_log_count
        stats["warnings"] = self._kam_rfm_warn(accounts, rows, as_of)
        stats["warning_queries"] = cr.sql_log_count - before
        ICP = self.env["ir.config_parameter"].sudo()  # sudo: system parameter
        if ICP.get_param("kam_management.rfm_last_refresh") != \
                fields.Date.to_string(as_of):
            ICP.set_param("kam_management.rfm_last_refresh",
                          fields.Date.to_string(as_of))
        _logger.info("RFM refresh as of %s: %d accounts, %d write batches, "
                     "%d warnings", as_of, stats["accounts"],
                     stats["batches"], stats["warnings"])
        return stats

    @api.model
    def _kam_rfm_figures(self, as_of, window_days, partner_ids):
        """One aggregation query: per commercial partner, the latest
        purchase, orders, amount and margin in the window, and orders and
        amount in the previous window of the same length."""
        if not partner_ids:
            return {}
        date_to = as_of + timedelta(days=1)
        window_from = date_to - timedelta(days=window_days)
        prev_from = window_from - timedelta(days=window_days)
        params = sales_params(
            None, fields.Date.to_string(date_to), partner_ids,
            convert_from=fields.Date.to_string(prev_from))
        params["window_from"] = fields.Date.to_string(window_from)
        self.env.cr.execute(RFM_QUERY, params)
        return {row["partner_id"]: row
                for row in self.env.cr.dictfetchall()}

    @api.model
    def _kam_rfm_score_rows(self, accounts, figures, as_of, settings):
        """R, F, M, scores, segment and churn flag of each account."""
        # accounts shared by all companies: the main company's currency
        default_currency = self.env.ref("base.main_company").currency_id.id
        rows = []
        for account in accounts:
            data = figures.get(account["id"], {})
            last_order = data.get("last_order")
            if isinstance(last_order, str):
                last_order = fields.Date.from_string(last_order)
            rows.append({
                "id": account["id"],
                "last_order": last_order,
                "recency": (as_of - last_order).days if last_order else None,
                "frequency": data.get("frequency") or 0,
                "monetary": round(float(data.get("monetary") or 0.0), 2),
                "margin": round(float(data.get("margin") or 0.0), 2),
                "prev_frequency": data.get("prev_frequency") or 0,
                "prev_monetary": float(data.get("prev_monetary") or 0.0),
                "kam_id": account["kam_manager_id"],
                "region_id": account["kam_region_id"],
                "company_id": account["company_id"],
                "currency_id": account["currency_id"] or default_currency,
            })
        if settings["scoring"] == "quintile":
            r_scores, f_scores, m_scores = {}, {}, {}
            # each company's accounts are ranked among themselves
            for company_rows in self._kam_rfm_by_company(rows):
                r_scores.update(quintile_scores({
                    row["id"]: (row["recency"] is not None,
                                -(row["recency"] or 0))
                    for row in company_rows}))
                f_scores.update(quintile_scores({
                    row["id"]: row["frequency"] for row in company_rows}))
                m_scores.update(quintile_scores({
                    row["id"]: row["monetary"] for row in company_rows}))
        else:
            r_scores, f_scores, m_scores = {}, {}, {}
            for row in rows:
                r_scores[row["id"]] = threshold_score(
                    row["recency"], settings["recency_thresholds"], True)
                f_scores[row["id"]] = threshold_score(
                    row["frequency"], settings["frequency_thresholds"])
                m_scores[row["id"]] = threshold_score(
                    row["monetary"], settings["monetary_thresholds"])
        for row in rows:
            row["margin_rate"] = margin_rate(row["margin"], row["monetary"])
            row["r_score"] = r_scores[row["id"]]
            row["f_score"] = f_scores[row["id"]]
            row["m_score"] = m_scores[row["id"]]
            row["score"] = "%d%d%d" % (row["r_score"], row["f_score"],
                                       row["m_score"])
            row["segment"] = rfm_segment(
                row["r_score"], row["f_score"], row["m_score"],
                row["last_order"] is not None)
            row["churn"] = is_churn_risk(row, settings)
        return rows

    @staticmethod
    def _kam_rfm_by_company(rows):
        """``rows`` in groups of the same company (shared accounts, without
        a company, form their own group)."""
        groups = {}
        for row in rows:
            groups.setdefault(row["company_id"], []).append(row)
        return [groups[key] for key in sorted(groups, key=lambda k: k or 0)]

    @api.model
    def _kam_rfm_write_partners(self, accounts, rows):
        """Write the figures that changed, in batches of array-fed UPDATEs.
        Returns the number of statements."""
        def number(value):
            return None if value is None else round(float(value), 2)

        def stored(account):
            return (account["kam_rfm_last_order_date"],
                    account["kam_rfm_recency_days"],
                    account["kam_rfm_frequency"],
                    number(account["kam_rfm_monetary"]),
                    number(account["kam_rfm_margin"]),
                    number(account["kam_rfm_margin_rate"]),
                    account["kam_rfm_score"], account["kam_rfm_segment"],
                    bool(account["kam_churn_risk"]))

        old = {a["id"]: stored(a) for a in accounts}
        changed = []
        for row in rows:
            new = (row["last_order"], row["recency"], row["frequency"],
                   row["monetary"], row["margin"], row["margin_rate"],
                   row["score"], row["segment"], row["churn"])
            previous = old[row["id"]]
            if isinstance(previous[0], str):
                previous = (fields.Date.from_string(previous[0]),) + \
                    previous[1:]
            if new != previous:
                changed.append((row["id"],) + new)
        statements = 0
        for start in range(0, len(changed), WRITE_BATCH):
            columns = list(zip(*changed[start:start + WRITE_BATCH]))
            self.env.cr.execute(UPDATE_PARTNERS, [list(c) for c in columns])
            statements += 1
        return statements

    @api.model
    def _kam_rfm_write_snapshots(self, rows, as_of):
        """Upsert this month's snapshot of every account. Returns the number
        of statements."""
        statements = 0
        for start in range(0, len(rows), WRITE_BATCH):
            batch = rows[start:start + WRITE_BATCH]

            def column(name, batch=batch):
                return [row[name] for row in batch]
            self.env.cr.execute(UPSERT_SNAPSHOTS, {
                "month": fields.Date.to_string(as_of.replace(day=1)),
                "date": fields.Date.to_string(as_of),
                "currency_id": column("currency_id"),
                "company_id": column("company_id"),
                "uid": self.env.uid,
                "ids": column("id"),
                "last_order": column("last_order"),
                "recency": column("recency"),
                "frequency": column("frequency"),
                "monetary": column("monetary"),
                "margin": column("margin"),
                "margin_rate": column("margin_rate"),
                "r_score": column("r_score"),
                "f_score": column("f_score"),
                "m_score": column("m_score"),
                "score": column("score"),
                "segment": column("segment"),
                "churn": column("churn"),
                "kam_id": column("kam_id"),
                "region_id": column("region_id"),
            })
            statements += 1
        return statements

    # ------------------------------------------------------------------
    # Early warning (R10, R16)
    # ------------------------------------------------------------------
    @api.model
    def _kam_rfm_warn(self, accounts, rows, as_of):
        """One activity for the KAM and one for the region's manager of
        each account that turned churn-risk or whose score fell by 2 or
        more in a letter; none when such an activity is still open."""
        old = {a["id"]: a for a in accounts}
        alerts = []
        for row in rows:
            before = old[row["id"]]
            turned = row["churn"] and not before["kam_churn_risk"]
            dropped = score_dropped(before["kam_rfm_score"], row["score"])
            if turned or dropped:
                alerts.append((row, before, turned, dropped))
        if not alerts:
            return 0
        activity_type = self.env.ref(
            "kam_management.mail_activity_type_kam_churn_risk")
        self.env.cr.execute(OPEN_WARNINGS, (
            activity_type.id, [alert[0]["id"] for alert in alerts]))
        open_pairs = set(self.env.cr.fetchall())
        deadline = fields.Date.to_string(
            as_of + timedelta(days=activity_type.days))
        model_id = self.env["ir.model"]._get("res.partner").id
        Users = self.env["res.users"].sudo()  # sudo: language of recipients
        # sudo: warnings are notifications from the system to the account's
        # KAM and regional manager, whoever triggered the refresh
        Activity = self.env["mail.activity"].sudo()  # sudo: see above
        created = 0
        for row, before, turned, dropped in alerts:
            for user_id in {before["kam_manager_id"],
                            before["region_manager_id"]}:
                if not user_id or (row["id"], user_id) in open_pairs:
                    continue
                user = Users.browse(user_id)
                texts = self.with_context(lang=user.lang)._kam_rfm_warning(
                    row, before, turned, dropped)
                Activity.create({
                    "res_model_id": model_id,
                    "res_id": row["id"],
                    "activity_type_id": activity_type.id,
                    "user_id": user_id,
                    "summary": texts["summary"],
                    "note": texts["note"],
                    "date_deadline": deadline,
                })
                open_pairs.add((row["id"], user_id))
                created += 1
        return created

    @api.model
    def _kam_rfm_warning(self, row, before, turned, dropped):
        """Summary and note of a warning, in the context's language."""
        reasons = []
        if turned:
            reasons.append(_("The account turned churn-risk."))
        if dropped:
            reasons.append(_("Its RFM score fell from %s to %s.")
                           % (before["kam_rfm_score"], row["score"]))
        if row["recency"] is not None:
            reasons.append(_("Last order %s days ago.") % row["recency"])
        reasons.append(_(
            "Orders in the window: %s (previous window: %s).")
            % (row["frequency"], row["prev_frequency"]))
        reasons.append(_(
            "Amount in the window: %.2f (previous window: %.2f).")
            % (row["monetary"], row["prev_monetary"]))
        return {
            "summary": _("Churn risk: contact the customer"),
            "note": "".join("<p>%s</p>" % text for text in reasons),
        }
