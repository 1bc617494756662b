# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import html_escape

from .kam_company import check_same_company, check_writer_allowed
from .kam_lang import lang_of
from .kam_lock import acquire_run
from .kam_workflow_mixin import transition

COMPLAINT_STATES = [
    ("new", "Received"),
    ("in_progress", "In Progress"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]

# Set only by the buttons and the breach check, never written directly.
COMPLAINT_WORKFLOW_FIELDS = frozenset([
    "state", "response_breached", "resolution_breached",
])


def _add_hours(date_string, hours):
    return fields.Datetime.to_string(
        fields.Datetime.from_string(date_string) + timedelta(hours=hours))


class KamComplaint(models.Model):
    """A key account's complaint, handled by its local service station
    (R7, R9, R12).

    The first response and the resolution are measured against the serving
    station's commitments (``response_hours``, ``resolution_hours``). A breach
    is flagged once and gives the account's KAM and the station's staff an
    activity: at once when a date is written, and by the scheduled action
    ``ir_cron_complaint_breach`` while nobody has answered. The customer's
    people can be sent the status (mail template) or given it printed.
    """

    _name = "kam.complaint"
    _description = "Key-Account Complaint"
    _inherit = ["kam.workflow.mixin", "mail.thread", "mail.activity.mixin",
                "kam.input.check"]
    _order = "date_received desc, id desc"
    # whoever may write the complaint moves it; cancelling is the managers'
    _kam_workflow_fields = COMPLAINT_WORKFLOW_FIELDS
    _kam_transitions = {
        "action_respond": transition(["new"], "in_progress", _("Respond")),
        "action_resolve": transition(
            ["new", "in_progress"], "resolved", _("Resolve")),
        "action_close": transition(["resolved"], "closed", _("Close")),
        "action_reopen": transition(
            ["resolved", "closed"], "in_progress", _("Reopen")),
        "action_cancel": transition(
            ["new", "in_progress"], "cancelled", _("Cancel"),
            "_kam_check_canceller"),
    }

    name = fields.Char(string="Subject", required=True,
                       track_visibility="onchange")
    partner_id = fields.Many2one(
        "res.partner", string="Key Account", required=True, index=True,
        ondelete="restrict", track_visibility="onchange",
        domain=[("kam_is_key_account", "=", True)])
    contact_id = fields.Many2one(
        "res.partner", string="Customer Contact",
        help="The customer's person who complained and is told the status.")
    kam_manager_id = fields.Many2one(
        "res.users", string="Key Account Manager",
        related="partner_id.kam_manager_id", store=True, readonly=True)
    customer_lang = fields.Selection(
        string="Customer Language", related="partner_id.lang", readonly=True,
        help="The status summary is written in the customer's language.")
    station_id = fields.Many2one(
        "kam.service.station", string="Service Station", index=True,
        ondelete="restrict", track_visibility="onchange",
        help="The station serving the account; its commitments apply.")
    company_id = fields.Many2one(
        "res.company", string="Company", related="partner_id.company_id",
        store=True, readonly=True, index=True,
        help="The company of the key account.")
    description = fields.Text()
    severity = fields.Selection(
        [("low", "Low"), ("medium", "Medium"), ("high", "High"),
         ("critical", "Critical")],
        required=True, default="medium", track_visibility="onchange")
    date_received = fields.Datetime(
        string="Received On", required=True, default=fields.Datetime.now,
        track_visibility="onchange")
    date_first_response = fields.Datetime(
        string="First Response On", track_visibility="onchange")
    date_resolved = fields.Datetime(
        string="Resolved On", track_visibility="onchange")
    # the company's analysis; the customer is told the resolution (status
    # e-mail, printed status, portal)
    root_cause = fields.Text(groups="base.group_user")
    resolution = fields.Text()
    state = fields.Selection(
        COMPLAINT_STATES, string="Status", required=True, default="new",
        index=True, copy=False, track_visibility="onchange")
    status_label = fields.Char(compute="_compute_status_label")
    response_deadline = fields.Datetime(
        string="Respond By", compute="_compute_deadlines", store=True)
    resolution_deadline = fields.Datetime(
        string="Resolve By", compute="_compute_deadlines", store=True)
    response_time_hours = fields.Float(
        string="Response Time (hours)", compute="_compute_times",
        store=True, group_operator="avg")
    resolution_time_hours = fields.Float(
        string="Resolution Time (hours)", compute="_compute_times",
        store=True, group_operator="avg")
    elapsed_hours = fields.Float(
        string="Time so Far (hours)", compute="_compute_elapsed_hours",
        help="Calendar hours from receiving the complaint to its "
             "resolution, or to now while it is not resolved (0 for a "
             "cancelled complaint).")
    response_breached = fields.Boolean(
        string="Response Late", readonly=True, copy=False,
        help="No first response within the station's commitment.")
    resolution_breached = fields.Boolean(
        string="Resolution Late", readonly=True, copy=False,
        help="Not resolved within the station's commitment.")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("state")
    def _compute_status_label(self):
        labels = dict(self._fields["state"]._description_selection(self.env))
        for complaint in self:
            complaint.status_label = labels.get(complaint.state)

    @api.depends("date_received", "station_id.response_hours",
                 "station_id.resolution_hours")
    def _compute_deadlines(self):
        for complaint in self:
            station = complaint.station_id
            received = complaint.date_received
            complaint.response_deadline = received and \
                station.response_hours and \
                _add_hours(received, station.response_hours) or False
            complaint.resolution_deadline = received and \
                station.resolution_hours and \
                _add_hours(received, station.resolution_hours) or False

    @api.depends("date_received", "date_first_response", "date_resolved")
    def _compute_times(self):
        def hours(start, end):
            if not (start and end):
                return 0.0
            delta = fields.Datetime.from_string(end) - \
                fields.Datetime.from_string(start)
            return delta.total_seconds() / 3600.0
        for complaint in self:
            complaint.response_time_hours = hours(
                complaint.date_received, complaint.date_first_response)
            complaint.resolution_time_hours = hours(
                complaint.date_received, complaint.date_resolved)

    @api.depends("state", "date_received", "date_resolved")
    def _compute_elapsed_hours(self):
        now = fields.Datetime.now()
        for complaint in self:
            received = complaint.date_received
            if not received or (complaint.state == "cancelled"
                                and not complaint.date_resolved):
                complaint.elapsed_hours = 0.0
                continue
            end = complaint.date_resolved or now
            delta = fields.Datetime.from_string(end) - \
                fields.Datetime.from_string(received)
            complaint.elapsed_hours = max(delta.total_seconds() / 3600.0,
                                          0.0)

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.partner_id:
            self.station_id = self.env["kam.service.station"]._kam_station_of(
                self.partner_id.ids).get(self.partner_id.id)
            if self.contact_id.commercial_partner_id != self.partner_id:
                self.contact_id = False

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("partner_id")
    def _check_partner_id(self):
        for complaint in self.sudo():  # sudo: read the key-account flag
            if not complaint.partner_id.kam_is_key_account:
                raise ValidationError(_(
                    "Key Account: %s is not a key account.")
                    % complaint.partner_id.display_name)

    @api.constrains("partner_id", "station_id")
    def _check_company(self):
        """The account is of a company the user works in, and the station
        of the same company."""
        for complaint in self:
            check_writer_allowed(complaint, "partner_id")
            check_same_company(complaint, "station_id")

    @api.constrains("date_received", "date_first_response", "date_resolved")
    def _check_dates(self):
        for complaint in self.sudo():  # sudo: access is checked after
            received = complaint.date_received
            response = complaint.date_first_response
            resolved = complaint.date_resolved
            if received > fields.Datetime.now():
                # the commitments are measured from it (R7)
                raise ValidationError(_(
                    "Received On: %s is in the future.") % received)
            if response and response < received:
                raise ValidationError(_(
                    "First Response On: %s is before the complaint was "
                    "received (%s).") % (response, received))
            if resolved and resolved < received:
                raise ValidationError(_(
                    "Resolved On: %s is before the complaint was received "
                    "(%s).") % (resolved, received))
            if resolved and response and resolved < response:
                raise ValidationError(_(
                    "Resolved On: %s is before the first response (%s).")
                    % (resolved, response))

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    @api.model
    def create(self, vals):
        if vals.get("state", "new") != "new" or \
                set(vals) & (COMPLAINT_WORKFLOW_FIELDS - {"state"}):
            raise UserError(_(
                "Status: a new complaint starts as received; use the buttons "
                "to move it on."))
        if "station_id" not in vals and vals.get("partner_id"):
            station = self.env["kam.service.station"]._kam_station_of(
                [vals["partner_id"]]).get(vals["partner_id"])
            vals = dict(vals, station_id=station.id if station else False)
        complaint = super(KamComplaint, self).create(vals)
        complaint._kam_update_breaches()
        return complaint

    @api.multi
    def write(self, vals):
        # the workflow fields are refused by kam.workflow.mixin, the state
        # alone is a move
        res = super(KamComplaint, self).write(vals)
        if set(vals) & {"date_received", "date_first_response",
                        "date_resolved", "station_id"}:
            self._kam_update_breaches()
        return res

    def _kam_protected_error(self, names):
        return UserError(_(
            "These fields are set by the buttons and the breach check "
            "and cannot be written: %s.") % ", ".join(names))

    def _kam_write(self, vals):
        """Write workflow fields (bypasses the check in ``write``)."""
        res = self._kam_state_write(vals)
        if set(vals) & {"date_first_response", "date_resolved"}:
            self._kam_update_breaches()
        return res

    # ------------------------------------------------------------------
    # Service commitments (R7, R9)
    # ------------------------------------------------------------------
    def _kam_update_breaches(self):
        """Flag late responses and resolutions, and tell the KAM and the
        station's staff once per breach (the flag is written in the same
        transaction as the activities, so a re-run never repeats them).

        Everything is read first and the flags are written per value, in
        batch: a write per record would re-read the whole batch each time.
        """
        now = fields.Datetime.now()
        breaches = []
        changes = defaultdict(list)
        for complaint in self:
            if complaint.state == "cancelled":
                continue
            late = {
                "response": bool(
                    complaint.response_deadline and
                    (complaint.date_first_response or now) >
                    complaint.response_deadline),
                "resolution": bool(
                    complaint.resolution_deadline and
                    (complaint.date_resolved or now) >
                    complaint.resolution_deadline),
            }
            for kind, is_late in sorted(late.items()):
                fname = "%s_breached" % kind
                if is_late != complaint[fname]:
                    changes[(fname, is_late)].append(complaint.id)
                    if is_late:
                        breaches.append((complaint.id, kind))
        for (fname, value), ids in sorted(changes.items()):
            # past the guard on the workflow fields, as the buttons write
            self.browse(ids)._kam_state_write({fname: value})
        if breaches:
            self._kam_notify_breaches(breaches)
        return breaches

    def _kam_breach_summary(self, kind):
        if kind == "response":
            return _("Complaint response commitment breached")
        return _("Complaint resolution commitment breached")

    def _kam_breach_texts(self, kind, data):
        """Summary and note of a breach activity, in the context's
        language (see ``kam_lang``)."""
        note = _("<p>Commitment of station %s was %s (UTC); "
                 "complaint: %s.</p>") % (
            html_escape(data["station"] or ""), data[kind],
            html_escape(data["name"]))
        return self._kam_breach_summary(kind), note

    def _kam_notify_breaches(self, breaches):
        """One activity per breach (``(complaint id, kind)``) for the KAM
        and each station user, unless the same one is still open."""
        activity_type = self.env.ref(
            "kam_management.mail_activity_type_kam_complaint_breach")
        complaints = self.sudo().browse(  # sudo: KAM and station of accounts
            list(set(cid for cid, _kind in breaches)))
        info = {c.id: {
            "name": c.name,
            "station": c.station_id.name,
            "response": c.response_deadline,
            "resolution": c.resolution_deadline,
            "users": (c.kam_manager_id | c.station_id.user_ids).ids,
        } for c in complaints}
        existing = set(
            (a.res_id, a.user_id.id, a.summary)
            for a in self.env["mail.activity"].sudo().search([  # sudo: all users'
                ("res_model", "=", self._name),
                ("res_id", "in", complaints.ids),
                ("activity_type_id", "=", activity_type.id)]))
        model_id = self.env["ir.model"]._get(self._name).id
        today = fields.Date.context_today(self)
        Activity = self.env["mail.activity"]
        users = self.env["res.users"].sudo().browse(  # sudo: their language
            list(set(uid for data in info.values() for uid in data["users"])))
        langs = {user.id: lang_of(user) for user in users}
        for complaint_id, kind in breaches:
            data = info[complaint_id]
            for user_id in data["users"]:
                # the summary and note in the reader's language
                summary, note = self.with_context(
                    lang=langs[user_id])._kam_breach_texts(kind, data)
                if (complaint_id, user_id, summary) in existing:
                    continue
                existing.add((complaint_id, user_id, summary))
                Activity.create({
                    "res_model_id": model_id,
                    "res_id": complaint_id,
                    "activity_type_id": activity_type.id,
                    "summary": summary,
                    "note": note,
                    "user_id": user_id,
                    "date_deadline": today,
                })

    @api.model
    def _cron_check_breaches(self):
        """Scheduled action ``ir_cron_complaint_breach``: flag complaints
        that passed a deadline with nobody answering. Idempotent; a run
        that starts while another one is running skips."""
        if not acquire_run(self.env,
                           "kam_management.ir_cron_complaint_breach"):
            return False
        now = fields.Datetime.now()
        complaints = self.search([
            ("state", "!=", "cancelled"),
            "|",
            "&", "&", ("response_breached", "=", False),
            ("response_deadline", "<", now),
            ("date_first_response", "=", False),
            "&", "&", ("resolution_breached", "=", False),
            ("resolution_deadline", "<", now),
            ("date_resolved", "=", False),
        ])
        complaints._kam_update_breaches()
        return True

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _kam_check_write(self):
        self.check_access_rights("write")
        self.check_access_rule("write")

    def _kam_check_canceller(self, action):
        """The account's KAM, its regional manager or a sales director."""
        user = self.env.user
        for complaint in self:
            partner = complaint.partner_id.sudo()  # sudo: owner fields
            if not (user.has_group("kam_management.group_kam_director")
                    or user in (partner.kam_manager_id
                                | partner.kam_region_id.manager_id)):
                raise AccessError(_(
                    "Cancel: only the key account manager of %s, the "
                    "regional manager of its region or a sales director can "
                    "cancel a complaint.") % partner.display_name)

    @api.multi
    def action_respond(self):
        """First response given: now, unless the date was entered."""
        self._kam_check_write()
        self._kam_check_move("action_respond")
        now = fields.Datetime.now()
        for complaint in self:
            complaint._kam_write({
                "state": "in_progress",
                "date_first_response": complaint.date_first_response or now,
            })
        return True

    @api.multi
    def action_resolve(self):
        """Resolved: now, unless the date was entered; needs the
        resolution."""
        self._kam_check_write()
        self._kam_check_move("action_resolve")
        now = fields.Datetime.now()
        for complaint in self:
            if not (complaint.resolution or "").strip():
                raise UserError(_(
                    "Resolution: say how complaint \"%s\" was resolved.")
                    % complaint.name)
            resolved = complaint.date_resolved or now
            complaint._kam_write({
                "state": "resolved",
                "date_resolved": resolved,
                "date_first_response":
                    complaint.date_first_response or resolved,
            })
        return True

    @api.multi
    def action_close(self):
        """The customer confirmed the resolution."""
        self._kam_check_write()
        self._kam_check_move("action_close")
        return self._kam_write({"state": "closed"})

    @api.multi
    def action_reopen(self):
        """The resolution did not hold: back to work."""
        self._kam_check_write()
        self._kam_check_move("action_reopen")
        return self._kam_write({"state": "in_progress",
                                "date_resolved": False})

    @api.multi
    def action_cancel(self):
        """Not a complaint after all (KAM, regional manager, director)."""
        self._kam_check_write()
        self._kam_check_move("action_cancel")
        return self._kam_write({"state": "cancelled"})

    @api.multi
    def action_send_status(self):
        """Open the e-mail composer with the status summary for the
        customer's people (R9: the customer can learn the result)."""
        self.ensure_one()
        self._kam_check_write()
        template = self.env.ref(
            "kam_management.mail_template_kam_complaint_status")
        form = self.env.ref("mail.email_compose_message_wizard_form")
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_type": "form",
            "view_mode": "form",
            "views": [(form.id, "form")],
            "view_id": form.id,
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_id": self.id,
                "default_use_template": True,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
            },
        }
