# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .kam_company import check_writer_allowed


class KamSupportTeam(models.Model):
    """The combined support team of one key account (R5).

    Led by the account's KAM (R2, R3): ``leader_id`` follows the account's
    ``kam_manager_id`` whatever path changes it. Every key account gets its
    team when it is promoted (see ``res.partner._kam_sync_support_team``);
    regional managers and directors may also create one by hand for an account
    that lacks it. Membership decides what pure support staff see.
    """

    _name = "kam.support.team"
    _inherit = ["kam.input.check"]
    _description = "Key-Account Support Team"
    _order = "partner_id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Key Account", required=True, index=True,
        ondelete="cascade", domain=[("kam_is_key_account", "=", True)])
    company_id = fields.Many2one(
        "res.company", string="Company", related="partner_id.company_id",
        store=True, readonly=True, index=True,
        help="The company of the key account.")
    leader_id = fields.Many2one(
        "res.users", string="Team Leader", compute="_compute_leader_id",
        store=True, compute_sudo=True, index=True,
        help="The account's key account manager leads the team (R2).")
    region_id = fields.Many2one(
        "kam.region", string="Key-Account Region",
        compute="_compute_region_id", compute_sudo=True)
    member_ids = fields.One2many(
        "kam.support.team.member", "team_id", string="Members")
    active_member_count = fields.Integer(
        string="Active Members", compute="_compute_active_member_count")
    note = fields.Text(string="Notes")

    _sql_constraints = [
        ("partner_uniq", "unique(partner_id)",
         "A key account has only one support team."),
    ]

    @api.depends("partner_id.kam_manager_id")
    def _compute_leader_id(self):
        for team in self:
            team.leader_id = team.partner_id.kam_manager_id

    @api.depends("partner_id.kam_region_id")
    def _compute_region_id(self):
        for team in self:
            team.region_id = team.partner_id.kam_region_id

    @api.depends("member_ids.date_from", "member_ids.date_to")
    def _compute_active_member_count(self):
        for team in self:
            team.active_member_count = len(
                team.member_ids.filtered("is_active"))

    @api.constrains("partner_id")
    def _check_partner_id(self):
        for team in self.sudo():  # sudo: read the key-account flag
            if not team.partner_id.kam_is_key_account:
                raise ValidationError(_(
                    "Key Account: %s is not a key account; only key accounts "
                    "have a support team.") % team.partner_id.display_name)

    @api.constrains("partner_id")
    def _check_company(self):
        for team in self:
            check_writer_allowed(team, "partner_id")

    @api.multi
    def write(self, vals):
        if "partner_id" in vals and any(
                team.partner_id.id != vals["partner_id"] for team in self):
            raise UserError(_(
                "Key Account: a support team belongs to its account and "
                "cannot move to another one."))
        return super(KamSupportTeam, self).write(vals)

    @api.multi
    def name_get(self):
        return [(team.id, _("Support team of %s")
                 % team.sudo().partner_id.display_name)  # sudo: name only
                for team in self]

    def _kam_member_user(self, role):
        """The first active member with ``role`` (no user if none), e.g.
        the technical support who drafts the team's solutions (R6)."""
        members = self.member_ids.filtered(
            lambda m: m.role == role and m.is_active)
        return members[:1].user_id

    @api.model
    def _kam_create_missing_teams(self):
        """Give every key account without a team its team (R5).

        Called on install and upgrade (data file), so accounts promoted
        before teams existed get theirs; running it twice creates nothing.
        """
        self.env.cr.execute("""
            SELECT p.id FROM res_partner p
            WHERE p.kam_is_key_account
              AND NOT EXISTS (SELECT 1 FROM kam_support_team t
                              WHERE t.partner_id = p.id)""")
        ids = [row[0] for row in self.env.cr.fetchall()]
        for partner_id in ids:
            self.sudo().create({  # sudo: teams follow the accounts
                "partner_id": partner_id})
        return True
