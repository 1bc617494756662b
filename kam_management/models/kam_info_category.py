# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import plaintext2html

from .kam_lang import users_by_lang
from .kam_workflow_mixin import transition

CATEGORY_STATES = [
    ("proposed", "Proposed"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]
# Days the directors' activity gives them to decide a proposal.
DECISION_DAYS = 3
DIRECTOR_GROUP = "kam_management.group_kam_director"


def text_arg(value):
    """A text argument of a button method, or None (the web client passes
    its context as the last positional argument in Odoo 11)."""
    if isinstance(value, str) and value.strip():
        return value
    return None


class KamInfoCategory(models.Model):
    """A kind of information collected about key accounts (R10).

    The KAM decides which kinds of information to collect: any key account
    manager may propose a new category (``state`` proposed, the directors
    get an activity to decide it), a sales director approves
    (``action_approve``) or rejects (``action_reject``) it. Directors'
    own categories are approved at once. Only approved categories can be
    chosen on information items.
    """

    _name = "kam.info.category"
    _inherit = ["kam.workflow.mixin", "mail.thread", "mail.activity.mixin",
                "kam.input.check"]
    _description = "Key-Account Information Category"
    _order = "sequence, name"
    _kam_transitions = {
        "action_approve": transition(
            ["proposed"], "approved", _("Approve"), "_kam_check_director"),
        "action_reject": transition(
            ["proposed"], "rejected", _("Reject"), "_kam_check_director"),
    }

    name = fields.Char(required=True, translate=True,
                       track_visibility="onchange")
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    state = fields.Selection(
        CATEGORY_STATES, string="Status", required=True, index=True,
        copy=False, track_visibility="onchange",
        default=lambda self: self._kam_default_state(),
        help="A key account manager's category is proposed until a sales "
             "director approves it; only approved categories can be used.")
    proposed_by_id = fields.Many2one(
        "res.users", string="Proposed by", readonly=True, copy=False,
        index=True, ondelete="set null")

    _sql_constraints = [
        ("name_uniq", "unique(name)",
         "An information category with this name already exists."),
    ]

    # ------------------------------------------------------------------
    # Roles
    # ------------------------------------------------------------------
    def _kam_is_director(self):
        return self.env.uid == SUPERUSER_ID or \
            self.env.user.has_group(DIRECTOR_GROUP)

    @api.model
    def _kam_default_state(self):
        return "approved" if self._kam_is_director() else "proposed"

    def _kam_check_director(self, action):
        """The ``who`` check of the decision buttons: sales directors."""
        if not self._kam_is_director():
            raise AccessError(_(
                "%s: only a sales director can decide a proposed "
                "information category.") % action)

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    @api.model
    def create(self, vals):
        """Directors create approved categories (or proposed ones, if they
        say so); anybody else only proposes: the state is proposed, the
        proposer is the user, and the directors are asked to decide."""
        vals = dict(vals)
        if self.env.uid != SUPERUSER_ID and (
                vals.get("proposed_by_id") not in (None, False,
                                                   self.env.uid)):
            raise UserError(_(
                "Proposed by: a category is proposed by the person who "
                "proposes it, not in someone else's name."))
        if not self._kam_is_director():
            if vals.get("state", "proposed") != "proposed":
                raise AccessError(_(
                    "Status: only a sales director can approve an "
                    "information category; yours is created as proposed."))
            vals["state"] = "proposed"
        state = vals.get("state") or self._kam_default_state()
        if state == "proposed" and not vals.get("proposed_by_id"):
            vals["proposed_by_id"] = self.env.uid
        category = super(KamInfoCategory, self).create(vals)
        if category.state == "proposed":
            category._kam_ask_directors()
        return category

    @api.multi
    def write(self, vals):
        # the state moves by the buttons only (kam.workflow.mixin)
        if "proposed_by_id" in vals and self.env.uid != SUPERUSER_ID:
            raise UserError(_(
                "Proposed by: it is set when the category is proposed and "
                "cannot be written."))
        return super(KamInfoCategory, self).write(vals)

    # ------------------------------------------------------------------
    # Activities and messages
    # ------------------------------------------------------------------
    def _kam_activity_summary(self):
        """The directors' task, in the context's language."""
        return _("Decide the proposed information category \"%s\" "
                 "(proposed by %s)") % (self.name, self.proposed_by_id.name)

    def _kam_directors(self):
        """The sales directors of the proposer's company (categories are
        shared by all companies), never the proposer."""
        company = self.proposed_by_id.company_id or self.env.user.company_id
        return self.env["res.users"]._kam_directors(company) - \
            self.proposed_by_id

    def _kam_ask_directors(self):
        """An activity for each director, in their language."""
        activity_type = self.env.ref(
            "kam_management.mail_activity_type_kam_info_category")
        model_id = self.env["ir.model"]._get(self._name).id
        deadline = fields.Date.to_string(
            fields.Date.from_string(fields.Date.context_today(self))
            + timedelta(days=DECISION_DAYS))
        # sudo: the proposer asks the directors, who cannot be written to
        # by a KAM otherwise (activities are protected by the document)
        Activity = self.env["mail.activity"].sudo()  # sudo: see above
        for category in self:
            for lang, users in users_by_lang(category._kam_directors()):
                summary = category.with_context(
                    lang=lang)._kam_activity_summary()
                for user in users:
                    Activity.create({
                        "res_model_id": model_id, "res_id": category.id,
                        "activity_type_id": activity_type.id,
                        "summary": summary, "user_id": user.id,
                        "note": category.description and plaintext2html(
                            category.description),
                        "date_deadline": deadline,
                    })

    def _kam_decision_text(self, reason):
        if self.state == "approved":
            text = _("Information category \"%(name)s\" approved by "
                     "%(who)s: it can be used now.")
        else:
            text = _("Information category \"%(name)s\" rejected by "
                     "%(who)s. %(reason)s")
        values = {"name": self.name, "who": self.env.user.name,
                  "reason": reason or ""}
        return (text % values).strip()

    def _kam_decided(self, feedback, reason=None):
        """Close the directors' activities and tell the proposer, in their
        language."""
        activity_type = self.env.ref(
            "kam_management.mail_activity_type_kam_info_category")
        for category in self:
            # sudo: every director's task, not only the user's
            self.env["mail.activity"].sudo().search([  # sudo: see above
                ("res_model", "=", self._name),
                ("res_id", "=", category.id),
                ("activity_type_id", "=", activity_type.id),
            ]).action_feedback(feedback=feedback)
            readers = category.proposed_by_id - self.env.user
            for lang, users in users_by_lang(readers):
                in_lang = category.with_context(lang=lang)
                in_lang.message_post(
                    body=in_lang._kam_decision_text(reason),
                    subtype="mail.mt_comment",
                    partner_ids=users.mapped("partner_id").ids)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.multi
    def action_approve(self):
        """A sales director approves proposed categories: they can be
        used on information items."""
        self._kam_check_move("action_approve")
        self.check_access_rights("write")
        self._kam_state_write({"state": "approved"})
        self._kam_decided(_("Approved."))
        return True

    @api.multi
    def action_reject(self, reason=None):
        """A sales director rejects proposed categories (``reason``:
        optional, told to the proposer). They stay listed as rejected (a
        director may archive them)."""
        reason = text_arg(reason)
        self._kam_check_move("action_reject")
        self.check_access_rights("write")
        self._kam_state_write({"state": "rejected"})
        self._kam_decided(_("Rejected: %s") % reason if reason
                          else _("Rejected."), reason)
        return True
