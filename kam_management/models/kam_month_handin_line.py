# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .kam_report import month_bounds

# what the KAM writes on a line; the entry fields are the secretary's
# button's
USER_FIELDS = frozenset(["reviewed", "changes"])


class KamMonthHandinLine(models.Model):
    """One key account of a month-end hand-in (R14): the KAM says whether
    the account's information (R12) was reviewed and what changed; the
    sales secretary confirms, line by line or all at once, that it is
    entered."""

    _name = "kam.month.handin.line"
    _description = "Key-Account Month-End Hand-In Line"
    _inherit = ["kam.input.check"]
    _order = "handin_id, id"
    _rec_name = "partner_id"

    handin_id = fields.Many2one(
        "kam.month.handin", string="Hand-In", required=True, index=True,
        readonly=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner", string="Key Account", required=True, index=True,
        readonly=True, ondelete="cascade")
    user_id = fields.Many2one(related="handin_id.user_id", store=True,
                              readonly=True, string="Key Account Manager")
    period_start = fields.Date(related="handin_id.period_start",
                               store=True, readonly=True)
    handin_state = fields.Selection(related="handin_id.state",
                                    readonly=True, string="Hand-In Status")
    company_id = fields.Many2one(related="handin_id.company_id",
                                 store=True, readonly=True)
    reviewed = fields.Boolean(
        help="The account's information (R12) was reviewed this month.")
    changes = fields.Text(
        string="What Changed",
        help="The account's information updates of the month, for the "
             "sales secretary to enter.")
    info_ids = fields.Many2many(
        "kam.info", string="Information of the Month",
        compute="_compute_info_ids",
        help="The account's information items dated in the month.")
    info_count = fields.Integer(string="Information Items",
                                compute="_compute_info_ids")
    entered = fields.Boolean(readonly=True, copy=False)
    entered_by_id = fields.Many2one("res.users", string="Entered By",
                                    readonly=True, copy=False)
    date_entered = fields.Datetime(string="Entered On", readonly=True,
                                   copy=False)

    _sql_constraints = [
        ("handin_partner_uniq", "unique(handin_id, partner_id)",
         "One line per key account in a month-end hand-in."),
    ]

    @api.depends("partner_id", "period_start")
    def _compute_info_ids(self):
        """The information items of the lines' accounts and months, in one
        search (under the reader's rights)."""
        lines = self.filtered(lambda l: l.partner_id and l.period_start)
        infos = self.env["kam.info"]
        if lines:
            infos = infos.search([
                ("partner_id", "in", lines.mapped("partner_id").ids),
                ("date", ">=", min(lines.mapped("period_start"))),
                ("date", "<=", max(month_bounds(d)[1] for d in
                                   lines.mapped("period_start")))])
        for line in self:
            end = line.period_start and month_bounds(line.period_start)[1]
            mine = infos.filtered(
                lambda i, l=line, e=end: i.partner_id == l.partner_id
                and l.period_start <= i.date <= e) if end else infos.browse()
            line.info_ids = mine
            line.info_count = len(mine)

    @api.constrains("partner_id")
    def _check_partner_id(self):
        for line in self.sudo():  # sudo: read the key-account flag
            if not line.partner_id.kam_is_key_account:
                raise ValidationError(_(
                    "Key Account: %s is not a key account.")
                    % line.partner_id.display_name)

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    @api.multi
    def action_confirm_entered(self):
        """The sales secretary has entered these lines; the hand-in is
        entered once all its lines are."""
        handins = self.mapped("handin_id")
        handins._kam_check_move("action_confirm_entered")
        done = self.filtered("entered")
        if done:
            raise UserError(_(
                "Confirm Entered: %s is entered already (by %s).") % (
                    done[0].partner_id.display_name,
                    done[0].entered_by_id.name))
        self._kam_mark_entered()
        handins._kam_mark_entered()
        return True

    def _kam_mark_entered(self):
        # past the guard of write(): the button's own fields
        return super(KamMonthHandinLine, self).write({
            "entered": True, "entered_by_id": self.env.uid,
            "date_entered": fields.Datetime.now()})

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    @api.multi
    def write(self, vals):
        if self.env.uid == SUPERUSER_ID:
            return super(KamMonthHandinLine, self).write(vals)
        protected = sorted(set(vals) - USER_FIELDS)
        if protected:
            raise UserError(_(
                "These fields of a month-end hand-in line are set by the "
                "hand-in and its buttons and cannot be written: %s.")
                % ", ".join(protected))
        for line in self:
            handin = line.handin_id
            if handin.user_id != self.env.user:
                raise AccessError(_(
                    "Only the key account manager, %s, can write the lines "
                    "of %s.") % (handin.user_id.name, handin.name))
            if handin.state != "draft":
                raise UserError(_(
                    "%s: %s is %s; only a hand-in still to hand in can be "
                    "changed.") % (line.partner_id.display_name, handin.name,
                                   handin._kam_state_label(handin.state)))
        return super(KamMonthHandinLine, self).write(vals)
