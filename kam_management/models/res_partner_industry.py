# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .res_partner import KAM_GROUPS


class ResPartnerIndustry(models.Model):
    """The contact windows of an industry (R9) on Odoo's own industry.

    Only administrators may change an industry itself (base's access
    rights), but the windows are the key-account department's: the
    industry form of *Key Accounts ▸ Configuration ▸ Industries* edits them,
    and a write that changes nothing but ``kam_contact_window_ids`` is
    carried out on ``kam.contact.window`` with the user's own rights on it
    (directors and regional managers) instead of the industry's.
    """

    _inherit = "res.partner.industry"

    kam_contact_window_ids = fields.One2many(
        "kam.contact.window", "industry_id", string="Contact Windows",
        groups=KAM_GROUPS,
        help="When and where the key accounts of this industry are "
             "contacted (R9); visits planned outside them are flagged.")

    @api.multi
    def write(self, vals):
        if vals and set(vals) == {"kam_contact_window_ids"}:
            self._kam_write_contact_windows(vals["kam_contact_window_ids"])
            return True
        return super(ResPartnerIndustry, self).write(vals)

    def _kam_write_contact_windows(self, commands):
        """Carry out the one2many ``commands`` on the windows of these
        industries as the user (their rights on kam.contact.window)."""
        Window = self.env["kam.contact.window"]
        label = self._fields["kam_contact_window_ids"].get_description(
            self.env)["string"]
        if not isinstance(commands, (list, tuple)):
            raise ValidationError(_("%s: this is not a list of records "
                                    "(got \"%s\").") % (label, commands))
        for industry in self:
            for command in commands:
                if not isinstance(command, (list, tuple)) or not command \
                        or command[0] not in (0, 1, 2, 3, 4, 5, 6):
                    raise ValidationError(_(
                        "%s: this is not a list of records (got \"%s\").")
                        % (label, commands))
                code = command[0]
                if code == 0:
                    Window.create(dict(command[2] or {},
                                       industry_id=industry.id))
                elif code == 1:
                    industry._kam_own_windows(command[1]).write(
                        command[2] or {})
                elif code in (2, 3):
                    # the window belongs to its industry (required,
                    # cascade): taken off it, it is deleted
                    industry._kam_own_windows(command[1]).unlink()
                elif code == 4:
                    # the web client sends the unchanged lines so
                    window = Window.browse(command[1])
                    if window.industry_id != industry:
                        window.write({"industry_id": industry.id})
                elif code == 5:
                    industry.kam_contact_window_ids.unlink()
                else:
                    keep = set(command[2] or [])
                    industry.kam_contact_window_ids.filtered(
                        lambda w: w.id not in keep).unlink()
                    Window.browse(list(keep)).write(
                        {"industry_id": industry.id})
        self.invalidate_cache(["kam_contact_window_ids"], self.ids)

    def _kam_own_windows(self, window_id):
        """The window ``window_id`` of this industry (none of another)."""
        return self.kam_contact_window_ids.filtered(
            lambda w: w.id == window_id)
