# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .kam_company import check_user_allowed

# The roles of R5's combined team. Only one execution manager is stationed
# on the customer's site at a time.
MEMBER_ROLES = [
    ("execution_manager", "Execution Manager"),
    ("technical_support", "Technical Support"),
    ("market_support", "Market Support"),
    ("maintenance", "Maintenance"),
    ("customer_service", "Customer Service"),
    ("other", "Other"),
]
SINGLE_ROLES = ("execution_manager",)


def _overlap(a, b):
    """Whether two members' periods (dates as strings, open ends False)
    share at least one day."""
    a_from, a_to = a.date_from or "0000-00-00", a.date_to or "9999-99-99"
    b_from, b_to = b.date_from or "0000-00-00", b.date_to or "9999-99-99"
    return a_from <= b_to and b_from <= a_to


class KamSupportTeamMember(models.Model):
    """A person on a key account's support team, with a role and a period
    (R5). A user can sit on many teams; a member is active from
    ``date_from`` to ``date_to`` inclusive (both optional)."""

    _name = "kam.support.team.member"
    _inherit = ["kam.input.check"]
    _description = "Key-Account Support Team Member"
    _order = "team_id, role, date_from, id"
    _rec_name = "user_id"

    team_id = fields.Many2one(
        "kam.support.team", string="Support Team", required=True, index=True,
        ondelete="cascade")
    # not stored: a stored copy would be written (and rule-checked) as the
    # user after each create, before it has a value
    partner_id = fields.Many2one(
        "res.partner", string="Key Account", related="team_id.partner_id",
        readonly=True)
    company_id = fields.Many2one(
        "res.company", string="Company", related="team_id.company_id",
        store=True, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", string="Member", required=True, index=True,
        ondelete="cascade",
        domain=lambda self: [("groups_id", "in", self.env.ref(
            "kam_management.group_kam_support").id)])
    role = fields.Selection(MEMBER_ROLES, required=True, default="other")
    date_from = fields.Date(string="From", default=fields.Date.context_today)
    date_to = fields.Date(string="To")
    is_active = fields.Boolean(
        string="Active", compute="_compute_is_active",
        search="_search_is_active",
        help="Today is within the member's period.")

    @api.depends("date_from", "date_to")
    def _compute_is_active(self):
        today = fields.Date.context_today(self)
        for member in self:
            member.is_active = ((not member.date_from
                                 or member.date_from <= today)
                                and (not member.date_to
                                     or member.date_to >= today))

    @api.model
    def _search_is_active(self, operator, value):
        today = fields.Date.context_today(self)
        domain = ["&", "|", ("date_from", "=", False),
                  ("date_from", "<=", today),
                  "|", ("date_to", "=", False), ("date_to", ">=", today)]
        if (operator == "=") != bool(value):
            domain = ["!"] + domain
        return domain

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for member in self.sudo():  # sudo: access is checked after
            if member.date_from and member.date_to and \
                    member.date_to < member.date_from:
                raise ValidationError(_(
                    "To: the end date of %s on the team (%s) is before the "
                    "start date (%s).") % (member.user_id.name,
                                           member.date_to, member.date_from))

    @api.constrains("user_id")
    def _check_user_id(self):
        group = self.env.ref("kam_management.group_kam_support")
        for member in self.sudo():  # sudo: access is checked after
            if group not in member.user_id.groups_id:
                raise ValidationError(_(
                    "Member: %s is not in the group \"Key Account Management "
                    "/ Support Staff\".") % member.user_id.name)

    @api.constrains("team_id", "user_id")
    def _check_company(self):
        """Members work in the company of the team's account."""
        for member in self:
            check_user_allowed(member, "user_id")

    @api.constrains("team_id", "user_id", "role", "date_from", "date_to")
    def _check_unique_roles(self):
        """The same user once per team; one execution manager at a time."""
        members = self.sudo()  # sudo: compare with every member of the teams
        all_members = members.search(
            [("team_id", "in", members.mapped("team_id").ids)])
        for member in members:
            others = all_members.filtered(
                lambda m: m.team_id == member.team_id and m != member)
            if member.user_id in others.mapped("user_id"):
                raise ValidationError(_(
                    "Member: %s is already on the support team of %s; "
                    "change the existing line instead.")
                    % (member.user_id.name,
                       member.partner_id.display_name))
            if member.role not in SINGLE_ROLES:
                continue
            for other in others:
                if other.role == member.role and _overlap(member, other):
                    raise ValidationError(_(
                        "Role: the team of %s already has an execution "
                        "manager (%s) in this period; a team has one "
                        "execution manager at a time.")
                        % (member.partner_id.display_name,
                           other.user_id.name))
