# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .kam_company import (check_same_company, check_writer_allowed,
                          with_partner_company)


class KamSatisfaction(models.Model):
    """One satisfaction score (1-5) of a key account: a survey, an
    interview, a review meeting (R4: customer satisfaction).

    The account's KAM at the time is recorded, so that a later change of
    KAM does not move the score to someone else's scorecard.
    """

    _name = "kam.satisfaction"
    _inherit = ["kam.input.check"]
    _description = "Key-Account Satisfaction Score"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Key Account", required=True, index=True,
        ondelete="restrict", domain=[("kam_is_key_account", "=", True)])
    date = fields.Date(required=True, default=fields.Date.context_today,
                       index=True)
    score = fields.Integer(
        required=True, group_operator="avg",
        help="1 (very dissatisfied) to 5 (very satisfied).")
    survey = fields.Char(string="Survey / Source")
    comment = fields.Text()
    kam_manager_id = fields.Many2one(
        "res.users", string="Key Account Manager", readonly=True, index=True,
        help="The account's KAM when the score was recorded.")
    region_id = fields.Many2one("kam.region", string="Region", readonly=True)
    company_id = fields.Many2one(
        "res.company", string="Company", required=True,
        default=lambda self: self.env.user.company_id)

    @api.constrains("score")
    def _check_score(self):
        for row in self:
            if not 1 <= row.score <= 5:
                raise ValidationError(_(
                    "Score: %s is not a satisfaction score; use 1 (very "
                    "dissatisfied) to 5 (very satisfied).") % row.score)

    @api.constrains("partner_id", "company_id")
    def _check_company(self):
        for row in self:
            check_writer_allowed(row, "partner_id")
            check_same_company(row, "partner_id")

    @api.constrains("partner_id")
    def _check_partner_id(self):
        for row in self.sudo():  # sudo: the row may not be readable yet
            partner = row.partner_id
            if not partner.kam_is_key_account:
                raise ValidationError(_(
                    "Key Account: %s is not a key account.")
                    % partner.display_name)

    def _kam_owner_vals(self, partner_id):
        partner = self.env["res.partner"].sudo().browse(  # sudo: owner fields
            partner_id)
        return {"kam_manager_id": partner.kam_manager_id.id,
                "region_id": partner.kam_region_id.id}

    @api.model
    def create(self, vals):
        # wrong types are told before the account is read below
        self._kam_input_check(vals, creating=False)
        # scores only for accounts of the user's companies, which they see
        partner = self.env["res.partner"].browse(
            vals.get("partner_id")).exists()
        check_writer_allowed(self, "partner_id", partner)
        partner.check_access_rule("read")
        vals = dict(vals, **self._kam_owner_vals(vals.get("partner_id")))
        vals = with_partner_company(self.env, vals)
        return super(KamSatisfaction, self).create(vals)

    @api.multi
    def write(self, vals):
        self._kam_input_check(vals, creating=False)
        if vals.get("partner_id"):
            vals = dict(vals, **self._kam_owner_vals(vals["partner_id"]))
            vals = with_partner_company(self.env, vals)
        res = super(KamSatisfaction, self).write(vals)
        if vals.get("partner_id"):
            for row in self:
                row.partner_id.sudo(self.env.uid).check_access_rule("read")
        return res
