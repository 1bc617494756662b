# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .kam_pareto_wizard import PARETO_STATUSES


class KamParetoWizardLine(models.TransientModel):
    """One customer of the 80/20 ranking (R1)."""

    _name = "kam.pareto.wizard.line"
    _inherit = ["kam.input.check"]
    _description = "80/20 Key-Account Finder Line"
    _order = "rank, id"  # unranked (NULL) last
    _rec_name = "partner_id"

    wizard_id = fields.Many2one("kam.pareto.wizard", required=True,
                                ondelete="cascade", index=True)
    rank = fields.Integer(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer",
                                 readonly=True, required=True)
    currency_id = fields.Many2one(related="wizard_id.currency_id",
                                  readonly=True)
    revenue = fields.Monetary(readonly=True)
    share = fields.Float(string="Share (%)", digits=(16, 2), readonly=True)
    cumulative_share = fields.Float(string="Cumulative Share (%)",
                                    digits=(16, 2), readonly=True)
    in_top = fields.Boolean(string="In the Top", readonly=True)
    is_key_account = fields.Boolean(string="Key Account", readonly=True)
    status = fields.Selection(PARETO_STATUSES, readonly=True)
    selected = fields.Boolean(string="Promote")
