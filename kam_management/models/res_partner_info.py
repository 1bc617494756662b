# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What is known about a key account: its information items with their
early warning (R10, R16), and the key-account information database (R12,
R14).

Kept apart from the key-account core (``res_partner.py``): these fields
describe the customer rather than how it is managed. The database fields
are listed in the core's ``KAM_INFO_FIELDS``, so that the sales secretary
may maintain them on every key account (R14); ``_kam_check_write_access``
applies that to every write.
"""
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .res_partner import KAM_GROUPS


class ResPartnerInfo(models.Model):
    """Information items, early warning and the information database of
    the key account (R10, R12, R14, R16)."""

    _inherit = "res.partner"

    # --- information items and early warning (R10, R16) ---------------
    kam_info_ids = fields.One2many(
        "kam.info", "partner_id", string="Information", groups=KAM_GROUPS)
    kam_info_critical_count = fields.Integer(
        compute="_compute_kam_early_warning", string="Open Critical Items",
        groups=KAM_GROUPS)
    kam_early_warning = fields.Boolean(
        compute="_compute_kam_early_warning", string="Early Warning",
        search="_search_kam_early_warning", groups=KAM_GROUPS,
        help="The account has an open (not closed) critical information "
             "item (R10, R16).")
    # --- the company (R12) --------------------------------------------
    kam_strategy = fields.Text(
        string="Company Strategy", groups=KAM_GROUPS,
        track_visibility="onchange")
    kam_employee_count = fields.Integer(
        string="Employees", groups=KAM_GROUPS, track_visibility="onchange",
        help="Scale of the company: number of employees.")
    kam_annual_revenue = fields.Monetary(
        string="Annual Sales Revenue", groups=KAM_GROUPS,
        currency_field="currency_id", track_visibility="onchange",
        help="The customer's own yearly sales revenue.")
    kam_credit_rating = fields.Selection(
        [("aaa", "AAA"), ("aa", "AA"), ("a", "A"), ("bbb", "BBB"),
         ("bb", "BB"), ("b", "B"), ("c", "C")],
        string="Credit Rating", groups=KAM_GROUPS,
        track_visibility="onchange")
    kam_operating_condition = fields.Selection(
        [("growing", "Growing"), ("stable", "Stable"),
         ("declining", "Declining"), ("difficult", "In Difficulty")],
        string="Operating Condition", groups=KAM_GROUPS,
        track_visibility="onchange")
    kam_growth_bottleneck = fields.Text(
        string="Growth Bottleneck", groups=KAM_GROUPS,
        track_visibility="onchange")
    # --- purchasing (R12) ---------------------------------------------
    kam_bargaining_power = fields.Selection(
        [("low", "Low"), ("medium", "Medium"), ("high", "High")],
        string="Bargaining Power", groups=KAM_GROUPS,
        track_visibility="onchange")
    kam_purchase_focus = fields.Text(
        string="Purchase Focus", groups=KAM_GROUPS,
        track_visibility="onchange",
        help="What the customer looks at first when buying: price, quality, "
             "delivery, service...")
    kam_purchase_habits = fields.Text(
        string="Purchase Habits", groups=KAM_GROUPS,
        track_visibility="onchange",
        help="How and when the customer buys: tenders, framework "
             "contracts, seasons, approval steps...")
    kam_estimated_annual_purchases = fields.Monetary(
        string="Estimated Annual Purchases", groups=KAM_GROUPS,
        currency_field="currency_id", track_visibility="onchange",
        help="What the customer buys per year in our product categories "
             "from all suppliers; our sales divided by it is our share of "
             "wallet.")
    # --- needs (R12) --------------------------------------------------
    kam_need_product_function = fields.Text(
        string="Product Function", groups=KAM_GROUPS,
        track_visibility="onchange")
    kam_need_product_range = fields.Text(
        string="Product Range", groups=KAM_GROUPS,
        track_visibility="onchange")
    kam_need_specification = fields.Text(
        string="Specifications", groups=KAM_GROUPS,
        track_visibility="onchange")
    kam_need_price = fields.Text(
        string="Price Expectations", groups=KAM_GROUPS,
        track_visibility="onchange")
    kam_need_service_variety = fields.Text(
        string="Service Variety", groups=KAM_GROUPS,
        track_visibility="onchange")
    kam_need_service_timeliness = fields.Text(
        string="Service Timeliness", groups=KAM_GROUPS,
        track_visibility="onchange")
    # --- the account's people (R12); name, address, phone and e-mail
    # are Odoo's own fields ---------------------------------------------
    kam_gender = fields.Selection(
        [("male", "Male"), ("female", "Female"), ("other", "Other")],
        string="Gender", groups=KAM_GROUPS, track_visibility="onchange")
    kam_birthdate = fields.Date(
        string="Birth Date", groups=KAM_GROUPS, track_visibility="onchange")
    kam_age = fields.Integer(
        string="Age", compute="_compute_kam_age", groups=KAM_GROUPS)
    kam_buying_role = fields.Selection(
        [("decision_maker", "Decision Maker"),
         ("influencer", "Influencer"),
         ("buyer", "Buyer"),
         ("user", "User"),
         ("gatekeeper", "Gatekeeper"),
         ("other", "Other")],
        string="Role in Buying", groups=KAM_GROUPS,
        track_visibility="onchange")
    kam_personal_notes = fields.Text(
        string="Personal Notes", groups=KAM_GROUPS,
        track_visibility="onchange",
        help="Interests, preferences and other personal information that "
             "helps the relationship.")

    @api.multi
    def _compute_kam_early_warning(self):
        # sudo: the badge warns everyone who sees the account, whoever
        # reported the item
        data = self.env["kam.info"].sudo().read_group(  # sudo: see above
            [("partner_id", "in", self.ids), ("importance", "=", "critical"),
             ("state", "!=", "closed")], ["partner_id"], ["partner_id"])
        counts = {d["partner_id"][0]: d["partner_id_count"] for d in data}
        for partner in self:
            partner.kam_info_critical_count = counts.get(partner.id, 0)
            partner.kam_early_warning = bool(counts.get(partner.id))

    def _search_kam_early_warning(self, operator, value):
        self.env.cr.execute(
            "SELECT DISTINCT partner_id FROM kam_info "
            "WHERE importance = 'critical' AND state <> 'closed'")
        ids = [row[0] for row in self.env.cr.fetchall()]
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", ids)]

    @api.depends("kam_birthdate")
    def _compute_kam_age(self):
        """Age today, so not stored (it changes without any write)."""
        today = fields.Date.from_string(fields.Date.context_today(self))
        for partner in self:
            birth = fields.Date.from_string(partner.kam_birthdate)
            if not birth or birth > today:
                partner.kam_age = 0
                continue
            partner.kam_age = today.year - birth.year - (
                (today.month, today.day) < (birth.month, birth.day))

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("kam_employee_count", "kam_annual_revenue",
                    "kam_estimated_annual_purchases")
    def _check_kam_company_figures(self):
        """The company figures of the key-account database (R12) are
        counts and amounts: never negative."""
        labels = self._fields
        for partner in self.sudo():  # sudo: constraints see every field
            for fname in ("kam_employee_count", "kam_annual_revenue",
                          "kam_estimated_annual_purchases"):
                if partner[fname] < 0:
                    raise ValidationError(_(
                        "%s: %s cannot be negative (%s).") % (
                            labels[fname].get_description(self.env)[
                                "string"],
                            partner.display_name, partner[fname]))

    @api.constrains("kam_birthdate")
    def _check_kam_birthdate(self):
        today = fields.Date.context_today(self)
        for partner in self.sudo():  # sudo: constraints see every field
            if partner.kam_birthdate and partner.kam_birthdate > today:
                raise ValidationError(_(
                    "Birth Date: %s of %s is in the future.")
                    % (partner.kam_birthdate, partner.display_name))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.multi
    def action_kam_view_info(self):
        return self._kam_open_related("kam_management.kam_info_action")
