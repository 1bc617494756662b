# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from psycopg2 import sql

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import html_escape

from .kam_company import (check_same_company, check_user_allowed,
                          check_writer_allowed, with_partner_company)
from .kam_contact_window import WEEKDAYS, hour_label
from .kam_lang import in_lang
from .kam_settings import number_param
from .kam_workflow_mixin import transition

DONE_STATES = ("done", "submitted", "reviewed")
# moved only by the buttons, which check who may (R8): a write over RPC
# must not mark one's own report reviewed (issue 7)
WORKFLOW_FIELDS = frozenset([
    "state", "date_done", "date_submitted", "date_reviewed", "logged_late",
    "report_reminded_date", "report_escalated_date"])
LOGGED_LATE_PARAM = "kam_management.visit_logged_late_days"
REPORT_DAYS_PARAM = "kam_management.visit_report_days"
REPORT_ESCALATION_PARAM = "kam_management.visit_report_escalation_days"
REPORT_ACTIVITY = "kam_management.mail_activity_type_kam_visit_report"
# Report punctuality per visitor (R8, issue 12): done visits of a period
# whose report is due (submitted, or its deadline passed), and those whose
# report was submitted within the allowed days. A report still within its
# deadline is not counted yet, so a month's figure is final once its last
# visit's deadline has passed.
PUNCTUALITY_SQL = """
SELECT v.user_id,
       count(*) FILTER (WHERE v.date_submitted IS NOT NULL
                           OR v.visit_date < %(deadline)s),
       count(*) FILTER (WHERE v.date_submitted IS NOT NULL
                          AND v.date_submitted
                              <= v.visit_date + %(days)s * interval '1 day')
  FROM kam_visit v
 WHERE v.state IN ('done', 'submitted', 'reviewed')
   AND v.visit_date >= %(start)s AND v.visit_date < %(stop)s
   AND (%(users)s::int[] IS NULL OR v.user_id = ANY(%(users)s::int[]))
   AND (%(partners)s::int[] IS NULL
        OR v.partner_id = ANY(%(partners)s::int[]))
 GROUP BY v.user_id
"""


class KamVisit(models.Model):
    """A visit to a key account and its report (R8).

    Planned, then done (its date becomes the actual date and time), then the
    report is submitted to the visitor's supervisor, who reviews it or sends
    it back. Done visits by the person a visit rule names keep that account's
    visit compliance up to date (see ``kam.visit.compliance``).
    """

    _name = "kam.visit"
    _description = "Key-Account Visit"
    _inherit = ["kam.workflow.mixin", "mail.thread", "mail.activity.mixin",
                "kam.input.check"]
    _order = "visit_date desc, id desc"
    _kam_workflow_fields = WORKFLOW_FIELDS
    _kam_transitions = {
        "action_done": transition(
            ["planned"], "done", _("Mark as Done"),
            "_kam_check_visitor_or_supervisor"),
        "action_submit": transition(
            ["done"], "submitted", _("Submit Report"),
            "_kam_check_visitor_or_supervisor"),
        "action_review": transition(
            ["submitted"], "reviewed", _("Review"), "_kam_check_reviewer"),
        "action_send_back": transition(
            ["submitted"], "done", _("Send Back"), "_kam_check_reviewer"),
        "action_cancel": transition(
            ["planned", "done"], "cancelled", _("Cancel"),
            "_kam_check_visitor_or_supervisor"),
        "action_plan": transition(
            ["cancelled"], "planned", _("Plan Again"),
            "_kam_check_visitor_or_supervisor"),
    }

    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner", string="Key Account", required=True, index=True,
        ondelete="restrict", track_visibility="onchange",
        domain=[("kam_is_key_account", "=", True)])
    user_id = fields.Many2one(
        "res.users", string="Visitor", required=True, index=True,
        default=lambda self: self.env.user, ondelete="restrict",
        track_visibility="onchange")
    visit_date = fields.Datetime(
        required=True, index=True,
        default=fields.Datetime.now, track_visibility="onchange",
        help="Planned date and time; once done, the actual one.")
    duration = fields.Float(string="Duration (hours)", default=1.0)
    kind = fields.Selection(
        [("on_site", "On Site"),
         ("at_office", "Customer at Our Office"),
         ("phone", "Phone"),
         ("video", "Video")],
        required=True, default="on_site")
    purpose = fields.Char(required=True, track_visibility="onchange")
    contact_ids = fields.Many2many(
        "res.partner", "kam_visit_contact_rel", "visit_id", "partner_id",
        string="Contacts Met",
        help="The account's people met during the visit.")
    report_summary = fields.Text(string="Summary")
    report_customer_needs = fields.Text(string="Customer Needs")
    report_competitor_info = fields.Text(string="Competitor Information")
    report_next_steps = fields.Text(string="Agreed Next Steps")
    review_note = fields.Text(
        string="Reviewer's Note", track_visibility="onchange",
        help="The reviewer's comments; required to send a report back.")
    state = fields.Selection(
        [("planned", "Planned"),
         ("done", "Done"),
         ("submitted", "Submitted"),
         ("reviewed", "Reviewed"),
         ("cancelled", "Cancelled")],
        default="planned", required=True, index=True, copy=False,
        track_visibility="onchange")
    reviewer_id = fields.Many2one(
        "res.users", string="Reviewer", compute="_compute_reviewer_id",
        store=True,
        help="The visitor's supervisor: the region's manager for a key "
             "account manager's or support staff's visit, a sales director "
             "for a regional manager's visit.")
    region_id = fields.Many2one(
        "kam.region", string="Region", related="partner_id.kam_region_id",
        store=True, readonly=True)
    date_done = fields.Datetime(readonly=True, copy=False)
    logged_late = fields.Boolean(
        compute="_compute_logged_late", store=True, index=True, copy=False,
        help="Marked done more than the allowed number of days (system "
             "parameter kam_management.visit_logged_late_days, default 2) "
             "after the visit date: the reviewer should check it took "
             "place.")
    date_submitted = fields.Datetime(readonly=True, copy=False)
    date_reviewed = fields.Datetime(readonly=True, copy=False)
    report_overdue = fields.Boolean(
        compute="_compute_report_overdue", search="_search_report_overdue",
        help="Done, and its report not submitted within the allowed number "
             "of days (system parameter kam_management.visit_report_days, "
             "default 3) of the visit.")
    report_reminded_date = fields.Datetime(
        readonly=True, copy=False,
        help="When the visitor was given an activity for the overdue "
             "report (once per visit).")
    report_escalated_date = fields.Datetime(
        readonly=True, copy=False,
        help="When the visitor's supervisor was given an activity because "
             "the report was still not submitted a number of days (system "
             "parameter kam_management.visit_report_escalation_days, "
             "default 7) after it was due (once per visit).")
    company_id = fields.Many2one(
        "res.company", string="Company", required=True,
        default=lambda self: self.env.user.company_id)
    outside_contact_window = fields.Boolean(
        string="Outside the Contact Window",
        compute="_compute_contact_window",
        help="Planned at a time outside every contact window of the "
             "account's industry (R9), in your time zone; a warning only.")
    contact_window_note = fields.Text(
        string="Contact Window", compute="_compute_contact_window")

    def init(self):
        # the daily reminders and escalations look for done visits (a
        # handful) among years of submitted and reviewed ones
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS kam_visit_done_date_idx "
            "ON kam_visit (visit_date) WHERE state = 'done'")

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------
    @api.depends("partner_id", "visit_date")
    def _compute_name(self):
        for visit in self:
            visit.name = "%s - %s" % (
                visit.partner_id.sudo().name or "",  # sudo: display only
                (visit.visit_date or "")[:10])

    @api.depends("date_done", "visit_date")
    def _compute_logged_late(self):
        """Logged as done more than N days after its date (issue 12); N
        is read when the visit is logged."""
        if not self.filtered("date_done"):
            self.update({"logged_late": False})
            return
        late = timedelta(days=number_param(
            self.env, LOGGED_LATE_PARAM, 2, 0))
        to_dt = fields.Datetime.from_string
        for visit in self:
            visit.logged_late = bool(
                visit.date_done and visit.visit_date
                and to_dt(visit.date_done) - to_dt(visit.visit_date) > late)

    def _kam_report_deadline(self, extra_days=0):
        """Done visits dated before this have their report overdue (by
        ``extra_days`` more days)."""
        days = number_param(self.env, REPORT_DAYS_PARAM, 3, 0) + extra_days
        return fields.Datetime.to_string(fields.Datetime.from_string(
            fields.Datetime.now()) - timedelta(days=days))

    @api.depends("state", "visit_date")
    def _compute_report_overdue(self):
        limit = self._kam_report_deadline()
        for visit in self:
            visit.report_overdue = (visit.state == "done"
                                    and visit.visit_date < limit)

    def _search_report_overdue(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(_("Report Overdue: search it with = or !=."))
        limit = self._kam_report_deadline()
        if (operator == "=") == bool(value):
            return ["&", ("state", "=", "done"), ("visit_date", "<", limit)]
        return ["|", ("state", "!=", "done"), ("visit_date", ">=", limit)]

    @api.depends("state", "partner_id.industry_id", "visit_date")
    def _compute_contact_window(self):
        for visit in self:
            note = visit._kam_contact_window_note()
            visit.outside_contact_window = bool(note)
            visit.contact_window_note = note or False

    def _kam_contact_window_note(self):
        """What the visitor is told when this planned visit is outside the
        contact windows of its account's industry (R9), or None: inside
        one, not planned, or no window for the industry. The visit's
        start is compared in the reader's time zone (the context's, or
        the user's)."""
        self.ensure_one()
        # (a visit being created in the form has no state yet)
        if self.state not in ("planned", False) or not self.partner_id or \
                not self.visit_date:
            return None
        # sudo: the account's industry and its windows only
        industry = self.partner_id.sudo().industry_id
        windows = industry.kam_contact_window_ids
        if not windows:
            return None
        moment = fields.Datetime.context_timestamp(
            self, fields.Datetime.from_string(self.visit_date))
        if windows._kam_contains(moment):
            return None
        day = windows._kam_label_of(WEEKDAYS[moment.weekday()])
        return _("Planned on %s at %s, outside the contact windows of the "
                 "industry %s: %s. The visit can still be planned.") % (
                     day, hour_label(moment.hour + moment.minute / 60.0),
                     industry.display_name,
                     "; ".join(w._kam_window_text() for w in windows))

    @api.onchange("partner_id", "visit_date")
    def _onchange_contact_window(self):
        """Warn, never block, when the visit is planned outside the
        account's contact windows (R9)."""
        note = self._kam_contact_window_note()
        if note:
            return {"warning": {"title": _("Outside the Contact Window"),
                                "message": note}}
        return None

    @api.depends("user_id", "partner_id.kam_region_id.manager_id",
                 "company_id")
    def _compute_reviewer_id(self):
        Users = self.env["res.users"]
        for visit in self:
            manager = visit._kam_region_manager()
            if manager and manager != visit.user_id:
                visit.reviewer_id = manager
            else:
                others = Users._kam_directors(visit.company_id) - visit.user_id
                visit.reviewer_id = others[:1]

    @api.constrains("partner_id")
    def _check_partner_id(self):
        for visit in self:
            partner = visit.partner_id.sudo()  # sudo: kam fields are restricted
            if not partner.kam_is_key_account:
                raise ValidationError(_(
                    "Key Account: %s is not a key account; visits are "
                    "recorded for key accounts only.") % partner.display_name)

    @api.constrains("partner_id", "company_id", "user_id")
    def _check_company(self):
        """A visit belongs to its account's company; the visitor works
        there (R8 counts their visits)."""
        for visit in self:
            check_writer_allowed(visit, "partner_id")
            check_same_company(visit, "partner_id")
            check_user_allowed(visit, "user_id")

    @api.constrains("contact_ids", "partner_id")
    def _check_contact_ids(self):
        for visit in self:
            wrong = visit.contact_ids.filtered(
                lambda c: c.commercial_partner_id != visit.partner_id)
            if wrong:
                raise ValidationError(_(
                    "Contacts Met: %s do not belong to %s.") % (
                        ", ".join(wrong.mapped("name")),
                        visit.partner_id.display_name))

    @api.constrains("duration")
    def _check_duration(self):
        for visit in self:
            if visit.duration < 0:
                raise ValidationError(_(
                    "Duration: a visit cannot last a negative time."))

    @api.constrains("state", "visit_date")
    def _check_visit_date(self):
        now = fields.Datetime.now()
        for visit in self:
            if visit.state in DONE_STATES and visit.visit_date > now:
                raise ValidationError(_(
                    "Visit Date: the visit of %s is in the future (%s); a "
                    "visit can only be marked done once it has taken "
                    "place.") % (visit.partner_id.display_name,
                                 visit.visit_date))

    # ------------------------------------------------------------------
    # Who may do what (R8)
    # ------------------------------------------------------------------
    def _kam_region_manager(self):
        """The manager of the visited account's region."""
        partner = self.partner_id.sudo()  # sudo: kam fields are restricted
        return partner.kam_region_id.manager_id

    def _kam_is_supervisor(self, user):
        """Whether ``user`` supervises the visitor of every visit."""
        is_director = user.has_group("kam_management.group_kam_director")
        for visit in self:
            if user == visit.user_id:
                return False
            manager = visit._kam_region_manager()
            if visit.user_id == manager or not manager:
                if not is_director:
                    return False
            elif user != manager and not is_director:
                return False
        return True

    def _kam_check_visitor_or_supervisor(self, action=None):
        user = self.env.user
        for visit in self:
            if visit.user_id != user and not visit._kam_is_supervisor(user):
                raise AccessError(_(
                    "Only the visitor or their supervisor can do this on "
                    "the visit %s.") % visit.name)

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    @api.multi
    def action_done(self):
        """The visit took place: it now counts for visit compliance."""
        self._kam_check_move("action_done")
        # write() brings compliance up to date and closes the "visit due"
        # activities the visit satisfies
        self._kam_write({"state": "done",
                         "date_done": fields.Datetime.now()})
        return True

    @api.multi
    def action_submit(self):
        """File the visit report to the supervisor (R8)."""
        self._kam_check_move("action_submit")
        for visit in self:
            if not (visit.report_summary or "").strip():
                raise UserError(_(
                    "Summary: write the visit report of %s before "
                    "submitting it.") % visit.name)
        self._kam_write({"state": "submitted",
                         "date_submitted": fields.Datetime.now()})
        self._kam_done_activities(REPORT_ACTIVITY, _("Report submitted"))
        self._kam_schedule_review()
        return True

    @api.multi
    def action_review(self):
        """The supervisor has read the report."""
        self._kam_check_move("action_review")
        self._kam_write({"state": "reviewed",
                         "date_reviewed": fields.Datetime.now()})
        self._kam_done_review_activities()
        return True

    @api.multi
    def action_send_back(self, reason=None):
        """Send a report back to its visitor, who gets a to-do with the
        reviewer's note (``reason``, or the note already on the visit)."""
        self._kam_check_move("action_send_back")
        vals = {"state": "done"}
        if reason:
            vals["review_note"] = reason
        self._kam_write(vals)
        self._kam_done_review_activities()
        for visit in self:
            visit._kam_activity_schedule(
                "mail.mail_activity_data_todo", visit.user_id, "sent_back",
                note=visit.review_note)
        return True

    @api.multi
    def action_cancel(self):
        self._kam_check_move("action_cancel")
        self._kam_write({"state": "cancelled"})
        return True

    @api.multi
    def action_plan(self):
        """Plan a cancelled visit again."""
        self._kam_check_move("action_plan")
        self._kam_write({"state": "planned"})
        return True

    def _kam_check_reviewer(self, action=None):
        user = self.env.user
        for visit in self:
            if visit.user_id == user:
                raise AccessError(_(
                    "You cannot review your own visit report (%s).")
                    % visit.name)
            if not visit._kam_is_supervisor(user):
                raise AccessError(_(
                    "Only the visitor's supervisor can review the report "
                    "of %s.") % visit.name)

    # ------------------------------------------------------------------
    # Activities
    # ------------------------------------------------------------------
    def _kam_activity_text(self, key):
        """The summary of the visit's activity ``key``, in the context's
        language (see ``kam_lang``)."""
        return {
            "sent_back": _("Visit report sent back: %s"),
            "review": _("Review the visit report: %s"),
            "report_overdue": _("Visit report overdue: %s"),
            "report_escalated": _("Follow up the overdue visit report: %s"),
        }[key] % self.name

    def _kam_activity_schedule(self, type_xmlid, user, key, note=None,
                               date_deadline=None):
        """Schedule an activity on the visit (Odoo 11 has no helper), its
        summary in ``user``'s language."""
        self.ensure_one()
        if not user:
            return self.env["mail.activity"]
        # sudo: the visitor schedules a task for their supervisor on a
        # record both can access; activities are protected by the document
        return self.env["mail.activity"].sudo().create({  # sudo: see above
            "res_model_id": self.env["ir.model"]._get(self._name).id,
            "res_id": self.id,
            "activity_type_id": self.env.ref(type_xmlid).id,
            "summary": in_lang(self, user)._kam_activity_text(key),
            "note": note or False,
            "user_id": user.id,
            "date_deadline": date_deadline or fields.Date.context_today(self),
        })

    def _kam_schedule_review(self):
        for visit in self:
            visit._kam_activity_schedule(
                "kam_management.mail_activity_type_kam_visit_review",
                visit.reviewer_id, "review")

    def _kam_done_review_activities(self):
        self._kam_done_activities(
            "kam_management.mail_activity_type_kam_visit_review",
            _("Reviewed"))

    def _kam_done_activities(self, type_xmlid, feedback):
        """Close the visits' open activities of type ``type_xmlid``."""
        kind = self.env.ref(type_xmlid)
        Activity = self.env["mail.activity"].sudo()  # sudo: close the task
        activities = Activity.search([
            ("res_model", "=", self._name), ("res_id", "in", self.ids),
            ("activity_type_id", "=", kind.id)])
        activities.action_feedback(feedback)

    @api.model
    def _kam_remind_overdue_reports(self):
        """Once per visit, the visitor of a done visit whose report is
        overdue gets an activity (issue 12); run by the daily visit
        compliance action, so a second run creates nothing. A visitor with
        more than ``kam_management.visit_activity_digest_limit`` (20) gets
        one digest activity on their contact instead (a first run on years
        of history must not write one activity per old visit)."""
        # sudo: the daily action reminds every visitor, whoever runs it
        visits = self.sudo().search([  # sudo: see above
            ("report_overdue", "=", True),
            ("report_reminded_date", "=", False)])
        visits._kam_report_activities("user_id", "report_overdue",
                                      "report_reminded_date")
        return visits

    def _kam_report_activities(self, person, key, done_column):
        """The activities of these visits' overdue reports, for the person
        in column ``person`` (the visitor, or the reviewer): one per visit,
        or one digest for a person with more than the digest limit (a first
        run on years of history must not write one activity per old
        visit); then ``done_column`` marks them done, so a second run
        creates nothing. Column names are this module's constants."""
        if not self:
            return
        cr = self.env.cr
        cr.execute(sql.SQL(
            "SELECT {}, array_agg(id ORDER BY visit_date, id) FROM kam_visit "
            "WHERE id = ANY(%s) GROUP BY 1").format(sql.Identifier(person)),
            (self.ids,))
        # the same limit as the visit-due digests
        limit = self.env["kam.visit.compliance"]._kam_digest_limit()
        for user_id, ids in cr.fetchall():
            user = self.env["res.users"].sudo().browse(user_id)  # sudo: lang
            if len(ids) > limit:
                self.browse(ids)._kam_report_digest(
                    user, escalation=key == "report_escalated")
                continue
            for visit in self.browse(ids):
                visit._kam_activity_schedule(REPORT_ACTIVITY, user, key)
        # one statement for what may be thousands of visits: a bookkeeping
        # date without side effects (no tracking, no computed field on it),
        # by the addon's clock
        cr.execute(sql.SQL("UPDATE kam_visit SET {} = %s WHERE id = ANY(%s)")
                   .format(sql.Identifier(done_column)),
                   (fields.Datetime.now(), self.ids))
        self.invalidate_cache([done_column])

    @api.model
    def _kam_report_punctuality(self, start, stop, user_ids=None,
                                partner_ids=None):
        """{visitor id: (reports due, reports on time)} for the visits
        dated in [start, stop) of ``user_ids`` and/or on ``partner_ids``
        (None: any); see PUNCTUALITY_SQL. One query."""
        days = number_param(self.env, REPORT_DAYS_PARAM, 3, 0)
        self.env.cr.execute(PUNCTUALITY_SQL, {
            "deadline": self._kam_report_deadline(), "days": days,
            "start": start, "stop": stop,
            "users": list(user_ids) if user_ids is not None else None,
            "partners": (list(partner_ids) if partner_ids is not None
                         else None)})
        return {uid: (due, on_time)
                for uid, due, on_time in self.env.cr.fetchall()}

    @api.model
    def _kam_escalate_overdue_reports(self):
        """Once per visit, the supervisor (the reviewer) of a visitor whose
        report is still not submitted ``visit_report_escalation_days`` (7)
        after it was due gets an activity (issue 12, R8). Run daily by the
        visit compliance action after the visitors' reminders, so a
        second run creates nothing; above the digest limit a supervisor
        gets one digest activity."""
        extra = number_param(self.env, REPORT_ESCALATION_PARAM, 7, 0)
        # sudo: the daily action escalates for every visitor, whoever runs it
        visits = self.sudo().search([  # sudo: see above
            ("state", "=", "done"),
            ("visit_date", "<", self._kam_report_deadline(extra)),
            ("report_reminded_date", "!=", False),
            ("report_escalated_date", "=", False),
            ("reviewer_id", "!=", False)])
        visits._kam_report_activities("reviewer_id", "report_escalated",
                                      "report_escalated_date")
        return visits

    def _kam_report_digest_texts(self, escalation=False):
        """Summary and lines of a report digest, in the context's
        language (see ``kam_lang``); for a supervisor, each line names the
        visitor."""
        lines = "".join("<li>%s</li>" % html_escape(
            "%s (%s)" % (visit.name, visit.user_id.name) if escalation
            else visit.name) for visit in self[:200])
        if len(self) > 200:
            lines += "<li>%s</li>" % html_escape(
                _("… and %s more.") % (len(self) - 200))
        if escalation:
            summary = _("%s overdue visit reports to follow up") % len(self)
        else:
            summary = _("%s visit reports overdue") % len(self)
        return summary, "<ul>%s</ul>" % lines

    def _kam_report_digest(self, user, escalation=False):
        """One activity for ``user`` listing these visits' overdue
        reports, on the user's own contact."""
        summary, note = in_lang(self, user)._kam_report_digest_texts(
            escalation)
        # sudo: an activity for the visitor, made by the daily action
        self.env["mail.activity"].sudo().create({  # sudo: see above
            "res_model_id": self.env["ir.model"]._get("res.partner").id,
            "res_id": user.partner_id.id,
            "activity_type_id": self.env.ref(REPORT_ACTIVITY).id,
            "summary": summary, "note": note, "user_id": user.id,
            "date_deadline": fields.Date.context_today(self),
        })

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    def _kam_check_partner_access(self):
        """A visit is logged only on an account the user may see: a KAM
        cannot record visits on another KAM's accounts."""
        for visit in self:
            visit.partner_id.sudo(self.env.uid).check_access_rule("read")

    def _kam_protected_error(self, names):
        return UserError(_(
            "These fields are set by the visit's buttons (Mark as Done, "
            "Submit Report, Review...) and cannot be written: %s.")
            % ", ".join(names))

    @api.model
    def create(self, vals):
        vals = with_partner_company(self.env, vals)
        # a new visit starts planned, or done when it is logged after the
        # fact (as Mark as Done would do); submitted and reviewed only
        # through the buttons (R8)
        state = vals.get("state", "planned")
        if state not in ("planned", "done") and \
                not self._kam_is_superuser():
            raise self._kam_protected_error(
                ["state"] + self._kam_protected_fields(vals))
        self._kam_check_protected(vals)
        if state == "done" and not vals.get("date_done"):
            # (only the superuser may give it: the demo data)
            vals = dict(vals, date_done=fields.Datetime.now())
        visit = super(KamVisit, self).create(vals)
        visit._kam_check_partner_access()
        if visit.state in DONE_STATES:
            visit._kam_refresh_compliance(visit.partner_id)
        return visit

    @api.multi
    def write(self, vals):
        # the workflow fields are refused by kam.workflow.mixin, before
        # anything is stored; the state alone is a move
        partners = self.mapped("partner_id")
        vals = with_partner_company(self.env, vals)
        res = super(KamVisit, self).write(vals)
        self._kam_after_write(vals, partners)
        return res

    def _kam_write(self, vals):
        """Write, the workflow fields included (the buttons)."""
        partners = self.mapped("partner_id")
        res = self._kam_state_write(vals)
        self._kam_after_write(vals, partners)
        return res

    def _kam_after_write(self, vals, partners):
        if "partner_id" in vals:
            self._kam_check_partner_access()
        if set(vals) & {"state", "visit_date", "user_id", "partner_id",
                        "kind"}:
            self._kam_refresh_compliance(partners | self.mapped("partner_id"))

    def _kam_refresh_compliance(self, partners):
        """Visits done, cancelled or moved change their accounts' visit
        compliance at once (R8)."""
        self.env["kam.visit.compliance"]._kam_refresh(partner_ids=partners.ids)

    @api.multi
    def unlink(self):
        for visit in self:
            if visit.state not in ("planned", "cancelled"):
                raise UserError(_(
                    "Only planned or cancelled visits can be deleted; "
                    "cancel %s instead.") % visit.name)
        return super(KamVisit, self).unlink()
