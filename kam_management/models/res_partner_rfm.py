# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The RFM analysis of a key account, its margin and its churn warning
(R13, R16).

Kept apart from the key-account core (``res_partner.py``): the figures are
computed from the sale orders by the refresh of ``kam.rfm.snapshot``
(button and nightly scheduled action), which writes them in SQL; nobody
types them in. They are listed in the core's ``KAM_RFM_FIELDS``, and
``_kam_check_rfm_vals`` refuses them in ``create`` and every write.
"""
from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError

from .kam_fields import Figure
from .kam_rfm_snapshot import RFM_SEGMENTS
from .res_partner import KAM_GROUPS, KAM_RFM_FIELDS


class ResPartnerRfm(models.Model):
    """RFM figures, segment and churn risk of the key account (R13, R16)."""

    _inherit = "res.partner"

    # --- RFM analysis (R13, R16): written only by the refresh ----------
    kam_rfm_last_order_date = fields.Date(
        string="Last Order", readonly=True, copy=False, groups=KAM_GROUPS,
        help="Date of the latest confirmed sale order with a positive "
             "untaxed total, of the account or of its contacts.")
    kam_rfm_recency_days = fields.Integer(
        string="Recency (days)", readonly=True, copy=False,
        groups=KAM_GROUPS,
        help="Days since the latest confirmed order at the last refresh; "
             "empty when the account has never ordered.")
    kam_rfm_frequency = fields.Integer(
        string="Frequency", readonly=True, copy=False, groups=KAM_GROUPS,
        help="Confirmed orders with a positive untaxed total in the "
             "analysis window.")
    kam_rfm_monetary = fields.Monetary(
        string="Monetary", readonly=True, copy=False, groups=KAM_GROUPS,
        currency_field="currency_id",
        help="Untaxed amount of the confirmed orders in the analysis "
             "window, net of negative orders, in the company currency.")
    # what we earn (R13): margin of the same orders over the same window
    kam_rfm_margin = fields.Monetary(
        string="Margin", readonly=True, copy=False, groups=KAM_GROUPS,
        currency_field="currency_id",
        help="Margin (untaxed amount less the cost of the lines, as the "
             "sale orders compute it) of the confirmed orders in the "
             "analysis window, net of negative orders, in the company "
             "currency.")
    kam_rfm_margin_rate = Figure(
        string="Margin Rate (%)", digits=(16, 2), readonly=True,
        copy=False, groups=KAM_GROUPS, group_operator="avg",
        help="Margin in percent of the untaxed amount of the analysis "
             "window; empty when that amount is not positive. Grouped, the "
             "plain average of the accounts' rates.")
    kam_rfm_score = fields.Char(
        string="RFM Score", size=3, readonly=True, copy=False, index=True,
        groups=KAM_GROUPS,
        help="Recency, frequency and monetary scores from 1 (worst) to 5 "
             "(best), e.g. 545.")
    kam_rfm_segment = fields.Selection(
        RFM_SEGMENTS, string="RFM Segment", readonly=True, copy=False,
        index=True, groups=KAM_GROUPS)
    kam_churn_risk = fields.Boolean(
        string="Churn Risk", readonly=True, copy=False, index=True,
        groups=KAM_GROUPS,
        help="No order for too long, or orders or amount fallen against "
             "the previous window (see Settings).")
    kam_rfm_snapshot_ids = fields.One2many(
        "kam.rfm.snapshot", "partner_id", string="RFM Snapshots",
        readonly=True, groups=KAM_GROUPS)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.multi
    def action_kam_rfm_refresh(self):
        """Refresh the RFM analysis of every key account now (R13).

        Scores are relative to all key accounts, so the whole analysis is
        refreshed whatever the selection.
        """
        if not self.env.user.has_group("kam_management.group_kam_user"):
            raise AccessError(_(
                "Only key account managers, regional managers and sales "
                "directors may refresh the RFM analysis."))
        # sudo: the analysis spans every key account and all sale orders;
        # the caller's role was checked above and only figures are written
        self.env["kam.rfm.snapshot"].sudo()._kam_rfm_refresh()  # sudo: see above
        return {"type": "ir.actions.client", "tag": "reload"}

    # ------------------------------------------------------------------
    # Refresh and its guard
    # ------------------------------------------------------------------
    @api.model
    def _cron_kam_rfm_refresh(self):
        """Nightly refresh (``ir_cron_rfm_refresh``); idempotent."""
        return self.env["kam.rfm.snapshot"]._kam_rfm_refresh(
            skip_if_locked=True)

    @api.model
    def _kam_check_rfm_vals(self, fnames):
        """The RFM figures are computed; nobody types them in."""
        if fnames & KAM_RFM_FIELDS and self.env.uid != SUPERUSER_ID:
            raise AccessError(_(
                "The RFM analysis fields are computed by the RFM refresh "
                "and cannot be edited."))
