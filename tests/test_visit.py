"""Visits and their reports (R8): workflow, supervisors, bad input and
access per role, as the real demo users."""
import pytest

from common import (AccessError, ValidationError, as_user, make_company,
                    raises_and_rolls_back, ref)
from odoo.exceptions import UserError

PAST = "2026-01-15 09:00:00"


def new_visit(env, login, account="partner_kam_suzhou_industrial", **vals):
    user_env = as_user(env, login)
    data = {"partner_id": ref(env, account).id, "visit_date": PAST,
            "purpose": "Discuss the chiller retrofit"}
    data.update(vals)
    return env["kam.visit"].with_env(user_env).create(data)


def test_full_workflow_with_review_activity(env):
    visit = new_visit(env, "kam_manager_1")
    assert visit.state == "planned"
    assert visit.user_id == ref(env, "user_kam_manager_1")
    assert visit.reviewer_id == ref(env, "user_kam_regional")
    visit.action_done()
    assert visit.state == "done" and visit.date_done
    with raises_and_rolls_back(env, UserError, match="Summary"):
        visit.action_submit()
    visit.write({"report_summary": "Agreed on a pilot",
                 "report_next_steps": "Send the offer"})
    visit.action_submit()
    assert visit.state == "submitted"
    review_type = ref(env, "mail_activity_type_kam_visit_review")
    act = visit.activity_ids.filtered(
        lambda a: a.activity_type_id == review_type)
    assert act.user_id == ref(env, "user_kam_regional")
    # the regional manager sends it back with a note, then reviews it
    regional = visit.with_env(as_user(env, "kam_regional"))
    regional.action_send_back(reason="Add the competitor's prices")
    assert visit.state == "done"
    assert visit.review_note == "Add the competitor's prices"
    assert visit.activity_ids.filtered(
        lambda a: a.user_id == ref(env, "user_kam_manager_1"))
    visit.action_submit()
    regional.action_send_back()  # the note is optional
    assert visit.state == "done"
    visit.action_submit()
    regional.action_review()
    assert visit.state == "reviewed" and visit.date_reviewed
    assert not visit.activity_ids.filtered(
        lambda a: a.activity_type_id == review_type)


def test_regional_managers_visit_is_reviewed_by_a_director(env):
    visit = new_visit(env, "kam_regional", report_summary="Executive lunch")
    assert visit.reviewer_id == ref(env, "user_kam_director")
    visit.action_done()
    visit.action_submit()
    with raises_and_rolls_back(env, AccessError, match="own"):
        visit.action_review()
    # a KAM of the region is not the regional manager's supervisor
    with raises_and_rolls_back(env, AccessError):
        visit.with_env(as_user(env, "kam_manager_1")).action_review()
    visit.with_env(as_user(env, "kam_director")).action_review()
    assert visit.state == "reviewed"


def test_support_visit_is_reviewed_by_the_regional_manager(env):
    visit = new_visit(env, "kam_support", account="partner_kam_shanghai_metro",
                      report_summary="Filters replaced")
    assert visit.reviewer_id == ref(env, "user_kam_regional")


def test_nobody_reviews_their_own_report(env):
    visit = new_visit(env, "kam_manager_1", report_summary="Done")
    visit.action_done()
    visit.action_submit()
    with raises_and_rolls_back(env, AccessError, match="own"):
        visit.action_review()
    assert visit.state == "submitted"


def test_visit_done_in_the_future_is_refused(env):
    visit = new_visit(env, "kam_manager_1", visit_date="2099-01-01 09:00:00")
    with raises_and_rolls_back(env, ValidationError, match="Visit Date"):
        visit.action_done()
    assert visit.state == "planned"
    # (a user cannot create a done visit at all, see the next test; the
    # system can, but not in the future)
    with raises_and_rolls_back(env, ValidationError, match="Visit Date"):
        env["kam.visit"].create({
            "partner_id": ref(env, "partner_kam_suzhou_industrial").id,
            "purpose": "x", "visit_date": "2099-01-01 09:00:00",
            "state": "done"})


def test_visit_state_moves_only_through_the_buttons(env):
    """Issue 7: writing the state over RPC would skip the review (R8)."""
    with raises_and_rolls_back(env, UserError, match="state"):
        new_visit(env, "kam_manager_1", state="reviewed")
    visit = new_visit(env, "kam_manager_1")
    with raises_and_rolls_back(env, UserError, match="date_done, state"):
        visit.write({"state": "done", "date_done": PAST})
    assert visit.state == "planned"


def test_visit_on_an_ordinary_partner_is_refused(env):
    company = make_company(env, "Not A Key Account")
    with raises_and_rolls_back(env, ValidationError, match="not a key account"):
        env["kam.visit"].create({"partner_id": company.id,
                                 "visit_date": PAST, "purpose": "x"})
    assert not env["kam.visit"].search([("partner_id", "=", company.id)])


def test_marking_someone_elses_visit_done(env):
    visit = new_visit(env, "kam_manager_1", account="partner_kam_shanghai_metro")
    # support staff are not the KAM's supervisor
    other = env["kam.visit"].sudo().create({
        "partner_id": ref(env, "partner_kam_shanghai_metro").id,
        "user_id": ref(env, "user_kam_support").id,
        "visit_date": PAST, "purpose": "x"})
    with raises_and_rolls_back(env, AccessError, match="visitor or their supervisor"):
        other.with_env(as_user(env, "kam_manager_1")).action_done()
    assert other.state == "planned"
    # the regional manager supervises both
    visit.with_env(as_user(env, "kam_regional")).action_done()
    other.with_env(as_user(env, "kam_regional")).action_done()
    assert visit.state == other.state == "done"


def test_contacts_met_must_belong_to_the_account(env):
    stranger = env["res.partner"].create({"name": "Stranger"})
    with raises_and_rolls_back(env, ValidationError, match="Contacts Met"):
        new_visit(env, "kam_manager_1", account="partner_kam_shanghai_metro",
                  contact_ids=[(6, 0, [stranger.id])])
    ok = new_visit(env, "kam_manager_1", account="partner_kam_shanghai_metro",
                   contact_ids=[(6, 0, [ref(
                       env, "partner_kam_shanghai_metro_contact").id])])
    assert ok.contact_ids


def test_only_planned_or_cancelled_visits_are_deleted(env):
    visit = new_visit(env, "kam_manager_1")
    visit.action_done()
    with raises_and_rolls_back(env, UserError, match="cancel"):
        visit.unlink()
    visit.action_cancel()
    visit.unlink()
    assert not visit.exists()


def _visible(env, login):
    return env["kam.visit"].with_env(as_user(env, login)).search([])


def test_kam_sees_visits_to_own_accounts_only(env):
    seen = _visible(env, "kam_manager_1")
    kam1 = ref(env, "user_kam_manager_1")
    assert seen
    assert all(v.sudo().partner_id.kam_manager_id == kam1 or v.user_id == kam1
               for v in seen)
    # including the support staff's visit on their account
    assert ref(env, "visit_metro_support") in seen
    assert ref(env, "visit_wuxi_kam") not in seen
    with pytest.raises(AccessError):
        ref(env, "visit_wuxi_kam").with_env(
            as_user(env, "kam_manager_1")).read(["purpose"])
    with raises_and_rolls_back(env, AccessError):
        ref(env, "visit_wuxi_kam").with_env(
            as_user(env, "kam_manager_1")).write({"purpose": "x"})


def test_kam_cannot_log_a_visit_on_another_kams_account(env):
    with raises_and_rolls_back(env, AccessError):
        new_visit(env, "kam_manager_2", account="partner_kam_shanghai_metro")


def test_support_sees_own_visits_and_their_teams_accounts_visits(env):
    support = ref(env, "user_kam_support")
    seen = _visible(env, "kam_support")
    assert ref(env, "visit_metro_support") in seen
    teams = env["kam.support.team"].search(
        [("member_ids.user_id", "=", support.id)])
    accounts = teams.mapped("partner_id")
    assert accounts
    assert all(v.user_id == support or v.sudo().partner_id in accounts
               for v in seen)
    # visits to accounts of other teams stay hidden
    assert ref(env, "visit_wuxi_kam") not in seen
    with pytest.raises(AccessError):
        ref(env, "visit_wuxi_kam").with_env(
            as_user(env, "kam_support")).read(["purpose"])


def test_regional_manager_sees_region_director_all(env):
    east = ref(env, "region_east_china")
    seen = _visible(env, "kam_regional")
    assert set(seen.mapped("region_id")) == {east}
    assert ref(env, "visit_gz_kam") not in seen
    total = env["kam.visit"].search_count([])
    assert len(_visible(env, "kam_director")) == total
    assert len(_visible(env, "kam_secretary")) == total
    with raises_and_rolls_back(env, AccessError):
        ref(env, "visit_wuxi_kam").with_env(
            as_user(env, "kam_secretary")).write({"purpose": "x"})


def test_rules_are_for_directors(env):
    rule = ref(env, "visit_rule_kam_monthly")
    for login in ("kam_manager_1", "kam_regional"):
        with raises_and_rolls_back(env, AccessError):
            rule.with_env(as_user(env, login)).write({"interval_days": 10})
    rule.with_env(as_user(env, "kam_director")).write({"interval_days": 30})
    assert rule.interval_days == 30


def test_compliance_rows_are_scoped_and_read_only(env):
    kam1 = ref(env, "user_kam_manager_1")
    rows = env["kam.visit.compliance"].with_env(
        as_user(env, "kam_manager_1")).search([])
    assert rows and all(r.kam_manager_id == kam1 or r.responsible_id == kam1
                        for r in rows)
    with raises_and_rolls_back(env, AccessError):
        rows[0].write({"state": "ok"})
    with raises_and_rolls_back(env, AccessError):
        env["kam.visit.compliance"].with_env(
            as_user(env, "kam_manager_1")).action_kam_refresh()


def test_partner_smart_button_and_week_action(env):
    account = ref(env, "partner_kam_shanghai_metro")
    assert account.kam_visit_count >= 3
    action = account.with_env(as_user(env, "kam_manager_1")) \
        .action_kam_view_visits()
    assert action["domain"] == [("partner_id", "=", account.id)]
    week = ref(env, "kam_visit_action_my_week")
    assert "search_default_this_week" in week.context


def test_visit_state_cannot_be_written(env):
    account = ref(env, "partner_kam_nanjing_hospital")
    with raises_and_rolls_back(env, AccessError, match="Visit State"):
        account.with_env(as_user(env, "kam_director")).write(
            {"kam_visit_state": "ok"})
    assert account.kam_visit_state == "overdue"
