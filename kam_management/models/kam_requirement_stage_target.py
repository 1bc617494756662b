# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# The stages of a requirement (R6) that someone works on; delivered and
# cancelled requirements are finished and have no target.
TIMED_STATES = [
    ("received", "Received"),
    ("drafting", "Drafting"),
    ("review", "Review"),
    ("approved", "Approved"),
]


class KamRequirementStageTarget(models.Model):
    """How long a requirement may stay in one stage (R6 one-stop service).

    Sales directors edit the targets; a requirement that stays longer than
    its stage's target is overdue (red in the kanban and list, and found by
    the "Overdue" filter). A target of 0 hours means no target.
    """

    _name = "kam.requirement.stage.target"
    _inherit = ["kam.input.check"]
    _description = "Requirement Stage Target"
    _order = "sequence, id"
    _rec_name = "state"

    state = fields.Selection(TIMED_STATES, string="Stage", required=True)
    sequence = fields.Integer(default=10)
    target_hours = fields.Float(
        string="Target (hours)", required=True, default=24.0,
        help="Maximum time in this stage, in calendar hours; 0 = no target.")

    _sql_constraints = [
        ("state_uniq", "unique(state)",
         "Each stage has one target."),
    ]

    @api.constrains("target_hours")
    def _check_target_hours(self):
        for target in self:
            if target.target_hours < 0:
                raise ValidationError(_(
                    "Target (hours): the target of a stage cannot be "
                    "negative (%s).") % target.target_hours)

    @api.model
    def _kam_targets(self):
        """Targets by state, in hours (0 = none)."""
        # sudo: the targets apply to whoever reads a requirement, also the
        # customer on the portal (who has no access to the configuration)
        return {t.state: t.target_hours for t in self.sudo().search([])}
