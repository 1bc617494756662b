# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..models.kam_account_type import ACCOUNT_TYPES
from ..models.kam_fields import Figure
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
    # a deleted customer takes its lines along (they are transient)
    partner_id = fields.Many2one("res.partner", string="Customer",
                                 readonly=True, required=True,
                                 ondelete="cascade")
    currency_id = fields.Many2one(related="wizard_id.currency_id",
                                  readonly=True)
    revenue = fields.Monetary(readonly=True)
    margin = fields.Monetary(readonly=True)
    margin_rate = Figure(
        string="Margin Rate (%)", digits=(16, 2), readonly=True,
        help="Margin in percent of the revenue; empty without a positive "
             "revenue.")
    share = fields.Float(
        string="Share (%)", digits=(16, 2), readonly=True,
        help="Share of the total of the ranked measure (revenue or "
             "margin).")
    cumulative_share = fields.Float(string="Cumulative Share (%)",
                                    digits=(16, 2), readonly=True)
    in_top = fields.Boolean(string="In the Top", readonly=True)
    is_key_account = fields.Boolean(string="Key Account", readonly=True)
    status = fields.Selection(PARETO_STATUSES, readonly=True)
    selected = fields.Boolean(string="Promote")
    # the key-account type the data suggest (R1), and why
    customer_since = fields.Date(
        readonly=True,
        help="Date of the customer's first confirmed order (up to the end "
             "of the period).")
    region_count = fields.Integer(
        string="Regions", readonly=True,
        help="Regions of the company where the customer has an address: "
             "its contacts and addresses, the customers and delivery "
             "addresses of its confirmed orders.")
    suggested_account_type = fields.Selection(
        ACCOUNT_TYPES, string="Suggested Type", readonly=True,
        help="National: addresses in two regions or more; else long-term: "
             "first confirmed order at least the configured number of years "
             "(kam_management.long_term_years, default 3) before the end of "
             "the period; else key customer.")
    kam_account_type = fields.Selection(
        ACCOUNT_TYPES, string="Key-Account Type",
        help="Set by a sales director: the type this customer is promoted "
             "with instead of the suggested one.")

    @api.model
    def create(self, vals):
        self.env["kam.pareto.wizard"]._kam_check_type_override(vals)
        return super(KamParetoWizardLine, self).create(vals)

    @api.multi
    def write(self, vals):
        self.env["kam.pareto.wizard"]._kam_check_type_override(vals)
        return super(KamParetoWizardLine, self).write(vals)
