# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .kam_company import (check_same_company, check_user_allowed,
                          check_writer_allowed, with_partner_company)
from .kam_lang import users_by_lang
from .kam_lock import acquire_run
from .kam_settings import number_param
from .kam_workflow_mixin import transition

_logger = logging.getLogger(__name__)


def text_arg(value):
    """A text argument of a button method, or None: the web client calls a
    form's button with its context as the last positional argument (Odoo
    11), which lands in the method's optional parameter."""
    if isinstance(value, str) and value.strip():
        return value
    return None


IMPORTANCE = [("normal", "Normal"), ("important", "Important"),
              ("critical", "Critical")]
ESCALATED = ("important", "critical")
RANK = {"normal": 0, "important": 1, "critical": 2}
# written only by the workflow methods, never directly
WORKFLOW_FIELDS = frozenset([
    "state", "escalation_level", "escalation_date", "ack_deadline",
    "re_escalated_date", "escalated_user_ids", "acknowledged_by_id",
    "acknowledged_date", "closed_by_id", "date_closed",
])
DEFAULT_ACK_HOURS = {"important": 24, "critical": 8}


class KamInfo(models.Model):
    """A piece of information collected about a key account (R10).

    Important and critical items go at once to the account's regional
    manager **and** every sales director of the account's company (R10:
    "passed on immediately to both"): an activity with an acknowledgement
    deadline and a chatter message, each in its reader's language. Critical
    items have the shorter deadline. Everybody is told at once, so nobody
    is left above them: an item not acknowledged by its deadline is
    escalated once (``_cron_info_escalation``) as an "information not
    acknowledged (escalated)" reminder activity for every recipient. The
    KAM records the measures taken; important and critical items close
    only with them. Open critical items put an early-warning badge on the
    account (R16).
    """

    _name = "kam.info"
    _description = "Key-Account Information"
    _inherit = ["kam.workflow.mixin", "mail.thread", "mail.activity.mixin",
                "kam.input.check"]
    _order = "date desc, id desc"
    _kam_workflow_fields = WORKFLOW_FIELDS
    _kam_transitions = {
        "action_acknowledge": transition(
            ["new"], "acknowledged", _("Acknowledge"),
            "_kam_check_acknowledger"),
        "action_close": transition(
            ["new", "acknowledged"], "closed", _("Close"),
            "_kam_check_closer"),
    }

    name = fields.Char(string="Subject", required=True,
                       track_visibility="onchange")
    partner_id = fields.Many2one(
        "res.partner", string="Key Account", required=True, index=True,
        ondelete="restrict", domain=[("kam_is_key_account", "=", True)],
        track_visibility="onchange")
    description = fields.Text()
    category_id = fields.Many2one(
        "kam.info.category", string="Category", required=True,
        ondelete="restrict", track_visibility="onchange",
        domain=[("state", "=", "approved")],
        help="Approved categories only; propose a new one under "
             "Key Accounts > Information Categories.")
    importance = fields.Selection(
        IMPORTANCE, required=True, default="normal", index=True,
        track_visibility="onchange",
        help="Important and critical: the regional manager and every "
             "sales director are notified at once (R10); critical items "
             "must be acknowledged sooner.")
    measures_taken = fields.Text(
        track_visibility="onchange",
        help="What the key account manager did about it (R10); required "
             "to close an important or critical item.")
    source = fields.Char(help="Where the information comes from (a "
                              "meeting, the press, a customer's employee...).")
    date = fields.Date(required=True, default=fields.Date.context_today,
                       index=True)
    reporter_id = fields.Many2one(
        "res.users", string="Reporter", required=True, index=True,
        default=lambda self: self.env.user, ondelete="restrict")
    state = fields.Selection(
        [("new", "New"), ("acknowledged", "Acknowledged"),
         ("closed", "Closed")],
        default="new", required=True, index=True, copy=False,
        track_visibility="onchange")
    region_id = fields.Many2one(
        "kam.region", string="Region", related="partner_id.kam_region_id",
        store=True, readonly=True)
    kam_manager_id = fields.Many2one(
        "res.users", string="Key Account Manager",
        related="partner_id.kam_manager_id", store=True, readonly=True)
    escalation_level = fields.Selection(
        [("regional_manager", "Regional Manager"),
         ("directors", "Sales Directors")],
        readonly=True, copy=False,
        help="Highest level the item has been escalated to.")
    escalation_date = fields.Datetime(readonly=True, copy=False)
    ack_deadline = fields.Datetime(
        string="Acknowledge By", readonly=True, copy=False,
        help="Unacknowledged by then, the item escalates one level up, once.")
    re_escalated_date = fields.Datetime(
        string="Escalated Up On", readonly=True, copy=False)
    escalated_user_ids = fields.Many2many(
        "res.users", "kam_info_escalated_user_rel", "info_id", "user_id",
        string="Notified", readonly=True, copy=False)
    acknowledged_by_id = fields.Many2one(
        "res.users", string="Acknowledged by", readonly=True, copy=False)
    acknowledged_date = fields.Datetime(readonly=True, copy=False)
    closed_by_id = fields.Many2one(
        "res.users", string="Closed by", readonly=True, copy=False)
    date_closed = fields.Datetime(string="Closed on", readonly=True,
                                  copy=False)
    company_id = fields.Many2one(
        "res.company", string="Company", required=True,
        default=lambda self: self.env.user.company_id)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("partner_id", "company_id", "reporter_id")
    def _check_company(self):
        """The information belongs to the account's company, which the
        user and the reporter work in."""
        for info in self:
            check_writer_allowed(info, "partner_id")
            check_same_company(info, "partner_id")
            check_user_allowed(info, "reporter_id")

    @api.constrains("partner_id")
    def _check_partner_id(self):
        for info in self:
            partner = info.partner_id.sudo()  # sudo: kam fields are restricted
            if not partner.kam_is_key_account:
                raise ValidationError(_(
                    "Key Account: %s is not a key account; information is "
                    "collected for key accounts only.") % partner.display_name)

    @api.constrains("category_id")
    def _check_category_id(self):
        """Only approved categories: a proposed one waits for a director
        (a rejected one never comes)."""
        # sudo: the category's state only (the item may not be readable
        # yet by its writer, which _check_company says in words)
        for info in self.sudo():  # sudo: see above
            category = info.category_id
            if category.state != "approved":
                raise ValidationError(_(
                    "Category: \"%s\" is %s; information uses approved "
                    "categories only (a sales director approves proposed "
                    "ones).") % (category.name,
                                 category._kam_state_label(category.state)))

    # ------------------------------------------------------------------
    # Routing (R10)
    # ------------------------------------------------------------------
    def _kam_ack_hours(self, importance):
        """Hours to acknowledge, from the system parameters
        kam_management.info_ack_hours_important / _critical."""
        return number_param(
            self.env, "kam_management.info_ack_hours_%s" % importance,
            DEFAULT_ACK_HOURS[importance], 0.0, cast=float)

    def _kam_regional_manager(self):
        return self.partner_id.sudo().kam_region_id.manager_id  # sudo: routing

    def _kam_route(self):
        """(level, users) an important or critical item goes to at once
        (R10): the account's regional manager and every sales director of
        the account's company, never the reporter. The level is always the
        directors, the top: nobody is left to escalate to."""
        directors = self.env["res.users"]._kam_directors(self.company_id)
        manager = self._kam_regional_manager()
        return "directors", (manager | directors) - self.reporter_id

    def _kam_escalate(self, now=None):
        """Notify the recipients of important and critical new items."""
        now = fields.Datetime.from_string(now or fields.Datetime.now())
        for info in self:
            if info.state != "new" or info.importance not in ESCALATED:
                continue
            level, users = info._kam_route()
            users -= info.escalated_user_ids
            deadline = now + timedelta(
                hours=info._kam_ack_hours(info.importance))
            if info.ack_deadline:
                # raised importance: the shorter deadline, never a later one
                deadline = min(deadline, fields.Datetime.from_string(
                    info.ack_deadline))
            vals = {"escalation_level": level,
                    "escalation_date": fields.Datetime.to_string(now),
                    "ack_deadline": fields.Datetime.to_string(deadline)}
            if info.escalated_user_ids:
                # already told: their tasks get the new deadline
                info._kam_activities(
                    "kam_management.mail_activity_type_kam_info").write({
                        "date_deadline": fields.Date.to_string(
                            deadline.date())})
                vals.pop("escalation_date")
            if users or not info.escalated_user_ids:
                info._kam_notify(
                    users, "kam_management.mail_activity_type_kam_info",
                    "acknowledge", deadline)
            info._kam_workflow_write(vals)

    def _kam_activities(self, type_xmlid):
        """The item's open activities of one type (all users)."""
        # sudo: the tasks of every recipient, not only the user's
        return self.env["mail.activity"].sudo().search([  # sudo: see above
            ("res_model", "=", self._name), ("res_id", "in", self.ids),
            ("activity_type_id", "=", self.env.ref(type_xmlid).id)])

    def _kam_importance_label(self):
        return dict(self._fields["importance"]._description_selection(
            self.env))[self.importance]

    def _kam_notify_text(self, key):
        """The summary of the notification ``key``, in the context's
        language (see ``kam_lang``)."""
        text = {
            "acknowledge": _("%s information on %s: please acknowledge"),
            "late": _("Not acknowledged in time: %s information on %s"),
        }[key]
        return text % (self._kam_importance_label(),
                       self.partner_id.display_name)

    def _kam_notify(self, users, type_xmlid, key, deadline):
        """An activity for each of ``users`` and a chatter message that
        notifies them, each in the recipient's language: one message per
        language."""
        self.ensure_one()
        if not users:
            _logger.warning("key-account information %s: nobody to notify",
                            self.id)
            return
        model_id = self.env["ir.model"]._get(self._name).id
        type_id = self.env.ref(type_xmlid).id
        # sudo: the reporter schedules tasks for their supervisors on a
        # record both can read; activities are protected by the document
        Activity = self.env["mail.activity"].sudo()  # sudo: see above
        for lang, readers in users_by_lang(users):
            summary = self.with_context(lang=lang)._kam_notify_text(key)
            for user in readers:
                Activity.create({
                    "res_model_id": model_id, "res_id": self.id,
                    "activity_type_id": type_id, "summary": summary,
                    "note": self.description or False, "user_id": user.id,
                    "date_deadline": fields.Date.to_string(deadline.date()),
                })
            # sudo: the message goes out on behalf of the addon (the cron
            # or a reporter without write access to the readers' partners)
            self.sudo().with_context(lang=lang).message_post(  # sudo
                body=summary, subtype="mail.mt_comment",
                partner_ids=readers.mapped("partner_id").ids)
        self._kam_workflow_write(
            {"escalated_user_ids": [(4, u.id) for u in users]})

    def _kam_workflow_write(self, vals):
        # sudo: workflow fields are written only by the workflow itself
        return self.sudo().write(vals)  # sudo: see above

    # ------------------------------------------------------------------
    # Not acknowledged in time: escalated, once (scheduled action)
    # ------------------------------------------------------------------
    @api.model
    def _cron_info_escalation(self, now=None):
        """Items not acknowledged by their deadline are escalated once.
        The regional manager and the sales directors were all told at once
        (R10), so there is no level above them: "one level up" is an
        *information not acknowledged (escalated)* reminder activity for
        each of them (the regional manager and every director of the
        account's company, never the reporter), in their language.
        Idempotent: ``re_escalated_date`` marks the items done, and a run
        that starts while another one is running skips. Returns their
        number."""
        if not acquire_run(self.env,
                           "kam_management.ir_cron_info_escalation"):
            _logger.info("information escalation: another run is in progress")
            return 0
        now = now or fields.Datetime.now()
        items = self.sudo().search([  # sudo: the cron sees every item
            ("state", "=", "new"), ("importance", "in", ESCALATED),
            ("ack_deadline", "<", now), ("re_escalated_date", "=", False)])
        for info in items:
            info._kam_escalate_up(now)
        return len(items)

    def _kam_escalate_up(self, now):
        _level, users = self._kam_route()
        self._kam_notify(
            users, "kam_management.mail_activity_type_kam_info_escalation",
            "late", fields.Datetime.from_string(now))
        self._kam_workflow_write({"escalation_level": "directors",
                                  "re_escalated_date": now})

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    def _kam_can_acknowledge(self, user):
        """Directors and the account's regional manager acknowledge; the
        account's KAM too for normal items. Nobody acknowledges an
        escalated item they reported themselves."""
        if self.importance in ESCALATED and self.reporter_id == user:
            return False
        if user.has_group("kam_management.group_kam_director"):
            return True
        if self._kam_regional_manager() == user:
            return True
        return (self.importance == "normal"
                and self.partner_id.sudo().kam_manager_id == user)  # sudo: owner

    def _kam_check_acknowledger(self, action):
        for info in self:
            if not info._kam_can_acknowledge(self.env.user):
                raise AccessError(_(
                    "You cannot acknowledge \"%s\": only the account's "
                    "regional manager or a sales director can, and not the "
                    "person who reported it.") % info.name)

    def _kam_check_closer(self, action):
        """The account's KAM, the reporter, or whoever acknowledges."""
        user = self.env.user
        for info in self:
            partner = info.partner_id.sudo()  # sudo: owner check
            if user not in (partner.kam_manager_id | info.reporter_id) \
                    and not info._kam_can_acknowledge(user):
                raise AccessError(_(
                    "You cannot close \"%s\".") % info.name)

    @api.multi
    def action_acknowledge(self):
        """The recipient has read the item: its escalation stops."""
        self._kam_check_move("action_acknowledge")
        # sudo: the state is written by its transition only
        self.sudo()._kam_state_write({  # sudo: see above
            "state": "acknowledged", "acknowledged_by_id": self.env.uid,
            "acknowledged_date": fields.Datetime.now()})
        self._kam_done_activities(_("Acknowledged"))
        return True

    @api.multi
    def action_close(self, measures_taken=None):
        """Nothing more to do about the item: who closed it and when are
        recorded. Important and critical items close only with the
        measures taken written (R10: the measures are reported) and once
        acknowledged. ``measures_taken``: optional, the measures written
        with the closing (instead of saving them on the form first)."""
        measures = text_arg(measures_taken)
        self._kam_check_move("action_close")
        for info in self:
            if info.importance not in ESCALATED:
                continue
            if not (measures or (info.measures_taken or "").strip()):
                raise UserError(_(
                    "Measures Taken: say what was done about \"%s\" before "
                    "closing it; %s information is closed only with its "
                    "measures (R10).")
                    % (info.name, info._kam_importance_label()))
            if info.state == "new":
                raise UserError(_(
                    "Close: \"%s\" is %s and must be acknowledged first.")
                    % (info.name, info._kam_importance_label()))
        if measures:
            # as the user: their right to write the item is checked
            self.write({"measures_taken": measures})
        # sudo: the state is written by its transition only
        self.sudo()._kam_state_write({  # sudo: see above
            "state": "closed", "closed_by_id": self.env.uid,
            "date_closed": fields.Datetime.now()})
        self._kam_done_activities(_("Closed"))
        return True

    def _kam_done_activities(self, feedback):
        types = (self.env.ref("kam_management.mail_activity_type_kam_info")
                 | self.env.ref(
                     "kam_management.mail_activity_type_kam_info_escalation"))
        Activity = self.env["mail.activity"].sudo()  # sudo: close all tasks
        Activity.search([
            ("res_model", "=", self._name), ("res_id", "in", self.ids),
            ("activity_type_id", "in", types.ids)]).action_feedback(feedback)

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    def _kam_check_partner_access(self):
        """Information is recorded only on accounts the user may see."""
        for info in self:
            info.partner_id.sudo(self.env.uid).check_access_rule("read")

    def _kam_protected_error(self, names):
        return AccessError(_(
            "The state and escalation of information change only "
            "through Acknowledge and Close."))

    @api.model
    def create(self, vals):
        if set(vals) & (WORKFLOW_FIELDS - {"state"}) or \
                vals.get("state", "new") != "new":
            raise UserError(_(
                "New information starts in the state New; its escalation "
                "is set by the system."))
        vals = with_partner_company(self.env, vals)
        info = super(KamInfo, self).create(vals)
        info._kam_check_partner_access()
        info._kam_escalate()
        return info

    @api.multi
    def write(self, vals):
        # the workflow fields are refused by kam.workflow.mixin (no context
        # key lets a caller past it: RPC callers set their own context); the
        # state alone is a move
        old = {i.id: i.importance for i in self}
        vals = with_partner_company(self.env, vals)
        res = super(KamInfo, self).write(vals)
        if "partner_id" in vals:
            self._kam_check_partner_access()
        if "importance" in vals:
            # raised importance: notify the new recipients at once
            raised = self.filtered(
                lambda i: RANK[i.importance] > RANK[old[i.id]])
            raised._kam_escalate()
        return res
