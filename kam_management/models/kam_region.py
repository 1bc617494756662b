# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .kam_company import check_user_allowed


class KamRegion(models.Model):
    """The regional key-account department (R2).

    Headed by the regional manager, with the region's key account managers and
    support staff as members.
    """

    _name = "kam.region"
    _inherit = ["kam.input.check"]
    _description = "Key-Account Region"
    _order = "name"

    name = fields.Char(required=True)
    manager_id = fields.Many2one(
        "res.users", string="Regional Manager", ondelete="restrict",
        help="Heads the region's key-account department (R2).")
    member_ids = fields.Many2many(
        "res.users", "kam_region_member_rel", "region_id", "user_id",
        string="Members",
        help="Key account managers and support staff of the department.")
    company_id = fields.Many2one(
        "res.company", string="Company", required=True,
        default=lambda self: self.env.user.company_id)
    active = fields.Boolean(default=True)
    key_account_ids = fields.One2many(
        "res.partner", "kam_region_id", string="Key Accounts",
        domain=[("kam_is_key_account", "=", True)])
    key_account_count = fields.Integer(compute="_compute_key_account_count")
    station_missing_count = fields.Integer(
        string="Accounts without a Station",
        compute="_compute_station_missing_count",
        help="Key accounts of the region that no active service station "
             "serves (R7).")
    # where the region is (R1: a national customer buys in two regions or
    # more): a customer address belongs to the region that lists its state,
    # else to the one that lists its country (see
    # kam.pareto.wizard._kam_pareto_suggestions)
    state_ids = fields.Many2many(
        "res.country.state", "kam_region_state_rel", "region_id",
        "state_id", string="States / Provinces",
        help="Customer addresses in these states or provinces are in this "
             "region. A state belongs to one region of a company.")
    country_ids = fields.Many2many(
        "res.country", "kam_region_country_rel", "region_id", "country_id",
        string="Countries",
        help="Customer addresses in these countries are in this region, "
             "unless their state is listed by a region of the company. A "
             "country belongs to one region of a company.")

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)",
         "A region with this name already exists in this company."),
    ]

    @api.multi
    def _compute_key_account_count(self):
        data = self.env["res.partner"].read_group(
            [("kam_region_id", "in", self.ids),
             ("kam_is_key_account", "=", True)],
            ["kam_region_id"], ["kam_region_id"])
        counts = {d["kam_region_id"][0]: d["kam_region_id_count"]
                  for d in data}
        for region in self:
            region.key_account_count = counts.get(region.id, 0)

    @api.multi
    def _compute_station_missing_count(self):
        data = self.env["res.partner"].read_group(
            [("kam_region_id", "in", self.ids),
             ("kam_station_missing", "=", True)],
            ["kam_region_id"], ["kam_region_id"])
        counts = {d["kam_region_id"][0]: d["kam_region_id_count"]
                  for d in data}
        for region in self:
            region.station_missing_count = counts.get(region.id, 0)

    @api.multi
    def write(self, vals):
        res = super(KamRegion, self).write(vals)
        if "manager_id" in vals or "active" in vals:
            # the regional manager's visit rule follows the new manager (R8)
            Partner = self.env["res.partner"].sudo()  # sudo: every account
            partners = Partner.search([("kam_region_id", "in", self.ids)])
            self.env["kam.visit.compliance"]._kam_refresh(
                partner_ids=partners.ids)
        return res

    @api.constrains("manager_id", "member_ids", "company_id")
    def _check_company(self):
        """The manager and the members work in the region's company."""
        for region in self:
            check_user_allowed(region, "manager_id")
            check_user_allowed(region, "member_ids")

    @api.constrains("state_ids", "country_ids", "company_id", "active")
    def _check_state_ids(self):
        """A state (a country) is in one active region of a company, so an
        address has one region."""
        # sudo: the other regions of the company, whoever edits this one
        Region = self.sudo().with_context(active_test=True)  # sudo: see above
        for region in self.filtered("active"):
            for fname in ("state_ids", "country_ids"):
                if not region[fname]:
                    continue
                others = Region.search([
                    ("id", "!=", region.id),
                    ("company_id", "=", region.company_id.id),
                    (fname, "in", region[fname].ids)])
                if others:
                    shared = region[fname] & others.mapped(fname)
                    raise ValidationError(_(
                        "%s: the region %s already covers %s.") % (
                            self._fields[fname].get_description(
                                self.env)["string"], others[0].name,
                            ", ".join(shared.mapped("name"))))

    @api.constrains("manager_id")
    def _check_manager_id(self):
        group = self.env.ref("kam_management.group_kam_regional_manager")
        for region in self:
            if region.manager_id and group not in region.manager_id.groups_id:
                raise ValidationError(_(
                    "Regional Manager: %s is not in the group "
                    "\"Key Account Management / Regional Manager\".")
                    % region.manager_id.name)
