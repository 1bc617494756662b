# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class KamInfoCategory(models.Model):
    """A kind of information collected about key accounts (R10).

    The KAM decides which kinds of information to collect; directors keep
    the list (strategy change, competitor move, organisation change,
    financial risk, new project, ...).
    """

    _name = "kam.info.category"
    _inherit = ["kam.input.check"]
    _description = "Key-Account Information Category"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique(name)",
         "An information category with this name already exists."),
    ]
