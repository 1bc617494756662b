# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .kam_account_type import ACCOUNT_TYPES

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

    _inherit = "res.partner"

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
        fnames = set(vals) & KAM_PROTECTED_FIELDS
        if not fnames or self._kam_is_privileged():
            return
        if not self.env.user.has_group("kam_management.group_kam_user"):
            raise AccessError(_(
                "Only key account managers, regional managers and sales "
                "directors may change key-account data."))
        if not self._kam_can_edit(fnames):
            raise AccessError(_(
                "You may change key-account data only of the accounts you "
                "manage; promoting, demoting and reassigning an account "
                "belongs to its regional manager or a sales director."))

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
        if vals.get("kam_is_key_account") and not vals.get("kam_since"):
            vals = dict(vals, kam_since=fields.Date.context_today(self))
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
    def action_kam_view_visits(self):
        self.ensure_one()
        action = self.env.ref("kam_management.kam_visit_action").read()[0]
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    @api.multi
    def action_kam_view_relationship_history(self):
        self.ensure_one()
        action = self.env.ref(
            "kam_management.kam_relationship_history_action").read()[0]
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

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
        self.ensure_one()
        action = self.env.ref(
            "kam_management.kam_support_team_action").read()[0]
        action.update(views=[(False, "form")], view_mode="form",
                      res_id=self.kam_support_team_id.id)
        return action

    @api.multi
    def action_kam_view_requirements(self):
        self.ensure_one()
        action = self.env.ref(
            "kam_management.kam_requirement_action").read()[0]
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id,
                             "search_default_open": 1}
        return action

    @api.multi
    def action_kam_view_complaints(self):
        self.ensure_one()
        action = self.env.ref(
            "kam_management.kam_complaint_action").read()[0]
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id,
                             "search_default_open": 1}
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
        self.ensure_one()
        action = self.env.ref("kam_management.kam_info_action").read()[0]
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
