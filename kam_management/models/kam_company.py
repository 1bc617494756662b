# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Multi-company consistency checks shared by the KAM models.

Every KAM record belongs to one company (``company_id``, usually the one of
its key account) and the global company record rules hide it from the users
of other companies. Linking it to something of another company would make
it half-visible (an account nobody of its company can reach, a KAM who cannot
open the account), so the models refuse such links with a ValidationError
that names the field.
"""
from odoo import SUPERUSER_ID, _
from odoo.exceptions import ValidationError


# The helpers name the record ``self``: Odoo's ``_()`` finds the user's
# language through a ``self`` in the caller's frame.
def field_label(self, name):
    """The field's label in the user's language."""
    return self._fields[name].get_description(self.env)["string"]


def _company(self, company):
    # sudo: constraints run before the user may read the record (a record
    # of another company is not readable by its would-be creator)
    return self.sudo().company_id if company is None else company  # sudo: see above


def check_same_company(self, name, company=None):
    """``self[name]`` (records with a ``company_id``) must belong to
    ``company`` (default: the record's) or be shared (no company)."""
    company = _company(self, company)
    # sudo: the company of a linked record the user may not be able to read
    for item in self.sudo()[name]:  # sudo: see above
        if company and item.company_id and item.company_id != company:
            raise ValidationError(_(
                "%s: %s belongs to the company %s, not to %s of %s.") % (
                    field_label(self, name), item.display_name,
                    item.company_id.name, company.name,
                    self.sudo().display_name))  # sudo: name only


def check_user_allowed(self, name, company=None):
    """The users in ``self[name]`` must be allowed in ``company``
    (default: the record's)."""
    company = _company(self, company)
    if not company:
        return
    for user in self.sudo()[name]:  # sudo: allowed companies of users
        if company not in user.company_ids:
            raise ValidationError(_(
                "%s: %s is not allowed in the company %s of %s.") % (
                    field_label(self, name), user.name, company.name,
                    self.sudo().display_name))  # sudo: name only


def check_writer_allowed(self, name, linked=None):
    """The current user may only link records (``linked``, default
    ``self[name]``) of their allowed companies (the superuser and
    scheduled actions may link any)."""
    env = self.env
    if env.uid == SUPERUSER_ID:
        return
    allowed = env.user.sudo().company_ids  # sudo: own allowed companies
    if linked is None:
        linked = self.sudo()[name]  # sudo: company of the linked record
    for item in linked.sudo():  # sudo: company of the linked record
        if item.company_id and item.company_id not in allowed:
            raise ValidationError(_(
                "%s: %s belongs to the company %s, where you are not "
                "allowed.") % (field_label(self, name), item.display_name,
                               item.company_id.name))


def with_partner_company(env, vals):
    """``vals`` with the company of the key account ``partner_id`` when no
    company is given: the record follows its account, not the company the
    user happens to be working in."""
    partner_id = vals.get("partner_id")
    # a wrong value is left to the input check (kam.input.check), which
    # names the field
    if isinstance(partner_id, int) and not isinstance(partner_id, bool) \
            and not vals.get("company_id"):
        # sudo: the company of an account (checked by the constraints)
        company = env["res.partner"].sudo().browse(  # sudo: see above
            partner_id).exists().company_id
        if company:
            vals = dict(vals, company_id=company.id)
    return vals
