# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .kam_company import check_user_allowed
from .kam_fields import Figure
from .kam_sales import confirmed_sales


class KamTarget(models.Model):
    """A KAM's sales target for a period (R4).

    Periods of one KAM never overlap. A scorecard month takes each
    overlapping target pro rata to the days it shares with the month, so a
    quarterly or yearly target works as well as a monthly one. A target is
    an input of the KAM's scorecard: its changes are tracked in the
    chatter (issue 12).
    """

    _name = "kam.target"
    _inherit = ["kam.input.check", "mail.thread"]
    _description = "Key Account Manager Sales Target"
    _order = "date_from desc, user_id"

    name = fields.Char(compute="_compute_name", store=True)
    user_id = fields.Many2one(
        "res.users", string="Key Account Manager", required=True, index=True,
        ondelete="restrict", track_visibility="onchange")
    date_from = fields.Date(string="From", required=True,
                            track_visibility="onchange")
    date_to = fields.Date(string="To", required=True,
                          track_visibility="onchange")
    amount = fields.Monetary(
        string="Sales Target", required=True, track_visibility="onchange",
        help="Untaxed confirmed sales the KAM should reach with their key "
             "accounts in the period, in the company currency.")
    company_id = fields.Many2one(
        "res.company", string="Company", required=True,
        default=lambda self: self.env.user.company_id)
    currency_id = fields.Many2one(related="company_id.currency_id",
                                  readonly=True)
    achieved_amount = fields.Monetary(
        string="Confirmed Sales", compute="_compute_achieved",
        help="Confirmed sales of the KAM's key accounts in the period, as "
             "the scorecards count them (README \"Confirmed sales\").")
    achievement_pct = Figure(
        string="Achieved (%)", compute="_compute_achieved",
        help="Confirmed sales / target x 100; empty for a target of 0.")

    @api.depends("user_id", "date_from", "date_to")
    def _compute_name(self):
        for target in self:
            target.name = "%s: %s - %s" % (target.user_id.name or "",
                                           target.date_from or "",
                                           target.date_to or "")

    def _compute_achieved(self):
        """One sales query per distinct period and currency, for the
        accounts of every KAM of those targets at once."""
        # sudo: the figures of the KAMs' accounts, whoever reads the target
        Scorecard = self.env["kam.scorecard"].sudo()  # sudo: see above
        self.update({"achieved_amount": 0.0, "achievement_pct": False})
        accounts = Scorecard._kam_accounts_by_user(
            self.mapped("user_id").ids)
        periods = {}
        for target in self.filtered(lambda t: t.date_from and t.date_to):
            periods.setdefault((target.date_from, target.date_to,
                                target.currency_id.id), self.browse())
            periods[(target.date_from, target.date_to,
                     target.currency_id.id)] |= target
        for (date_from, date_to, currency_id), targets in periods.items():
            stop = fields.Date.to_string(
                fields.Date.from_string(date_to) + timedelta(days=1))
            ids = [a for t in targets for a in accounts.get(t.user_id.id, [])]
            sales = confirmed_sales(self.env.cr, date_from, stop, ids,
                                    currency_id)
            for target in targets:
                amount = sum(sales.get(a, (0.0, 0))[0]
                             for a in accounts.get(target.user_id.id, []))
                target.achieved_amount = amount
                target.achievement_pct = (
                    100.0 * amount / target.amount if target.amount
                    else False)

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
