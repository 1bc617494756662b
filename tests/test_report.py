"""Month-end reports (R4, R14, R15): generation for the month just ended,
idempotence, figures on hand-made data, workflow, bad input, access, the
QWeb rendering, and the R14 month-end activities. Dates are explicit."""
import pytest

from common import (AccessError, ValidationError, as_user,
                    raises_and_rolls_back, ref)
from odoo.exceptions import UserError

TODAY = "2031-04-02"      # far from the demo data
MONTH = "2031-03-01"


def reports(env, month=MONTH):
    return env["kam.report"].search([("period_start", "=", month)])


def kam_report(env, login, month=MONTH):
    return reports(env, month).filtered(
        lambda r: r.report_type == "kam_monthly"
        and r.user_id == ref(env, "user_" + login))


def test_cron_drafts_one_per_kam_and_region_once(env):
    env["kam.report"]._cron_monthly_reports(today=TODAY)
    first = reports(env)
    kams = first.filtered(lambda r: r.report_type == "kam_monthly")
    regions = first.filtered(lambda r: r.report_type == "region_monthly")
    assert {ref(env, "user_kam_manager_1"), ref(env, "user_kam_manager_2")} \
        <= set(kams.mapped("user_id"))
    assert len(kams) == len(set(kams.mapped("user_id")))
    assert set(regions.mapped("region_id")) == {
        ref(env, "region_east_china"), ref(env, "region_south_china")}
    assert set(first.mapped("state")) == {"draft"}
    todo = env["mail.activity"].search([
        ("res_model", "=", "kam.report"), ("res_id", "in", first.ids)])
    # running again (and on another day of the month) creates nothing
    env["kam.report"]._cron_monthly_reports(today=TODAY)
    env["kam.report"]._cron_monthly_reports(today="2031-04-20")
    assert reports(env) == first
    assert env["mail.activity"].search_count([
        ("res_model", "=", "kam.report"),
        ("res_id", "in", first.ids)]) == len(todo)


def test_reviewers(env):
    env["kam.report"]._cron_monthly_reports(today=TODAY)
    mine = kam_report(env, "kam_manager_1")
    assert mine.region_id == ref(env, "region_east_china")
    assert mine.reviewer_id == ref(env, "user_kam_regional")
    east = reports(env).filtered(
        lambda r: r.report_type == "region_monthly"
        and r.region_id == ref(env, "region_east_china"))
    assert east.user_id == ref(env, "user_kam_regional")
    assert east.reviewer_id.has_group("kam_management.group_kam_director")


def test_database_refuses_duplicates(env):
    env["kam.report"]._cron_monthly_reports(today=TODAY)
    with raises_and_rolls_back(env, ValidationError, match="already"):
        env["kam.report"].create({
            "report_type": "kam_monthly", "period_start": MONTH,
            "user_id": ref(env, "user_kam_manager_1").id})


def test_period_starts_on_the_first(env):
    with raises_and_rolls_back(env, ValidationError, match="first day"):
        env["kam.report"].create({
            "report_type": "kam_monthly", "period_start": "2031-03-05",
            "user_id": ref(env, "user_kam_manager_1").id})


def test_figures_on_hand_made_data(env):
    kam = env["res.users"].create({
        "name": "Report KAM", "login": "report_kam_test",
        "groups_id": [(6, 0, [ref(env, "group_kam_user").id])]})
    partner = env["res.partner"].create({
        "name": "Report Co", "is_company": True, "kam_is_key_account": True,
        "kam_account_type": "key", "kam_manager_id": kam.id,
        "kam_region_id": ref(env, "region_east_china").id,
        "kam_relationship_level_id": ref(env, "relationship_level_vendor").id,
        "kam_since": "2025-01-01"})
    partner.kam_relationship_history_ids.write({"date": "2025-01-01 00:00:00"})
    env["kam.visit"].create({
        "partner_id": partner.id, "user_id": kam.id, "purpose": "Visit",
        "visit_date": "2026-03-03 10:00:00", "state": "done"})
    env["kam.visit.compliance"]._cron_visit_compliance(today="2026-03-10")
    Info = env["kam.info"]
    for importance, date in (("normal", "2026-03-02"), ("normal", "2026-03-05"),
                             ("important", "2026-03-09"),
                             ("critical", "2026-03-31"),
                             ("critical", "2026-04-01")):
        Info.create({"partner_id": partner.id, "name": "x", "date": date,
                     "category_id": ref(env, "info_category_strategy").id,
                     "importance": importance})
    product = env["product.product"].create({
        "name": "Unit", "type": "service", "taxes_id": [(6, 0, [])]})
    for amount, date in ((1200, "2026-03-04 10:00:00"),
                         (800, "2026-03-28 10:00:00"),
                         (999, "2026-02-28 10:00:00")):
        so = env["sale.order"].create({
            "partner_id": partner.id,
            "order_line": [(0, 0, {"product_id": product.id,
                                   "product_uom_qty": 1, "price_unit": amount,
                                   "tax_id": [(6, 0, [])]})]})
        so.action_confirm()
        so.write({"confirmation_date": date})
    env["kam.target"].create({"user_id": kam.id, "date_from": "2026-03-01",
                              "date_to": "2026-03-31", "amount": 4000})
    partner.write({"kam_relationship_level_id":
                   ref(env, "relationship_level_partner").id})
    partner.kam_relationship_history_ids.filtered(
        lambda h: h.direction == "up").write({"date": "2026-03-15 09:00:00"})

    env["kam.report"]._cron_monthly_reports(today="2026-04-02")
    report = reports(env, "2026-03-01").filtered(lambda r: r.user_id == kam)
    assert len(report) == 1
    assert (report.visits_done, report.visits_required) == (1, 1)
    assert report.visit_compliance_pct == pytest.approx(100.0)
    assert (report.info_normal_count, report.info_important_count,
            report.info_critical_count) == (2, 1, 1)
    assert report.sales_amount == pytest.approx(2000)
    assert report.target_amount == pytest.approx(4000)
    assert report.target_achievement_pct == pytest.approx(50.0)
    assert (report.level_up_count, report.level_out_count) == (1, 0)
    # the scorecard of the month is on the report
    cards = report.kam_scorecards()
    assert cards.user_id == kam
    assert cards.target_achievement_pct == pytest.approx(50.0)


def test_workflow_and_impossible_transitions(env):
    env["kam.report"]._cron_monthly_reports(today=TODAY)
    report = kam_report(env, "kam_manager_1")
    kam1 = report.with_env(as_user(env, "kam_manager_1"))
    kam1.write({"comments": "Good month."})
    with raises_and_rolls_back(env, UserError, match="Acknowledge"):
        report.with_env(as_user(env, "kam_regional")).action_acknowledge()
    # only the author submits
    with raises_and_rolls_back(env, AccessError):
        report.with_env(as_user(env, "kam_regional")).action_submit()
    kam1.action_submit()
    assert report.state == "submitted"
    review = env["mail.activity"].search([
        ("res_model", "=", "kam.report"), ("res_id", "=", report.id),
        ("activity_type_id", "=",
         ref(env, "mail_activity_type_kam_report_review").id)])
    assert review.user_id == ref(env, "user_kam_regional")
    with raises_and_rolls_back(env, UserError, match="Submit"):
        kam1.action_submit()
    with raises_and_rolls_back(env, UserError, match="Comments"):
        kam1.write({"comments": "Changed after submitting"})
    # the author cannot acknowledge; another KAM neither
    with raises_and_rolls_back(env, AccessError, match="own report"):
        kam1.action_acknowledge()
    report.with_env(as_user(env, "kam_regional")).action_acknowledge()
    assert report.state == "acknowledged"
    assert not review.exists()


def test_regional_report_acknowledged_by_director_only(env):
    env["kam.report"]._cron_monthly_reports(today=TODAY)
    east = reports(env).filtered(
        lambda r: r.report_type == "region_monthly"
        and r.region_id == ref(env, "region_east_china"))
    east.with_env(as_user(env, "kam_regional")).action_submit()
    with raises_and_rolls_back(env, AccessError):
        east.with_env(as_user(env, "kam_regional")).action_acknowledge()
    east.with_env(as_user(env, "kam_director")).action_acknowledge()
    assert east.state == "acknowledged"


def test_director_cannot_acknowledge_own_regional_report(env):
    env["kam.report"]._cron_monthly_reports(today=TODAY)
    south = reports(env).filtered(
        lambda r: r.report_type == "region_monthly"
        and r.region_id == ref(env, "region_south_china"))
    assert south.user_id == ref(env, "user_kam_director")
    south.with_env(as_user(env, "kam_director")).action_submit()
    with raises_and_rolls_back(env, AccessError, match="own report"):
        south.with_env(as_user(env, "kam_director")).action_acknowledge()


@pytest.mark.parametrize("login,expect", [
    ("kam_manager_1", {"kam_manager_1"}),
    ("kam_manager_2", {"kam_manager_2"}),
])
def test_kam_sees_own_reports_only(env, login, expect):
    env["kam.report"]._cron_monthly_reports(today=TODAY)
    seen = env["kam.report"].with_env(as_user(env, login)).search(
        [("period_start", "=", MONTH)])
    assert set(seen.mapped("user_id.login")) == expect


def test_regional_director_secretary_support_visibility(env):
    env["kam.report"]._cron_monthly_reports(today=TODAY)
    every = reports(env)
    regional = env["kam.report"].with_env(as_user(env, "kam_regional")).search(
        [("period_start", "=", MONTH)])
    assert kam_report(env, "kam_manager_1") in regional
    assert all(r.region_id == ref(env, "region_east_china") for r in regional)
    for login in ("kam_director", "kam_secretary"):
        assert env["kam.report"].with_env(as_user(env, login)).search(
            [("period_start", "=", MONTH)]) == every
    with pytest.raises(AccessError):
        env["kam.report"].with_env(as_user(env, "kam_support")).search([])
    with raises_and_rolls_back(env, AccessError):
        kam_report(env, "kam_manager_1").with_env(
            as_user(env, "kam_secretary")).write({"comments": "x"})


def test_qweb_report_renders_as_html(env):
    env["kam.report"]._cron_monthly_reports(today=TODAY)
    report = kam_report(env, "kam_manager_1")
    html, kind = ref(env, "kam_report_action_print").render_qweb_html(
        report.ids)
    assert kind == "html"
    html = html.decode() if isinstance(html, bytes) else html
    assert report.name in html
    assert "o_kam_report_visits" in html and "o_kam_report_sales" in html
    assert "o_kam_report_scorecard" in html


def test_month_end_activities_once(env):
    Report = env["kam.report"]
    # not yet in the last days of the month
    assert not Report._cron_month_end_information(today="2031-05-20")
    done = Report._cron_month_end_information(today="2031-05-29")
    assert done
    month = done.filtered(lambda r: r.user_id == ref(
        env, "user_kam_manager_1"))
    assert month.period_start == "2031-05-01"
    month_end = ref(env, "mail_activity_type_kam_month_end")
    acts = env["mail.activity"].search([
        ("res_model", "=", "kam.report"), ("res_id", "=", month.id),
        ("activity_type_id", "=", month_end.id)])
    assert set(acts.mapped("user_id")) == {
        ref(env, "user_kam_manager_1"), ref(env, "user_kam_secretary")}
    assert set(acts.mapped("date_deadline")) == {"2031-05-31"}
    # the KAM finishes the activity; later runs schedule nothing again
    acts.filtered(lambda a: a.user_id == ref(
        env, "user_kam_manager_1")).action_feedback("Sent")
    assert not Report._cron_month_end_information(today="2031-05-30")
    assert env["mail.activity"].search_count([
        ("res_model", "=", "kam.report"), ("res_id", "=", month.id),
        ("activity_type_id", "=", month_end.id)]) == 1
    # on the 1st the monthly action fills that same report, no duplicate
    Report._cron_monthly_reports(today="2031-06-01")
    assert kam_report(env, "kam_manager_1", "2031-05-01") == month
    assert month.figures_date


def test_service_and_rfm_figures(env):
    """Requirements and complaints opened/closed in the month (R6, R7) and
    the RFM movements against the previous month's snapshot (R13, R16)."""
    kam = env["res.users"].create({
        "name": "Service Report KAM", "login": "service_report_kam_test",
        "groups_id": [(6, 0, [ref(env, "group_kam_user").id])]})
    accounts = []
    for name in ("Service Co A", "Service Co B"):
        accounts.append(env["res.partner"].create({
            "name": name, "is_company": True, "kam_is_key_account": True,
            "kam_account_type": "key", "kam_manager_id": kam.id,
            "kam_region_id": ref(env, "region_east_china").id,
            "kam_relationship_level_id":
                ref(env, "relationship_level_vendor").id,
            "kam_since": "2025-01-01"}))
    first, second = accounts
    Requirement = env["kam.requirement"]
    Requirement.create({"partner_id": first.id, "name": "New chiller line",
                        "date_received": "2026-03-03 09:00:00"})
    Requirement.create({"partner_id": first.id, "name": "Old request",
                        "date_received": "2026-02-03 09:00:00"})
    Complaint = env["kam.complaint"]
    Complaint.create({"partner_id": second.id, "name": "Noisy unit",
                      "date_received": "2026-03-10 09:00:00"})
    Snapshot = env["kam.rfm.snapshot"].sudo()
    for partner, month, risk, segment in (
            (first, "2026-02-01", False, "loyal"),
            (first, "2026-03-01", True, "at_risk"),
            (second, "2026-02-01", True, "at_risk"),
            (second, "2026-03-01", True, "at_risk")):
        Snapshot.create({"partner_id": partner.id, "month": month,
                         "date": month, "churn_risk": risk,
                         "segment": segment, "kam_manager_id": kam.id})
    env["kam.report"]._cron_monthly_reports(today="2026-04-02")
    report = reports(env, "2026-03-01").filtered(lambda r: r.user_id == kam)
    assert (report.requirement_opened_count,
            report.requirement_closed_count) == (1, 0)
    assert (report.complaint_opened_count,
            report.complaint_closed_count) == (1, 0)
    assert report.rfm_at_risk_count == 2
    assert report.rfm_new_at_risk_count == 1
    assert report.rfm_segment_changed_count == 1
    assert "Service Co A" in report.rfm_at_risk_names
    html, _kind = ref(env, "kam_report_action_print").render_qweb_html(
        report.ids)
    html = html.decode() if isinstance(html, bytes) else html
    assert "o_kam_report_service" in html and "o_kam_report_rfm" in html
