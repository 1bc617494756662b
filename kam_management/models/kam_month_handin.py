# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The month-end hand-in (R14): each KAM hands in their key accounts'
information updates of the month, the sales secretary enters them.

One ``kam.month.handin`` per KAM and month, one line per key account
(``kam.month.handin.line``). The daily action
``ir_cron_month_end_information`` drafts them in the last
``kam_management.month_end_days`` days of the month, marks the late ones
and escalates them once (see ``_kam_month_end``).

Deadlines:

- hand-in: ``kam_management.handin_day``; 0 (the default) is the last day
  of the month itself, N (1 to 31) the Nth day of the following month (the
  last day of that month when it is shorter). Fixed on the hand-in when
  it is drafted (``handin_deadline``);
- entry: ``kam_management.handin_entry_days`` days (default 3) after the
  day of the hand-in (``entry_deadline``).
"""
import calendar
import logging
from datetime import timedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .kam_lang import in_lang
from .kam_report import month_bounds
from .kam_settings import number_param
from .kam_workflow_mixin import transition

_logger = logging.getLogger(__name__)

HANDIN_STATES = [
    ("draft", "To Hand In"),
    ("handed_in", "Handed In"),
    ("entered", "Entered"),
]
# what the KAM writes on a hand-in (the lines: from the form, each line
# checks its own write); the rest comes from the buttons
USER_FIELDS = frozenset(["note", "line_ids"])
HANDIN_TYPE = "kam_management.mail_activity_type_kam_month_handin"
LATE_TYPE = "kam_management.mail_activity_type_kam_month_handin_late"

# every KAM's key accounts, in one query
KEY_ACCOUNTS_SQL = """
SELECT kam_manager_id, array_agg(id ORDER BY id)
  FROM res_partner
 WHERE kam_is_key_account AND active AND kam_manager_id IS NOT NULL
 GROUP BY kam_manager_id
"""


def handin_deadline(env, period_start):
    """The hand-in deadline of the month starting on ``period_start``
    (see the module doc), as a date string."""
    day = min(number_param(env, "kam_management.handin_day", 0, 0), 31)
    last = fields.Date.from_string(month_bounds(period_start)[1])
    if not day:
        return fields.Date.to_string(last)
    following = last + timedelta(days=1)
    days = calendar.monthrange(following.year, following.month)[1]
    return fields.Date.to_string(following.replace(day=min(day, days)))


class KamMonthHandin(models.Model):
    """A KAM's month-end hand-in of their key accounts' information
    updates (R14); see the module doc."""

    _name = "kam.month.handin"
    _description = "Key-Account Month-End Hand-In"
    _inherit = ["kam.workflow.mixin", "mail.thread", "mail.activity.mixin",
                "kam.input.check"]
    _order = "period_start desc, user_id, id"
    _kam_user_fields = USER_FIELDS
    _kam_transitions = {
        "action_hand_in": transition(
            ["draft"], "handed_in", _("Hand In"), "_kam_check_kam"),
        "action_confirm_entered": transition(
            ["handed_in"], "entered", _("Confirm Entered"),
            "_kam_check_secretary"),
    }

    name = fields.Char(compute="_compute_name", store=True)
    user_id = fields.Many2one(
        "res.users", string="Key Account Manager", required=True,
        index=True, readonly=True, ondelete="restrict")
    period_start = fields.Date(string="Month", required=True, readonly=True,
                               index=True)
    period_end = fields.Date(compute="_compute_period_end", store=True)
    region_id = fields.Many2one(
        "kam.region", string="Region", readonly=True, index=True,
        ondelete="set null",
        help="The region where the KAM has the most key accounts: its "
             "manager hears of a late hand-in.")
    company_id = fields.Many2one(
        "res.company", string="Company", required=True, readonly=True,
        default=lambda self: self.env.user.company_id)
    state = fields.Selection(
        HANDIN_STATES, string="Status", default="draft", required=True,
        index=True, copy=False, track_visibility="onchange")
    line_ids = fields.One2many(
        "kam.month.handin.line", "handin_id", string="Key Accounts",
        copy=False)
    note = fields.Text(
        string="Remarks",
        help="The KAM's remarks for the sales secretary.")
    handin_deadline = fields.Date(
        string="Hand In By", readonly=True, copy=False,
        help="Set when the hand-in is drafted from "
             "kam_management.handin_day (0: the last day of the month; N: "
             "the Nth day of the following month).")
    handed_in_date = fields.Datetime(string="Handed In On", readonly=True,
                                     copy=False)
    entry_deadline = fields.Date(
        string="Enter By", readonly=True, copy=False,
        help="The day of the hand-in plus "
             "kam_management.handin_entry_days days.")
    entered_date = fields.Datetime(string="Entered On", readonly=True,
                                   copy=False)
    entered_by_id = fields.Many2one("res.users", string="Entered By",
                                    readonly=True, copy=False)
    handin_late = fields.Boolean(
        string="Handed In Late", readonly=True, copy=False, index=True,
        help="Not handed in by its deadline (shown on the KAM's "
             "scorecard).")
    entry_late = fields.Boolean(
        string="Entered Late", readonly=True, copy=False, index=True,
        help="Not entered by the sales secretary within the days allowed "
             "after the hand-in.")
    handin_escalated_date = fields.Datetime(
        readonly=True, copy=False,
        help="When the regional manager was told of the late hand-in "
             "(once).")
    entry_escalated_date = fields.Datetime(
        readonly=True, copy=False,
        help="When the sales directors were told of the late entry "
             "(once).")
    line_count = fields.Integer(compute="_compute_line_count")
    entered_count = fields.Integer(compute="_compute_line_count")

    _sql_constraints = [
        ("user_period_uniq", "unique(user_id, period_start)",
         "One month-end hand-in per key account manager and month."),
    ]

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------
    @api.depends("user_id", "period_start")
    def _compute_name(self):
        for handin in self:
            handin.name = "%s %s" % ((handin.period_start or "")[:7],
                                     handin.user_id.name or "")

    @api.depends("period_start")
    def _compute_period_end(self):
        for handin in self:
            if handin.period_start:
                handin.period_end = month_bounds(handin.period_start)[1]

    @api.depends("line_ids.entered")
    def _compute_line_count(self):
        for handin in self:
            handin.line_count = len(handin.line_ids)
            handin.entered_count = len(handin.line_ids.filtered("entered"))

    @api.constrains("period_start")
    def _check_period_start(self):
        for handin in self:
            if handin.period_start[8:] != "01":
                raise ValidationError(_(
                    "Month: a month-end hand-in starts on the first day of "
                    "a month, not on %s.") % handin.period_start)

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    def _kam_check_kam(self, action):
        for handin in self:
            if handin.user_id != self.env.user:
                raise AccessError(_(
                    "Only the key account manager, %s, can hand in %s; the "
                    "sales secretary enters it once it is handed in.") % (
                        handin.user_id.name, handin.name))

    def _kam_check_secretary(self, action):
        if not self.env.user.has_group(
                "kam_management.group_kam_secretary"):
            raise AccessError(_(
                "Only a sales secretary can confirm that the information "
                "updates of %s are entered.")
                % ", ".join(self.mapped("name")))

    @api.multi
    def action_hand_in(self):
        """The KAM hands the month's information updates in; the sales
        secretaries of the company get an activity to enter them."""
        self._kam_check_move("action_hand_in")
        today = fields.Date.context_today(self)
        days = number_param(self.env, "kam_management.handin_entry_days",
                            3, 0)
        entry_deadline = fields.Date.to_string(
            fields.Date.from_string(today) + timedelta(days=days))
        for handin in self:
            handin._kam_state_write({
                "state": "handed_in", "handed_in_date": fields.Datetime.now(),
                "entry_deadline": entry_deadline,
                "handin_late": handin.handin_late or bool(
                    handin.handin_deadline
                    and today > handin.handin_deadline)})
        self._kam_close_activities(HANDIN_TYPE, _("Handed in"))
        for handin in self:
            handin._kam_schedule(HANDIN_TYPE, handin._kam_secretaries(),
                                 "enter", entry_deadline)
        return True

    @api.multi
    def action_confirm_entered(self):
        """The sales secretary has entered every line of the hand-in."""
        self._kam_check_move("action_confirm_entered")
        self.mapped("line_ids").filtered(
            lambda line: not line.entered)._kam_mark_entered()
        self._kam_mark_entered()
        return True

    def _kam_mark_entered(self):
        """The state ``entered`` once every line is (the buttons of the
        hand-in and of its lines, after their checks)."""
        today = fields.Date.context_today(self)
        done = self.filtered(lambda h: h.state == "handed_in" and all(
            h.line_ids.mapped("entered")))
        for handin in done:
            handin._kam_state_write({
                "state": "entered", "entered_date": fields.Datetime.now(),
                "entered_by_id": self.env.uid,
                "entry_late": handin.entry_late or bool(
                    handin.entry_deadline
                    and today > handin.entry_deadline)})
        done._kam_close_activities(HANDIN_TYPE, _("Entered"))
        return done

    # ------------------------------------------------------------------
    # Activities
    # ------------------------------------------------------------------
    def _kam_secretaries(self):
        """The active sales secretaries allowed in the hand-in's
        company."""
        group = self.env.ref("kam_management.group_kam_secretary")
        users = group.sudo().users.filtered("active")  # sudo: members
        return users.filtered(lambda u: self.company_id in u.company_ids)

    def _kam_text(self, key):
        """The summary of the activity ``key``, in the context's language
        (see ``kam_lang``)."""
        month = (self.period_start or "")[:7]
        if key == "hand_in":
            return _("Hand in your key accounts' information updates for "
                     "%s by %s") % (month, self.handin_deadline)
        if key == "enter":
            return _("Enter the information updates of %s for %s") % (
                self.user_id.name, month)
        if key == "handin_late":
            return _("Late: %s has not handed in the key accounts' "
                     "information updates for %s (due %s)") % (
                         self.user_id.name, month, self.handin_deadline)
        return _("Late: the information updates %s handed in for %s are "
                 "not entered (due %s)") % (
                     self.user_id.name, month, self.entry_deadline)

    def _kam_schedule(self, type_xmlid, users, key, deadline):
        """An activity on the hand-in for each of ``users``, its summary in
        the user's language."""
        self.ensure_one()
        # sudo: the KAM (or the cron) schedules tasks for others on a
        # hand-in they can read; activities are protected by the document
        Activity = self.env["mail.activity"].sudo()  # sudo: see above
        model_id = self.env["ir.model"]._get(self._name).id
        for user in users:
            Activity.create({
                "res_model_id": model_id, "res_id": self.id,
                "activity_type_id": self.env.ref(type_xmlid).id,
                "summary": in_lang(self, user)._kam_text(key),
                "user_id": user.id, "date_deadline": deadline})

    def _kam_close_activities(self, type_xmlid, feedback):
        if not self:
            return
        # sudo: close the task whoever it was given to
        self.env["mail.activity"].sudo().search([  # sudo: see above
            ("res_model", "=", self._name), ("res_id", "in", self.ids),
            ("activity_type_id", "=", self.env.ref(type_xmlid).id),
        ]).action_feedback(feedback)

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    def _kam_account_lines(self, user_id):
        """Line commands: one line per key account of ``user_id``."""
        self.env.cr.execute(
            "SELECT id FROM res_partner WHERE kam_is_key_account AND active "
            "AND kam_manager_id = %s ORDER BY id", (user_id,))
        return [(0, 0, {"partner_id": row[0]})
                for row in self.env.cr.fetchall()]

    @api.model
    def create(self, vals):
        # the values' types first: the defaults below read them
        self._kam_input_check(vals, creating=False)
        vals = dict(vals)
        user_id = vals.get("user_id")
        if user_id and "line_ids" not in vals:
            vals["line_ids"] = self._kam_account_lines(user_id)
        if vals.get("period_start") and not vals.get("handin_deadline"):
            vals["handin_deadline"] = handin_deadline(
                self.env, vals["period_start"])
        return super(KamMonthHandin, self).create(vals)

    def _kam_protected_error(self, names):
        return UserError(_(
            "These fields of a month-end hand-in are set by its buttons "
            "and the scheduled action and cannot be written: %s.")
            % ", ".join(names))

    @api.multi
    def write(self, vals):
        # the remarks and lines are the KAM's; the rest comes from the
        # buttons and the scheduled action (which write as superuser or
        # past this)
        self._kam_check_protected(vals)  # before the owner's check below
        if set(vals) & USER_FIELDS and self.env.uid != SUPERUSER_ID:
            for handin in self:
                if handin.user_id != self.env.user:
                    raise AccessError(_(
                        "Only the key account manager, %s, can write the "
                        "lines and remarks of %s.") % (handin.user_id.name,
                                                       handin.name))
                if handin.state != "draft":
                    raise UserError(_(
                        "%s is %s; only a hand-in still to hand in can be "
                        "changed.") % (
                            handin.name, handin._kam_state_label(
                                handin.state)))
        return super(KamMonthHandin, self).write(vals)

    # ------------------------------------------------------------------
    # Scheduled action (run by kam.report._cron_month_end_information)
    # ------------------------------------------------------------------
    @api.model
    def _kam_month_end(self, today=None):
        """Daily: mark and escalate the late hand-ins, and in the last
        ``kam_management.month_end_days`` days of the month draft the
        month's hand-ins. Returns the hand-ins drafted by this run."""
        today = today or fields.Date.context_today(self)
        self._kam_check_late(today)
        first, last = month_bounds(today)
        caught_up = self._kam_catch_up(first, today)
        days_left = (fields.Date.from_string(last)
                     - fields.Date.from_string(today)).days
        if days_left >= self.env["kam.report"]._kam_month_end_days():
            return caught_up
        return caught_up | self._kam_prepare(first)

    @api.model
    def _kam_catch_up(self, month_first, today):
        """The scheduled actions stopped over the last days of last month
        (a server down, the cron worker stopped): last month has no
        hand-in at all while the month before it has some. Draft last
        month's hand-ins now, once, with ``month_end_days`` days to hand
        them in from today: nobody is late for the outage. A database
        without any earlier hand-in (a new install) catches up nothing.
        Returns the hand-ins drafted."""
        month = fields.Date.from_string(month_first)
        previous = fields.Date.to_string(
            (month - timedelta(days=1)).replace(day=1))
        before = fields.Date.to_string(
            (fields.Date.from_string(previous) - timedelta(days=1)).replace(
                day=1))
        Handin = self.sudo()  # sudo: the cron looks at every KAM's hand-in
        if Handin.search_count([("period_start", "=", previous)]) or \
                not Handin.search_count([("period_start", "=", before)]):
            return self.browse()
        deadline = fields.Date.to_string(
            fields.Date.from_string(today) + timedelta(
                days=self.env["kam.report"]._kam_month_end_days()))
        _logger.info("month-end hand-ins of %s were not drafted in time: "
                     "drafted now, to hand in by %s", previous, deadline)
        return self._kam_prepare(previous, deadline=deadline)

    @api.model
    def _kam_prepare(self, period_start, deadline=None):
        """Draft the hand-ins of the month for every KAM with key
        accounts, one line per key account; add a line to a draft for an
        account promoted since. Idempotent: an existing hand-in is never
        created again (and the database refuses a second one). Returns the
        hand-ins created. ``deadline``: the hand-in deadline when not the
        month's own (a catch-up, ``_kam_catch_up``)."""
        cr = self.env.cr
        cr.execute(KEY_ACCOUNTS_SQL)
        accounts = dict(cr.fetchall())
        regions = self.env["kam.report"]._kam_authors()["kam"]
        Handin = self.sudo()  # sudo: the cron drafts every KAM's hand-in
        Line = self.env["kam.month.handin.line"].sudo()  # sudo: see above
        Region = self.env["kam.region"].sudo()  # sudo: company of regions
        Users = self.env["res.users"].sudo()  # sudo: company of the KAM
        existing = {h.user_id.id: h for h in Handin.search([
            ("period_start", "=", period_start),
            ("user_id", "in", list(accounts))])}
        created = Handin.browse()
        for user_id in sorted(accounts):
            handin = existing.get(user_id)
            if handin is None:
                region = Region.browse(regions.get(user_id))
                company = region.company_id or \
                    Users.browse(user_id).company_id
                created |= Handin.create({
                    "user_id": user_id, "period_start": period_start,
                    "region_id": region.id, "company_id": company.id,
                    "handin_deadline": deadline,
                    "line_ids": [(0, 0, {"partner_id": partner_id})
                                 for partner_id in accounts[user_id]]})
            elif handin.state == "draft":
                have = set(handin.line_ids.mapped("partner_id").ids)
                for partner_id in accounts[user_id]:
                    if partner_id not in have:
                        Line.create({"handin_id": handin.id,
                                     "partner_id": partner_id})
        for handin in created:
            handin._kam_schedule(HANDIN_TYPE, handin.user_id, "hand_in",
                                 handin.handin_deadline)
        _logger.info("month-end hand-ins of %s: %s new", period_start,
                     len(created))
        return created

    @api.model
    def _kam_check_late(self, today):
        """Mark the hand-ins not handed in by their deadline and those not
        entered in time as late, and tell the regional manager (late
        hand-in) or the sales directors (late entry), once each."""
        Handin = self.sudo()  # sudo: the cron checks every hand-in
        now = fields.Datetime.now()
        Handin.search([("state", "=", "draft"), ("handin_late", "=", False),
                       ("handin_deadline", "<", today)]).write(
                           {"handin_late": True})
        Handin.search([("state", "=", "handed_in"),
                       ("entry_late", "=", False),
                       ("entry_deadline", "<", today)]).write(
                           {"entry_late": True})
        Users = self.env["res.users"]
        for handin in Handin.search([("state", "=", "draft"),
                                     ("handin_late", "=", True),
                                     ("handin_escalated_date", "=", False)]):
            manager = handin.region_id.manager_id
            if not manager or manager == handin.user_id:
                manager = Users._kam_directors(handin.company_id) - \
                    handin.user_id
            handin._kam_schedule(LATE_TYPE, manager, "handin_late", today)
            handin.write({"handin_escalated_date": now})
        for handin in Handin.search([("state", "=", "handed_in"),
                                     ("entry_late", "=", True),
                                     ("entry_escalated_date", "=", False)]):
            handin._kam_schedule(
                LATE_TYPE, Users._kam_directors(handin.company_id),
                "entry_late", today)
            handin.write({"entry_escalated_date": now})
        return True
