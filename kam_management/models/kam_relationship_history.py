# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class KamRelationshipHistory(models.Model):
    """One change of a key account's relationship level (R11).

    Written by ``res.partner`` whenever the level changes, whatever the path
    (form, kanban drag and drop, import, RPC). Promotion shows as a row without
    an old level, demotion as a row without a new level.
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
