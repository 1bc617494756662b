# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class KamRequirementRejectWizard(models.TransientModel):
    """Ask the reviewer why a solution goes back to drafting (R6)."""

    _name = "kam.requirement.reject.wizard"
    _inherit = ["kam.input.check"]
    _description = "Send a Solution Back to Drafting"

    requirement_id = fields.Many2one(
        "kam.requirement", string="Requirement", required=True,
        ondelete="cascade")
    reason = fields.Text(required=True)

    @api.multi
    def action_reject(self):
        self.ensure_one()
        self.requirement_id.action_reject(reason=self.reason)
        return {"type": "ir.actions.act_window_close"}
