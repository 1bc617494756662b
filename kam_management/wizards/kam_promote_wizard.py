# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class KamPromoteWizard(models.TransientModel):
    """Promote companies to key accounts in one step (R1).

    Asks for what every key account needs: type, KAM, region and level.
    """

    _name = "kam.promote.wizard"
    _inherit = ["kam.input.check"]
    _description = "Promote to Key Account"

    partner_ids = fields.Many2many(
        "res.partner", string="Companies", required=True,
        domain=[("is_company", "=", True)])
    kam_account_type = fields.Selection(
        [("key", "Key Customer"),
         ("national", "National Customer"),
         ("long_term", "Long-term Customer")],
        string="Key-Account Type", required=True, default="key")
    kam_manager_id = fields.Many2one(
        "res.users", string="Key Account Manager", required=True,
        domain=lambda self: [("groups_id", "in", self.env.ref(
            "kam_management.group_kam_user").id)])
    kam_region_id = fields.Many2one(
        "kam.region", string="Key-Account Region", required=True)
    kam_relationship_level_id = fields.Many2one(
        "kam.relationship.level", string="Relationship Level", required=True,
        default=lambda self: self.env["kam.relationship.level"].search(
            [], limit=1))
    kam_since = fields.Date(string="Key Account Since", required=True,
                            default=fields.Date.context_today)
    reason = fields.Text()

    @api.multi
    def action_promote(self):
        self.ensure_one()
        if not self.partner_ids:
            raise UserError(_(
                "Companies: choose at least one company to promote."))
        already = self.partner_ids.filtered("kam_is_key_account")
        if already:
            raise UserError(_(
                "Companies: %s are key accounts already.")
                % ", ".join(already.mapped("display_name")))
        self.partner_ids.with_context(
            kam_history_reason=self.reason).write({
                "kam_is_key_account": True,
                "kam_account_type": self.kam_account_type,
                "kam_manager_id": self.kam_manager_id.id,
                "kam_region_id": self.kam_region_id.id,
                "kam_relationship_level_id":
                    self.kam_relationship_level_id.id,
                "kam_since": self.kam_since,
            })
        return {"type": "ir.actions.act_window_close"}
