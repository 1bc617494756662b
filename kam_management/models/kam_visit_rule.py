# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .kam_account_type import ACCOUNT_TYPES


class KamVisitRule(models.Model):
    """How often a role must visit a key account (R8).

    The KAM visits each own account at least monthly, the regional manager
    each account of the region at least every six months; rules may be
    restricted to account types or relationship levels (e.g. strategic
    alliances every 14 days).
    """

    _name = "kam.visit.rule"
    _inherit = ["kam.input.check"]
    _description = "Key-Account Visit Rule"
    _order = "sequence, interval_days, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    role = fields.Selection(
        [("kam", "Key Account Manager"),
         ("regional_manager", "Regional Manager")],
        required=True, default="kam",
        help="Who must visit: the account's KAM, or the manager of the "
             "account's region.")
    interval_days = fields.Integer(
        string="Visit Every (days)", required=True, default=31)
    warning_days = fields.Integer(
        string="Warn (days before due)", default=7,
        help="The visit shows as due soon this many days before it is due.")
    account_type = fields.Selection(
        ACCOUNT_TYPES, string="Only for Key-Account Type",
        help="Leave empty for every type.")
    relationship_level_ids = fields.Many2many(
        "kam.relationship.level", "kam_visit_rule_level_rel", "rule_id",
        "level_id", string="Only for Relationship Levels",
        help="Leave empty for every level.")
    kind_ids = fields.Many2many(
        "kam.visit.kind", "kam_visit_rule_kind_rel", "rule_id", "kind_id",
        string="Visit Kinds That Count",
        help="Only visits of these kinds satisfy the rule (e.g. on site, not "
             "by phone). Leave empty for every kind.")
    company_id = fields.Many2one(
        "res.company", string="Company",
        default=lambda self: self.env.user.company_id)
    # issue 14: a visit proves itself by a check-in at the account
    require_check_in = fields.Boolean(
        string="Require a Check-in",
        help="Only visits checked in within the radius of the account's "
             "position count; on an account without a position, a visit "
             "checked in counts once the supervisor has reviewed it.")
    check_in_radius_m = fields.Integer(
        string="Check-in Radius (m)", default=1000,
        help="How far from the account's position (Geo Latitude and "
             "Longitude) a check-in may be.")

    @api.constrains("interval_days", "warning_days")
    def _check_interval_days(self):
        for rule in self:
            if rule.interval_days <= 0:
                raise ValidationError(_(
                    "Visit Every (days): the interval of the rule %s must be "
                    "more than 0 days.") % rule.name)
            if rule.warning_days < 0:
                raise ValidationError(_(
                    "Warn (days before due): the rule %s cannot warn a "
                    "negative number of days ahead.") % rule.name)
            if rule.warning_days >= rule.interval_days:
                # else every account of the rule is always "due soon"
                raise ValidationError(_(
                    "Warn (days before due): the rule %s must warn fewer "
                    "days than its interval (%s days).")
                    % (rule.name, rule.interval_days))

    @api.constrains("check_in_radius_m")
    def _check_check_in_radius_m(self):
        for rule in self:
            if rule.check_in_radius_m <= 0:
                raise ValidationError(_(
                    "Check-in Radius (m): the radius of the rule %s must be "
                    "more than 0 metres.") % rule.name)

    def _kam_rules_changed(self):
        self.env["kam.visit.compliance"]._kam_refresh()
        # the radius of the reviewer's "checked in far away" (issue 14)
        self.env["kam.visit"]._kam_refresh_check_in_flags()

    @api.model
    def create(self, vals):
        rule = super(KamVisitRule, self).create(vals)
        rule._kam_rules_changed()
        return rule

    @api.multi
    def write(self, vals):
        res = super(KamVisitRule, self).write(vals)
        self._kam_rules_changed()
        return res

    @api.multi
    def unlink(self):
        res = super(KamVisitRule, self).unlink()
        self.browse()._kam_rules_changed()
        return res
