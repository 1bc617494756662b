# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, api, fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _kam_directors(self, company=None):
        """The sales directors, who supervise the regional managers (R8);
        with ``company``, those allowed in it (a company's records go to
        its own directors).

        The superuser (admin) is a director too, but only stands in when no
        other director exists.
        """
        group = self.env.ref("kam_management.group_kam_director")
        directors = group.sudo().users.filtered("active")  # sudo: group membership
        if company:
            directors = directors.filtered(
                lambda u: company in u.company_ids or u.id == SUPERUSER_ID)
        real = directors.filtered(lambda u: u.id != SUPERUSER_ID)
        return (real or directors).sudo(self.env.uid)

    # issue 6: the regions a user is a member of (the other side of
    # kam.region.member_ids), so that record rules can reach a KAM's region
    kam_member_region_ids = fields.Many2many(
        "kam.region", "kam_region_member_rel", "user_id", "region_id",
        string="Key-Account Regions (Member)", readonly=True)
