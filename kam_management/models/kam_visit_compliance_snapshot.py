# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import api, fields, models

from .kam_visit_compliance import QUALIFYING_VISIT, STATES, TARGET_CTE

_logger = logging.getLogger(__name__)

# A past month rebuilt from the visits (issue 12): for each row of the
# compliance table as it would be today, its worst state in the month as the
# daily action would have seen it. The due date only moves at a visit, so
# the worst day of each stretch between visits is its last day: the
# month's last day and the eve of each visit in the month are the only
# days to check. Rows already there (written by the daily action) stay.
REBUILD_SQL = "WITH " + TARGET_CTE + """, visits AS (
    SELECT t.partner_id, t.rule_id,
           (v.visit_date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS day
      FROM target t
      JOIN kam_visit v
        ON """ + QUALIFYING_VISIT + """
     WHERE v.visit_date < %(stop)s::timestamp + interval '1 day'
), checks AS (
    SELECT t.partner_id, t.rule_id, %(end)s::date AS day
      FROM target t
     WHERE t.since <= %(end)s::date
    UNION
    SELECT partner_id, rule_id, day - 1
      FROM visits
     WHERE day > %(start)s::date AND day <= %(end)s::date
), worst AS (
    SELECT c.partner_id, c.rule_id,
           max(CASE WHEN due.due_date < c.day THEN 3
                    WHEN due.due_date - t.warning_days <= c.day THEN 2
                    ELSE 1 END) AS worst
      FROM checks c
      JOIN target t
        ON t.partner_id = c.partner_id AND t.rule_id = c.rule_id
     CROSS JOIN LATERAL (
           SELECT COALESCE(max(v.day), t.since) + t.interval_days AS due_date
             FROM visits v
            WHERE v.partner_id = c.partner_id AND v.rule_id = c.rule_id
              AND v.day <= c.day) due
     WHERE t.since <= %(end)s::date
     GROUP BY c.partner_id, c.rule_id
)
INSERT INTO kam_visit_compliance_snapshot
       (month, partner_id, rule_id, role, responsible_id, region_id,
        kam_manager_id, company_id, state, compliant, compliant_pct,
        create_uid, create_date, write_uid, write_date)
SELECT %(start)s::date, t.partner_id, t.rule_id, t.role, t.responsible_id,
       t.region_id, t.kam_manager_id, t.company_id,
       (ARRAY['ok', 'due_soon', 'overdue'])[w.worst], w.worst < 3,
       CASE WHEN w.worst = 3 THEN 0 ELSE 100 END,
       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
  FROM worst w
  JOIN target t ON t.partner_id = w.partner_id AND t.rule_id = w.rule_id
ON CONFLICT (month, partner_id, rule_id) DO NOTHING
"""


class KamVisitComplianceSnapshot(models.Model):
    """The worst visit-compliance state each row reached in a month.

    Written by the daily scheduled action; ``compliant_pct`` averages to the
    share of compliant accounts per KAM (or region) and month, which the
    KAM scorecards use (R4, R8).
    """

    _name = "kam.visit.compliance.snapshot"
    _inherit = ["kam.input.check"]
    _description = "Key-Account Visit Compliance by Month"
    _order = "month desc, id"
    _rec_name = "partner_id"

    # month and partner_id lead the unique index: no other index
    month = fields.Date(required=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Key Account", required=True,
        ondelete="cascade", readonly=True)
    rule_id = fields.Many2one("kam.visit.rule", string="Visit Rule",
                              required=True, ondelete="cascade",
                              readonly=True)
    role = fields.Selection(
        [("kam", "Key Account Manager"),
         ("regional_manager", "Regional Manager")], readonly=True)
    responsible_id = fields.Many2one("res.users", string="Responsible",
                                     readonly=True, index=True)
    region_id = fields.Many2one("kam.region", string="Region", readonly=True)
    kam_manager_id = fields.Many2one(
        "res.users", string="Key Account Manager", readonly=True)
    company_id = fields.Many2one("res.company", string="Company",
                                 readonly=True)
    state = fields.Selection(STATES, string="Worst State", readonly=True)
    compliant = fields.Boolean(readonly=True,
                               help="Never overdue during the month.")
    compliant_pct = fields.Float(
        string="Compliant (%)", group_operator="avg", readonly=True,
        help="100 when the row was never overdue during the month, else 0; "
             "its average is the share of compliant accounts.")

    _sql_constraints = [
        ("month_partner_rule_uniq", "unique(month, partner_id, rule_id)",
         "One snapshot row per month, key account and rule."),
    ]

    @api.model
    def kam_compliance_share(self, user_ids, month, role="kam"):
        """Share (0-100) of compliant rows per responsible user for the
        month starting on ``month``: {user_id: share}. One read_group."""
        groups = self.read_group(
            [("responsible_id", "in", list(user_ids)),
             ("month", "=", month), ("role", "=", role)],
            ["responsible_id", "compliant_pct"], ["responsible_id"])
        return {g["responsible_id"][0]: g["compliant_pct"] for g in groups}

    @api.model
    def _kam_rebuild_month(self, month):
        """Give a past month that has no snapshot at all (the months before
        the addon was installed, or before the daily action ran) its
        compliance, rebuilt from the visits; see REBUILD_SQL. Nothing
        happens for the current month, which the daily action keeps, nor
        for a month that has rows. Returns the number of rows written."""
        start = fields.Date.from_string(month).replace(day=1)
        today = fields.Date.from_string(fields.Date.context_today(self))
        if start >= today.replace(day=1):
            return 0
        cr = self.env.cr
        cr.execute("SELECT 1 FROM kam_visit_compliance_snapshot "
                   "WHERE month = %s LIMIT 1", (start,))
        if cr.fetchone():
            return 0
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        cr.execute(REBUILD_SQL, {
            "all": True, "ids": [], "start": start, "end": end, "stop": end,
            "tz": self.env.user.tz or "UTC", "uid": self.env.uid})
        written = cr.rowcount
        self.invalidate_cache()
        _logger.info("visit compliance of %s rebuilt from the visits: %d "
                     "rows", start, written)
        return written
