# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class KamRequirementApproveWizard(models.TransientModel):
    """Ask a regional manager or a sales director why they approve a
    solution instead of the key account manager (R6, setting
    ``kam_management.solution_approval_kam_only``)."""

    _name = "kam.requirement.approve.wizard"
    _inherit = ["kam.input.check"]
    _description = "Approve a Solution instead of the Key Account Manager"

    requirement_id = fields.Many2one(
        "kam.requirement", string="Requirement", required=True,
        ondelete="cascade")
    approver_id = fields.Many2one(
        "res.users", string="Approves as a Rule",
        compute="_compute_approver_id",
        help="Who approves this solution without giving a reason: the key "
             "account manager, or the regional manager when the key account "
             "manager wrote the solution.")
    reason = fields.Text(required=True)

    @api.depends("requirement_id")
    def _compute_approver_id(self):
        for wizard in self:
            wizard.approver_id = wizard.requirement_id._kam_approver()

    @api.multi
    def action_approve(self):
        self.ensure_one()
        self.requirement_id.action_approve(reason=self.reason)
        return {"type": "ir.actions.act_window_close"}
