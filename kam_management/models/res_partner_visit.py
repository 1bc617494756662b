# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The visits of a key account and their compliance (R8).

Kept apart from the key-account core (``res_partner.py``): the account
only shows its visits and their worst compliance state, which the visits
and the daily scheduled action maintain (``kam_visit_compliance.py``).
The core's ``create``/``write`` call ``_kam_refresh_visit_compliance``
when a change alters which visit rules apply or who must visit, and refuse
writes of ``kam_visit_state``.
"""
from odoo import api, fields, models

from .res_partner import KAM_GROUPS


class ResPartnerVisit(models.Model):
    """Visits and visit compliance of the key account (R8)."""

    _inherit = "res.partner"

    kam_visit_ids = fields.One2many(
        "kam.visit", "partner_id", string="Visits", groups=KAM_GROUPS)
    kam_visit_count = fields.Integer(
        compute="_compute_kam_visit_count", string="Visit Count",
        groups=KAM_GROUPS)
    kam_visit_compliance_ids = fields.One2many(
        "kam.visit.compliance", "partner_id", string="Visit Compliance",
        groups=KAM_GROUPS)
    kam_visit_state = fields.Selection(
        [("ok", "OK"), ("due_soon", "Due Soon"), ("overdue", "Overdue")],
        string="Visit State", readonly=True, copy=False, index=True,
        groups=KAM_GROUPS,
        help="The worst visit-compliance state of the account, kept up to "
             "date by the visits and the daily scheduled action.")

    @api.multi
    def _compute_kam_visit_count(self):
        data = self.env["kam.visit"].read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["partner_id"])
        counts = {d["partner_id"][0]: d["partner_id_count"] for d in data}
        for partner in self:
            partner.kam_visit_count = counts.get(partner.id, 0)

    @api.multi
    def action_kam_view_visits(self):
        return self._kam_open_related("kam_management.kam_visit_action")

    def _kam_refresh_visit_compliance(self):
        """Promotion, demotion, a new KAM, region, level or type change
        which visit rules apply and who must visit (R8)."""
        self.env["kam.visit.compliance"]._kam_refresh(partner_ids=self.ids)
