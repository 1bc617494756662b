# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class KamRelationshipHistory(models.Model):
    """One change of a key account's relationship level (R11).

    Written by ``res.partner`` whenever the level changes, whatever the path
    (form, kanban drag and drop, import, RPC). Promotion shows as a row without
    an old level, demotion as a row without a new level.

    A key account manager does not change the level of their accounts: they
    ask (``kam.relationship.level.request``), and the row of an approved
    request names who asked and who approved (issue 12).
    """

    _name = "kam.relationship.history"
    _inherit = ["kam.input.check"]
    _description = "Key-Account Relationship History"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Key Account", required=True, index=True,
        ondelete="cascade")
    company_id = fields.Many2one(
        "res.company", string="Company", related="partner_id.company_id",
        store=True, readonly=True, index=True)
    old_level_id = fields.Many2one(
        "kam.relationship.level", string="Old Level", ondelete="restrict")
    new_level_id = fields.Many2one(
        "kam.relationship.level", string="New Level", ondelete="restrict")
    old_sequence = fields.Integer(related="old_level_id.sequence",
                                  readonly=True)
    new_sequence = fields.Integer(related="new_level_id.sequence",
                                  readonly=True)
    direction = fields.Selection(
        [("up", "Upgrade"), ("down", "Downgrade"), ("in", "Promotion"),
         ("out", "Demotion")],
        compute="_compute_direction", store=True)
    user_id = fields.Many2one(
        "res.users", string="Changed by", required=True,
        default=lambda self: self.env.user, ondelete="restrict")
    date = fields.Datetime(required=True, default=fields.Datetime.now,
                           index=True)
    reason = fields.Text()
    # who asked and who decided (R11, issue 12)
    change_type = fields.Selection(
        [("direct", "Direct change"), ("request", "Approved request")],
        required=True, default="direct",
        help="Direct change: made by whoever changed the level (a regional "
             "manager, a sales director, an import). Approved request: asked "
             "for by the key account manager and approved by a second person "
             "(Changed by is the approver).")
    request_id = fields.Many2one(
        "kam.relationship.level.request", string="Level Request",
        ondelete="set null", readonly=True)
    requested_by_id = fields.Many2one(
        "res.users", string="Requested By", ondelete="restrict",
        readonly=True)
    approved_by_id = fields.Many2one(
        "res.users", string="Approved By", ondelete="restrict",
        readonly=True)
    kam_manager_id = fields.Many2one(
        "res.users", string="Key Account Manager",
        compute="_compute_kam_manager_id", store=True, readonly=True,
        help="The account's key account manager when the level changed.")
    loyalty_upgrade = fields.Boolean(
        string="Counts for Loyalty", compute="_compute_loyalty_upgrade",
        store=True, index=True,
        help="An upgrade decided by someone other than the account's key "
             "account manager: an approved level request, or a direct "
             "change by the regional manager or a sales director. Only "
             "these upgrades count as level upgrades on the KAM's scorecard "
             "and month-end report (loyalty, R11).")

    @api.depends("partner_id")
    def _compute_kam_manager_id(self):
        """The KAM at the time of the change: computed once, when the row is
        written (and for the rows already there when the field was added),
        never again when the account changes hands."""
        for row in self:
            # sudo: the owner field of an account the row belongs to
            row.kam_manager_id = row.partner_id.sudo().kam_manager_id

    @api.depends("direction", "user_id", "kam_manager_id")
    def _compute_loyalty_upgrade(self):
        for row in self:
            row.loyalty_upgrade = row.direction == "up" and \
                row.user_id != row.kam_manager_id

    @api.depends("old_level_id", "new_level_id")
    def _compute_direction(self):
        for row in self:
            if not row.old_level_id:
                row.direction = "in"
            elif not row.new_level_id:
                row.direction = "out"
            elif row.new_level_id.sequence >= row.old_level_id.sequence:
                row.direction = "up"
            else:
                row.direction = "down"
