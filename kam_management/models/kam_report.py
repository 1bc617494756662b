# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import calendar
import json
import logging
from datetime import datetime, time, timedelta

import pytz

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import html_escape
from odoo.tools.misc import format_date

from .kam_fields import Figure
from .kam_lang import in_lang
from .kam_lock import acquire_run
from .kam_settings import number_param
from .kam_workflow_mixin import transition

_logger = logging.getLogger(__name__)

REPORT_TYPES = [
    ("kam_monthly", "KAM Monthly Work Report"),
    ("region_monthly", "Regional Customer-Information Report"),
]
VISIT_DONE = ("done", "submitted", "reviewed")
# what a user writes on a month-end report (the author the comments, the
# regional manager or a director the minutes); the rest is data or workflow
USER_FIELDS = frozenset(["comments", "meeting_minutes"])
LATE_TYPE = "kam_management.mail_activity_type_kam_report_late"
# items listed per agenda section (R15); the rest are counted
AGENDA_LIMIT = 100
# complaints still open (R7)
OPEN_COMPLAINT = ("new", "in_progress")


def month_bounds(day):
    """(first day, last day) of the month of ``day`` (a date string)."""
    date = fields.Date.from_string(day)
    first = date.replace(day=1)
    last = date.replace(day=calendar.monthrange(date.year, date.month)[1])
    return fields.Date.to_string(first), fields.Date.to_string(last)


def submit_deadline(env, period_start):
    """The day by which a KAM submits the month-end report of the month
    starting on ``period_start``: the ``kam_management.report_submit_day``-th
    day (1 to 28, default 5) of the following month, as a date string."""
    day = min(number_param(env, "kam_management.report_submit_day", 5, 1),
              28)
    following = fields.Date.from_string(month_bounds(period_start)[1]) + \
        timedelta(days=1)
    return fields.Date.to_string(following.replace(day=day))


# this month's RFM snapshot against the previous month's, per account
RFM_MOVES_SQL = """
SELECT count(*) FILTER (WHERE s.churn_risk),
       count(*) FILTER (WHERE s.churn_risk AND NOT COALESCE(p.churn_risk,
                                                             false)),
       count(*) FILTER (WHERE p.id IS NOT NULL AND s.segment IS DISTINCT
                        FROM p.segment),
       array_agg(r.name) FILTER (WHERE s.churn_risk)
  FROM kam_rfm_snapshot s
  JOIN res_partner r ON r.id = s.partner_id
  LEFT JOIN kam_rfm_snapshot p
    ON p.partner_id = s.partner_id AND p.month = %(previous)s
 WHERE s.month = %(month)s AND s.partner_id = ANY(%(accounts)s)
"""

# the agenda's accounts at churn risk in the month's RFM snapshot, or whose
# RFM score (R + F + M) fell against the previous month's snapshot
RFM_AGENDA_SQL = """
SELECT r.name, s.score, p.score, s.churn_risk
  FROM kam_rfm_snapshot s
  JOIN res_partner r ON r.id = s.partner_id
  LEFT JOIN kam_rfm_snapshot p
    ON p.partner_id = s.partner_id AND p.month = %(previous)s
 WHERE s.month = %(month)s AND s.partner_id = ANY(%(accounts)s)
   AND (s.churn_risk
        OR (p.id IS NOT NULL
            AND COALESCE(s.r_score, 0) + COALESCE(s.f_score, 0)
                + COALESCE(s.m_score, 0)
              < COALESCE(p.r_score, 0) + COALESCE(p.f_score, 0)
                + COALESCE(p.m_score, 0)))
 ORDER BY s.churn_risk DESC, r.name, r.id
"""


class KamReport(models.Model):
    """Month-end reports (R4, R14, R15).

    ``kam_monthly``: a KAM's key-account work report to the regional
    manager; ``region_monthly``: the regional manager's customer-information
    report to the sales directors. The scheduled action
    ``ir_cron_monthly_reports`` drafts them for the month just ended,
    pre-filled from the data, one section per ``_kam_figures_*`` method; the
    author comments and submits, the reviewer acknowledges.
    """

    _name = "kam.report"
    _description = "Key-Account Month-End Report"
    _inherit = ["kam.workflow.mixin", "mail.thread", "mail.activity.mixin",
                "kam.input.check"]
    _order = "period_start desc, report_type, id"
    _kam_user_fields = USER_FIELDS
    _kam_transitions = {
        # drafts only; the state stays
        "action_refresh_figures": transition(
            ["draft"], "draft", _("Update Figures"),
            "_kam_check_author_or_reviewer"),
        "action_submit": transition(
            ["draft"], "submitted", _("Submit"), "_kam_check_author"),
        "action_acknowledge": transition(
            ["submitted"], "acknowledged", _("Acknowledge"),
            "_kam_check_acknowledger"),
    }

    name = fields.Char(compute="_compute_name", store=True)
    report_type = fields.Selection(REPORT_TYPES, required=True,
                                   readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", string="Author", required=True, index=True,
        readonly=True, ondelete="restrict")
    region_id = fields.Many2one(
        "kam.region", string="Region", index=True, readonly=True,
        ondelete="restrict",
        help="The region reported on (regional report), or the region whose "
             "manager reviews the KAM's report.")
    period_start = fields.Date(string="Month", required=True, readonly=True)
    period_end = fields.Date(compute="_compute_period_end", store=True)
    state = fields.Selection(
        [("draft", "Draft"), ("submitted", "Submitted"),
         ("acknowledged", "Acknowledged")],
        default="draft", required=True, index=True, copy=False,
        track_visibility="onchange")
    reviewer_id = fields.Many2one(
        "res.users", string="Reviewer", compute="_compute_reviewer_id",
        store=True,
        help="The regional manager for a KAM's report, a sales director "
             "for a regional report.")
    comments = fields.Text(
        help="The author's analysis: what happened, risks, next steps.")
    submitted_date = fields.Datetime(readonly=True, copy=False)
    acknowledged_date = fields.Datetime(readonly=True, copy=False)
    acknowledged_by_id = fields.Many2one("res.users", readonly=True,
                                         copy=False)
    figures_date = fields.Datetime(
        string="Figures Updated", readonly=True, copy=False)
    month_end_requested = fields.Boolean(
        readonly=True, copy=False,
        help="The month-end information activities (R14) were scheduled "
             "(before issue 13; the month-end hand-ins replace them).")
    company_id = fields.Many2one(
        "res.company", string="Company", required=True,
        default=lambda self: self.env.user.company_id)
    currency_id = fields.Many2one(related="company_id.currency_id",
                                  readonly=True)
    # visits (R8) -- _kam_figures_visits
    visits_done = fields.Integer(
        readonly=True, help="Visits done in the month (by the KAM, or by "
                            "anyone for a regional report).")
    visits_required = fields.Integer(
        readonly=True,
        help="Key accounts the KAM's monthly visit rule covered in the "
             "month: each needs at least one visit.")
    visit_compliance_pct = Figure(
        string="Visit Compliance (%)", readonly=True,
        help="Share of those accounts never overdue for a visit in the "
             "month. Empty when no account needed a visit.")
    visits_verified_count = fields.Integer(
        string="Visits Verified on Site", readonly=True,
        help="Of the visits done, those checked in within the radius of "
             "the account's position, or on an account without a position "
             "and reviewed by the supervisor (issue 14).")
    report_due_count = fields.Integer(
        string="Visit Reports Due", readonly=True,
        help="Done visits of the month whose report is submitted or past "
             "its deadline (kam_management.visit_report_days).")
    report_on_time_count = fields.Integer(
        string="Visit Reports on Time", readonly=True)
    report_punctuality_pct = Figure(
        string="Report Punctuality (%)", readonly=True,
        help="Visit reports submitted within the deadline / visit reports "
             "due x 100. Empty without a report due.")
    # information (R10) -- _kam_figures_info
    info_normal_count = fields.Integer(string="Normal Information",
                                       readonly=True)
    info_important_count = fields.Integer(string="Important Information",
                                          readonly=True)
    info_critical_count = fields.Integer(string="Critical Information",
                                         readonly=True)
    # sales (R4, R13) -- _kam_figures_sales
    sales_amount = fields.Monetary(
        string="Confirmed Sales", readonly=True,
        help="Untaxed confirmed sales orders of the accounts in the month, "
             "in the company currency.")
    target_amount = fields.Monetary(
        string="Target", readonly=True,
        help="Sales targets pro rata to the days they share with the month "
             "(for a region: the targets of its accounts' KAMs).")
    target_achievement_pct = Figure(
        string="Target Achievement (%)", readonly=True,
        help="Confirmed sales / target x 100.")
    # relationship levels (R11) -- _kam_figures_levels
    level_up_count = fields.Integer(
        string="Level Upgrades", readonly=True,
        help="Upgrades decided by someone other than the KAM: approved "
             "level requests and direct changes by the regional manager or "
             "a sales director (R11).")
    level_down_count = fields.Integer(string="Level Downgrades",
                                      readonly=True)
    level_in_count = fields.Integer(string="Promotions", readonly=True)
    level_out_count = fields.Integer(string="Demotions", readonly=True)
    # one-stop service and complaints (R6, R7) -- _kam_figures_service
    requirement_opened_count = fields.Integer(
        string="Requirements Received", readonly=True)
    requirement_closed_count = fields.Integer(
        string="Requirements Delivered", readonly=True)
    complaint_opened_count = fields.Integer(
        string="Complaints Received", readonly=True)
    complaint_closed_count = fields.Integer(
        string="Complaints Resolved", readonly=True)
    # RFM (R13, R16) -- _kam_figures_rfm
    rfm_at_risk_count = fields.Integer(
        string="Accounts at Churn Risk", readonly=True,
        help="Accounts flagged at churn risk in the month's RFM snapshot.")
    rfm_new_at_risk_count = fields.Integer(
        string="Newly at Churn Risk", readonly=True,
        help="At risk this month but not in the previous month's snapshot.")
    rfm_segment_changed_count = fields.Integer(
        string="RFM Segment Changes", readonly=True,
        help="Accounts whose RFM segment differs from the previous month's "
             "snapshot.")
    rfm_at_risk_names = fields.Text(
        string="At-Risk Accounts", readonly=True)
    # the KAM's deadline (R4, issue 13) -- kam_monthly reports
    submit_deadline = fields.Date(
        string="Submit By", compute="_compute_submit_deadline", store=True,
        help="A key account manager's report: the Nth day of the following "
             "month (kam_management.report_submit_day, default 5), fixed "
             "when the report is drafted.")
    submit_late = fields.Boolean(
        string="Submitted Late", readonly=True, copy=False, index=True,
        help="Not submitted by its deadline: set by the daily action while "
             "it is a draft, or by Submit when it is pressed late; it stays "
             "set. Shown on the KAM's scorecard.")
    submit_escalated_date = fields.Datetime(
        string="Late Report Escalated On", readonly=True, copy=False,
        help="When the regional manager was told of the late report "
             "(once).")
    # the monthly analysis meeting (R15, issue 13) -- region_monthly
    meeting_id = fields.Many2one(
        "calendar.event", string="Analysis Meeting", readonly=True,
        copy=False, ondelete="set null",
        help="The regional manager's monthly analysis meeting of the "
             "region's key-account information, with the region's KAMs "
             "(Schedule Meeting).")
    meeting_agenda_data = fields.Text(
        readonly=True, copy=False,
        help="The agenda's items as taken from the data (JSON), shown in "
             "the reader's language by Agenda.")
    meeting_agenda_date = fields.Datetime(
        string="Agenda Updated", readonly=True, copy=False)
    meeting_agenda = fields.Html(
        string="Agenda", compute="_compute_meeting_agenda",
        help="Important and critical information of the month, accounts at "
             "churn risk or whose RFM score fell, overdue visits, open "
             "complaints past their commitment and relationship-level "
             "changes, from the data: with the figures of a draft, and when "
             "the meeting is scheduled.")
    meeting_minutes = fields.Text(
        string="Minutes", copy=False, track_visibility="onchange",
        help="The minutes of the monthly analysis meeting, written by the "
             "regional manager or a sales director; they go to the sales "
             "directors with the report.")

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------
    @api.depends("report_type", "user_id", "region_id", "period_start")
    def _compute_name(self):
        """The title in its author's language, whoever drafts it (usually
        the scheduled action)."""
        types = self._fields["report_type"]
        for report in self:
            who = report.region_id.name \
                if report.report_type == "region_monthly" \
                else report.user_id.name
            labels = dict(types._description_selection(
                in_lang(report, report.user_id).env))
            report.name = "%s %s %s" % (
                (report.period_start or "")[:7], who or "",
                labels.get(report.report_type, ""))

    @api.depends("period_start")
    def _compute_period_end(self):
        for report in self:
            if report.period_start:
                report.period_end = month_bounds(report.period_start)[1]

    @api.depends("report_type", "region_id.manager_id", "user_id",
                 "company_id")
    def _compute_reviewer_id(self):
        Users = self.env["res.users"]
        for report in self:
            manager = report.region_id.sudo().manager_id  # sudo: routing
            if report.report_type == "kam_monthly" and manager and \
                    manager != report.user_id:
                report.reviewer_id = manager
            else:
                directors = Users._kam_directors(report.company_id)
                report.reviewer_id = (directors - report.user_id)[:1]

    @api.depends("report_type", "period_start")
    def _compute_submit_deadline(self):
        """A KAM's report only; the parameter as it is when the report is
        drafted (a later change leaves existing reports alone)."""
        for report in self:
            report.submit_deadline = submit_deadline(
                self.env, report.period_start) \
                if report.report_type == "kam_monthly" and \
                report.period_start else False

    @api.depends("meeting_agenda_data")
    def _compute_meeting_agenda(self):
        """The agenda in the reader's language (the context's)."""
        for report in self:
            report.meeting_agenda = report._kam_agenda_html()

    @api.constrains("period_start")
    def _check_period_start(self):
        for report in self:
            if report.period_start[8:] != "01":
                raise ValidationError(_(
                    "Month: a month-end report starts on the first day of a "
                    "month, not on %s.") % report.period_start)

    @api.constrains("report_type", "region_id")
    def _check_region_id(self):
        for report in self:
            if report.report_type == "region_monthly" and \
                    not report.region_id:
                raise ValidationError(_(
                    "Region: a regional report needs its region."))

    def _kam_check_unique(self, vals, exclude=None):
        """Never two reports of the same kind for the same KAM (or region)
        and month; the database enforces it too (see ``init``)."""
        domain = [("report_type", "=", vals.get("report_type")),
                  ("period_start", "=", vals.get("period_start")),
                  ("id", "!=", exclude or 0)]
        if vals.get("report_type") == "region_monthly":
            domain.append(("region_id", "=", vals.get("region_id")))
        else:
            domain.append(("user_id", "=", vals.get("user_id")))
        if self.sudo().search_count(domain):  # sudo: any author's report
            raise ValidationError(_(
                "There is already a report of this kind for this month "
                "(%s).") % vals.get("period_start"))

    @api.model_cr
    def init(self):
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS kam_report_kam_month_uniq "
            "ON kam_report (user_id, period_start) "
            "WHERE report_type = 'kam_monthly'")
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS kam_report_region_month_uniq "
            "ON kam_report (region_id, period_start) "
            "WHERE report_type = 'region_monthly'")

    # ------------------------------------------------------------------
    # Figures: one method per section, each returns field values
    # ------------------------------------------------------------------
    def _kam_account_ids(self):
        """The accounts a report covers: the KAM's key accounts (and those
        demoted since), or the region's."""
        self.ensure_one()
        region = self.report_type == "region_monthly"
        # only the report's company: figures of two companies never mix
        self.env.cr.execute(
            "SELECT id FROM res_partner WHERE "
            "CASE WHEN %s THEN kam_region_id = %s ELSE kam_manager_id = %s END"
            " AND (company_id IS NULL OR company_id = %s)",
            (region, self.region_id.id or 0, self.user_id.id,
             self.company_id.id))
        return [row[0] for row in self.env.cr.fetchall()]

    def _kam_stop(self):
        return fields.Date.to_string(
            fields.Date.from_string(self.period_end) + timedelta(days=1))

    def _kam_figures_visits(self, account_ids):
        """Visits done vs required and the compliance share (R8)."""
        Visit = self.env["kam.visit"].sudo()  # sudo: figures of all accounts
        domain = [("partner_id", "in", account_ids),
                  ("state", "in", VISIT_DONE),
                  ("visit_date", ">=", self.period_start),
                  ("visit_date", "<", self._kam_stop())]
        if self.report_type == "kam_monthly":
            domain.append(("user_id", "=", self.user_id.id))
        done = Visit.search_count(domain)
        Snapshot = self.env["kam.visit.compliance.snapshot"].sudo()  # sudo: see above
        Snapshot._kam_rebuild_month(self.period_start)
        snap_domain = [("month", "=", self.period_start), ("role", "=", "kam"),
                       ("partner_id", "in", account_ids)]
        if self.report_type == "kam_monthly":
            snap_domain.append(("responsible_id", "=", self.user_id.id))
        groups = Snapshot.read_group(snap_domain, ["compliant_pct"], [])
        required = groups[0]["__count"] if groups else 0
        # sudo: the punctuality of the visits behind the report
        punctuality = Visit._kam_report_punctuality(  # sudo: see above
            self.period_start, self._kam_stop(),
            [self.user_id.id] if self.report_type == "kam_monthly" else None,
            account_ids)
        # sudo: see above
        verified = Visit._kam_verified_counts(  # sudo: see above
            self.period_start, self._kam_stop(),
            [self.user_id.id] if self.report_type == "kam_monthly" else None,
            account_ids)
        due = sum(d for d, _o in punctuality.values())
        on_time = sum(o for _d, o in punctuality.values())
        return {"visits_done": done, "visits_required": required,
                "visits_verified_count": sum(verified.values()),
                "report_due_count": due, "report_on_time_count": on_time,
                "report_punctuality_pct":
                    100.0 * on_time / due if due else False,
                # no row to comply with: no figure (empty), not 0 %
                "visit_compliance_pct":
                    groups[0]["compliant_pct"] if required else False}

    def _kam_figures_info(self, account_ids):
        """Information items of the month by importance (R10)."""
        Info = self.env["kam.info"].sudo()  # sudo: figures of all accounts
        groups = Info.read_group(
            [("partner_id", "in", account_ids),
             ("date", ">=", self.period_start),
             ("date", "<=", self.period_end)],
            ["importance"], ["importance"])
        counts = {g["importance"]: g["importance_count"] for g in groups}
        return {"info_normal_count": counts.get("normal", 0),
                "info_important_count": counts.get("important", 0),
                "info_critical_count": counts.get("critical", 0)}

    def _kam_figures_sales(self, account_ids):
        """Confirmed sales of the month vs target (R4)."""
        Scorecard = self.env["kam.scorecard"].sudo()  # sudo: figures
        sales = Scorecard._kam_sales_by_account(
            account_ids, self.period_start, self.period_end,
            self.company_id.currency_id)
        amount = sum(v["amount"] for v in sales.values())
        if self.report_type == "kam_monthly":
            users = [self.user_id.id]
        else:
            Partner = self.env["res.partner"].sudo()  # sudo: the region's KAMs
            users = Partner.search([
                ("kam_region_id", "=", self.region_id.id),
                ("kam_is_key_account", "=", True)]).mapped(
                    "kam_manager_id").ids
        targets = self.env["kam.target"].sudo()._kam_target_amounts(  # sudo: figures
            users, self.period_start, self.period_end, self.company_id.id)
        target = sum(targets.values())
        return {"sales_amount": amount, "target_amount": target,
                "target_achievement_pct":
                    100.0 * amount / target if target else False}

    def _kam_figures_levels(self, account_ids):
        """Relationship-level changes of the month (R11)."""
        History = self.env["kam.relationship.history"].sudo()  # sudo: figures
        groups = History.read_group(
            [("partner_id", "in", account_ids),
             ("date", ">=", self.period_start),
             ("date", "<", self._kam_stop())],
            ["direction", "loyalty_upgrade"],
            ["direction", "loyalty_upgrade"], lazy=False)
        counts = {}
        for group in groups:
            # upgrades: only those decided by a second person (issue 12)
            if group["direction"] == "up" and not group["loyalty_upgrade"]:
                continue
            counts[group["direction"]] = counts.get(group["direction"], 0) \
                + group["__count"]
        return {"level_up_count": counts.get("up", 0),
                "level_down_count": counts.get("down", 0),
                "level_in_count": counts.get("in", 0),
                "level_out_count": counts.get("out", 0)}

    def _kam_count_in_month(self, model, date_field, account_ids):
        """Records of ``model`` of the accounts whose ``date_field`` (a
        datetime) falls in the report's month."""
        Model = self.env[model].sudo()  # sudo: figures of all accounts
        return Model.search_count([
            ("partner_id", "in", account_ids),
            (date_field, ">=", self.period_start),
            (date_field, "<", self._kam_stop())])

    def _kam_figures_service(self, account_ids):
        """Requirements and complaints opened and closed in the month (R6,
        R7)."""
        count = self._kam_count_in_month
        return {
            "requirement_opened_count": count(
                "kam.requirement", "date_received", account_ids),
            "requirement_closed_count": count(
                "kam.requirement", "date_delivered", account_ids),
            "complaint_opened_count": count(
                "kam.complaint", "date_received", account_ids),
            "complaint_closed_count": count(
                "kam.complaint", "date_resolved", account_ids),
        }

    def _kam_figures_rfm(self, account_ids):
        """RFM movements and at-risk accounts of the month, from the monthly
        RFM snapshots (R13, R16)."""
        previous = fields.Date.to_string(
            (fields.Date.from_string(self.period_start)
             - timedelta(days=1)).replace(day=1))
        self.env.cr.execute(RFM_MOVES_SQL, {
            "accounts": list(account_ids), "month": self.period_start,
            "previous": previous})
        at_risk, new_risk, changed, names = self.env.cr.fetchone()
        return {"rfm_at_risk_count": at_risk or 0,
                "rfm_new_at_risk_count": new_risk or 0,
                "rfm_segment_changed_count": changed or 0,
                "rfm_at_risk_names": ", ".join(sorted(names or [])) or False}

    def _kam_figures_agenda(self, account_ids):
        """The items of the monthly analysis meeting's agenda (R15), for a
        regional report: one query per section over all the region's
        accounts, at most ``AGENDA_LIMIT`` items each (the rest counted).
        Open items (overdue visits, complaints past their commitment) as of
        now; the others of the report's month. Stored as data (names,
        dates, keys), written out in the reader's language by
        ``_kam_agenda_sections``."""
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        stop = self._kam_stop()

        def block(model, domain, order, item):
            # sudo: the agenda lists every account of the region
            Model = self.env[model].sudo()  # sudo: see above
            records = Model.search(domain, order=order, limit=AGENDA_LIMIT)
            more = Model.search_count(domain) - len(records) \
                if len(records) == AGENDA_LIMIT else 0
            return {"items": [item(r) for r in records], "more": more}

        accounts = [("partner_id", "in", account_ids)]
        data = {
            "as_of": now,
            "info": block(
                "kam.info", accounts + [
                    ("importance", "in", ["important", "critical"]),
                    ("date", ">=", self.period_start),
                    ("date", "<=", self.period_end)],
                "date, id",
                lambda i: {"account": i.partner_id.name, "title": i.name,
                           "date": i.date, "importance": i.importance,
                           "state": i.state}),
            "visits": block(
                "kam.visit.compliance", accounts + [
                    ("due_date", "<", today)],
                "due_date, id",
                lambda v: {"account": v.partner_id.name,
                           "responsible": v.responsible_id.name or "",
                           "due": v.due_date,
                           "days": (fields.Date.from_string(today)
                                    - fields.Date.from_string(
                                        v.due_date)).days}),
            "complaints": block(
                "kam.complaint", accounts + [
                    ("state", "in", list(OPEN_COMPLAINT)),
                    "|", ("resolution_deadline", "<", now),
                    "&", ("date_first_response", "=", False),
                    ("response_deadline", "<", now)],
                "date_received, id",
                lambda c: {"account": c.partner_id.name, "title": c.name,
                           "received": c.date_received,
                           "deadline": c.resolution_deadline
                           if c.resolution_deadline
                           and c.resolution_deadline < now
                           else c.response_deadline,
                           "severity": c.severity}),
            "levels": block(
                "kam.relationship.history", accounts + [
                    ("date", ">=", self.period_start), ("date", "<", stop)],
                "date, id",
                lambda h: {"account": h.partner_id.name, "date": h.date,
                           "direction": h.direction,
                           "old": [h.old_level_id.id,
                                   h.old_level_id.name or ""],
                           "new": [h.new_level_id.id,
                                   h.new_level_id.name or ""]}),
        }
        previous = fields.Date.to_string(
            (fields.Date.from_string(self.period_start)
             - timedelta(days=1)).replace(day=1))
        self.env.cr.execute(RFM_AGENDA_SQL, {
            "accounts": list(account_ids), "month": self.period_start,
            "previous": previous})
        rows = self.env.cr.fetchall()
        data["risk"] = {
            "items": [{"account": name, "score": score, "previous": before,
                       "churn_risk": bool(risk)}
                      for name, score, before, risk in rows[:AGENDA_LIMIT]],
            "more": max(len(rows) - AGENDA_LIMIT, 0)}
        return {"meeting_agenda_data": json.dumps(data, sort_keys=True),
                "meeting_agenda_date": now}

    def _kam_figures(self):
        """Every section's figures for this report. Add a section by
        adding a ``_kam_figures_*`` method, its fields and its block in the
        QWeb template, and calling it here."""
        accounts = self._kam_account_ids()
        vals = {}
        vals.update(self._kam_figures_visits(accounts))
        vals.update(self._kam_figures_info(accounts))
        vals.update(self._kam_figures_sales(accounts))
        vals.update(self._kam_figures_levels(accounts))
        vals.update(self._kam_figures_service(accounts))
        vals.update(self._kam_figures_rfm(accounts))
        if self.report_type == "region_monthly":
            vals.update(self._kam_figures_agenda(accounts))
        return vals

    # ------------------------------------------------------------------
    # The monthly analysis meeting (R15)
    # ------------------------------------------------------------------
    def _kam_agenda_sections(self):
        """The agenda in the context's language: ``[(heading, [lines],
        number of items not listed)]``, empty before the agenda is
        taken from the data. (Every text is translated here, in the
        method: Odoo 11's ``_()`` finds the language in the caller's
        ``self``.)"""
        self.ensure_one()
        data = json.loads(self.meeting_agenda_data or "{}")
        if not data:
            return []
        env = self.env
        labels = {(model, fname): dict(
            env[model]._fields[fname]._description_selection(env))
            for model, fname in (
                ("kam.info", "importance"), ("kam.info", "state"),
                ("kam.complaint", "severity"),
                ("kam.relationship.history", "direction"))}
        ids = [item[side][0] for item in data["levels"]["items"]
               for side in ("old", "new") if item[side][0]]
        levels = {level.id: level.name for level in env[
            "kam.relationship.level"].browse(ids).exists()}
        no_level = _("none")
        texts = {
            "info": _("%(date)s %(account)s: %(title)s (%(importance)s, "
                      "%(state)s)"),
            "risk_both": _("%(account)s: at churn risk; RFM score "
                           "%(before)s -> %(score)s"),
            "risk": _("%(account)s: at churn risk; RFM score %(score)s"),
            "fell": _("%(account)s: RFM score fell, %(before)s -> "
                      "%(score)s"),
            "visits": _("%(account)s: visit due %(due)s, %(days)s days "
                        "overdue (%(responsible)s)"),
            "complaints": _("%(account)s: %(title)s, received "
                            "%(received)s, due %(deadline)s (%(severity)s)"),
            "levels": _("%(date)s %(account)s: %(old)s -> %(new)s "
                        "(%(direction)s)"),
        }
        headings = [
            ("info", _("Important and critical information of the month")),
            ("risk", _("Accounts at churn risk or whose RFM score fell")),
            ("visits", _("Overdue visits")),
            ("complaints", _("Open complaints past their commitment")),
            ("levels", _("Relationship-level changes of the month")),
        ]

        def day(value):
            # a datetime in the reader's time zone
            return format_date(env, value) if value else ""

        def label(model, fname, key):
            return labels[(model, fname)].get(key, key or "")

        def level(pair):
            return levels.get(pair[0], pair[1]) or no_level

        def line(key, item):
            if key == "info":
                return texts["info"] % {
                    "date": day(item["date"]), "account": item["account"],
                    "title": item["title"],
                    "importance": label("kam.info", "importance",
                                        item["importance"]),
                    "state": label("kam.info", "state", item["state"])}
            if key == "risk":
                moved = item["previous"] and \
                    item["previous"] != item["score"]
                text = texts["fell"] if not item["churn_risk"] else \
                    texts["risk_both"] if moved else texts["risk"]
                return text % {"account": item["account"],
                               "before": item["previous"] or "-",
                               "score": item["score"] or "-"}
            if key == "visits":
                return texts["visits"] % {
                    "account": item["account"], "due": day(item["due"]),
                    "days": item["days"],
                    "responsible": item["responsible"] or "-"}
            if key == "complaints":
                return texts["complaints"] % {
                    "account": item["account"], "title": item["title"],
                    "received": day(item["received"]),
                    "deadline": day(item["deadline"]),
                    "severity": label("kam.complaint", "severity",
                                      item["severity"])}
            return texts["levels"] % {
                "date": day(item["date"]), "account": item["account"],
                "old": level(item["old"]), "new": level(item["new"]),
                "direction": label("kam.relationship.history", "direction",
                                   item["direction"])}

        return [(heading, [line(key, item) for item in data[key]["items"]],
                 data[key]["more"]) for key, heading in headings]

    def _kam_agenda_more(self, count):
        return _("... and %s more.") % count

    def _kam_agenda_html(self):
        """The agenda as HTML, in the context's language."""
        sections = self._kam_agenda_sections()
        if not sections:
            return False
        parts = []
        for heading, lines, more in sections:
            parts.append("<h4>%s</h4>" % html_escape(heading))
            if not lines:
                parts.append("<p><em>%s</em></p>" % html_escape(_("None.")))
                continue
            parts.append("<ul>%s</ul>" % "".join(
                "<li>%s</li>" % html_escape(line) for line in lines))
            if more:
                parts.append("<p>%s</p>" % html_escape(
                    self._kam_agenda_more(more)))
        return "".join(parts)

    def _kam_agenda_text(self):
        """The agenda as plain text (the meeting's description), in the
        context's language."""
        out = []
        none = _("None.")
        for heading, lines, more in self._kam_agenda_sections():
            out.append(heading)
            out.extend("- %s" % line for line in lines or [none])
            if more:
                out.append("- %s" % self._kam_agenda_more(more))
            out.append("")
        return "\n".join(out).strip()

    def _kam_fill_figures(self):
        for report in self:
            vals = report._kam_figures()
            vals["figures_date"] = fields.Datetime.now()
            report.sudo().write(vals)  # sudo: figures are read-only fields

    def kam_scorecards(self):
        """The scorecards shown on the report: the author's (KAM report)
        or those of the region's KAMs (regional report)."""
        self.ensure_one()
        Scorecard = self.env["kam.scorecard"].sudo()  # sudo: part of the report
        if self.report_type == "kam_monthly":
            users = self.user_id.ids
        else:
            Partner = self.env["res.partner"].sudo()  # sudo: the region's KAMs
            users = Partner.search([
                ("kam_region_id", "=", self.region_id.id)]).mapped(
                    "kam_manager_id").ids
        return Scorecard.search([("period_start", "=", self.period_start),
                                 ("user_id", "in", users)])

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    def _kam_may_review(self, user):
        """The regional manager of the report's region (KAM report) or a
        sales director; never the author."""
        if user == self.user_id:
            return False
        if user.has_group("kam_management.group_kam_director"):
            return True
        return self.report_type == "kam_monthly" and \
            self.region_id.sudo().manager_id == user  # sudo: routing

    def _kam_check_author_or_reviewer(self, action):
        for report in self:
            if report.user_id != self.env.user and \
                    not report._kam_may_review(self.env.user):
                raise AccessError(_(
                    "Only the author or the reviewer can update the figures "
                    "of %s.") % report.name)

    def _kam_check_author(self, action):
        for report in self:
            if report.user_id != self.env.user:
                raise AccessError(_(
                    "Only the author, %s, can submit the report %s.") % (
                        report.user_id.name, report.name))

    def _kam_check_acknowledger(self, action):
        for report in self:
            if report.user_id == self.env.user:
                raise AccessError(_(
                    "You cannot acknowledge your own report (%s).")
                    % report.name)
            if not report._kam_may_review(self.env.user):
                raise AccessError(_(
                    "Only the regional manager (KAM reports) or a sales "
                    "director can acknowledge the report %s.") % report.name)

    @api.multi
    def action_refresh_figures(self):
        """Fill the figures again from the data (draft reports)."""
        self._kam_check_move("action_refresh_figures")
        for period in set(self.mapped("period_start")):
            self.env["kam.scorecard"].sudo()._kam_refresh_scorecards(  # sudo: figures
                period)
        self._kam_fill_figures()
        return True

    @api.multi
    def action_submit(self):
        """The author hands the report to the reviewer."""
        self._kam_check_move("action_submit")
        today = fields.Date.context_today(self)
        now = fields.Datetime.now()
        for report in self:
            # late when pressed after the deadline; a late report stays so
            report.sudo()._kam_state_write({  # sudo: read-only in the view
                "state": "submitted", "submitted_date": now,
                "submit_late": report.submit_late or bool(
                    report.submit_deadline
                    and today > report.submit_deadline)})
        for report in self:
            report._kam_schedule(
                "kam_management.mail_activity_type_kam_report_review",
                report.reviewer_id, "acknowledge")
        return True

    @api.multi
    def action_acknowledge(self):
        """The reviewer has read the report (R15)."""
        self._kam_check_move("action_acknowledge")
        self.sudo()._kam_state_write({  # sudo: state is read-only in the view
            "state": "acknowledged", "acknowledged_by_id": self.env.uid,
            "acknowledged_date": fields.Datetime.now()})
        review = self.env.ref(
            "kam_management.mail_activity_type_kam_report_review")
        self.env["mail.activity"].sudo().search([  # sudo: close the task
            ("res_model", "=", self._name), ("res_id", "in", self.ids),
            ("activity_type_id", "=", review.id)]).action_feedback(
                _("Acknowledged"))
        return True

    def _kam_is_meeting_host(self, user):
        """The regional manager of the report's region or a sales
        director: who holds the monthly analysis meeting (R15)."""
        return user.has_group("kam_management.group_kam_director") or \
            self.region_id.sudo().manager_id == user  # sudo: routing

    def _kam_check_meeting_host(self, what):
        """A regional report, and the user may hold its meeting; ``what``
        names what is refused (the button, the field)."""
        for report in self:
            if report.report_type != "region_monthly":
                raise UserError(_(
                    "%s: the monthly analysis meeting belongs to a regional "
                    "report; %s is a key account manager's report.") % (
                        what, report.name))
            if not report._kam_is_meeting_host(self.env.user):
                raise AccessError(_(
                    "Only the regional manager of %s or a sales director "
                    "can hold the monthly analysis meeting of %s.") % (
                        report.region_id.sudo().name,  # sudo: its name
                        report.name))

    def _kam_region_kams(self):
        """The active KAMs of the region's key accounts (one read_group)."""
        # sudo: the region's accounts, whoever schedules
        Partner = self.env["res.partner"].sudo()  # sudo: see above
        groups = Partner.read_group(
            [("kam_region_id", "=", self.region_id.id),
             ("kam_is_key_account", "=", True),
             ("kam_manager_id", "!=", False)],
            ["kam_manager_id"], ["kam_manager_id"])
        users = self.env["res.users"].sudo().browse(  # sudo: see above
            [g["kam_manager_id"][0] for g in groups])
        return users.filtered("active")

    def _kam_meeting_text(self, key):
        """The meeting's title (``key`` "name") or description, in the
        context's language: the organiser's."""
        if key == "name":
            return _("Monthly key-account analysis: %s, %s") % (
                self.region_id.sudo().name,  # sudo: its name
                (self.period_start or "")[:7])
        return self._kam_agenda_text()

    def _kam_meeting_vals(self):
        """The new meeting: tomorrow at 10:00 in the organiser's time zone
        for two hours (the organiser moves it), the region's KAMs, the
        regional manager (organiser) and whoever schedules it as
        attendees, the agenda as its description."""
        manager = self.region_id.sudo().manager_id  # sudo: routing
        organiser = manager or self.env.user
        zone = organiser.tz if organiser.tz in pytz.all_timezones_set \
            else "UTC"
        day = fields.Date.from_string(fields.Date.context_today(
            self.with_context(tz=zone))) + timedelta(days=1)
        start = pytz.timezone(zone).localize(
            datetime.combine(day, time(10, 0))).astimezone(pytz.utc)
        start = start.replace(tzinfo=None)
        partners = (self._kam_region_kams() | organiser
                    | self.env.user).mapped("partner_id")
        text = in_lang(self, organiser)
        return {
            "name": text._kam_meeting_text("name"),
            "description": text._kam_meeting_text("description"),
            "user_id": organiser.id,
            "partner_ids": [(6, 0, partners.ids)],
            "start": fields.Datetime.to_string(start),
            "stop": fields.Datetime.to_string(start + timedelta(hours=2)),
            "duration": 2.0,
            "res_model_id": self.env["ir.model"]._get(self._name).id,
            "res_id": self.id,
        }

    @api.multi
    def action_schedule_meeting(self):
        """R15: the regional manager's monthly analysis of the region's
        key-account information. Creates the meeting (``calendar.event``)
        once, with the region's KAMs as attendees and the agenda taken
        from the data as its description; pressed again, it opens the
        same meeting. Only the region's manager or a sales director."""
        self.ensure_one()
        self._kam_check_meeting_host(_("Schedule Meeting"))
        # one meeting per report, even when two people press at once
        self.env.cr.execute(
            "SELECT id FROM kam_report WHERE id = %s FOR UPDATE", (self.id,))
        self.invalidate_cache(["meeting_id"], self.ids)
        meeting = self.meeting_id
        if not meeting:
            if self.state == "acknowledged":
                raise UserError(_(
                    "Schedule Meeting: the report %s is acknowledged; its "
                    "monthly analysis is over.") % self.name)
            if self.state == "draft" or not self.meeting_agenda_data:
                # sudo: the agenda is read-only data
                self.sudo().write(self._kam_figures_agenda(  # sudo: see above
                    self._kam_account_ids()))
            meeting = self.env["calendar.event"].create(
                self._kam_meeting_vals())
            self.sudo().write({"meeting_id": meeting.id})  # sudo: read-only
        return {
            "type": "ir.actions.act_window",
            "name": _("Analysis Meeting"),
            "res_model": "calendar.event",
            "res_id": meeting.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def _kam_schedule_text(self, key):
        """The summary of the report's activity ``key``, in the context's
        language (see ``kam_lang``)."""
        # (the month-end hand-in's activities are on kam.month.handin)
        if key == "acknowledge":
            return _("Acknowledge the month-end report: %s") % self.name
        if key == "late":
            return _("Late: %s has not submitted the month-end report %s "
                     "(due %s)") % (self.user_id.name, self.name,
                                    self.submit_deadline)
        return _("Complete and submit your month-end report: %s") % (
            self.name)

    def _kam_schedule(self, type_xmlid, users, key, deadline=None):
        """An activity on the report for each of ``users``, its summary
        in the user's language."""
        self.ensure_one()
        # sudo: the author (or the cron) schedules tasks for others on a
        # report they can read; activities are protected by the document
        Activity = self.env["mail.activity"].sudo()  # sudo: see above
        for user in users:
            Activity.create({
                "res_model_id": self.env["ir.model"]._get(self._name).id,
                "res_id": self.id,
                "activity_type_id": self.env.ref(type_xmlid).id,
                "summary": in_lang(self, user)._kam_schedule_text(key),
                "user_id": user.id,
                "date_deadline": deadline or fields.Date.context_today(self),
            })

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    def _kam_protected_error(self, names):
        return UserError(_(
            "These fields of a month-end report are set from the data "
            "and by its buttons and cannot be written: %s.")
            % ", ".join(names))

    @api.model
    def create(self, vals):
        self._kam_check_unique(vals)
        return super(KamReport, self).create(vals)

    @api.multi
    def write(self, vals):
        # everything but the comments (and a regional report's minutes)
        # comes from the data or the buttons:
        # over RPC nobody acknowledges their own report or improves its
        # figures (issue 7); kam.workflow.mixin refuses them before the
        # checks below, the system writes them as superuser
        self._kam_check_protected(vals)
        if set(vals) & {"report_type", "user_id", "region_id",
                        "period_start"}:
            for report in self:
                new = {name: report[name] for name in (
                    "report_type", "period_start")}
                new.update(user_id=report.user_id.id,
                           region_id=report.region_id.id)
                new.update(vals)
                report._kam_check_unique(new, exclude=report.id)
        if "meeting_minutes" in vals and self.env.uid != SUPERUSER_ID:
            self._kam_check_meeting_host(_("Minutes"))
            for report in self:
                if report.state == "acknowledged":
                    raise UserError(_(
                        "Minutes: the report %s is acknowledged; its "
                        "minutes can no longer be changed.") % report.name)
        if "comments" in vals and self.env.uid != SUPERUSER_ID:
            for report in self:
                if report.state != "draft":
                    raise UserError(_(
                        "Comments: the report %s is %s; only drafts can be "
                        "changed.") % (report.name,
                                       report._kam_state_label(report.state)))
                if report.user_id != self.env.user:
                    raise AccessError(_(
                        "Only the author can write the comments of %s.")
                        % report.name)
        return super(KamReport, self).write(vals)

    # ------------------------------------------------------------------
    # Scheduled actions
    # ------------------------------------------------------------------
    def _kam_authors(self):
        """{"kam": {user_id: region_id}, "region": {region_id: manager}}:
        every KAM with key accounts (with the region where they have the
        most) and every active region with a manager."""
        cr = self.env.cr
        cr.execute("""
            SELECT DISTINCT ON (kam_manager_id) kam_manager_id, kam_region_id
              FROM res_partner
             WHERE kam_is_key_account AND active
               AND kam_manager_id IS NOT NULL
             GROUP BY kam_manager_id, kam_region_id
             ORDER BY kam_manager_id, count(*) DESC, kam_region_id""")
        kams = dict(cr.fetchall())
        cr.execute("SELECT id, manager_id FROM kam_region "
                   "WHERE active AND manager_id IS NOT NULL")
        return {"kam": kams, "region": dict(cr.fetchall())}

    def _kam_ensure_reports(self, period_start, kinds=("kam", "region")):
        """Create the missing reports of the month; returns all of them."""
        authors = self._kam_authors()
        Report = self.sudo()  # sudo: the cron writes every author's report
        Region = self.env["kam.region"].sudo()  # sudo: company of regions
        existing = Report.search([("period_start", "=", period_start)])
        have_kam = {r.user_id.id for r in existing
                    if r.report_type == "kam_monthly"}
        have_region = {r.region_id.id for r in existing
                       if r.report_type == "region_monthly"}
        created = Report.browse()
        if "kam" in kinds:
            for user_id, region_id in sorted(authors["kam"].items()):
                if user_id not in have_kam:
                    # the company of the accounts it summarises, not the
                    # cron user's
                    created |= Report.create({
                        "report_type": "kam_monthly", "user_id": user_id,
                        "region_id": region_id, "period_start": period_start,
                        "company_id": Region.browse(region_id).company_id.id})
        if "region" in kinds:
            for region_id, manager_id in sorted(authors["region"].items()):
                if region_id not in have_region:
                    created |= Report.create({
                        "report_type": "region_monthly",
                        "user_id": manager_id, "region_id": region_id,
                        "period_start": period_start,
                        "company_id": Region.browse(region_id).company_id.id})
        return existing | created

    @api.model
    def _cron_monthly_reports(self, today=None):
        """Draft the reports of the month just ended, one per KAM and one
        per region, and fill their figures. Idempotent: existing reports
        are never created again (and the database refuses duplicates);
        drafts get fresh figures, submitted reports keep theirs; the
        "write your report" activity goes out once (``figures_date``)."""
        if not acquire_run(self.env,
                           "kam_management.ir_cron_monthly_reports"):
            _logger.info("monthly reports: another run is in progress")
            return self.browse()
        today = today or fields.Date.context_today(self)
        first = fields.Date.from_string(month_bounds(today)[0])
        period = month_bounds(fields.Date.to_string(
            first - timedelta(days=1)))[0]
        # the scorecards of the month, unless the scorecard action is
        # refreshing them right now (it covers the previous month too)
        if acquire_run(self.env, "kam_management.ir_cron_scorecard"):
            scorecards = self.env["kam.scorecard"].sudo()  # sudo: cron
            scorecards._kam_refresh_scorecards(period)
        reports = self._kam_ensure_reports(period)
        drafts = reports.filtered(lambda r: r.state == "draft")
        new = drafts.filtered(lambda r: not r.figures_date)
        drafts._kam_fill_figures()
        for report in new:
            report._kam_schedule(
                "mail.mail_activity_data_todo", report.user_id, "complete",
                deadline=today)
        _logger.info("monthly reports for %s: %s reports, %s new", period,
                     len(reports), len(new))
        return reports

    def _kam_month_end_days(self):
        return number_param(self.env, "kam_management.month_end_days", 3, 1)

    @api.model
    def _cron_month_end_information(self, today=None):
        """R14, daily: the month-end hand-ins (``kam.month.handin``). In
        the last ``kam_management.month_end_days`` days of the month each
        KAM with key accounts gets the month's hand-in, with an activity
        to hand it in; every day the late hand-ins are marked and
        escalated once (see ``kam.month.handin._kam_month_end``). Returns
        the hand-ins drafted by this run. The KAMs' month-end reports not
        submitted by their deadline are marked and escalated once too
        (``_kam_check_submit_late``). A run that starts while another one
        is running skips."""
        Handin = self.env["kam.month.handin"]
        if not acquire_run(self.env,
                           "kam_management.ir_cron_month_end_information"):
            _logger.info("month-end information: another run is in progress")
            return Handin.browse()
        self._kam_check_submit_late(today)
        return Handin._kam_month_end(today)

    @api.model
    def _kam_check_submit_late(self, today=None):
        """Daily (``ir_cron_month_end_information``): mark the KAMs'
        reports still drafts after their deadline as late, refresh those
        KAMs' scorecards of the month, and tell the reviewer (the regional
        manager; a sales director when the KAM is the manager) once, in
        the reader's language (``submit_escalated_date``). Returns the
        reports newly marked late."""
        today = today or fields.Date.context_today(self)
        Report = self.sudo()  # sudo: the cron checks every author's report
        drafts = [("report_type", "=", "kam_monthly"),
                  ("state", "=", "draft")]
        late = Report.search(drafts + [("submit_late", "=", False),
                                       ("submit_deadline", "<", today)])
        if late:
            late.write({"submit_late": True})
            Scorecard = self.env["kam.scorecard"].sudo()  # sudo: see above
            for period in sorted(set(late.mapped("period_start"))):
                Scorecard._kam_refresh_scorecards(period, late.filtered(
                    lambda r, p=period: r.period_start == p).mapped(
                        "user_id").ids)
        todo = Report.search(drafts + [("submit_late", "=", True),
                                       ("submit_escalated_date", "=", False)])
        # a backlog found at the first run after an upgrade (reports whose
        # deadline passed more than a month ago) is marked, not sent: one
        # activity per forgotten report of past years helps nobody
        recent = fields.Date.to_string(
            fields.Date.from_string(today) - timedelta(days=31))
        for report in todo.filtered(lambda r: r.submit_deadline >= recent):
            report._kam_schedule(LATE_TYPE, report.reviewer_id, "late",
                                 deadline=today)
        todo.write({"submit_escalated_date": fields.Datetime.now()})
        if late or todo:
            _logger.info("month-end reports: %s newly late, %s escalated",
                         len(late), len(todo))
        return late
