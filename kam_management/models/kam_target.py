# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .kam_company import check_user_allowed


class KamTarget(models.Model):
    """A KAM's sales target for a period (R4).

    Periods of one KAM never overlap. A scorecard month takes each
    overlapping target pro rata to the days it shares with the month, so a
    quarterly or yearly target works as well as a monthly one.
    """

    _name = "kam.target"
    _inherit = ["kam.input.check"]
    _description = "Key Account Manager Sales Target"
    _order = "date_from desc, user_id"

    name = fields.Char(compute="_compute_name", store=True)
    user_id = fields.Many2one(
        "res.users", string="Key Account Manager", required=True, index=True,
        ondelete="restrict")
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    amount = fields.Monetary(
        string="Sales Target", required=True,
        help="Untaxed confirmed sales the KAM should reach with their key "
             "accounts in the period, in the company currency.")
    company_id = fields.Many2one(
        "res.company", string="Company", required=True,
        default=lambda self: self.env.user.company_id)
    currency_id = fields.Many2one(related="company_id.currency_id",
                                  readonly=True)

    @api.depends("user_id", "date_from", "date_to")
    def _compute_name(self):
        for target in self:
            target.name = "%s: %s - %s" % (target.user_id.name or "",
                                           target.date_from or "",
                                           target.date_to or "")

    @api.constrains("date_from", "date_to", "amount")
    def _check_period(self):
        for target in self:
            if target.date_to < target.date_from:
                raise ValidationError(_(
                    "To: the period of the target of %s ends (%s) before "
                    "it starts (%s).") % (target.user_id.name,
                                          target.date_to, target.date_from))
            if target.amount < 0:
                raise ValidationError(_(
                    "Sales Target: the amount cannot be negative."))

    @api.constrains("user_id", "company_id")
    def _check_company(self):
        for target in self:
            check_user_allowed(target, "user_id")

    @api.constrains("user_id", "date_from", "date_to", "company_id")
    def _check_overlap(self):
        for target in self:
            other = self.search([
                ("id", "!=", target.id), ("user_id", "=", target.user_id.id),
                ("company_id", "=", target.company_id.id),
                ("date_from", "<=", target.date_to),
                ("date_to", ">=", target.date_from)], limit=1)
            if other:
                raise ValidationError(_(
                    "From/To: the target of %s from %s to %s overlaps their "
                    "target from %s to %s.") % (
                        target.user_id.name, target.date_from,
                        target.date_to, other.date_from, other.date_to))

    @api.model
    def _kam_target_amounts(self, user_ids, date_from, date_to,
                            company_id=None):
        """Targets pro rata for the period: {user_id: amount}.

        amount = sum over overlapping targets of
        target amount x days shared with the period / days of the target.
        Only the targets of ``company_id`` (default: each user's own
        company), so amounts of different currencies never add up.
        One SQL aggregation for all users.
        """
        self.check_access_rights("read")
        self.env.cr.execute("""
            SELECT t.user_id,
                   sum(t.amount
                       * (LEAST(t.date_to, %(to)s::date)
                          - GREATEST(t.date_from, %(from)s::date) + 1)
                       / (t.date_to - t.date_from + 1))
              FROM kam_target t
              JOIN res_users u ON u.id = t.user_id
             WHERE t.user_id = ANY(%(users)s)
               AND t.company_id = COALESCE(%(company)s, u.company_id)
               AND t.date_from <= %(to)s AND t.date_to >= %(from)s
             GROUP BY t.user_id""", {"users": list(user_ids),
                                     "from": date_from, "to": date_to,
                                     "company": company_id})
        return {uid: float(amount) for uid, amount in self.env.cr.fetchall()}
