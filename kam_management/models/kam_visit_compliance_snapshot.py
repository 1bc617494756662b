# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from .kam_visit_compliance import STATES


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
