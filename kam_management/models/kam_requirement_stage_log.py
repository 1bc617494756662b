# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .kam_requirement import REQUIREMENT_STATES


class KamRequirementStageLog(models.Model):
    """Time one requirement spent in one stage, and who held it (R6).

    Written by ``kam.requirement`` on every transition: the open row of the
    stage being left is closed (``date_end``, ``duration_hours``) and a row
    is opened for the next stage with the target in force at that moment.
    Users only read these rows.
    """

    _name = "kam.requirement.stage.log"
    _inherit = ["kam.input.check"]
    _description = "Requirement Stage Time"
    _order = "date_start desc, id desc"
    _rec_name = "state"

    requirement_id = fields.Many2one(
        "kam.requirement", string="Requirement", required=True, index=True,
        ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner", string="Key Account",
        related="requirement_id.partner_id", store=True, readonly=True,
        index=True)
    company_id = fields.Many2one(
        "res.company", string="Company",
        related="requirement_id.company_id", store=True, readonly=True,
        index=True)
    state = fields.Selection(REQUIREMENT_STATES, string="Stage",
                             required=True)
    user_id = fields.Many2one(
        "res.users", string="Responsible", ondelete="set null",
        help="Who had to act while the requirement was in this stage.")
    date_start = fields.Datetime(string="Entered", required=True,
                                 default=fields.Datetime.now)
    date_end = fields.Datetime(string="Left")
    duration_hours = fields.Float(
        string="Time (hours)", compute="_compute_duration_hours", store=True,
        help="Calendar hours between entering and leaving the stage.")
    target_hours = fields.Float(
        string="Target (hours)",
        help="The stage's target when the requirement entered it; 0 = none.")
    late = fields.Boolean(
        compute="_compute_duration_hours", store=True,
        help="The stage took longer than its target.")
    is_overdue = fields.Boolean(
        string="Overdue", compute="_compute_is_overdue",
        help="Longer than the target: finished late, or still open past "
             "its deadline.")
    # why the solution was sent back: the company's, not the customer's
    note = fields.Text(groups="base.group_user")
    elapsed_hours = fields.Float(
        string="Time so Far (hours)", compute="_compute_elapsed_hours",
        help="The stage's time: until it was left, or until now while the "
             "requirement is in it.")

    @api.depends("date_start", "date_end", "target_hours")
    def _compute_duration_hours(self):
        for log in self:
            if not (log.date_start and log.date_end):
                log.duration_hours = 0.0
                log.late = False
                continue
            delta = (fields.Datetime.from_string(log.date_end)
                     - fields.Datetime.from_string(log.date_start))
            log.duration_hours = delta.total_seconds() / 3600.0
            log.late = bool(log.target_hours
                            and log.duration_hours > log.target_hours)

    @api.constrains("date_start", "date_end", "target_hours")
    def _check_dates(self):
        """Directors may correct the times; a stage cannot end before it
        starts nor have a negative target."""
        for log in self:
            if log.date_end and log.date_end < log.date_start:
                raise ValidationError(_(
                    "Left: %s is before the stage was entered (%s).")
                    % (log.date_end, log.date_start))
            if log.target_hours < 0:
                raise ValidationError(_(
                    "Target (hours): the target of a stage cannot be "
                    "negative (%s).") % log.target_hours)

    @api.depends("date_start", "date_end", "target_hours", "late")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for log in self:
            if log.date_end or not log.target_hours:
                log.is_overdue = log.late
                continue
            deadline = fields.Datetime.from_string(log.date_start) + \
                timedelta(hours=log.target_hours)
            log.is_overdue = fields.Datetime.to_string(deadline) < now

    @api.depends("date_start", "date_end")
    def _compute_elapsed_hours(self):
        now = fields.Datetime.from_string(fields.Datetime.now())
        for log in self:
            if not log.date_start:
                log.elapsed_hours = 0.0
                continue
            end = fields.Datetime.from_string(log.date_end) \
                if log.date_end else now
            log.elapsed_hours = max((end - fields.Datetime.from_string(
                log.date_start)).total_seconds() / 3600.0, 0.0)
