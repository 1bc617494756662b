# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who of a key account answers the satisfaction requests (R4).

Kept apart from the key-account core (``res_partner.py``): a flag on the
account's contacts, set by the account's people on the contact form. The
scheduled action ``ir_cron_satisfaction_request`` asks every flagged contact
whose company (``commercial_partner_id``) is a key account; see
``kam_satisfaction_request.py``.
"""
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .res_partner import KAM_GROUPS


class ResPartnerSatisfaction(models.Model):
    """Satisfaction request recipients among a key account's contacts."""

    _inherit = "res.partner"

    kam_satisfaction_recipient = fields.Boolean(
        string="Satisfaction Survey Recipient", groups=KAM_GROUPS,
        track_visibility="onchange",
        help="This contact gets the key account's satisfaction requests by "
             "e-mail (quarterly by default) and answers them with one "
             "click.")

    @api.constrains("kam_satisfaction_recipient", "email")
    def _check_kam_satisfaction_recipient(self):
        for partner in self.sudo():  # sudo: constraints see every field
            if partner.kam_satisfaction_recipient and not partner.email:
                raise ValidationError(_(
                    "Satisfaction Survey Recipient: %s has no e-mail "
                    "address; the satisfaction requests are sent by "
                    "e-mail.") % partner.display_name)
