# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import plaintext2html

from .kam_company import check_user_allowed, check_writer_allowed
from .kam_lang import in_lang
from .kam_settings import bool_param
from .kam_workflow_mixin import transition

REQUIREMENT_STATES = [
    ("received", "Received"),
    ("drafting", "Drafting"),
    ("review", "Review"),
    ("approved", "Approved"),
    ("delivered", "Delivered"),
    ("cancelled", "Cancelled"),
]
OPEN_STATES = ("received", "drafting", "review", "approved")
# R6: only the designated approver approves a solution without a reason
APPROVAL_PARAM = "kam_management.solution_approval_kam_only"

# Set only by the workflow actions, never written directly.
WORKFLOW_FIELDS = frozenset([
    "solution_user_id", "date_submitted", "approved_user_id",
    "date_approved", "date_delivered", "reject_reason", "date_stage_start",
    "stage_user_id", "approval_reason",
])


class KamRequirement(models.Model):
    """A project requirement of a key account, handled as one-stop service
    (R6): the KAM receives it, technical support drafts the solution, the KAM
    (or their regional manager) reviews and approves it, and only then is it
    delivered to the customer.

    Every hand-over gives the next person a ``mail.activity`` and marks the
    previous one done; every stage is timed in ``kam.requirement.stage.log``
    against the targets of ``kam.requirement.stage.target``.
    """

    _name = "kam.requirement"
    _description = "Key-Account Requirement"
    _inherit = ["kam.workflow.mixin", "mail.thread", "mail.activity.mixin",
                "kam.input.check"]
    _order = "date_received desc, id desc"
    # the state is the kanban's column (group_expand): dragging a card runs
    # the transition between the two columns, with the same checks
    _kam_workflow_fields = WORKFLOW_FIELDS
    _kam_transitions = {
        "action_start": transition(
            ["received"], "drafting", _("Start"), "_kam_check_manager"),
        "action_submit_solution": transition(
            ["drafting"], "review", _("Submit Solution"),
            "_kam_check_solution_author"),
        "action_approve": transition(
            ["review"], "approved", _("Approve"), "_kam_check_approver"),
        "action_reject": transition(
            ["review"], "drafting", _("Send Back"), "_kam_check_manager"),
        "action_deliver": transition(
            ["approved"], "delivered", _("Deliver"), "_kam_check_manager"),
        "action_cancel": transition(
            OPEN_STATES, "cancelled", _("Cancel"), "_kam_check_manager"),
    }

    name = fields.Char(string="Requirement", required=True,
                       track_visibility="onchange")
    partner_id = fields.Many2one(
        "res.partner", string="Key Account", required=True, index=True,
        ondelete="restrict", track_visibility="onchange",
        domain=[("kam_is_key_account", "=", True)])
    kam_manager_id = fields.Many2one(
        "res.users", string="Key Account Manager",
        related="partner_id.kam_manager_id", store=True, readonly=True)
    company_id = fields.Many2one(
        "res.company", string="Company", related="partner_id.company_id",
        store=True, readonly=True, index=True,
        help="The company of the key account.")
    team_id = fields.Many2one(
        "kam.support.team", string="Support Team",
        compute="_compute_team_id")
    description = fields.Html()
    attachment_ids = fields.Many2many(
        "ir.attachment", "kam_requirement_ir_attachment_rel",
        "requirement_id", "attachment_id", string="Attachments")
    date_received = fields.Datetime(
        string="Received On", required=True, default=fields.Datetime.now)
    received_user_id = fields.Many2one(
        "res.users", string="Received By",
        help="The key account manager who took the requirement (R3); "
             "defaults to the account's KAM.")
    tech_user_id = fields.Many2one(
        "res.users", string="Technical Support", index=True,
        track_visibility="onchange",
        help="Drafts the solution (R6); defaults to the technical support "
             "member of the account's support team.")
    # the drafts are the company's: the customer reads the solution once it
    # is delivered (customer_solution, the portal)
    solution = fields.Html(groups="base.group_user")
    customer_solution = fields.Html(
        string="Delivered Solution", compute="_compute_customer_solution",
        help="The solution as delivered to the customer; empty until it is "
             "delivered.")
    solution_user_id = fields.Many2one(
        "res.users", string="Solution By", readonly=True,
        help="Who submitted the solution for review; they cannot approve it.")
    date_submitted = fields.Datetime(string="Submitted On", readonly=True)
    approved_user_id = fields.Many2one(
        "res.users", string="Approved By", readonly=True)
    approval_reason = fields.Text(
        string="Reason for Approving", readonly=True, copy=False,
        groups="base.group_user", track_visibility="onchange",
        help="Why someone other than the key account manager approved the "
             "solution (for example, the key account manager was absent); "
             "see the setting \"Only the Key Account Manager Approves "
             "Solutions\".")
    date_approved = fields.Datetime(string="Approved On", readonly=True)
    date_delivered = fields.Datetime(string="Delivered On", readonly=True)
    reject_reason = fields.Text(
        string="Reason Sent Back", readonly=True, track_visibility="onchange",
        groups="base.group_user",
        help="Why the reviewer sent the solution back to drafting (latest).")
    state = fields.Selection(
        REQUIREMENT_STATES, string="Stage", required=True, default="received",
        index=True, copy=False, track_visibility="onchange",
        group_expand="_read_group_state")
    date_stage_start = fields.Datetime(
        string="In Stage Since", readonly=True, copy=False)
    stage_user_id = fields.Many2one(
        "res.users", string="Responsible", readonly=True, copy=False,
        help="Who has to act in the current stage.")
    stage_log_ids = fields.One2many(
        "kam.requirement.stage.log", "requirement_id", string="Stage Times",
        readonly=True)
    stage_deadline = fields.Datetime(
        compute="_compute_stage_deadline",
        help="End of the current stage's target (configured by sales "
             "directors).")
    is_overdue = fields.Boolean(
        string="Overdue", compute="_compute_stage_deadline",
        search="_search_is_overdue",
        help="The requirement has been in its stage longer than the target.")
    elapsed_hours = fields.Float(
        string="Time so Far (hours)", compute="_compute_elapsed_hours",
        help="Calendar hours from receiving the requirement to its delivery "
             "(or cancellation), or to now while it is open.")

    # ------------------------------------------------------------------
    # Computes and defaults
    # ------------------------------------------------------------------
    @api.depends("partner_id")
    def _compute_team_id(self):
        for req in self:
            partner = req.partner_id.sudo()  # sudo: team of a visible account
            req.team_id = partner.kam_support_team_id

    @api.depends("state", "date_stage_start")
    def _compute_stage_deadline(self):
        targets = self.env["kam.requirement.stage.target"]._kam_targets()
        now = fields.Datetime.now()
        for req in self:
            hours = targets.get(req.state) if req.state in OPEN_STATES \
                else 0
            if not (hours and req.date_stage_start):
                req.stage_deadline = False
                req.is_overdue = False
                continue
            deadline = fields.Datetime.to_string(
                fields.Datetime.from_string(req.date_stage_start)
                + timedelta(hours=hours))
            req.stage_deadline = deadline
            req.is_overdue = deadline < now

    @api.depends("state", "date_received", "date_delivered",
                 "date_stage_start")
    def _compute_elapsed_hours(self):
        now = fields.Datetime.from_string(fields.Datetime.now())
        for req in self:
            if not req.date_received:
                req.elapsed_hours = 0.0
                continue
            if req.state == "delivered":
                end = req.date_delivered
            elif req.state == "cancelled":
                end = req.date_stage_start
            else:
                end = None
            end = fields.Datetime.from_string(end) if end else now
            start = fields.Datetime.from_string(req.date_received)
            req.elapsed_hours = max(
                (end - start).total_seconds() / 3600.0, 0.0)

    @api.depends("state", "solution")
    def _compute_customer_solution(self):
        for req in self:
            # sudo: the delivered solution is the customer's to read, also
            # for a reader outside the company (the portal); the drafts
            # stay hidden from them
            req.customer_solution = req.sudo().solution \
                if req.state == "delivered" else False

    @api.model
    def _search_is_overdue(self, operator, value):
        """Requirements past their stage's target, in one query."""
        if operator not in ("=", "!="):
            raise UserError(_("Overdue: unsupported search operator %s.")
                            % operator)
        self.env.cr.execute("""
            SELECT r.id FROM kam_requirement r
            JOIN kam_requirement_stage_target t ON t.state = r.state
            WHERE t.target_hours > 0
              AND r.date_stage_start
                  + t.target_hours * interval '1 hour' < %s""",
                            (fields.Datetime.now(),))
        ids = [row[0] for row in self.env.cr.fetchall()]
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", ids)]

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        partner = self.partner_id.sudo()  # sudo: KAM and team of the account
        self.received_user_id = partner.kam_manager_id
        self.tech_user_id = partner.kam_support_team_id._kam_member_user(
            "technical_support")

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("partner_id")
    def _check_partner_id(self):
        for req in self.sudo():  # sudo: read the key-account flag
            if not req.partner_id.kam_is_key_account:
                raise ValidationError(_(
                    "Key Account: %s is not a key account.")
                    % req.partner_id.display_name)

    @api.constrains("partner_id", "tech_user_id")
    def _check_tech_user_id(self):
        """Technical support comes from the account's team (R5), so the
        person can see the account and the requirement."""
        for req in self.sudo():  # sudo: read the team of the account
            if not req.tech_user_id:
                continue
            team = req.partner_id.kam_support_team_id
            active = team.member_ids.filtered("is_active").mapped("user_id")
            if req.tech_user_id not in active:
                raise ValidationError(_(
                    "Technical Support: %s is not an active member of the "
                    "support team of %s; add them to the team first.")
                    % (req.tech_user_id.name, req.partner_id.display_name))

    @api.constrains("partner_id", "received_user_id")
    def _check_company(self):
        """The account is of a company the user works in, and whoever
        received the requirement works in the account's company."""
        for req in self:
            check_writer_allowed(req, "partner_id")
            check_user_allowed(req, "received_user_id")

    @api.constrains("date_received")
    def _check_date_received(self):
        now = fields.Datetime.now()
        for req in self.sudo():  # sudo: access is checked after
            if req.date_received > now:
                raise ValidationError(_(
                    "Received On: %s is in the future.") % req.date_received)

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    @api.model
    def create(self, vals):
        if vals.get("state", "received") != "received" or \
                set(vals) & WORKFLOW_FIELDS:
            raise UserError(_(
                "Stage: a new requirement starts as received; use the "
                "buttons to move it on."))
        # wrong types are told before the account is read below
        self._kam_input_check(vals, creating=False)
        partner = self.env["res.partner"].browse(
            vals.get("partner_id")).sudo()  # sudo: KAM and team of account
        vals = dict(vals)
        if not vals.get("received_user_id"):
            vals["received_user_id"] = partner.kam_manager_id.id or \
                self.env.uid
        if "tech_user_id" not in vals:
            vals["tech_user_id"] = partner.kam_support_team_id.\
                _kam_member_user("technical_support").id
        vals.setdefault("date_received", fields.Datetime.now())
        vals["date_stage_start"] = vals["date_received"]
        vals["stage_user_id"] = partner.kam_manager_id.id
        req = super(KamRequirement, self).create(vals)
        req._kam_open_stage(vals["date_stage_start"])
        return req

    @api.multi
    def write(self, vals):
        # the workflow fields are refused by kam.workflow.mixin;
        # a new state (a kanban card dragged) runs the transition, see
        # kam.workflow.mixin
        self._kam_check_edit(vals)
        return super(KamRequirement, self).write(vals)

    def _kam_protected_error(self, names):
        return UserError(_(
            "These fields are set by the workflow buttons and cannot be "
            "written: %s.") % ", ".join(names))

    def _kam_check_edit(self, vals):
        """The solution is frozen once submitted, the account once the work
        has started."""
        for req in self:
            if "solution" in vals and req.state not in ("received",
                                                        "drafting"):
                raise UserError(_(
                    "Solution: the solution of \"%s\" was submitted; send it "
                    "back to drafting to change it.") % req.name)
            if "partner_id" in vals and req.state != "received" and \
                    vals["partner_id"] != req.partner_id.id:
                raise UserError(_(
                    "Key Account: the work on \"%s\" has started; it cannot "
                    "move to another account.") % req.name)

    # ------------------------------------------------------------------
    # Roles
    # ------------------------------------------------------------------
    def _kam_managers(self):
        """The account's KAM and regional manager."""
        partner = self.partner_id.sudo()  # sudo: owner fields of the account
        return partner.kam_manager_id | partner.kam_region_id.manager_id

    def _kam_is_manager(self):
        """Whether the current user manages this requirement's account: its
        KAM, its regional manager or a sales director."""
        user = self.env.user
        return (user.has_group("kam_management.group_kam_director")
                or user in self._kam_managers())

    def _kam_check_manager(self, action):
        for req in self:
            if not req._kam_is_manager():
                raise AccessError(_(
                    "%s: only the key account manager of %s, the regional "
                    "manager of its region or a sales director can do "
                    "this.") % (action, req.partner_id.display_name))

    def _kam_authors(self):
        return self.tech_user_id | self.solution_user_id

    def _kam_approver(self):
        """Who reviews the solution: the KAM, or the regional manager when
        the KAM wrote the solution (nobody approves their own work)."""
        partner = self.partner_id.sudo()  # sudo: owner fields of the account
        if partner.kam_manager_id not in self._kam_authors():
            return partner.kam_manager_id
        return partner.kam_region_id.manager_id

    def _kam_check_solution_author(self, action):
        """The technical support assigned, or whoever manages the
        account."""
        user = self.env.user
        for req in self:
            if user != req.tech_user_id and not req._kam_is_manager():
                raise AccessError(_(
                    "Submit Solution: only the technical support assigned to "
                    "\"%s\" or its key account manager can submit the "
                    "solution.") % req.name)

    def _kam_approval_kam_only(self):
        """The setting ``kam_management.solution_approval_kam_only``
        (default on): only the designated approver approves without a
        reason."""
        return bool_param(self.env, APPROVAL_PARAM, True)

    def _kam_approval_needs_reason(self):
        """Whether the current user approves this solution only with a
        recorded reason (R6): with the setting on, everyone but the
        designated approver (``_kam_approver``: the KAM, or the regional
        manager when the KAM wrote the solution). The superuser (data
        files, scheduled actions) passes, as every "who" check."""
        self.ensure_one()
        if self._kam_is_superuser() or not self._kam_approval_kam_only():
            return False
        return self.env.user not in self._kam_approver()

    def _kam_check_approver(self, action):
        """A manager of the account, never the author of the solution
        (R6)."""
        self._kam_check_manager(action)
        for req in self:
            if self.env.user in req._kam_authors():
                raise AccessError(_(
                    "Approve: you wrote the solution of \"%s\"; the key "
                    "account manager or the regional manager must approve "
                    "it.") % req.name)

    # ------------------------------------------------------------------
    # Stages: time and hand-over activities
    # ------------------------------------------------------------------
    def _kam_open_stage(self, date_start, note=None):
        """Open the log row of the current stage and hand it over."""
        targets = self.env["kam.requirement.stage.target"]._kam_targets()
        # users only read the stage times; the system keeps them
        Log = self.env["kam.requirement.stage.log"].sudo()  # sudo: see above
        activity_type = self.env.ref(
            "kam_management.mail_activity_type_kam_requirement")
        for req in self:
            if req.state not in OPEN_STATES:
                continue
            hours = targets.get(req.state, 0.0)
            Log.create({
                "requirement_id": req.id,
                "state": req.state,
                "user_id": req.stage_user_id.id,
                "date_start": date_start,
                "target_hours": hours,
                "note": note,
            })
            if not req.stage_user_id:
                continue
            deadline = fields.Datetime.from_string(date_start) + \
                timedelta(hours=hours)
            self.env["mail.activity"].create({
                "res_model_id": self.env["ir.model"]._get(self._name).id,
                "res_id": req.id,
                "activity_type_id": activity_type.id,
                # in the language of the person it is handed to
                "summary": in_lang(
                    req, req.stage_user_id)._kam_stage_summary(),
                "note": note and plaintext2html(note) or False,
                "user_id": req.stage_user_id.id,
                "date_deadline": fields.Date.context_today(
                    req, max(deadline, fields.Datetime.from_string(
                        fields.Datetime.now()))),
            })

    def _kam_stage_summary(self):
        return {
            "received": _("Assign technical support and start drafting"),
            "drafting": _("Draft the solution"),
            "review": _("Review and approve the solution"),
            "approved": _("Deliver the approved solution to the customer"),
        }[self.state]

    def _kam_close_stage(self, date_end, feedback=None):
        """Close the open log rows and mark the hand-over activities done."""
        Log = self.env["kam.requirement.stage.log"].sudo()  # sudo: system log
        logs = Log.search([("requirement_id", "in", self.ids),
                           ("date_end", "=", False)])
        logs.write({"date_end": date_end})
        activity_type = self.env.ref(
            "kam_management.mail_activity_type_kam_requirement")
        activities = self.env["mail.activity"].search([
            ("res_model", "=", self._name), ("res_id", "in", self.ids),
            ("activity_type_id", "=", activity_type.id)])
        if activities:
            activities.action_feedback(feedback=feedback)

    def _kam_transition(self, new_state, responsible, vals=None,
                        feedback=None, note=None):
        """Move to ``new_state``: close the stage left, write the new state
        and open the next stage for ``responsible`` (a function of the
        requirement returning a user)."""
        now = fields.Datetime.now()
        for req in self:
            req._kam_close_stage(now, feedback=feedback)
            req._kam_state_write(
                dict(vals or {}, state=new_state, date_stage_start=now))
            # who acts next may depend on the values just written
            req._kam_state_write({"stage_user_id": responsible(req).id})
            req._kam_open_stage(now, note=note)
        return True

    # ------------------------------------------------------------------
    # Actions (R6)
    # ------------------------------------------------------------------
    def _kam_check_write(self):
        self.check_access_rights("write")
        self.check_access_rule("write")

    @api.multi
    def action_start(self):
        """The KAM hands the requirement to technical support."""
        self._kam_check_write()
        self._kam_check_move("action_start")
        for req in self:
            if not req.tech_user_id:
                raise UserError(_(
                    "Technical Support: assign someone to draft the solution "
                    "of \"%s\" first.") % req.name)
        return self._kam_transition(
            "drafting", lambda r: r.tech_user_id,
            feedback=_("Handed to technical support."))

    @api.multi
    def action_submit_solution(self):
        """Technical support submits the solution for review."""
        self._kam_check_write()
        self._kam_check_move("action_submit_solution")
        user = self.env.user
        for req in self:
            if not req.solution or not req.solution.strip() or \
                    req.solution.strip() in ("<p><br></p>", "<p></p>"):
                raise UserError(_(
                    "Solution: write the solution of \"%s\" before "
                    "submitting it for review.") % req.name)
        now = fields.Datetime.now()
        return self._kam_transition(
            "review", lambda r: r._kam_approver(),
            vals={"solution_user_id": user.id, "date_submitted": now},
            feedback=_("Solution submitted for review."))

    @api.multi
    def action_approve(self, reason=None):
        """The KAM approves the solution; the author of the solution never
        approves it (R6). With the setting ``kam_management.
        solution_approval_kam_only`` on (the default), anyone else who
        manages the account (its regional manager, a sales director) gives
        a ``reason`` (an argument, or the context key
        ``kam_approval_reason``), recorded in ``approval_reason``; the
        regional manager needs none when the KAM wrote the solution. With
        the setting off, any manager approves without one."""
        self._kam_check_write()
        self._kam_check_move("action_approve")
        if reason is None:
            reason = self.env.context.get("kam_approval_reason")
        if reason is not None and reason is not False and \
                not isinstance(reason, str):
            raise UserError(_("Reason: give the reason as a text."))
        reason = (reason or "").strip()
        for req in self:
            if not reason and req._kam_approval_needs_reason():
                raise UserError(_(
                    "Reason: you approve the solution of \"%s\" instead of "
                    "%s; say why (for example, the key account manager is "
                    "absent).") % (req.name, req._kam_approver().name
                                   or _("its key account manager")))
        feedback = _("Solution approved: %s") % reason if reason \
            else _("Solution approved.")
        return self._kam_transition(
            "approved", lambda r: r.kam_manager_id,
            vals={"approved_user_id": self.env.uid,
                  "date_approved": fields.Datetime.now(),
                  "approval_reason": reason or False},
            feedback=feedback)

    @api.multi
    def action_reject(self, reason=None):
        """Send the solution back to drafting, with a reason."""
        self._kam_check_write()
        self._kam_check_move("action_reject")
        if not reason or not reason.strip():
            raise UserError(_(
                "Reason: say why the solution goes back to drafting."))
        return self._kam_transition(
            "drafting", lambda r: r.tech_user_id,
            vals={"reject_reason": reason},
            feedback=_("Sent back: %s") % reason, note=reason)

    @api.multi
    def action_deliver(self):
        """The KAM delivers the approved solution to the customer."""
        self._kam_check_write()
        self._kam_check_move("action_deliver")
        return self._kam_transition(
            "delivered", lambda r: r.env["res.users"],
            vals={"date_delivered": fields.Datetime.now()},
            feedback=_("Delivered to the customer."))

    @api.multi
    def action_cancel(self):
        """Drop the requirement; its open activity is closed."""
        self._kam_check_write()
        self._kam_check_move("action_cancel")
        return self._kam_transition(
            "cancelled", lambda r: r.env["res.users"],
            feedback=_("Requirement cancelled."))

    @api.multi
    def action_approve_ask_reason(self):
        """The "Approve" button: approves at once when the user needs no
        reason (the designated approver, see ``action_approve``), otherwise
        opens the wizard that asks for it."""
        self.ensure_one()
        self._kam_check_write()
        self._kam_check_move("action_approve")
        if not self._kam_approval_needs_reason():
            return self.action_approve()
        action = self.env.ref(
            "kam_management.kam_requirement_approve_wizard_action").read()[0]
        action["context"] = {"default_requirement_id": self.id}
        return action

    @api.multi
    def action_open_reject_wizard(self):
        """The "Send Back" button: ask for the reason (only whoever may
        send the solution back opens the wizard)."""
        self.ensure_one()
        self._kam_check_write()
        self._kam_check_may_move("action_reject")
        action = self.env.ref(
            "kam_management.kam_requirement_reject_wizard_action").read()[0]
        action["context"] = {"default_requirement_id": self.id}
        return action
