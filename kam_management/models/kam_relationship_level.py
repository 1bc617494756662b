# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class KamRelationshipLevel(models.Model):
    """A rung of the relationship ladder (R11).

    Vendor < preferred supplier < partner < strategic alliance; the sequence
    orders the ladder, so a higher sequence is a closer relationship.
    """

    _name = "kam.relationship.level"
    _inherit = ["kam.input.check"]
    _description = "Key-Account Relationship Level"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        default=10,
        help="Position on the ladder: the higher, the closer the relationship.")
    description = fields.Text(translate=True)
    color = fields.Integer(string="Color Index")
    active = fields.Boolean(default=True)
    key_account_count = fields.Integer(compute="_compute_key_account_count")

    _sql_constraints = [
        ("name_uniq", "unique(name)",
         "A relationship level with this name already exists."),
    ]

    @api.multi
    def _compute_key_account_count(self):
        data = self.env["res.partner"].read_group(
            [("kam_relationship_level_id", "in", self.ids),
             ("kam_is_key_account", "=", True)],
            ["kam_relationship_level_id"], ["kam_relationship_level_id"])
        counts = {d["kam_relationship_level_id"][0]:
                  d["kam_relationship_level_id_count"] for d in data}
        for level in self:
            level.key_account_count = counts.get(level.id, 0)
