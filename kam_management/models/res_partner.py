# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Key accounts on the ordinary partner: the key-account core.

``res.partner`` is extended in one file per concern, all merged by Odoo
into the one model (registered in this order in ``models/__init__.py``):

- ``res_partner.py`` (this file): whether a partner is a key account, its
  type, KAM, region and relationship level (R1-R4), the relationship
  history (R11), promotion and demotion, who may change which key-account
  field, and the only ``create``/``write`` overrides, which guard the writes
  of every file and trigger the follow-ups (history, visit compliance,
  support team); also ``_kam_open_related``, the helper of every smart
  button of the account form;
- ``res_partner_visit.py``: visits and their compliance (R8);
- ``res_partner_service.py``: support team, requirements, complaints and
  service station (R5-R7, R9);
- ``res_partner_info.py``: information items and their early warning
  (R10, R16), and the key-account information database (R12, R14);
- ``res_partner_rfm.py``: the RFM analysis and churn warning (R13, R16);
- ``res_partner_level_request.py``: relationship-level requests (R11,
  issue 12): the KAM asks for a change of level, the region's manager or a
  sales director decides (``_kam_check_level_access``).

Roles: whether a partner is a key account, its KAM and its region are
changed by the regional manager of the region (before and after the
change) or a sales director; the other key-account data also by the
account's own KAM (R3, R4); the information database also by the sales
secretary, on every key account (R14); the RFM figures by the refresh only
(R13, R16). The field sets below name the fields of each role, and
``_kam_check_write_access`` applies them to every write, whichever file
declares the field.
"""
from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .kam_account_type import ACCOUNT_TYPES
from .kam_company import check_same_company, check_user_allowed

# Who may change what on a key account:
# - assignment fields (whether it is a key account, its KAM and its region):
#   the regional manager of the region (before and after the change) or a
#   sales director;
# - the other key-account data: also the account's own KAM (R3, R4), except
#   ``kam_since`` on a key account, which moves the visit due date (R8):
#   only its regional manager or a director (``_kam_check_since_access``),
#   and a key account's relationship level, which its KAM asks to change
#   (issue 12, ``_kam_check_level_access``).
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
    "kam_rfm_monetary", "kam_rfm_margin", "kam_rfm_margin_rate",
    "kam_rfm_score", "kam_rfm_segment", "kam_churn_risk",
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
    # computed rather than related: a related field reads the account again
    # as superuser, every column of every account of the page (issue 16)
    kam_relationship_level_color = fields.Integer(
        string="Relationship Level Color",
        compute="_compute_kam_relationship_level_color", groups=KAM_GROUPS)
    kam_relationship_history_ids = fields.One2many(
        "kam.relationship.history", "partner_id",
        string="Relationship History", groups=KAM_GROUPS)

    @api.depends("kam_relationship_level_id.color")
    def _compute_kam_relationship_level_color(self):
        # sudo: the level's colour, read as the related field it replaces
        # read it (without the record rules of every account again)
        for partner, account in zip(self, self.sudo()):
            partner.kam_relationship_level_color = \
                account.kam_relationship_level_id.color

    @api.model
    def _read_group_kam_relationship_level_ids(self, levels, domain, order):
        """Show every level as a kanban column, even an empty one."""
        return levels.search([], order=order)

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
    # CRUD: the access checks before, the follow-ups after
    # ------------------------------------------------------------------
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
        elif "kam_is_key_account" in vals:
            self._kam_leave_stations()
        return res

    @api.multi
    def read(self, fields=None, load="_classic_read"):
        """The key-account screens (issue 16) read the asked columns only.

        ``res.partner`` has about a hundred stored columns (37 of them
        key-account data). By default a read of a page loads every one of
        them for every partner of the page twice: in the user's environment
        when a computed field (a badge, a count) reads the account, and in
        the superuser's when a many-to-one is named (``value.sudo()``: the
        KAM's name is the name of their partner, which shares the page's
        prefetch set). That was 80% of the time of the key-account kanban
        and list. Without the prefetch each field is read once for the whole
        page: the same values, one query per field instead of one per table.
        Reads of Odoo's own screens (no key-account field) are left alone.

        The computed fields asked (badges, counts, colour) are computed
        first, for the records read: computed during the read they would
        also be computed for every partner its many-to-ones bring into the
        prefetch set (the KAMs' own partners, named as superuser).
        """
        if not fields or not any(name.startswith("kam_") for name in fields):
            return super(ResPartner, self).read(fields=fields, load=load)
        records = self.with_context(prefetch_fields=False)
        records.check_access_rights("read")  # before computing anything
        fields = records.check_field_access_rights("read", fields)
        computed = [name for name in fields if name in records._fields
                    and records._fields[name].compute
                    and not records._fields[name].store]
        if computed and records:
            first = next(iter(records))  # with the page as prefetch set
            if first.exists():  # read() leaves deleted records out
                for name in computed:
                    first[name]  # pylint: disable=pointless-statement
        return super(ResPartner, records).read(fields=fields, load=load)

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
    def action_kam_view_relationship_history(self):
        return self._kam_open_related(
            "kam_management.kam_relationship_history_action")

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

    def _kam_check_readable(self):
        """The buttons that open an account's records are public methods:
        only for users who may read the account (issue 7)."""
        self.check_access_rights("read")
        self.check_access_rule("read")

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
        if "kam_since" in fnames:
            self._kam_check_since_access()
        if "kam_relationship_level_id" in fnames:
            # a KAM asks for a change of level (res_partner_level_request)
            self._kam_check_level_access(vals["kam_relationship_level_id"])

    def _kam_check_since_access(self):
        """Key Account Since is assignment data, set on promotion: on a key
        account only its region's manager (or a sales director, checked
        before) changes it, never its KAM (issue 12): for an account never
        visited it moves the visit due date (R8)."""
        user = self.env.user
        for partner in self.sudo():  # sudo: read the current owner fields
            if partner.kam_is_key_account and \
                    partner.kam_region_id.manager_id != user:
                raise AccessError(_(
                    "Key Account Since: only the regional manager of %s or "
                    "a sales director may change the date it became a key "
                    "account.") % partner.display_name)

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
    # Promotion and relationship history (R11)
    # ------------------------------------------------------------------
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

    def _kam_write_history(self, old_levels):
        """Write one history row per partner whose level changed.

        ``old_levels`` maps partner ids to the level id before the change.
        """
        History = self.env["kam.relationship.history"]
        reason = self.env.context.get("kam_history_reason")
        # an approved level request being carried out (issue 12)
        request = self._kam_level_request_of_context()
        for partner in self.sudo():  # sudo: read the level of any partner
            new_level = partner.kam_relationship_level_id.id
            old_level = old_levels.get(partner.id) or False
            if new_level == old_level:
                continue
            vals = {
                "partner_id": partner.id,
                "old_level_id": old_level,
                "new_level_id": new_level or False,
                "user_id": self.env.uid,
                "reason": reason,
            }
            if request.partner_id == partner and \
                    request.new_level_id.id == new_level:
                vals.update(change_type="request", request_id=request.id,
                            requested_by_id=request.requested_by.id,
                            approved_by_id=self.env.uid)
            # users may not write history rows themselves (only directors
            # may edit it); the row records who made the change
            History.sudo().create(vals)  # sudo: see above
