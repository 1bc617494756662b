# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .kam_account_type import ACCOUNT_TYPES
from .kam_company import check_same_company, check_user_allowed

from .kam_rfm_snapshot import RFM_SEGMENTS

# Who may change what on a key account:
# - assignment fields (whether it is a key account, its KAM and its region):
#   the regional manager of the region (before and after the change) or a
#   sales director;
# - the other key-account data: also the account's own KAM (R3, R4).
KAM_ASSIGNMENT_FIELDS = frozenset([
    "kam_is_key_account", "kam_manager_id", "kam_region_id",
])
KAM_DATA_FIELDS = frozenset([
    "kam_account_type", "kam_since", "kam_relationship_level_id",
])
KAM_PROTECTED_FIELDS = KAM_ASSIGNMENT_FIELDS | KAM_DATA_FIELDS
# - the key-account information database (R12): also the sales secretary, on
#   every key account (R14);
KAM_INFO_FIELDS = frozenset([
    "kam_strategy", "kam_employee_count", "kam_annual_revenue",
    "kam_credit_rating", "kam_operating_condition", "kam_growth_bottleneck",
    "kam_bargaining_power", "kam_purchase_focus", "kam_purchase_habits",
    "kam_estimated_annual_purchases", "kam_need_product_function",
    "kam_need_product_range", "kam_need_specification", "kam_need_price",
    "kam_need_service_variety", "kam_need_service_timeliness",
])
# - the RFM analysis (R13, R16): only the refresh writes it (in SQL).
KAM_RFM_FIELDS = frozenset([
    "kam_rfm_last_order_date", "kam_rfm_recency_days", "kam_rfm_frequency",
    "kam_rfm_monetary", "kam_rfm_score", "kam_rfm_segment", "kam_churn_risk",
])
KAM_WRITE_CHECKED_FIELDS = KAM_PROTECTED_FIELDS | KAM_INFO_FIELDS | \
    KAM_RFM_FIELDS

KAM_GROUPS = "kam_management.group_kam_support,kam_management.group_kam_secretary"

# Changes that change which visit rules apply and who must visit (R8).
KAM_COMPLIANCE_FIELDS = frozenset([
    "kam_is_key_account", "kam_manager_id", "kam_region_id",
    "kam_relationship_level_id", "kam_account_type", "kam_since", "active",
    "company_id",
])


class ResPartner(models.Model):
    """Key accounts (R1-R3, R11) on the ordinary partner.

    Ordinary partners stay visible to the rest of Odoo; the key-account fields
    are restricted to the KAM groups, and changes to them are checked against
    the user's role in ``_kam_check_write_access``.
    """

    _name = "res.partner"
    _inherit = ["res.partner", "kam.input.check"]

    kam_is_key_account = fields.Boolean(
        string="Key Account", index=True, copy=False, groups=KAM_GROUPS,
        track_visibility="onchange",
        help="Key customers, national customers and long-term customers "
             "are managed as key accounts (R1).")
    kam_account_type = fields.Selection(
        ACCOUNT_TYPES, string="Key-Account Type", copy=False, groups=KAM_GROUPS,
        track_visibility="onchange")
    kam_since = fields.Date(
        string="Key Account Since", copy=False, groups=KAM_GROUPS,
        help="Date the customer became a key account.")
    kam_manager_id = fields.Many2one(
        "res.users", string="Key Account Manager", index=True, copy=False,
        ondelete="restrict", groups=KAM_GROUPS, track_visibility="onchange",
        help="The customer's single point of contact (R3).")
    kam_region_id = fields.Many2one(
        "kam.region", string="Key-Account Region", index=True, copy=False,
        ondelete="restrict", groups=KAM_GROUPS, track_visibility="onchange")
    kam_relationship_level_id = fields.Many2one(
        "kam.relationship.level", string="Relationship Level", index=True,
        copy=False, ondelete="restrict", groups=KAM_GROUPS,
        track_visibility="onchange",
        group_expand="_read_group_kam_relationship_level_ids")
    kam_relationship_level_color = fields.Integer(
        related="kam_relationship_level_id.color", readonly=True,
        groups=KAM_GROUPS)
    kam_relationship_history_ids = fields.One2many(
        "kam.relationship.history", "partner_id",
        string="Relationship History", groups=KAM_GROUPS)
    # visits and their compliance (R8)
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

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("kam_is_key_account", "is_company", "kam_account_type",
                    "kam_manager_id", "kam_region_id",
                    "kam_relationship_level_id")
    def _check_kam_key_account(self):
        """A key account is a company with a type, a KAM, a region and a level."""
        labels = self._fields
        kam_group = self.env.ref("kam_management.group_kam_user")
        for partner in self.sudo():  # sudo: constraints see every field
            if not partner.kam_is_key_account:
                continue
            if not partner.is_company:
                raise ValidationError(_(
                    "Key Account: %s is not a company; only companies can be "
                    "key accounts.") % partner.display_name)
            for fname in ("kam_account_type", "kam_manager_id",
                          "kam_region_id", "kam_relationship_level_id"):
                if not partner[fname]:
                    raise ValidationError(_(
                        "%s is required for the key account %s.")
                        % (labels[fname].get_description(self.env)["string"],
                           partner.display_name))
            if kam_group not in partner.kam_manager_id.groups_id:
                raise ValidationError(_(
                    "Key Account Manager: %s is not in the group "
                    "\"Key Account Management / Key Account Manager\".")
                    % partner.kam_manager_id.name)

    @api.constrains("company_id", "kam_is_key_account", "kam_manager_id",
                    "kam_region_id")
    def _check_kam_company(self):
        """A key account of a company has a KAM who works in that company
        and a region of that company (the company rules would otherwise
        hide the account from its own KAM or the region from its
        accounts)."""
        for partner in self.sudo():  # sudo: constraints see every field
            if not partner.kam_is_key_account or not partner.company_id:
                continue
            check_user_allowed(partner, "kam_manager_id", partner.company_id)
            check_same_company(partner, "kam_region_id", partner.company_id)

    # ------------------------------------------------------------------
    # Access to the key-account fields
    # ------------------------------------------------------------------
    def _kam_is_privileged(self):
        return (self.env.uid == SUPERUSER_ID
                or self.env.user.has_group("kam_management.group_kam_director"))

    def _kam_can_edit(self, fnames):
        """Whether the current user may change ``fnames`` on every record of
        ``self`` in its current state (see the module docstring for roles)."""
        user = self.env.user
        assignment = bool(set(fnames) & KAM_ASSIGNMENT_FIELDS)
        is_regional_manager = user.has_group(
            "kam_management.group_kam_regional_manager")
        for partner in self.sudo():  # sudo: read the current owner fields
            if partner.kam_region_id.manager_id == user:
                continue
            if not partner.kam_is_key_account:
                # promotion: any regional manager, into one of their regions
                # (checked after the write); other data kept on an ordinary
                # partner is free until it is promoted
                if is_regional_manager or not assignment:
                    continue
            elif partner.kam_manager_id == user and not assignment:
                continue
            return False
        return True

    def _kam_check_write_access(self, vals):
        if "kam_visit_state" in vals and self.env.uid != SUPERUSER_ID:
            raise AccessError(_(
                "Visit State is computed from the visits; it cannot be "
                "written."))
        fnames = set(vals) & KAM_WRITE_CHECKED_FIELDS
        self._kam_check_rfm_vals(fnames)
        if not fnames or self._kam_is_privileged():
            return
        if fnames <= KAM_INFO_FIELDS and self.env.user.has_group(
                "kam_management.group_kam_secretary"):
            return  # the secretary maintains every key account's data (R14)
        if not self.env.user.has_group("kam_management.group_kam_user"):
            raise AccessError(_(
                "Only key account managers, regional managers and sales "
                "directors may change key-account data."))
        if not self._kam_can_edit(fnames):
            raise AccessError(_(
                "You may change key-account data only of the accounts you "
                "manage; promoting, demoting and reassigning an account "
                "belongs to its regional manager or a sales director."))

    def _kam_check_region_target(self, vals):
        """Before the write: a regional manager moves accounts only into a
        region they manage. Checked after the write alone, the message
        would never show: the write's own tracking reads the account back
        and fails the record rule first."""
        region_id = vals.get("kam_region_id")
        if not region_id or isinstance(region_id, bool) or \
                not isinstance(region_id, int) or self._kam_is_privileged():
            return      # no region, or a bad value the input check names
        # the manager of a region the user may not read
        region = self.env["kam.region"].sudo().browse(  # sudo: see above
            region_id).exists()
        if region and region.manager_id != self.env.user:
            raise AccessError(_(
                "You cannot move %s to a region you do not manage.")
                % ", ".join(self.mapped("display_name")))

    def _kam_check_assignment_target(self):
        """After a change of region by a regional manager, the account must
        still be in one of their regions."""
        if self._kam_is_privileged():
            return
        user = self.env.user
        for partner in self.sudo():  # sudo: read the new owner fields
            if partner.kam_region_id and \
                    partner.kam_region_id.manager_id != user:
                raise AccessError(_(
                    "You cannot move %s to a region you do not manage.")
                    % partner.display_name)

    # ------------------------------------------------------------------
    # Relationship history (R11)
    # ------------------------------------------------------------------
    @api.model
    def _read_group_kam_relationship_level_ids(self, levels, domain, order):
        """Show every level as a kanban column, even an empty one."""
        return levels.search([], order=order)

    def _kam_write_history(self, old_levels):
        """Write one history row per partner whose level changed.

        ``old_levels`` maps partner ids to the level id before the change.
        """
        History = self.env["kam.relationship.history"]
        reason = self.env.context.get("kam_history_reason")
        for partner in self.sudo():  # sudo: read the level of any partner
            new_level = partner.kam_relationship_level_id.id
            old_level = old_levels.get(partner.id) or False
            if new_level == old_level:
                continue
            # users may not write history rows themselves (only directors
            # may edit it); the row records who made the change
            History.sudo().create({  # sudo: see above
                "partner_id": partner.id,
                "old_level_id": old_level,
                "new_level_id": new_level or False,
                "user_id": self.env.uid,
                "reason": reason,
            })

    @api.model
    def create(self, vals):
        # wrong types are told before the region is read below
        self._kam_input_check(vals, creating=False)
        if vals.get("kam_is_key_account") and not vals.get("kam_since"):
            vals = dict(vals, kam_since=fields.Date.context_today(self))
        self._kam_check_rfm_vals(set(vals) & KAM_RFM_FIELDS)
        fnames = set(vals) & KAM_PROTECTED_FIELDS
        if any(vals.get(f) for f in fnames) and not self._kam_is_privileged():
            self._kam_check_create_access(vals)
        partner = super(ResPartner, self).create(vals)
        if vals.get("kam_relationship_level_id"):
            partner._kam_write_history({})
        if vals.get("kam_is_key_account"):
            partner._kam_refresh_visit_compliance()
            partner._kam_sync_support_team()
        return partner

    @api.model
    def _kam_check_create_access(self, vals):
        user = self.env.user
        if not user.has_group("kam_management.group_kam_user"):
            raise AccessError(_(
                "Only key account managers, regional managers and sales "
                "directors may change key-account data."))
        region = self.env["kam.region"].sudo().browse(  # sudo: owner check
            vals.get("kam_region_id"))
        if vals.get("kam_is_key_account") and region.manager_id != user:
            raise AccessError(_(
                "Only the region's regional manager or a sales director can "
                "create a key account."))

    @api.multi
    def write(self, vals):
        self._kam_check_write_access(vals)
        self._kam_check_region_target(vals)
        if vals.get("kam_is_key_account"):
            self._kam_set_since(vals)
        track_level = "kam_relationship_level_id" in vals
        old_levels = {}
        if track_level:
            old_levels = {p.id: p.kam_relationship_level_id.id
                          for p in self.sudo()}  # sudo: level before change
        res = super(ResPartner, self).write(vals)
        if set(vals) & KAM_ASSIGNMENT_FIELDS:
            self._kam_check_assignment_target()
        if track_level:
            self._kam_write_history(old_levels)
        if set(vals) & KAM_COMPLIANCE_FIELDS:
            self._kam_refresh_visit_compliance()
        if vals.get("kam_is_key_account"):
            self._kam_sync_support_team()
        return res

    def _kam_refresh_visit_compliance(self):
        """Promotion, demotion, a new KAM, region, level or type change
        which visit rules apply and who must visit (R8)."""
        self.env["kam.visit.compliance"]._kam_refresh(partner_ids=self.ids)

    def _kam_set_since(self, vals):
        """Date a promotion today when no date is given."""
        if vals.get("kam_since"):
            return
        # the field is protected; the check was done in write()
        new = self.sudo().filtered(  # sudo: see above
            lambda p: not p.kam_is_key_account)
        if new:
            super(ResPartner, new).write({
                "kam_since": fields.Date.context_today(self)})

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _kam_check_readable(self):
        """The buttons that open an account's records are public methods:
        only for users who may read the account (issue 7)."""
        self.check_access_rights("read")
        self.check_access_rule("read")

    @api.multi
    def action_kam_promote(self):
        """Open the promotion wizard for the selected companies."""
        self._kam_check_write_access({"kam_is_key_account": True})
        action = self.env.ref(
            "kam_management.kam_promote_wizard_action").read()[0]
        action["context"] = {"default_partner_ids": [(6, 0, self.ids)]}
        return action

    @api.multi
    def action_kam_demote(self):
        """Demote key accounts to ordinary customers.

        The level is cleared, which writes a history row without a new level;
        the optional reason comes from the context key ``kam_history_reason``.
        """
        self.write({
            "kam_is_key_account": False,
            "kam_relationship_level_id": False,
            "kam_since": False,
        })
        return True

    @api.multi
    def _kam_open_related(self, action_xmlid, **context):
        """The window action ``action_xmlid`` limited to this account's
        records, new ones defaulting to it: what every smart button of the
        account form opens. Only for users who may read the account."""
        self.ensure_one()
        self._kam_check_readable()
        action = self.env.ref(action_xmlid).read()[0]
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = dict(context, default_partner_id=self.id)
        return action

    @api.multi
    def action_kam_view_visits(self):
        return self._kam_open_related("kam_management.kam_visit_action")

    @api.multi
    def action_kam_view_relationship_history(self):
        return self._kam_open_related(
            "kam_management.kam_relationship_history_action")

    # ------------------------------------------------------------------
    # Support teams, requirements and complaints (R5-R7, R9)
    # ------------------------------------------------------------------
    kam_support_team_ids = fields.One2many(
        "kam.support.team", "partner_id", string="Support Teams",
        groups=KAM_GROUPS)
    kam_support_team_id = fields.Many2one(
        "kam.support.team", string="Support Team",
        compute="_compute_kam_support_team_id", groups=KAM_GROUPS)
    kam_support_member_ids = fields.Many2many(
        "kam.support.team.member", string="Support Team Members",
        compute="_compute_kam_support_team_id", groups=KAM_GROUPS)
    kam_support_user_ids = fields.Many2many(
        "res.users", string="Support Staff",
        compute="_compute_kam_support_team_id",
        search="_search_kam_support_user_ids", groups=KAM_GROUPS,
        help="Active members of the account's support team; pure support "
             "staff see the key accounts of the teams they are on.")
    kam_open_requirement_ids = fields.One2many(
        "kam.requirement", "partner_id", string="Open Requirements",
        domain=[("state", "in", ("received", "drafting", "review",
                                 "approved"))],
        groups=KAM_GROUPS)
    kam_open_requirement_count = fields.Integer(
        string="Open Requirements", compute="_compute_kam_service_counts",
        groups=KAM_GROUPS)
    kam_open_complaint_count = fields.Integer(
        string="Open Complaints", compute="_compute_kam_service_counts",
        groups=KAM_GROUPS)
    kam_service_station_ids = fields.Many2many(
        "kam.service.station", string="Service Station",
        compute="_compute_kam_service_station_ids", groups=KAM_GROUPS,
        help="The local service station serving the account (R7).")

    @api.depends("kam_support_team_ids.member_ids")
    def _compute_kam_support_team_id(self):
        for partner in self:
            team = partner.kam_support_team_ids[:1]
            partner.kam_support_team_id = team
            partner.kam_support_member_ids = team.member_ids
            partner.kam_support_user_ids = team.member_ids.filtered(
                "is_active").mapped("user_id")

    @api.model
    def _search_kam_support_user_ids(self, operator, value):
        """Accounts whose team has the given users as active members.

        Used by the key-account record rule for pure support staff, so it
        answers with one query and no access check of its own.
        """
        if operator not in ("=", "in"):
            raise UserError(_("Support Staff: unsupported search operator "
                              "%s.") % operator)
        user_ids = [value] if isinstance(value, int) else list(value or [])
        if not user_ids:
            return [("id", "=", 0)]
        today = fields.Date.context_today(self)
        self.env.cr.execute("""
            SELECT DISTINCT t.partner_id
            FROM kam_support_team_member m
            JOIN kam_support_team t ON t.id = m.team_id
            WHERE m.user_id IN %s
              AND (m.date_from IS NULL OR m.date_from <= %s)
              AND (m.date_to IS NULL OR m.date_to >= %s)""",
                            (tuple(user_ids), today, today))
        return [("id", "in", [row[0] for row in self.env.cr.fetchall()])]

    @api.multi
    def _compute_kam_service_counts(self):
        requirements = self.env["kam.requirement"].read_group(
            [("partner_id", "in", self.ids),
             ("state", "in", ("received", "drafting", "review", "approved"))],
            ["partner_id"], ["partner_id"])
        req_counts = {d["partner_id"][0]: d["partner_id_count"]
                      for d in requirements}
        complaints = self.env["kam.complaint"].read_group(
            [("partner_id", "in", self.ids),
             ("state", "in", ("new", "in_progress"))],
            ["partner_id"], ["partner_id"])
        complaint_counts = {d["partner_id"][0]: d["partner_id_count"]
                            for d in complaints}
        for partner in self:
            partner.kam_open_requirement_count = req_counts.get(partner.id, 0)
            partner.kam_open_complaint_count = complaint_counts.get(
                partner.id, 0)

    @api.multi
    def _compute_kam_service_station_ids(self):
        stations = self.env["kam.service.station"].search(
            [("partner_ids", "in", self.ids)])
        for partner in self:
            partner.kam_service_station_ids = stations.filtered(
                lambda s: partner in s.partner_ids)

    def _kam_sync_support_team(self):
        """Every key account gets its support team when it becomes one
        (R5); the team's leader follows ``kam_manager_id`` by itself."""
        Team = self.env["kam.support.team"].sudo()  # sudo: teams follow their accounts
        for partner in self.sudo().filtered(  # sudo: whoever promotes
                lambda p: p.kam_is_key_account and
                not p.kam_support_team_ids):
            Team.create({"partner_id": partner.id})

    @api.multi
    def action_kam_view_support_team(self):
        """The account's one team, straight in its form (R5)."""
        action = self._kam_open_related(
            "kam_management.kam_support_team_action")
        action.update(views=[(False, "form")], view_mode="form",
                      res_id=self.kam_support_team_id.id)
        return action

    @api.multi
    def action_kam_view_requirements(self):
        return self._kam_open_related(
            "kam_management.kam_requirement_action", search_default_open=1)

    @api.multi
    def action_kam_view_complaints(self):
        return self._kam_open_related(
            "kam_management.kam_complaint_action", search_default_open=1)

    # ------------------------------------------------------------------
    # Information and early warning (R10, R16) -- issue 6
    # ------------------------------------------------------------------
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

    @api.multi
    def action_kam_view_info(self):
        return self._kam_open_related("kam_management.kam_info_action")

    # ==================================================================
    # Key-account information database (R12, R14) and RFM analysis with
    # churn early warning (R13, R16)
    # ==================================================================
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

    @api.model
    def _kam_check_rfm_vals(self, fnames):
        """The RFM figures are computed; nobody types them in."""
        if fnames & KAM_RFM_FIELDS and self.env.uid != SUPERUSER_ID:
            raise AccessError(_(
                "The RFM analysis fields are computed by the RFM refresh "
                "and cannot be edited."))

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

    @api.model
    def _cron_kam_rfm_refresh(self):
        """Nightly refresh (``ir_cron_rfm_refresh``); idempotent."""
        return self.env["kam.rfm.snapshot"]._kam_rfm_refresh(
            skip_if_locked=True)
