# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bad-input sweep (issue 7): every create/write entry point of the addon
with missing required values, wrong types, out-of-range numbers and
impossible state transitions.

Each case must end in a clear error -- a ValidationError or UserError whose
message names the field or the problem in a user's words -- and leave
nothing half-written: no record created, the stored values unchanged and no
side record (relationship history, stage times, support teams, activities,
chatter messages). The table is declarative: one line per case, run as the
demo user who would meet it.

What each run can really check:

- in-process (here), the failed call runs in a savepoint that the test
  itself rolls back, so comparing the tables after that rollback proves
  nothing. What is checked is the moment of the error: a value of the wrong
  type or a missing one (``EARLY``), and a button's or a protected field's
  own refusal (a ``UserError``), come before anything reaches the
  database -- the tables and the record's stored values are the same at
  the error as before the call (see ``TestBadInput``);
- the cases marked ``rpc`` also run over XML-RPC against a real server
  (``tests/test_bad_input.py``, pytest, which imports this table), where the
  transaction of the failed call is rolled back by Odoo itself: there,
  "nothing half-written" is checked after the call;
- an import of bad rows (``load``) rolls back to its own savepoint: the
  tables are compared after it.

Dates are counted from the day the table is built (``fields.Date.today``,
the clock the addon reads); the values of demo records (whose dates are
relative to the install day) are looked up at run time (``QV``).
"""
import re
from collections import namedtuple

from dateutil.relativedelta import relativedelta
from psycopg2 import sql

from odoo.exceptions import AccessError, UserError, ValidationError

from .common import (KamCase, as_user, ds, month_end, month_start, today,
                     with_cases)

KAM = "kam_management."
NONE_ID = 999999999  # no record has this id
TODAY = today()
# in the past: a month before today (before any check's "in the future")
PAST = ds(TODAY - relativedelta(months=1))
PAST_DT = PAST + " 09:00:00"
BEFORE_PAST_DT = ds(TODAY - relativedelta(months=1, days=4)) + " 09:00:00"
# long before every demo record, long after them
LONG_AGO = ds(TODAY - relativedelta(years=10))
LONG_AGO_DT = LONG_AGO + " 00:00:00"
FUTURE = ds(TODAY + relativedelta(years=1))
FUTURE_DT = FUTURE + " 10:00:00"
FAR_FUTURE = ds(TODAY + relativedelta(years=10))
# a month four years ahead: no demo target or report is there
LATER = month_start(months=48)


class R(str):
    """An xml id, resolved to its database id."""


class Q(tuple):
    """``(model, domain)``: the id of the first record found, as admin."""


class QV(tuple):
    """``(model, domain, field)``: the value of ``field`` of the first
    record found, as admin (for values of demo records, whose dates are
    relative to the install day)."""


MISSING = object()  # drop the key from the base values
KAM_FIELD_MODELS = ("res.partner", "res.config.settings")


def ref(name):
    return R(name if "." in name else KAM + name)


METRO = ref("partner_kam_shanghai_metro")          # kam_manager_1, 华东
MALL = ref("partner_kam_hangzhou_mall")            # kam_manager_1, 华东
PROSPECT = ref("partner_kam_prospect_xiamen")      # a company, not a KA
CONTACT = ref("partner_kam_shanghai_metro_contact")  # a person of METRO
KAM1 = ref("user_kam_manager_1")
KAM2 = ref("user_kam_manager_2")
SUPPORT = ref("user_kam_support")
REGIONAL = ref("user_kam_regional")
EAST = ref("region_east_china")
VENDOR = ref("relationship_level_vendor")
SUPPLIER = ref("relationship_level_preferred_supplier")
ALLIANCE = ref("relationship_level_strategic_alliance")
NANJING = ref("partner_kam_nanjing_hospital")      # kam_manager_1, vendor
SUZHOU = ref("partner_kam_suzhou_industrial")      # a request pending
LEVEL_PENDING = ref("level_request_suzhou_pending")
LEVEL_REJECTED = ref("level_request_hefei_rejected")
# (issue 13) kam_manager_1's proposal, waiting for a director
PROPOSED_CATEGORY = ref("info_category_proposed_tender")
METRO_TEAM = Q(("kam.support.team", [("partner_id", "=", METRO)]))
NANJING_TEAM = Q(("kam.support.team", [
    ("partner_id", "=", ref("partner_kam_nanjing_hospital"))]))
KAM1_REPORT = Q(("kam.report", [("user_id", "=", KAM1),
                                ("report_type", "=", "kam_monthly")]))
KAM2_REPORT = Q(("kam.report", [("user_id", "=", KAM2),
                                ("report_type", "=", "kam_monthly")]))
# the month of KAM1_REPORT (the demo reports are of the month before the
# install day)
KAM1_REPORT_MONTH = QV(KAM1_REPORT + ("period_start",))
# the demo hand-ins (R14, issue 13): kam_manager_1's still to hand in,
# kam_manager_2's handed in
KAM1_HANDIN = Q(("kam.month.handin", [("user_id", "=", KAM1),
                                      ("state", "=", "draft")]))
KAM2_HANDIN = Q(("kam.month.handin", [("user_id", "=", KAM2),
                                      ("state", "=", "handed_in")]))
KAM1_HANDIN_LINE = Q(("kam.month.handin.line", [
    ("handin_id.user_id", "=", KAM1), ("handin_id.state", "=", "draft")]))
KAM2_HANDIN_LINE = Q(("kam.month.handin.line", [
    ("handin_id.user_id", "=", KAM2),
    ("handin_id.state", "=", "handed_in")]))
HANDIN_DAY = Q(("ir.config_parameter", [
    ("key", "=", "kam_management.handin_day")]))
# (issue 13) the demo's regional report of 华东区, and the day a KAM's
# month-end report is due
EAST_REPORT = Q(("kam.report", [("report_type", "=", "region_monthly"),
                                ("region_id", "=", EAST)]))
REPORT_SUBMIT_DAY = Q(("ir.config_parameter", [
    ("key", "=", "kam_management.report_submit_day")]))
# (issue 13) the 80/20 finder's long-term customers
LONG_TERM_YEARS = Q(("ir.config_parameter", [
    ("key", "=", "kam_management.long_term_years")]))
APPROVAL_PARAM = Q(("ir.config_parameter", [
    ("key", "=", "kam_management.solution_approval_kam_only")]))
STAGE_LOG = Q(("kam.requirement.stage.log", [
    ("requirement_id", "=", ref("requirement_received"))]))

# valid values to create a record of each model, and who creates it
BASE = {
    "kam.visit": ("kam_manager_1", {
        "partner_id": METRO, "purpose": "Quarterly review",
        "visit_date": PAST_DT, "duration": 1.5,
        "kind": "on_site"}),
    "kam.requirement": ("kam_manager_1", {
        "name": "Chiller retrofit", "partner_id": METRO,
        "date_received": PAST_DT}),
    "kam.complaint": ("kam_manager_1", {
        "name": "Noisy unit", "partner_id": METRO, "severity": "medium",
        "date_received": PAST_DT}),
    "kam.info": ("kam_manager_1", {
        "name": "New plant", "partner_id": METRO, "importance": "normal",
        "category_id": ref("info_category_new_project"),
        "date": PAST}),
    # the account's KAM never enters its scores (R4, issue 12)
    "kam.satisfaction": ("kam_secretary", {
        "partner_id": METRO, "score": 4, "date": PAST}),
    "kam.target": ("kam_regional", {
        "user_id": KAM2, "date_from": ds(LATER),
        "date_to": ds(month_end(LATER, 2)), "amount": 100000.0}),
    "kam.visit.rule": ("kam_director", {
        "name": "Hospitals", "role": "kam", "interval_days": 20,
        "warning_days": 5}),
    "kam.service.station": ("kam_regional", {
        "name": "Ningbo station", "region_id": EAST,
        "response_hours": 2.0, "resolution_hours": 24.0}),
    # (issue 13) a sales director sets the contact norms of an industry
    "kam.contact.window": ("kam_director", {
        "industry_id": ref("base.res_partner_industry_Q"),
        "hour_from": 9.0, "hour_to": 17.0, "place": "At the hospital"}),
    "kam.support.team.member": ("kam_manager_1", {
        "team_id": NANJING_TEAM, "user_id": SUPPORT,
        "role": "technical_support", "date_from": PAST}),
    "kam.support.team": ("kam_regional", {"partner_id": PROSPECT}),
    "kam.region": ("kam_director", {"name": "华北 (North China)",
                                    "manager_id": REGIONAL}),
    "kam.relationship.level": ("kam_director", {"name": "Friend",
                                                "sequence": 50}),
    "kam.info.category": ("kam_director", {"name": "Weather"}),
    # every kind of visit has its record already: each case sets the code
    "kam.visit.kind": ("kam_director", {"name": "Fax"}),
    "kam.requirement.stage.target": ("kam_director", {
        "state": "review", "target_hours": 8.0}),
    "kam.relationship.history": ("kam_director", {
        "partner_id": METRO, "new_level_id": VENDOR}),
    "kam.report": ("kam_director", {
        "report_type": "kam_monthly", "user_id": KAM2,
        "period_start": ds(LATER), "region_id": EAST}),
    "res.partner": ("kam_regional", {
        "name": "Jinan Steel", "is_company": True,
        "kam_is_key_account": True, "kam_account_type": "key",
        "kam_manager_id": KAM1, "kam_region_id": EAST,
        "kam_relationship_level_id": VENDOR}),
    "kam.promote.wizard": ("kam_regional", {
        "partner_ids": [(6, 0, [PROSPECT])], "kam_account_type": "key",
        "kam_manager_id": KAM1, "kam_region_id": EAST,
        "kam_relationship_level_id": VENDOR, "kam_since": PAST}),
    "kam.pareto.wizard": ("kam_regional", {
        "date_from": ds(month_start(months=-12)),
        "date_to": ds(month_end(months=-1)),
        "share_target": 80.0}),
    "kam.requirement.reject.wizard": ("kam_manager_1", {
        "requirement_id": ref("requirement_review"),
        "reason": "Too expensive"}),
    # (R6) the regional manager approves instead of the KAM
    "kam.requirement.approve.wizard": ("kam_regional", {
        "requirement_id": ref("requirement_review"),
        "reason": "The key account manager is on leave."}),
    "res.config.settings": ("admin", {}),
    # made by the scheduled action only
    "kam.satisfaction.request": ("admin", {
        "partner_id": METRO, "contact_id": CONTACT}),
    # (issue 12) the KAM asks to move 南京鼓楼医院 up from vendor
    "kam.relationship.level.request": ("kam_manager_1", {
        "partner_id": NANJING, "new_level_id": SUPPLIER,
        "reason": "Framework contract signed."}),
    # (issue 13) drafted by the scheduled action only
    "kam.month.handin": ("admin", {"user_id": KAM1,
                                   "period_start": ds(LATER)}),
    "kam.month.handin.line": ("admin", {"handin_id": KAM1_HANDIN,
                                        "partner_id": METRO}),
}

Case = namedtuple("Case", "id login model op record vals method match rpc")


def create(cid, model, vals, match, login=None, rpc=False):
    """Create ``model`` from its base values changed by ``vals``."""
    return Case(cid, login or BASE[model][0], model, "create", None, vals,
                None, match, rpc)


def write(cid, login, model, record, vals, match, rpc=False):
    return Case(cid, login, model, "write", record, vals, None, match, rpc)


def action(cid, login, model, record, method, match, rpc=False, vals=None):
    """Call ``method`` on ``record``; ``vals`` are its keyword arguments."""
    return Case(cid, login, model, "action", record, vals or {}, method,
                match, rpc)


def wizard(cid, model, vals, method, match, login=None):
    """Create the wizard from its base values changed by ``vals``, then
    press ``method``."""
    return Case(cid, login or BASE[model][0], model, "wizard", None, vals,
                method, match, False)


NOT_RECORD = "this is not the id of a record"
NO_RECORD = "there is no such record"
NOT_NUMBER = "this is not a number"
NOT_INT = "this is not a whole number"
NOT_ALLOWED = "this is not one of the allowed values"
NOT_DATE = "this is not a date"

CASES = [
    # --- kam.visit (R8) ------------------------------------------------
    create("visit-missing-partner", "kam.visit", {"partner_id": MISSING},
           "Key Account is required", rpc=True),
    create("visit-missing-purpose", "kam.visit", {"purpose": MISSING},
           "Purpose is required"),
    create("visit-blank-purpose", "kam.visit", {"purpose": "   "},
           "Purpose is required"),
    create("visit-duration-text", "kam.visit", {"duration": "long"},
           r"Duration \(hours\): " + NOT_NUMBER, rpc=True),
    create("visit-duration-negative", "kam.visit", {"duration": -1},
           "Duration: a visit cannot last a negative time", rpc=True),
    create("visit-kind-unknown", "kam.visit", {"kind": "teleport"},
           "Kind: " + NOT_ALLOWED, rpc=True),
    create("visit-partner-nonexistent", "kam.visit",
           {"partner_id": NONE_ID}, "Key Account: " + NO_RECORD, rpc=True),
    create("visit-partner-text", "kam.visit",
           {"partner_id": "Shanghai Metro"}, "Key Account: " + NOT_RECORD),
    create("visit-date-text", "kam.visit", {"visit_date": "yesterday"},
           "Visit Date: " + NOT_DATE, rpc=True),
    create("visit-date-invalid", "kam.visit",
           {"visit_date": "%d-02-30 10:00:00" % TODAY.year},
           "Visit Date: " + NOT_DATE),
    create("visit-not-key-account", "kam.visit", {"partner_id": PROSPECT},
           "is not a key account"),
    create("visit-done-in-future", "kam.visit",
           {"state": "done", "visit_date": FUTURE_DT},
           "Visit Date: .* is in the future"),
    create("visit-contact-of-other-account", "kam.visit",
           {"partner_id": MALL, "contact_ids": [(6, 0, [CONTACT])]},
           "Contacts Met: .* do not belong to"),
    write("visit-write-duration-negative", "kam_manager_1", "kam.visit",
          ref("visit_ningbo_next"), {"duration": -2},
          "Duration: a visit cannot last a negative time"),
    write("visit-write-user-text", "kam_manager_1", "kam.visit",
          ref("visit_ningbo_next"), {"user_id": "Sun Li"},
          "Visitor: " + NOT_RECORD),
    write("visit-write-purpose-empty", "kam_manager_1", "kam.visit",
          ref("visit_ningbo_next"), {"purpose": False},
          "Purpose is required", rpc=True),
    write("visit-write-status-reviewed", "kam_manager_1", "kam.visit",
          ref("visit_ningbo_next"), {"state": "reviewed"},
          "Move to Reviewed: .* is Planned; allowed only from no state",
          rpc=True),
    write("visit-write-date-reviewed", "kam_manager_1", "kam.visit",
          ref("visit_ningbo_kam"), {"date_reviewed": PAST_DT},
          "set by the visit's buttons .* cannot be written: date_reviewed"),
    action("visit-submit-planned", "kam_manager_1", "kam.visit",
           ref("visit_ningbo_next"), "action_submit",
           "Submit Report: .* is Planned; allowed only from Done",
           rpc=True),
    action("visit-done-twice", "kam_manager_1", "kam.visit",
           ref("visit_ningbo_kam"), "action_done",
           "Mark as Done: .* is Done; allowed only from Planned"),
    action("visit-review-done", "kam_regional", "kam.visit",
           ref("visit_ningbo_kam"), "action_review",
           "Review: .* is Done; allowed only from Submitted"),
    action("visit-send-back-reviewed", "kam_regional", "kam.visit",
           ref("visit_metro_kam"), "action_send_back",
           "Send Back: .* is Reviewed; allowed only from Submitted"),
    action("visit-plan-planned", "kam_manager_1", "kam.visit",
           ref("visit_ningbo_next"), "action_plan",
           "Plan Again: .* is Planned; allowed only from Cancelled"),
    action("visit-cancel-reviewed", "kam_manager_1", "kam.visit",
           ref("visit_metro_kam"), "action_cancel",
           "Cancel: .* is Reviewed; allowed only from Planned, Done"),
    # check-in, check-out and photos (issue 14)
    action("visit-check-in-latitude-91", "kam_manager_1", "kam.visit",
           ref("visit_ningbo_next"), "action_check_in",
           "Check-in Latitude: 91 is not a latitude", rpc=True,
           vals={"latitude": 91, "longitude": 121.5, "accuracy": 10}),
    action("visit-check-in-longitude-minus-181", "kam_manager_1",
           "kam.visit", ref("visit_ningbo_next"), "action_check_in",
           "Check-in Longitude: -181 is not a longitude", rpc=True,
           vals={"latitude": 30, "longitude": -181, "accuracy": 10}),
    action("visit-check-in-accuracy-negative", "kam_manager_1", "kam.visit",
           ref("visit_ningbo_next"), "action_check_in",
           "Check-in Accuracy \\(m\\): an accuracy cannot be negative",
           rpc=True,
           vals={"latitude": 30, "longitude": 121.5, "accuracy": -1}),
    action("visit-check-in-latitude-text", "kam_manager_1", "kam.visit",
           ref("visit_ningbo_next"), "action_check_in",
           "Check-in Latitude: north is not a number", rpc=True,
           vals={"latitude": "north", "longitude": 121.5, "accuracy": 1}),
    action("visit-check-in-twice", "kam_manager_1", "kam.visit",
           ref("visit_metro_checked_in"), "action_check_in",
           "Checked In: the visit .* was checked in already", rpc=True,
           vals={"latitude": 31.2, "longitude": 121.4, "accuracy": 10}),
    action("visit-check-out-before-check-in", "kam_manager_1", "kam.visit",
           ref("visit_ningbo_next"), "action_check_out",
           "Checked In: check in to the visit .* before checking out",
           rpc=True,
           vals={"latitude": 30, "longitude": 121.5, "accuracy": 10}),
    action("visit-check-out-latitude-minus-95", "kam_manager_1",
           "kam.visit", ref("visit_metro_checked_in"), "action_check_out",
           "Check-out Latitude: -95 is not a latitude", rpc=True,
           vals={"latitude": -95, "longitude": 121.5, "accuracy": 10}),
    action("visit-check-in-done", "kam_manager_1", "kam.visit",
           ref("visit_ningbo_kam"), "action_check_in",
           "Check In: .* is Done; allowed only from Planned", rpc=True),
    action("visit-photo-not-an-image", "kam_manager_1", "kam.visit",
           ref("visit_ningbo_next"), "action_add_photo",
           "Photos: notes.pdf is not a photo", rpc=True,
           vals={"name": "notes.pdf", "datas": "JVBERi0xLjQK"}),
    action("visit-photo-not-base64", "kam_manager_1", "kam.visit",
           ref("visit_ningbo_next"), "action_add_photo",
           "Photos: x.png is not a photo", rpc=True,
           vals={"name": "x.png", "datas": "%%%"}),
    write("visit-write-check-in-at", "kam_manager_1", "kam.visit",
          ref("visit_ningbo_next"), {"check_in_at": PAST_DT},
          "set by the buttons Check In and Check Out and cannot be "
          "written: check_in_at", rpc=True),
    write("visit-write-check-in-distance", "kam_manager_1", "kam.visit",
          ref("visit_metro_checked_in"), {"check_in_distance_m": 0},
          "cannot be written: check_in_distance_m", rpc=True),
    # --- kam.requirement (R6) ----------------------------------------------
    create("requirement-missing-name", "kam.requirement",
           {"name": MISSING}, "Requirement is required", rpc=True),
    create("requirement-partner-nonexistent", "kam.requirement",
           {"partner_id": NONE_ID}, "Key Account: " + NO_RECORD, rpc=True),
    create("requirement-not-key-account", "kam.requirement",
           {"partner_id": PROSPECT}, "is not a key account"),
    create("requirement-starts-approved", "kam.requirement",
           {"state": "approved"}, "a new requirement starts as received"),
    create("requirement-received-in-future", "kam.requirement",
           {"date_received": FUTURE_DT}, "Received On: .* is in the future"),
    create("requirement-received-text", "kam.requirement",
           {"date_received": "last week"}, "Received On: " + NOT_DATE),
    create("requirement-tech-not-on-team", "kam.requirement",
           {"tech_user_id": KAM2},
           "Technical Support: .* is not an active member"),
    write("requirement-jump-to-approved", "kam_manager_1",
          "kam.requirement", ref("requirement_received"),
          {"state": "approved"},
          "Move to Approved: .* is Received; allowed only from Review",
          rpc=True),
    write("requirement-unknown-stage", "kam_manager_1", "kam.requirement",
          ref("requirement_received"), {"state": "flying"},
          "Stage: " + NOT_ALLOWED),
    write("requirement-solution-after-submit", "kam_manager_1",
          "kam.requirement", ref("requirement_review"),
          {"solution": "<p>changed</p>"},
          "Solution: the solution of .* was submitted"),
    write("requirement-workflow-field", "kam_manager_1", "kam.requirement",
          ref("requirement_received"), {"date_approved": PAST},
          "set by the workflow buttons"),
    write("requirement-move-started", "kam_manager_1", "kam.requirement",
          ref("requirement_drafting"), {"partner_id": METRO},
          "Key Account: the work on .* has started"),
    action("requirement-approve-received", "kam_manager_1",
           "kam.requirement", ref("requirement_received"), "action_approve",
           "Approve: .* is Received; allowed only from Review", rpc=True),
    action("requirement-deliver-drafting", "kam_manager_1",
           "kam.requirement", ref("requirement_drafting"), "action_deliver",
           "Deliver: .* is Drafting; allowed only from Approved"),
    action("requirement-start-delivered", "kam_manager_1",
           "kam.requirement", ref("requirement_delivered"), "action_start",
           "Start: .* is Delivered; allowed only from Received"),
    action("requirement-submit-in-review", "kam_manager_1",
           "kam.requirement", ref("requirement_review"),
           "action_submit_solution",
           "Submit Solution: .* is Review; allowed only from Drafting"),
    action("requirement-cancel-delivered", "kam_manager_1",
           "kam.requirement", ref("requirement_delivered"), "action_cancel",
           "Cancel: .* is Delivered; allowed only from Received, Drafting, "
           "Review, Approved"),
    action("requirement-reject-without-reason", "kam_manager_1",
           "kam.requirement", ref("requirement_review"), "action_reject",
           "Reason: say why", vals={"reason": "  "}),
    # (R6) only the KAM approves without a reason
    action("requirement-approve-without-reason", "kam_regional",
           "kam.requirement", ref("requirement_review"), "action_approve",
           "Reason: you approve the solution of .* instead of ", rpc=True),
    action("requirement-approve-blank-reason", "kam_director",
           "kam.requirement", ref("requirement_review"), "action_approve",
           "Reason: you approve the solution of .* instead of ",
           vals={"reason": "   "}, rpc=True),
    action("requirement-approve-reason-not-text", "kam_director",
           "kam.requirement", ref("requirement_review"), "action_approve",
           "Reason: give the reason as a text", vals={"reason": 7},
           rpc=True),
    # --- kam.complaint (R7, R9) --------------------------------------------
    create("complaint-missing-subject", "kam.complaint", {"name": MISSING},
           "Subject is required"),
    create("complaint-severity-unknown", "kam.complaint",
           {"severity": "apocalyptic"}, "Severity: " + NOT_ALLOWED),
    create("complaint-response-before-received", "kam.complaint",
           {"date_first_response": BEFORE_PAST_DT},
           "First Response On: .* is before the complaint was received",
           rpc=True),
    create("complaint-received-in-future", "kam.complaint",
           {"date_received": FUTURE_DT}, "Received On: .* is in the future"),
    write("complaint-severity-unknown-write", "kam_manager_1",
          "kam.complaint", ref("complaint_breached"), {"severity": "meh"},
          "Severity: " + NOT_ALLOWED),
    create("complaint-not-key-account", "kam.complaint",
           {"partner_id": PROSPECT}, "is not a key account"),
    create("complaint-starts-closed", "kam.complaint", {"state": "closed"},
           "a new complaint starts as received"),
    create("complaint-station-nonexistent", "kam.complaint",
           {"station_id": NONE_ID}, "Service Station: " + NO_RECORD),
    create("complaint-contact-text", "kam.complaint",
           {"contact_id": "Mr Chen"}, "Customer Contact: " + NOT_RECORD),
    write("complaint-resolved-before-received", "kam_manager_1",
          "kam.complaint", ref("complaint_breached"),
          {"date_resolved": LONG_AGO_DT},
          "Resolved On: .* is before the complaint was received"),
    write("complaint-write-status", "kam_manager_1", "kam.complaint",
          ref("complaint_breached"), {"state": "closed"},
          "Move to Closed: .* is Received; allowed only from no state"),
    action("complaint-close-new", "kam_manager_1", "kam.complaint",
           ref("complaint_breached"), "action_close",
           "Close: .* is Received; allowed only from Resolved", rpc=True),
    action("complaint-reopen-new", "kam_manager_1", "kam.complaint",
           ref("complaint_breached"), "action_reopen",
           "Reopen: .* is Received; allowed only from Resolved, Closed"),
    action("complaint-respond-in-progress", "kam_manager_1",
           "kam.complaint", ref("complaint_in_progress"), "action_respond",
           "Respond: .* is In Progress; allowed only from Received"),
    action("complaint-resolve-without-resolution", "kam_manager_1",
           "kam.complaint", ref("complaint_breached"), "action_resolve",
           "Resolution: say how"),
    # --- kam.info (R10) ----------------------------------------------------
    create("info-missing-category", "kam.info", {"category_id": MISSING},
           "Category is required", rpc=True),
    create("info-importance-unknown", "kam.info", {"importance": "urgent"},
           "Importance: " + NOT_ALLOWED),
    create("info-category-nonexistent", "kam.info",
           {"category_id": NONE_ID}, "Category: " + NO_RECORD),
    create("info-date-text", "kam.info", {"date": "soon"},
           "Date: " + NOT_DATE),
    write("info-write-importance-unknown", "kam_manager_1", "kam.info",
          ref("info_metro_new_line"), {"importance": "urgent"},
          "Importance: " + NOT_ALLOWED),
    write("info-write-not-key-account", "kam_manager_1", "kam.info",
          ref("info_metro_new_line"), {"partner_id": PROSPECT},
          "is not a key account"),
    create("info-not-key-account", "kam.info", {"partner_id": PROSPECT},
           "is not a key account"),
    create("info-starts-closed", "kam.info", {"state": "closed"},
           "New information starts in the state New"),
    action("info-close-unacknowledged-important", "kam_manager_1",
           "kam.info", ref("info_mall_competitor"), "action_close",
           "Close: .* must be acknowledged first",
           vals={"measures_taken": "Offered a service contract."}),
    # (issue 13) measures are reported: important and critical items close
    # only with them; only approved categories are used
    action("info-close-critical-without-measures", "kam_manager_2",
           "kam.info", ref("info_wuxi_finance"), "action_close",
           "Measures Taken: say what was done"),
    create("info-category-proposed", "kam.info",
           {"category_id": PROPOSED_CATEGORY},
           "Category: .* is Proposed; information uses approved categories",
           rpc=True),
    write("info-write-category-proposed", "kam_manager_1", "kam.info",
          ref("info_metro_new_line"), {"category_id": PROPOSED_CATEGORY},
          "Category: .* is Proposed"),
    # --- kam.satisfaction (R4) ---------------------------------------------
    create("satisfaction-score-zero", "kam.satisfaction", {"score": 0},
           "Score: 0 is not a satisfaction score", rpc=True),
    create("satisfaction-score-six", "kam.satisfaction", {"score": 6},
           "Score: 6 is not a satisfaction score"),
    create("satisfaction-score-text", "kam.satisfaction",
           {"score": "five"}, "Score: " + NOT_INT),
    write("satisfaction-write-score-nine", "kam_secretary",
          "kam.satisfaction", ref("satisfaction_metro"), {"score": 9},
          "Score: 9 is not a satisfaction score"),
    create("satisfaction-missing-partner", "kam.satisfaction",
           {"partner_id": MISSING}, "Key Account is required"),
    create("satisfaction-partner-nonexistent", "kam.satisfaction",
           {"partner_id": NONE_ID}, "Key Account: " + NO_RECORD),
    create("satisfaction-not-key-account", "kam.satisfaction",
           {"partner_id": PROSPECT}, "is not a key account"),
    # the account's KAM is judged on it: refused before anything is
    # written, whatever they enter (issue 12)
    create("satisfaction-kam-enters-own-account", "kam.satisfaction", {},
           "Satisfaction of .*: you are its key account manager",
           login="kam_manager_1"),
    write("satisfaction-kam-corrects-own-account", "kam_manager_1",
          "kam.satisfaction", ref("satisfaction_metro"), {"score": 5},
          "Satisfaction of .*: you are its key account manager"),
    create("satisfaction-source-customer-by-hand", "kam.satisfaction",
           {"source": "customer"}, "Source: only a customer's own answer"),
    create("satisfaction-entered-by-someone-else", "kam.satisfaction",
           {"entered_by_id": KAM2}, "Entered By: .* someone else's name"),
    # a contact of another company never answers for the account
    create("satisfaction-request-contact-of-other-company",
           "kam.satisfaction.request",
           {"contact_id": ref("base.res_partner_address_1")},
           "Contact: .* is not a contact of", rpc=True),
    # --- kam.target (R4) ---------------------------------------------------
    create("target-ends-before-start", "kam.target",
           {"date_to": ds(LATER - relativedelta(months=1))},
           "To: the period .* ends", rpc=True),
    create("target-negative", "kam.target", {"amount": -1.0},
           "Sales Target: the amount cannot be negative", rpc=True),
    create("target-amount-text", "kam.target", {"amount": "lots"},
           "Sales Target: " + NOT_NUMBER),
    create("target-amount-nan", "kam.target", {"amount": "nan"},
           "Sales Target: " + NOT_NUMBER),
    write("target-write-ends-before-start", "kam_regional", "kam.target",
          ref("target_kam1_current"), {"date_to": LONG_AGO},
          "To: the period .* ends"),
    create("target-missing-user", "kam.target", {"user_id": MISSING},
           "Key Account Manager is required"),
    create("target-user-nonexistent", "kam.target", {"user_id": NONE_ID},
           "Key Account Manager: " + NO_RECORD),
    create("target-missing-end", "kam.target", {"date_to": MISSING},
           "To is required"),
    create("target-overlap", "kam.target",
           {"user_id": KAM1, "date_from": LONG_AGO,
            "date_to": FAR_FUTURE}, "overlaps their target"),
    # --- kam.visit.kind (R8, issue 12) --------------------------------------
    create("visit-kind-code-unknown", "kam.visit.kind", {"code": "fax"},
           "Code: fax is not a kind of visit", rpc=True),
    create("visit-kind-code-taken", "kam.visit.kind", {"code": "phone"},
           "Code: there is a visit kind phone already", rpc=True),
    # --- kam.visit.rule (R8) -----------------------------------------------
    create("rule-interval-zero", "kam.visit.rule", {"interval_days": 0},
           r"Visit Every \(days\): .* more than 0 days", rpc=True),
    create("rule-interval-negative", "kam.visit.rule",
           {"interval_days": -30},
           r"Visit Every \(days\): .* more than 0 days"),
    create("rule-interval-text", "kam.visit.rule",
           {"interval_days": "monthly"},
           r"Visit Every \(days\): " + NOT_INT),
    create("rule-interval-fraction", "kam.visit.rule",
           {"interval_days": 7.5}, r"Visit Every \(days\): " + NOT_INT),
    create("rule-interval-huge", "kam.visit.rule",
           {"interval_days": 10 ** 10},
           r"Visit Every \(days\): this number is too large"),
    create("rule-warning-negative", "kam.visit.rule", {"warning_days": -1},
           r"Warn \(days before due\): .* negative"),
    create("rule-warning-beyond-interval", "kam.visit.rule",
           {"interval_days": 10, "warning_days": 10},
           r"Warn \(days before due\): .* fewer days than"),
    create("rule-role-unknown", "kam.visit.rule", {"role": "ceo"},
           "Role: " + NOT_ALLOWED),
    create("rule-missing-name", "kam.visit.rule", {"name": MISSING},
           "Name is required"),
    write("rule-write-interval-zero", "kam_director", "kam.visit.rule",
          ref("visit_rule_kam_monthly"), {"interval_days": 0},
          r"Visit Every \(days\): .* more than 0 days"),
    # --- kam.service.station (R7) ------------------------------------------
    create("station-response-negative", "kam.service.station",
           {"response_hours": -1.0},
           r"Response Commitment \(hours\): -1.0 is negative", rpc=True),
    create("station-resolution-negative", "kam.service.station",
           {"resolution_hours": -4.0},
           r"Resolution Commitment \(hours\): -4.0 is negative"),
    create("station-resolve-before-respond", "kam.service.station",
           {"response_hours": 10.0, "resolution_hours": 5.0},
           "promises to resolve .* before it responds"),
    create("station-response-text", "kam.service.station",
           {"response_hours": "fast"},
           r"Response Commitment \(hours\): " + NOT_NUMBER),
    create("station-missing-region", "kam.service.station",
           {"region_id": MISSING}, "Key-Account Region is required"),
    create("station-region-nonexistent", "kam.service.station",
           {"region_id": NONE_ID}, "Key-Account Region: " + NO_RECORD),
    create("station-account-nonexistent", "kam.service.station",
           {"partner_ids": [(6, 0, [NONE_ID])]},
           "Key Accounts Served: " + NO_RECORD),
    create("station-serves-non-key-account", "kam.service.station",
           {"partner_ids": [(6, 0, [PROSPECT])]},
           "Key Accounts Served: .* not a key account", rpc=True),
    create("station-accounts-not-a-list", "kam.service.station",
           {"partner_ids": "Shanghai Metro"},
           "Key Accounts Served: this is not a list of records"),
    write("station-write-response-negative", "kam_regional",
          "kam.service.station", ref("service_station_east_china"),
          {"response_hours": -3.0}, "is negative"),
    # --- kam.contact.window (R9, issue 13) ----------------------------------
    create("contact-window-ends-before-start", "kam.contact.window",
           {"hour_to": 8.0}, r"To: the contact window ends at 08:00, not "
                             r"after it starts \(09:00\)", rpc=True),
    create("contact-window-empty", "kam.contact.window", {"hour_to": 9.0},
           r"To: .* ends at 09:00, not after it starts"),
    create("contact-window-hour-25", "kam.contact.window", {"hour_to": 25.0},
           "To: 25:00 is not an hour of the day", rpc=True),
    create("contact-window-hour-negative", "kam.contact.window",
           {"hour_from": -2.0}, "From: -2.0 is not an hour of the day"),
    create("contact-window-no-day", "kam.contact.window",
           {"monday": False, "tuesday": False, "wednesday": False,
            "thursday": False, "friday": False},
           "Days: tick at least one day"),
    create("contact-window-hour-text", "kam.contact.window",
           {"hour_from": "morning"}, "From: " + NOT_NUMBER),
    create("contact-window-missing-industry", "kam.contact.window",
           {"industry_id": MISSING}, "Industry is required"),
    create("contact-window-industry-nonexistent", "kam.contact.window",
           {"industry_id": NONE_ID}, "Industry: " + NO_RECORD),
    # --- kam.support.team / member (R5) ------------------------------------
    create("member-ends-before-start", "kam.support.team.member",
           {"date_to": ds(TODAY - relativedelta(years=1))},
           "To: the end date of .* is before",
           rpc=True),
    create("member-not-support-staff", "kam.support.team.member",
           {"user_id": R("base.user_demo")}, "Member: .* is not in the group"),
    create("member-role-unknown", "kam.support.team.member",
           {"role": "boss"}, "Role: " + NOT_ALLOWED),
    create("member-missing-user", "kam.support.team.member",
           {"user_id": MISSING}, "Member is required"),
    create("member-team-nonexistent", "kam.support.team.member",
           {"team_id": NONE_ID}, "Support Team: " + NO_RECORD),
    create("member-twice-on-team", "kam.support.team.member",
           {"team_id": METRO_TEAM}, "Member: .* is already on the support"),
    create("team-not-key-account", "kam.support.team", {},
           "Key Account: .* is not a key account"),
    write("team-move-to-other-account", "kam_regional", "kam.support.team",
          METRO_TEAM, {"partner_id": MALL}, "cannot move to another one"),
    # --- kam.region, levels, categories, stage targets ---------------------
    create("region-missing-name", "kam.region", {"name": MISSING},
           "Name is required", rpc=True),
    create("region-manager-not-regional", "kam.region",
           {"manager_id": KAM1}, "Regional Manager: .* is not in the group"),
    create("region-manager-nonexistent", "kam.region",
           {"manager_id": NONE_ID}, "Regional Manager: " + NO_RECORD),
    create("region-company-text", "kam.region", {"company_id": "ACME"},
           "Company: " + NOT_RECORD),
    create("region-state-nonexistent", "kam.region",
           {"state_ids": [(6, 0, [NONE_ID])]},
           "States / Provinces: " + NO_RECORD),
    create("region-country-text", "kam.region",
           {"country_ids": [(6, 0, ["China"])]}, "Countries: " + NOT_RECORD),
    create("level-missing-name", "kam.relationship.level",
           {"name": MISSING}, "Name is required"),
    create("level-sequence-text", "kam.relationship.level",
           {"sequence": "high"}, "Sequence: " + NOT_INT),
    # (issue 13) a KAM proposes, a sales director decides
    create("category-kam-creates-approved", "kam.info.category",
           {"state": "approved"}, "Status: only a sales director can "
           "approve", login="kam_manager_1"),
    create("category-state-unknown", "kam.info.category",
           {"state": "pending"}, "Status: " + NOT_ALLOWED),
    action("category-kam-approves", "kam_manager_1", "kam.info.category",
           PROPOSED_CATEGORY, "action_approve",
           "Approve: only a sales director"),
    action("category-approve-approved", "kam_director", "kam.info.category",
           ref("info_category_competitor"), "action_approve",
           "Approve: .* is Approved; allowed only from Proposed"),
    write("category-write-state", "kam_director", "kam.info.category",
          PROPOSED_CATEGORY, {"state": "approved"},
          "Move to Approved: .* is Proposed"),
    write("category-write-proposer", "kam_director", "kam.info.category",
          PROPOSED_CATEGORY, {"proposed_by_id": KAM2},
          "Proposed by: it is set when the category is proposed"),
    create("category-blank-name", "kam.info.category", {"name": " "},
           "Name is required"),
    create("stage-target-unknown-stage", "kam.requirement.stage.target",
           {"state": "waiting"}, "Stage: " + NOT_ALLOWED),
    write("stage-target-negative", "kam_director",
          "kam.requirement.stage.target",
          ref("requirement_stage_target_review"), {"target_hours": -1.0},
          r"Target \(hours\): the target of a stage cannot be negative",
          rpc=True),
    write("stage-target-text", "kam_director",
          "kam.requirement.stage.target",
          ref("requirement_stage_target_review"), {"target_hours": "a day"},
          r"Target \(hours\): " + NOT_NUMBER),
    write("stage-log-ends-before-start", "kam_director",
          "kam.requirement.stage.log", STAGE_LOG,
          {"date_end": LONG_AGO_DT}, "Left: .* before"),
    write("stage-log-target-negative", "kam_director",
          "kam.requirement.stage.log", STAGE_LOG, {"target_hours": -5.0},
          r"Target \(hours\): .* negative"),
    create("history-missing-account", "kam.relationship.history",
           {"partner_id": MISSING}, "Key Account is required"),
    create("history-level-nonexistent", "kam.relationship.history",
           {"new_level_id": NONE_ID}, "New Level: " + NO_RECORD),
    # --- kam.report (R14, R15) ---------------------------------------------
    create("report-mid-month", "kam.report",
           {"period_start": ds(LATER + relativedelta(days=14))},
           "Month: a month-end report starts on the first day"),
    create("report-regional-without-region", "kam.report",
           {"report_type": "region_monthly", "region_id": MISSING},
           "Region: a regional report needs its region"),
    create("report-type-unknown", "kam.report", {"report_type": "weekly"},
           "Report Type: " + NOT_ALLOWED),
    create("report-duplicate", "kam.report",
           {"user_id": KAM1, "period_start": KAM1_REPORT_MONTH},
           "There is already a report of this kind"),
    write("report-write-duplicate", "kam_director", "kam.report",
          KAM2_REPORT, {"user_id": KAM1},
          "set from the data and by its buttons .* user_id", rpc=True),
    write("report-write-mid-month", "kam_director", "kam.report",
          KAM2_REPORT,
          {"period_start": ds(month_start() + relativedelta(days=14))},
          "set from the data and by its buttons .* period_start"),
    write("report-write-status", "kam_manager_1", "kam.report",
          KAM1_REPORT, {"state": "acknowledged"},
          "Move to Acknowledged: .* is Draft; allowed only from no state",
          rpc=True),
    action("report-acknowledge-draft", "kam_regional", "kam.report",
           KAM1_REPORT, "action_acknowledge",
           "Acknowledge: .* is Draft; allowed only from Submitted"),
    # (issue 13) the monthly analysis meeting (R15) and the late report
    action("report-meeting-on-kam-report", "kam_regional", "kam.report",
           KAM1_REPORT, "action_schedule_meeting",
           "Schedule Meeting: the monthly analysis meeting belongs to a "
           "regional report", rpc=True),
    action("report-meeting-by-secretary", "kam_secretary", "kam.report",
           EAST_REPORT, "action_schedule_meeting",
           "Only the regional manager of .* or a sales director can hold"),
    write("report-minutes-on-kam-report", "kam_director", "kam.report",
          KAM2_REPORT, {"meeting_minutes": "Agreed."},
          "Minutes: the monthly analysis meeting belongs to a regional "
          "report"),
    write("report-minutes-by-secretary", "kam_secretary", "kam.report",
          EAST_REPORT, {"meeting_minutes": "Agreed."},
          "Only the regional manager of .* or a sales director can hold"),
    write("report-write-agenda", "kam_regional", "kam.report", EAST_REPORT,
          {"meeting_agenda_data": "{}"},
          "cannot be written: meeting_agenda_data"),
    write("report-write-submit-late", "kam_manager_1", "kam.report",
          KAM1_REPORT, {"submit_late": False},
          "cannot be written: submit_late", rpc=True),
    write("report-submit-day-zero", "admin", "ir.config_parameter",
          REPORT_SUBMIT_DAY, {"value": "0"},
          'kam_management.report_submit_day: "0" is not allowed; use a '
          'whole number from 1 to 28'),
    write("report-submit-day-40", "admin", "ir.config_parameter",
          REPORT_SUBMIT_DAY, {"value": "40"},
          'kam_management.report_submit_day: "40" is not allowed; use a '
          'whole number from 1 to 28', rpc=True),
    write("report-submit-day-text", "admin", "ir.config_parameter",
          REPORT_SUBMIT_DAY, {"value": "fifth"},
          'kam_management.report_submit_day: "fifth" is not allowed'),
    # --- res.partner key-account fields (R1, R11, R12) ---------------------
    create("partner-missing-manager", "res.partner",
           {"kam_manager_id": MISSING},
           "Key Account Manager is required for the key account",
           rpc=True),
    create("partner-missing-level", "res.partner",
           {"kam_relationship_level_id": MISSING},
           "Relationship Level is required for the key account"),
    create("partner-manager-not-kam", "res.partner",
           {"kam_manager_id": SUPPORT},
           "Key Account Manager: .* is not in the group"),
    create("partner-person-as-key-account", "res.partner",
           {"is_company": False}, "is not a company"),
    create("partner-type-unknown", "res.partner",
           {"kam_account_type": "vip"}, "Key-Account Type: " + NOT_ALLOWED),
    create("partner-region-nonexistent", "res.partner",
           {"kam_region_id": NONE_ID}, "Key-Account Region: " + NO_RECORD),
    write("partner-promote-without-manager", "kam_regional", "res.partner",
          PROSPECT, {"kam_is_key_account": True, "kam_account_type": "key",
                     "kam_region_id": EAST,
                     "kam_relationship_level_id": VENDOR},
          "Key Account Manager is required for the key account", rpc=True),
    write("partner-level-text", "kam_manager_1", "res.partner", METRO,
          {"kam_relationship_level_id": "partner"},
          "Relationship Level: " + NOT_RECORD),
    write("partner-level-nonexistent", "kam_manager_1", "res.partner",
          METRO, {"kam_relationship_level_id": NONE_ID},
          "Relationship Level: " + NO_RECORD, rpc=True),
    write("partner-since-text", "kam_director", "res.partner", METRO,
          {"kam_since": "long ago"}, "Key Account Since: " + NOT_DATE),
    write("partner-employees-negative", "kam_manager_1", "res.partner",
          METRO, {"kam_employee_count": -5}, "Employees: .* negative",
          rpc=True),
    write("partner-employees-text", "kam_manager_1", "res.partner", METRO,
          {"kam_employee_count": "many"}, "Employees: " + NOT_INT),
    write("partner-employees-huge", "kam_manager_1", "res.partner", METRO,
          {"kam_employee_count": "99999999999"},
          "Employees: this number is too large", rpc=True),
    write("partner-revenue-negative", "kam_secretary", "res.partner", METRO,
          {"kam_annual_revenue": -1.0},
          "Annual Sales Revenue: .* negative"),
    write("partner-purchases-negative", "kam_secretary", "res.partner",
          METRO, {"kam_estimated_annual_purchases": -100.0},
          "Estimated Annual Purchases: .* negative"),
    write("partner-credit-rating-unknown", "kam_secretary", "res.partner",
          METRO, {"kam_credit_rating": "ZZZ"},
          "Credit Rating: " + NOT_ALLOWED),
    write("partner-birthdate-future", "kam_manager_1", "res.partner",
          CONTACT, {"kam_birthdate": FUTURE}, "Birth Date: .* future"),
    write("partner-birthdate-text", "kam_manager_1", "res.partner",
          CONTACT, {"kam_birthdate": "1970-13-01"},
          "Birth Date: " + NOT_DATE),
    # --- kam.relationship.level.request (R11, issue 12) -------------------
    create("level-request-missing-reason", "kam.relationship.level.request",
           {"reason": MISSING}, "Reason is required", rpc=True),
    create("level-request-blank-reason", "kam.relationship.level.request",
           {"reason": "   "}, "Reason is required"),
    create("level-request-current-level", "kam.relationship.level.request",
           {"new_level_id": VENDOR},
           "Requested Level: .* is already at the level Vendor", rpc=True),
    create("level-request-level-text", "kam.relationship.level.request",
           {"new_level_id": "Partner"}, "Requested Level: " + NOT_RECORD),
    create("level-request-not-key-account",
           "kam.relationship.level.request", {"partner_id": PROSPECT},
           "is not a key account", login="kam_regional"),
    create("level-request-starts-approved",
           "kam.relationship.level.request", {"state": "approved"},
           "starts as pending"),
    create("level-request-second-pending", "kam.relationship.level.request",
           {"partner_id": SUZHOU, "new_level_id": ALLIANCE},
           "already has a pending relationship-level request", rpc=True),
    write("level-request-write-level", "kam_manager_1",
          "kam.relationship.level.request", LEVEL_PENDING,
          {"new_level_id": ALLIANCE}, "cannot be written: new_level_id"),
    write("level-request-write-state", "kam_manager_1",
          "kam.relationship.level.request", LEVEL_PENDING,
          {"state": "approved"},
          "Move to Approved: .* is Pending; allowed only from no state",
          rpc=True),
    action("level-request-approve-rejected", "kam_regional",
           "kam.relationship.level.request", LEVEL_REJECTED,
           "action_approve",
           "Approve: .* is Rejected; allowed only from Pending", rpc=True),
    action("level-request-reject-without-reason", "kam_regional",
           "kam.relationship.level.request", LEVEL_PENDING, "action_reject",
           "Decision Note: say why", vals={"reason": "  "}),
    action("partner-request-level-without-reason", "kam_manager_1",
           "res.partner", NANJING, "action_kam_request_level",
           "Reason is required", vals={"level_id": SUPPLIER, "reason": " "},
           rpc=True),
    action("partner-request-current-level", "kam_manager_1", "res.partner",
           NANJING, "action_kam_request_level",
           "Requested Level: .* is already at the level Vendor",
           vals={"level_id": VENDOR, "reason": "Nothing changes."},
           rpc=True),
    # --- kam.month.handin (R14, issue 13) ----------------------------------
    # (who may move a hand-in is refused with an AccessError: over XML-RPC
    # in tests/test_role_matrix.py, ACTIONS)
    create("handin-period-not-first", "kam.month.handin",
           {"period_start": ds(LATER + relativedelta(days=4))},
           "Month: a month-end hand-in starts on the first day"),
    create("handin-missing-user", "kam.month.handin", {"user_id": MISSING},
           "Key Account Manager is required"),
    create("handin-user-text", "kam.month.handin", {"user_id": "Sun Li"},
           "Key Account Manager: " + NOT_RECORD),
    create("handin-line-not-key-account", "kam.month.handin.line",
           {"partner_id": PROSPECT}, "is not a key account"),
    action("handin-secretary-hands-in-for-kam", "kam_secretary",
           "kam.month.handin", KAM1_HANDIN, "action_hand_in",
           "Only the key account manager, .*, can hand in"),
    action("handin-regional-hands-in-for-kam", "kam_regional",
           "kam.month.handin", KAM1_HANDIN, "action_hand_in",
           "Only the key account manager, .*, can hand in"),
    action("handin-kam-confirms-entry", "kam_manager_2", "kam.month.handin",
           KAM2_HANDIN, "action_confirm_entered",
           "Only a sales secretary can confirm"),
    action("handin-line-kam-confirms-entry", "kam_manager_2",
           "kam.month.handin.line", KAM2_HANDIN_LINE,
           "action_confirm_entered", "Only a sales secretary can confirm"),
    action("handin-twice", "kam_manager_2", "kam.month.handin", KAM2_HANDIN,
           "action_hand_in",
           "Hand In: .* is Handed In; allowed only from To Hand In",
           rpc=True),
    action("handin-entry-before-hand-in", "kam_secretary",
           "kam.month.handin", KAM1_HANDIN, "action_confirm_entered",
           "Confirm Entered: .* is To Hand In; allowed only from Handed In"),
    write("handin-write-late", "kam_manager_1", "kam.month.handin",
          KAM1_HANDIN, {"handin_late": False},
          "cannot be written: handin_late"),
    write("handin-write-state", "kam_manager_1", "kam.month.handin",
          KAM1_HANDIN, {"state": "entered"},
          "Move to Entered: .* is To Hand In; allowed only from no state",
          rpc=True),
    write("handin-line-write-entered", "kam_manager_1",
          "kam.month.handin.line", KAM1_HANDIN_LINE, {"entered": True},
          "cannot be written: entered"),
    write("handin-line-secretary-writes-changes", "kam_secretary",
          "kam.month.handin.line", KAM1_HANDIN_LINE, {"changes": "x"},
          "Only the key account manager, .*, can write the lines"),
    write("handin-line-after-hand-in", "kam_manager_2",
          "kam.month.handin.line", KAM2_HANDIN_LINE, {"changes": "x"},
          "only a hand-in still to hand in can be changed"),
    write("handin-day-below-zero", "admin", "ir.config_parameter",
          HANDIN_DAY, {"value": "-1"},
          'kam_management.handin_day: "-1" is not allowed'),
    write("handin-day-above-31", "admin", "ir.config_parameter",
          HANDIN_DAY, {"value": "32"},
          'kam_management.handin_day: "32" is not allowed; use a whole '
          'number from 0 to 31'),
    # --- wizards -----------------------------------------------------------
    create("promote-missing-manager", "kam.promote.wizard",
           {"kam_manager_id": MISSING}, "Key Account Manager is required"),
    create("promote-type-unknown", "kam.promote.wizard",
           {"kam_account_type": "vip"}, "Key-Account Type: " + NOT_ALLOWED),
    wizard("promote-already-key-account", "kam.promote.wizard",
           {"partner_ids": [(6, 0, [METRO])]}, "action_promote",
           "are key accounts already"),
    wizard("promote-no-company", "kam.promote.wizard",
           {"partner_ids": [(6, 0, [])]}, "action_promote",
           "Companies: choose"),
    create("promote-station-nonexistent", "kam.promote.wizard",
           {"kam_service_station_id": NONE_ID},
           "Service Station: " + NO_RECORD),
    wizard("promote-manager-not-kam", "kam.promote.wizard",
           {"kam_manager_id": SUPPORT}, "action_promote",
           "Key Account Manager: .* is not in the group"),
    create("pareto-share-over-100", "kam.pareto.wizard",
           {"share_target": 150.0},
           "Top Share must be more than 0 and at most 100"),
    create("pareto-share-zero", "kam.pareto.wizard", {"share_target": 0},
           "Top Share must be more than 0 and at most 100"),
    create("pareto-share-negative", "kam.pareto.wizard",
           {"share_target": -20.0},
           "Top Share must be more than 0 and at most 100"),
    create("pareto-period-reversed", "kam.pareto.wizard",
           {"date_to": ds(month_start(months=-24))}, "Period: the end date"),
    create("pareto-share-text", "kam.pareto.wizard",
           {"share_target": "most"}, r"Top Share \(%\): " + NOT_NUMBER),
    wizard("pareto-promote-nothing-ticked", "kam.pareto.wizard", {},
           "action_promote", "Ranking: tick the customers"),
    # (issue 13) rank by revenue or margin; the type is the suggested one
    # unless a sales director sets another
    create("pareto-rank-by-unknown", "kam.pareto.wizard",
           {"rank_by": "profit"}, "Rank By: " + NOT_ALLOWED, rpc=True),
    create("pareto-type-by-regional-manager", "kam.pareto.wizard",
           {"kam_account_type": "national"},
           "Key-Account Type: only sales directors may set another type"),
    create("pareto-type-unknown", "kam.pareto.wizard",
           {"kam_account_type": "vip"}, "Key-Account Type: " + NOT_ALLOWED,
           login="kam_director"),
    create("reject-missing-reason", "kam.requirement.reject.wizard",
           {"reason": MISSING}, "Reason is required"),
    create("reject-requirement-nonexistent",
           "kam.requirement.reject.wizard", {"requirement_id": NONE_ID},
           "Requirement: " + NO_RECORD),
    wizard("reject-requirement-not-in-review",
           "kam.requirement.reject.wizard",
           {"requirement_id": ref("requirement_received")}, "action_reject",
           "Send Back: .* is Received; allowed only from Review"),
    create("approve-missing-reason", "kam.requirement.approve.wizard",
           {"reason": MISSING}, "Reason is required"),
    create("approve-blank-reason", "kam.requirement.approve.wizard",
           {"reason": "   "}, "Reason is required"),
    create("approve-requirement-nonexistent",
           "kam.requirement.approve.wizard", {"requirement_id": NONE_ID},
           "Requirement: " + NO_RECORD),
    wizard("approve-requirement-not-in-review",
           "kam.requirement.approve.wizard",
           {"requirement_id": ref("requirement_received")}, "action_approve",
           "Approve: .* is Received; allowed only from Review"),
    write("param-solution-approval-not-boolean", "admin",
          "ir.config_parameter", APPROVAL_PARAM, {"value": "on Mondays"},
          "kam_management.solution_approval_kam_only: .* use True or "
          "False", rpc=True),
    # --- settings (R13, R16) -----------------------------------------------
    create("settings-window-zero", "res.config.settings",
           {"kam_rfm_window_days": 0},
           r"RFM analysis window \(days\) must be between 1 and 3650"),
    create("settings-window-text", "res.config.settings",
           {"kam_rfm_window_days": "a year"},
           r"RFM Analysis Window \(days\): " + NOT_INT),
    create("settings-drop-over-100", "res.config.settings",
           {"kam_churn_drop_percent": 150}, "between 1 and 100"),
    create("settings-churn-days-negative", "res.config.settings",
           {"kam_churn_recency_days": -1}, "between 1 and 3650"),
    create("settings-scoring-unknown", "res.config.settings",
           {"kam_rfm_scoring": "magic"}, "RFM Scoring: " + NOT_ALLOWED),
    create("settings-thresholds-text", "res.config.settings",
           {"kam_rfm_recency_thresholds": "a,b,c,d"},
           "is not a list of numbers"),
    create("settings-thresholds-descending", "res.config.settings",
           {"kam_rfm_frequency_thresholds": "12,6,3,1"},
           "needs four different numbers"),
    # --- visit-report settings (R8, issue 12) --------------------------------
    create("settings-report-days-negative", "res.config.settings",
           {"kam_visit_report_days": -1},
           r"Visit Report Due within \(days\): -1 is not allowed", rpc=True),
    create("settings-report-escalation-days-negative", "res.config.settings",
           {"kam_visit_report_escalation_days": -7},
           r"Overdue Report to the Supervisor after \(days\): -7"),
    create("settings-logged-late-days-negative", "res.config.settings",
           {"kam_visit_logged_late_days": -2},
           r"Visit Logged Late after \(days\): -2 is not allowed"),
    # --- month-end report settings (R4, R15, issue 13) ---------------------
    create("settings-report-submit-day-zero", "res.config.settings",
           {"kam_report_submit_day": 0},
           "Month-End Report Due on Day: 0 is not allowed; use a whole "
           "number from 1 to 28", rpc=True),
    create("settings-report-submit-day-40", "res.config.settings",
           {"kam_report_submit_day": 40},
           "Month-End Report Due on Day: 40 is not allowed; use a whole "
           "number from 1 to 28"),
    # --- the 80/20 finder's long-term customers (R1, issue 13) -------------
    create("settings-long-term-years-zero", "res.config.settings",
           {"kam_long_term_years": 0},
           r"Long-term Customer after \(years\): 0 is not allowed; use a "
           r"whole number from 1 to 50", rpc=True),
    create("settings-long-term-years-negative", "res.config.settings",
           {"kam_long_term_years": -3},
           r"Long-term Customer after \(years\): -3 is not allowed"),
    create("settings-long-term-years-too-many", "res.config.settings",
           {"kam_long_term_years": 51},
           r"Long-term Customer after \(years\): 51 is not allowed"),
    create("settings-long-term-years-text", "res.config.settings",
           {"kam_long_term_years": "three"},
           r"Long-term Customer after \(years\): " + NOT_INT),
    write("long-term-years-zero", "admin", "ir.config_parameter",
          LONG_TERM_YEARS, {"value": "0"},
          'kam_management.long_term_years: "0" is not allowed'),
    write("long-term-years-negative", "admin", "ir.config_parameter",
          LONG_TERM_YEARS, {"value": "-1"},
          'kam_management.long_term_years: "-1" is not allowed'),
    write("long-term-years-above-50", "admin", "ir.config_parameter",
          LONG_TERM_YEARS, {"value": "51"},
          'kam_management.long_term_years: "51" is not allowed; use a '
          'whole number from 1 to 50'),
    write("long-term-years-text", "admin", "ir.config_parameter",
          LONG_TERM_YEARS, {"value": "three"},
          'kam_management.long_term_years: "three" is not allowed'),
]

# the messages of the type check, raised before anything is stored
EARLY = re.compile("|".join(re.escape(m) for m in (
    NOT_RECORD, NO_RECORD, NOT_NUMBER, NOT_INT, NOT_ALLOWED, NOT_DATE,
    "this number is too large", "this is not a list of records")) +
    r"|^[^:]* is required\.$")

# side records a failed call must not leave behind
SIDE_TABLES = ["mail_message", "mail_activity", "mail_followers",
               "kam_relationship_history", "kam_requirement_stage_log",
               "kam_support_team", "kam_support_team_member",
               "kam_visit_compliance", "kam_relationship_level_request"]


# ----------------------------------------------------------------------
# In-process
# ----------------------------------------------------------------------
def resolve(value, env):
    """Replace the ``R``, ``Q`` and ``QV`` markers by database values."""
    if isinstance(value, R):
        return env.ref(value).id
    if isinstance(value, QV):
        model, domain, fname = value
        record = env[model].search(resolve(domain, env), limit=1)
        return record[fname] if record else None
    if isinstance(value, Q):
        model, domain = value
        return env[model].search(resolve(domain, env), limit=1).id
    if isinstance(value, dict):
        return {k: resolve(v, env) for k, v in value.items()
                if v is not MISSING}
    if isinstance(value, (list, tuple)):
        return type(value)(resolve(v, env) for v in value)
    return value


def case_vals(case):
    if case.op in ("create", "wizard"):
        vals = dict(BASE[case.model][1])
        vals.update(case.vals)
        return vals
    return case.vals


def table_counts(cr, tables):
    counts = {}
    for table in tables:
        cr.execute(sql.SQL("SELECT count(*), max(id) FROM {}").format(
            sql.Identifier(table)))
        counts[table] = cr.fetchone()
    return counts


def stored(env, case, record_id):
    """The stored values a failed write or action must leave alone, read
    from the database (not from the cache of the call)."""
    if not record_id:
        return None
    env[case.model].invalidate_cache()
    model = env[case.model]
    fnames = [f for f in list(case.vals) + ["state", "write_date"]
              if f in model._fields]
    return model.browse(record_id).read(fnames)


@with_cases("run_in_process", CASES, [c.id for c in CASES])
class TestBadInput(KamCase):
    """One test per case of ``CASES``, as the demo user of the case.

    The failed call runs in a savepoint rolled back by the test, so the
    database is compared at the moment of the error, where the addon
    promises it is still untouched:

    - a value of the wrong type or a missing one (``EARLY``, from
      ``kam.input.check``) is refused before anything is stored;
    - a ``UserError`` is a button's or a protected field's own check
      (README, "Every public method checks the caller": it refuses,
      leaving nothing changed): raised before the call writes anything.
      For a wizard, "before" is once the wizard exists, before its button.
      So is an ``AccessError`` of a role's own refusal (the account's KAM
      entering its satisfaction, issue 12).

    A ``ValidationError`` of a constraint comes after the row is written
    (Odoo checks constraints after the write); that the transaction then
    leaves nothing behind is checked over XML-RPC, where Odoo rolls it back
    (the ``rpc`` cases, ``tests/test_bad_input.py``).
    """

    def run_in_process(self, case):
        env = self.env
        user_env = env if case.login == "admin" \
            else as_user(env, case.login)
        vals = resolve(case_vals(case), env)
        self.assertNotIn(None, vals.values(),
                         "case %s: a value was not found" % case.id)
        record_id = resolve(case.record, env)
        if case.record is not None:
            self.assertTrue(record_id, "case %s: record not found" % case.id)
        tables = SIDE_TABLES + [env[case.model]._table]

        def snapshot():
            return table_counts(env.cr, tables), stored(env, case, record_id)

        before = snapshot()
        ready = [before]  # the database just before the call that fails
        at_error = []
        refusals = (UserError, ValidationError, AccessError)
        with self.assertRaises(refusals) as info:
            with env.cr.savepoint():
                records = user_env[case.model].browse(record_id)
                try:
                    if case.op == "create":
                        user_env[case.model].create(vals)
                    elif case.op == "write":
                        records.write(vals)
                    elif case.op == "action":
                        getattr(records, case.method)(**vals)
                    else:
                        wizard = user_env[case.model].create(vals)
                        ready[0] = snapshot()
                        getattr(wizard, case.method)()
                except refusals:
                    # the database as the error left it, before the
                    # savepoint is rolled back
                    at_error.append(snapshot())
                    raise
        env.clear()
        message = info.exception.name
        self.assertRegex(message, case.match)
        self.assertNotIn("Traceback", message)
        self.assertNotIn("psycopg2", message)
        if EARLY.search(message):
            # refused before anything reaches the database, not undone
            # afterwards
            self.assertEqual(at_error, [before], "written before the error")
        elif isinstance(info.exception, (UserError, AccessError)):
            # a button's, a protected field's or a role's own refusal
            self.assertEqual(at_error, ready,
                             "the button wrote before refusing")


class TestBadInputCoverage(KamCase):
    """The table covers the addon."""

    def test_case_ids_are_unique(self):
        ids = [c.id for c in CASES]
        self.assertEqual(len(ids), len(set(ids)))

    def test_every_model_of_the_addon_is_swept(self):
        """Each writable model of the addon has at least one case here."""
        env = self.env
        swept = {c.model for c in CASES}
        models = env["ir.model"].search([("model", "=like", "kam.%")])
        # written only by the system (SQL or scheduled actions), read-only
        # for every KAM group; their wizards' lines are written in SQL
        system = {"kam.input.check",  # the abstract check itself
                  "kam.workflow.mixin",  # abstract: the models' state machine
                  "kam.dashboard",  # abstract: the cockpits only read
                  "kam.visit.compliance", "kam.visit.compliance.snapshot",
                  "kam.rfm.snapshot", "kam.scorecard",
                  "kam.pareto.wizard.line"}
        missing = set(models.mapped("model")) - swept - system
        self.assertFalse(missing)
        # and every one of them checks the types of what it is given
        # (the cockpit takes no input: it has no field to check)
        for model in (set(models.mapped("model")) - {"kam.dashboard"}
                      | set(KAM_FIELD_MODELS)):
            self.assertTrue(hasattr(env[model], "_kam_input_check"), model)
        for model in system - {"kam.input.check", "kam.pareto.wizard.line"}:
            for login in ("kam_director", "kam_regional", "kam_manager_1",
                          "kam_support", "kam_secretary"):
                Model = as_user(env, login)[model]
                self.assertFalse(Model.check_access_rights(
                    "create", raise_exception=False), (model, login))
                self.assertFalse(Model.check_access_rights(
                    "write", raise_exception=False), (model, login))


# ----------------------------------------------------------------------
# Import
# ----------------------------------------------------------------------
IMPORTS = [
    ("partner-type-unknown", "res.partner",
     ["name", "is_company", "kam_is_key_account", "kam_account_type",
      "kam_manager_id/id", "kam_region_id/id",
      "kam_relationship_level_id/id"],
     [["Jinan Steel", "1", "1", "Key Customer", KAM1, EAST, VENDOR],
      ["Harbin Ice", "1", "1", "VIP Customer", KAM1, EAST, VENDOR]],
     "VIP Customer"),
    ("partner-missing-manager", "res.partner",
     ["name", "is_company", "kam_is_key_account", "kam_account_type",
      "kam_region_id/id", "kam_relationship_level_id/id"],
     [["Harbin Ice", "1", "1", "Key Customer", EAST, VENDOR]],
     "Key Account Manager is required"),
    ("partner-employees-negative", "res.partner",
     ["name", "is_company", "kam_employee_count"],
     [["Harbin Ice", "1", "-40"]], "Employees: .* negative"),
    ("visit-rule-interval-zero", "kam.visit.rule",
     ["name", "interval_days"], [["Weekly", "7"], ["Never", "0"]],
     r"Visit Every \(days\)"),
    ("visit-rule-interval-text", "kam.visit.rule",
     ["name", "interval_days"], [["Monthly", "monthly"]], "monthly"),
]


@with_cases("run_import", IMPORTS, [c[0] for c in IMPORTS],
            prefix="test_import")
class TestBadImport(KamCase):
    """An import with bad rows imports nothing: ``load`` rolls back to its
    own savepoint, so the tables are compared after it (not after a
    rollback of the test's)."""

    def run_import(self, case):
        _cid, model, fields, rows, match = case
        env = self.env
        user_env = as_user(env, "kam_director")
        tables = SIDE_TABLES + [env[model]._table]
        before = table_counts(env.cr, tables)
        result = user_env[model].load(fields, rows)
        env.clear()
        self.assertFalse(result["ids"], result)
        messages = " ".join(m["message"] for m in result["messages"])
        self.assertRegex(messages, match)
        self.assertEqual(table_counts(env.cr, tables), before)


# ----------------------------------------------------------------------
# A customer's answer (issue 12)
# ----------------------------------------------------------------------
class TestBadAnswer(KamCase):
    """An answer to a satisfaction request that cannot count: refused with
    a clear message in the contact's language, nothing written at the
    error (the rating stays unanswered, no satisfaction score)."""

    def test_answer_of_a_contact_of_another_company(self):
        env = self.env
        metro = env.ref(METRO)
        contact = env["res.partner"].create({
            "name": "Eve Leaving", "parent_id": metro.id,
            "email": "eve@example.com", "kam_satisfaction_recipient": True})
        request = env["kam.satisfaction.request"].create(
            {"partner_id": metro.id, "contact_id": contact.id})
        request._kam_new_rating()
        # sudo: the rating of a request is the system's
        rating = env["rating.rating"].sudo().search([
            ("res_model", "=", request._name), ("res_id", "=", request.id)])
        # the contact now works for another company
        contact.write({"parent_id": env.ref(PROSPECT).id})
        tables = SIDE_TABLES + ["kam_satisfaction", "rating_rating"]
        before = table_counts(env.cr, tables)
        at_error = []
        with self.assertRaisesRegex(
                ValidationError, "Eve Leaving is not a contact of %s"
                % re.escape(metro.name)):
            with env.cr.savepoint():
                try:
                    # sudo: what the public rating page calls
                    request.sudo()._kam_answer(rating.access_token, 5)
                except ValidationError:
                    at_error.append((table_counts(env.cr, tables),
                                     rating.read(["rating", "consumed"])))
                    raise
        self.assertEqual(at_error, [(before, [{
            "id": rating.id, "rating": 0.0, "consumed": False}])])
        self.assertFalse(env["kam.satisfaction"].search(
            [("rating_id", "=", rating.id)]))
