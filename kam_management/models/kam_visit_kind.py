# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class KamVisitKind(models.Model):
    """A kind of visit (on site, at our office, phone, video), so that a
    visit rule can say which kinds count for it (R8, issue 12).

    ``code`` is the key of the visit's ``kind`` selection; the shipped
    records (``data/kam_visit_kind_data.xml``) cover every key.
    """

    _name = "kam.visit.kind"
    _inherit = ["kam.input.check"]
    _description = "Key-Account Visit Kind"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="The visit's kind this record stands for (its technical key).")
    sequence = fields.Integer(default=10)

    _sql_constraints = [
        ("code_uniq", "unique(code)",
         "A visit kind with this code already exists."),
    ]

    @api.constrains("code")
    def _check_code(self):
        keys = self.env["kam.visit"]._fields["kind"].get_values(self.env)
        for kind in self:
            if kind.code not in keys:
                raise ValidationError(_(
                    "Code: %s is not a kind of visit (%s).")
                    % (kind.code, ", ".join(sorted(keys))))

    def _kam_check_code_free(self, vals):
        """A clear message before the unique index refuses the row."""
        code = vals.get("code")
        taken = [("code", "=", code), ("id", "not in", self.ids)]
        if isinstance(code, str) and self.search_count(taken):
            raise ValidationError(_(
                "Code: there is a visit kind %s already.") % code)

    @api.model
    def create(self, vals):
        self.check_access_rights("create")  # the rights first, then data
        self._kam_check_code_free(vals)
        return super(KamVisitKind, self).create(vals)

    @api.multi
    def write(self, vals):
        self.check_access_rights("write")
        self._kam_check_code_free(vals)
        return super(KamVisitKind, self).write(vals)
