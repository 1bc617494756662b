# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Relationship-level requests (R11, issue 12): a change of an account's
relationship level needs a second person.

The account's key account manager does not change the level; they ask
(``res.partner.action_kam_request_level``), and the regional manager of
the account's region or a sales director approves or rejects the request.
Nobody decides a request they made, nor a request on an account they
manage as its KAM. On approval the level is written as the approver, and
the history row (``kam.relationship.history``) names who asked and who
approved.
"""
from datetime import timedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import plaintext2html

from .kam_lang import in_lang, users_by_lang
from .kam_workflow_mixin import transition

REQUEST_STATES = [
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]
# Set when the change is asked for, never written afterwards.
REQUEST_FIELDS = frozenset([
    "partner_id", "old_level_id", "new_level_id", "requested_by",
])
# Set by the decision buttons only.
DECISION_FIELDS = frozenset(["decided_by_id", "decision_date"])
# Days the deciders' activity gives them.
DECISION_DAYS = 2


def text_arg(value):
    """A text argument of a button method, or None: the web client calls a
    form's button with its context as the last positional argument (Odoo
    11), which lands in the method's optional parameter."""
    if isinstance(value, str) and value.strip():
        return value
    return None


class KamRelationshipLevelRequest(models.Model):
    """A key account manager's request to move an account to another
    relationship level, decided by a second person (R11)."""

    _name = "kam.relationship.level.request"
    _description = "Key-Account Relationship-Level Request"
    _inherit = ["kam.workflow.mixin", "mail.thread", "mail.activity.mixin",
                "kam.input.check"]
    _order = "create_date desc, id desc"
    _rec_name = "partner_id"
    _kam_workflow_fields = REQUEST_FIELDS | DECISION_FIELDS
    _kam_transitions = {
        "action_approve": transition(
            ["pending"], "approved", _("Approve"), "_kam_check_decider"),
        "action_reject": transition(
            ["pending"], "rejected", _("Reject"), "_kam_check_decider"),
    }

    partner_id = fields.Many2one(
        "res.partner", string="Key Account", required=True, index=True,
        ondelete="cascade", domain=[("kam_is_key_account", "=", True)],
        track_visibility="onchange")
    company_id = fields.Many2one(
        "res.company", string="Company", related="partner_id.company_id",
        store=True, readonly=True, index=True)
    region_id = fields.Many2one(
        "kam.region", string="Region", related="partner_id.kam_region_id",
        store=True, readonly=True, index=True,
        help="The account's region: its regional manager decides.")
    kam_manager_id = fields.Many2one(
        "res.users", string="Key Account Manager",
        related="partner_id.kam_manager_id", store=True, readonly=True,
        index=True)
    current_level_id = fields.Many2one(
        "kam.relationship.level", string="Current Level",
        related="partner_id.kam_relationship_level_id", readonly=True)
    old_level_id = fields.Many2one(
        "kam.relationship.level", string="Level When Asked",
        ondelete="restrict", readonly=True,
        help="The account's level when the change was asked for. If the "
             "level has changed since, the request can no longer be "
             "approved (reject it; a new one can be made).")
    new_level_id = fields.Many2one(
        "kam.relationship.level", string="Requested Level", required=True,
        ondelete="restrict", track_visibility="onchange")
    # (the name lacks the usual _id: it is the public API of issue 12)
    requested_by = fields.Many2one(
        "res.users", required=True, index=True,
        ondelete="restrict", readonly=True,
        default=lambda self: self.env.user)
    reason = fields.Text(
        required=True, track_visibility="onchange",
        help="Why the account should move to the requested level.")
    state = fields.Selection(
        REQUEST_STATES, string="Status", required=True, default="pending",
        index=True, copy=False, track_visibility="onchange")
    decided_by_id = fields.Many2one(
        "res.users", string="Decided By", readonly=True, copy=False,
        ondelete="restrict")
    decision_date = fields.Datetime(
        string="Decided On", readonly=True, copy=False)
    decision_note = fields.Text(
        copy=False, track_visibility="onchange",
        help="The decider's note; required to reject.")
    direction = fields.Selection(
        [("up", "Upgrade"), ("down", "Downgrade")],
        compute="_compute_direction",
        help="Up or down the ladder, from the level when asked.")
    history_ids = fields.One2many(
        "kam.relationship.history", "request_id",
        string="Relationship History", readonly=True)
    can_decide = fields.Boolean(
        compute="_compute_can_decide",
        help="Whether you may approve or reject this request now.")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("old_level_id", "new_level_id")
    def _compute_direction(self):
        for req in self:
            old, new = req.old_level_id, req.new_level_id
            if old and new:
                req.direction = "up" if new.sequence >= old.sequence \
                    else "down"
            else:
                req.direction = False

    def _compute_can_decide(self):
        for req in self:
            req.can_decide = req.state == "pending" and \
                not req._kam_decide_refusal(_("Approve"))

    @api.multi
    def name_get(self):
        return [(req.id, "%s: %s \N{RIGHTWARDS ARROW} %s" % (
            req.partner_id.sudo().display_name,  # sudo: the name only
            req.old_level_id.name or "-", req.new_level_id.name or "-"))
            for req in self]

    # ------------------------------------------------------------------
    # Database
    # ------------------------------------------------------------------
    @api.model_cr
    def init(self):
        """One pending request per account, also under concurrent
        requests (create() says so first, in words)."""
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS
                   kam_relationship_level_request_one_pending
                ON kam_relationship_level_request (partner_id)
             WHERE state = 'pending'""")

    # ------------------------------------------------------------------
    # Roles
    # ------------------------------------------------------------------
    def _kam_is_director(self, user):
        return user.id == SUPERUSER_ID or user.has_group(
            "kam_management.group_kam_director")

    def _kam_request_refusal(self, partner):
        """Why the current user may not ask to change the level of
        ``partner`` (None: they may). The account's KAM asks; so may
        whoever may change the level (its regional manager, a sales
        director)."""
        user = self.env.user
        account = partner.sudo()  # sudo: read the owner fields
        if self._kam_is_director(user) or user in (
                account.kam_manager_id | account.kam_region_id.manager_id):
            return None
        return _("Level Request: only the key account manager of %s, the "
                 "regional manager of its region or a sales director can "
                 "ask to change its relationship level.") \
            % account.display_name

    def _kam_decide_refusal(self, action):
        """Why the current user may not decide this request (None: they
        may): the account's regional manager or a sales director, never
        the person who asked nor the account's own KAM."""
        self.ensure_one()
        user = self.env.user
        if user.id == SUPERUSER_ID:
            return None
        account = self.partner_id.sudo()  # sudo: read the owner fields
        if user == self.requested_by:
            return _("%s: you asked for this change of %s; you cannot "
                     "decide your own request. Its regional manager or a "
                     "sales director decides.") % (
                         action, account.display_name)
        if user == account.kam_manager_id:
            return _("%s: you are the key account manager of %s; you "
                     "cannot decide a change of its level. Its regional "
                     "manager or a sales director decides.") % (
                         action, account.display_name)
        if account.kam_region_id.manager_id != user and \
                not self._kam_is_director(user):
            return _("%s: only the regional manager of %s or a sales "
                     "director can decide a relationship-level request.") \
                % (action, account.display_name)
        return None

    def _kam_check_decider(self, action):
        """The ``who`` check of the decision buttons."""
        for req in self:
            refusal = req._kam_decide_refusal(action)
            if refusal:
                raise AccessError(refusal)

    def _kam_deciders(self):
        """Who is asked to decide: the regional manager of the account's
        region, or else (no manager, or they asked or are the account's
        KAM) the sales directors of the account's company."""
        self.ensure_one()
        account = self.partner_id.sudo()  # sudo: read the owner fields
        excluded = self.requested_by | account.kam_manager_id
        manager = account.kam_region_id.manager_id
        if manager and manager.active and manager not in excluded:
            return manager
        # sudo: the members of the directors' group
        group = self.env.ref("kam_management.group_kam_director").sudo()
        directors = group.users.filtered(
            lambda u: u not in excluded and u.active and (
                not account.company_id
                or account.company_id in u.company_ids))
        # the administrator only when no real director is left
        people = directors.filtered(lambda u: u.id != SUPERUSER_ID)
        return people or directors

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    @api.model
    def create(self, vals):
        superuser = self.env.uid == SUPERUSER_ID
        # with the defaults (the account from the context of the dialog of
        # the account form); wrong types and missing values are told
        # before anything is read
        vals = self._add_missing_default_values(vals)
        self._kam_input_check(vals, creating=True)
        if not superuser:
            if vals.get("state", "pending") != "pending" or \
                    any(vals.get(f) for f in DECISION_FIELDS):
                raise UserError(_(
                    "Status: a new relationship-level request starts as "
                    "pending; the regional manager or a sales director "
                    "decides it with the buttons."))
            if vals.get("requested_by") and \
                    vals["requested_by"] != self.env.uid:
                raise UserError(_(
                    "Requested By: a request is made by the person who "
                    "asks; it cannot be made in someone else's name."))
        partner = self.env["res.partner"].browse(vals["partner_id"])
        # the account must be readable by whoever asks (record rules)
        if not superuser:
            partner.check_access_rule("read")
        account = partner.sudo()  # sudo: read the key-account fields
        if not account.kam_is_key_account:
            raise UserError(_("Key Account: %s is not a key account.")
                            % account.display_name)
        if not superuser:
            refusal = self._kam_request_refusal(partner)
            if refusal:
                raise AccessError(refusal)
        current = account.kam_relationship_level_id
        new_level = self.env["kam.relationship.level"].browse(
            vals["new_level_id"])
        if new_level == current:
            raise UserError(_(
                "Requested Level: %s is already at the level %s; choose "
                "another level.") % (account.display_name, current.name))
        old_level_id = vals.get("old_level_id")
        if old_level_id and old_level_id != current.id and not superuser:
            raise UserError(_(
                "Level When Asked: it is the account's current level (%s) "
                "and cannot be given.") % current.name)
        if vals.get("state", "pending") == "pending":
            self._kam_check_no_pending(account)
        vals = dict(vals, old_level_id=old_level_id or current.id)
        if not superuser or not vals.get("requested_by"):
            vals["requested_by"] = self.env.uid
        request = super(KamRelationshipLevelRequest, self).create(vals)
        if request.state == "pending":
            request._kam_ask_deciders()
        return request

    def _kam_check_no_pending(self, account):
        # sudo: a pending request the user may not see still blocks
        pending = self.sudo().search([("partner_id", "=", account.id),
                                      ("state", "=", "pending")], limit=1)
        if pending:
            raise UserError(_(
                "Key Account: %s already has a pending relationship-level "
                "request (to %s, asked by %s); wait for its decision, or ask "
                "its regional manager or a sales director to reject it.")
                % (account.display_name, pending.new_level_id.name,
                   pending.requested_by.name))

    @api.multi
    def write(self, vals):
        self._kam_check_protected(vals)  # before the checks of the edit
        if self.env.uid != SUPERUSER_ID:
            self._kam_check_edit(vals)
        # a new state runs no transition (no kanban by state): refused by
        # kam.workflow.mixin unless written by the superuser
        return super(KamRelationshipLevelRequest, self).write(vals)

    def _kam_protected_error(self, names):
        return UserError(_(
            "These fields are set when the change is asked for or "
            "decided and cannot be written: %s.") % ", ".join(names))

    def _kam_check_edit(self, vals):
        """While pending, the person who asked may reword the reason and a
        decider may write the decision note (the form saves it before its
        button); nothing changes once decided."""
        labels = self._fields
        for req in self:
            for fname in ("reason", "decision_note"):
                if fname not in vals:
                    continue
                label = labels[fname].get_description(self.env)["string"]
                if req.state != "pending":
                    raise UserError(_(
                        "%s: the request for %s was decided; it cannot be "
                        "changed any more.") % (
                            label, req.partner_id.sudo().display_name))
                if fname == "reason" and self.env.user != req.requested_by:
                    raise AccessError(_(
                        "%s: only %s, who asked for the change, can change "
                        "the reason.") % (label, req.requested_by.name))
                if fname == "decision_note":
                    req._kam_check_decider(label)

    # ------------------------------------------------------------------
    # Activities and messages
    # ------------------------------------------------------------------
    def _kam_activity_summary(self):
        """The deciders' task, in the context's language."""
        return _("Decide the relationship-level request for %s: %s to %s") \
            % (self.partner_id.sudo().display_name,  # sudo: name only
               self.old_level_id.name or "-", self.new_level_id.name)

    def _kam_ask_deciders(self):
        """An activity for each decider, in their language."""
        activity_type = self.env.ref(
            "kam_management.mail_activity_type_kam_level_request")
        model_id = self.env["ir.model"]._get(self._name).id
        deadline = fields.Date.to_string(
            fields.Date.from_string(fields.Date.context_today(self))
            + timedelta(days=DECISION_DAYS))
        for req in self:
            for user in req._kam_deciders():
                # the person who asks may write the request (record rules),
                # which is what an activity on it needs
                self.env["mail.activity"].create({
                    "res_model_id": model_id,
                    "res_id": req.id,
                    "activity_type_id": activity_type.id,
                    "summary": in_lang(req, user)._kam_activity_summary(),
                    "note": plaintext2html(req.reason),
                    "user_id": user.id,
                    "date_deadline": deadline,
                })

    def _kam_close_activities(self, feedback):
        activity_type = self.env.ref(
            "kam_management.mail_activity_type_kam_level_request")
        activities = self.env["mail.activity"].search([
            ("res_model", "=", self._name), ("res_id", "in", self.ids),
            ("activity_type_id", "=", activity_type.id)])
        if activities:
            activities.action_feedback(feedback=feedback)

    def _kam_decision_text(self):
        """The message to the person who asked, in the context's
        language."""
        values = {
            "account": self.partner_id.sudo().display_name,  # sudo: name
            "level": self.new_level_id.name,
            "who": self.decided_by_id.name,
            "note": self.decision_note or "",
        }
        if self.state == "approved":
            text = _("Approved by %(who)s: %(account)s is now at the level "
                     "%(level)s. %(note)s")
        else:
            text = _("Rejected by %(who)s: %(account)s stays at its level "
                     "(asked for: %(level)s). %(note)s")
        return (text % values).strip()

    def _kam_notify_decision(self):
        """Tell the person who asked (and the account's KAM) the decision,
        one chatter message per language, notifying them."""
        for req in self:
            readers = (req.requested_by | req.partner_id.sudo().kam_manager_id
                       ) - self.env.user
            for lang, users in users_by_lang(readers):
                req.with_context(lang=lang).message_post(
                    body=req.with_context(lang=lang)._kam_decision_text(),
                    subtype="mail.mt_comment",
                    partner_ids=users.mapped("partner_id").ids)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _kam_check_write(self):
        self.check_access_rights("write")
        self.check_access_rule("write")

    def _kam_check_still_current(self):
        """Approving refuses a request whose account has moved since it
        was asked for (another level, or no longer a key account): the
        decider rejects it, and the KAM asks again from the new level."""
        for req in self:
            account = req.partner_id.sudo()  # sudo: read the level
            if not account.kam_is_key_account or \
                    account.kam_relationship_level_id != req.old_level_id:
                raise UserError(_(
                    "Approve: the level of %s is now %s, no longer %s as "
                    "when the change was asked for; reject this request "
                    "(a new one can be made from the current level).") % (
                        account.display_name,
                        account.kam_relationship_level_id.name or _("none"),
                        req.old_level_id.name or _("none")))

    @api.multi
    def action_approve(self, note=None):
        """The regional manager or a sales director approves: the level
        changes, written as the approver, and the history row names who
        asked and who approved. ``note``: an optional decision note."""
        note = text_arg(note)
        self._kam_check_write()
        self._kam_check_move("action_approve")
        self._kam_check_still_current()
        now = fields.Datetime.now()
        for req in self:
            vals = {"state": "approved", "decided_by_id": self.env.uid,
                    "decision_date": now}
            if note:
                vals["decision_note"] = note
            req._kam_state_write(vals)
            # written as the approver, who may change the level (checked by
            # res.partner; like a direct change, it needs the right to edit
            # contacts); the history row names the request, who asked and
            # who approved
            req.partner_id.with_context(
                kam_level_request_id=req.id,
                kam_history_reason=req.reason).write(
                    {"kam_relationship_level_id": req.new_level_id.id})
            req._kam_close_activities(_("Approved."))
            req._kam_notify_decision()
        return True

    @api.multi
    def action_reject(self, reason=None):
        """The regional manager or a sales director rejects, saying why
        (``reason``, or the decision note written on the form)."""
        reason = text_arg(reason)
        self._kam_check_write()
        self._kam_check_move("action_reject")
        now = fields.Datetime.now()
        for req in self:
            note = reason or text_arg(req.decision_note)
            if not note:
                raise UserError(_(
                    "Decision Note: say why the request for %s is "
                    "rejected.") % req.partner_id.sudo().display_name)
        for req in self:
            note = reason or req.decision_note
            req._kam_state_write({
                "state": "rejected", "decided_by_id": self.env.uid,
                "decision_date": now, "decision_note": note})
            req._kam_close_activities(_("Rejected: %s") % note)
            req._kam_notify_decision()
        return True
