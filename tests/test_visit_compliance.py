"""Visit compliance (R8) across time, every path that changes it, the daily
action's activities and escalations, and its idempotence. Dates are passed
explicitly (``today=``), never taken from the clock."""
import pytest

from common import ValidationError, as_user, raises_and_rolls_back, ref

KAM_RULE = "visit_rule_kam_monthly"
RM_RULE = "visit_rule_regional_manager_half_yearly"


@pytest.fixture
def account(env):
    return env["res.partner"].create({
        "name": "Compliance Test Co", "is_company": True,
        "kam_is_key_account": True, "kam_account_type": "key",
        "kam_manager_id": ref(env, "user_kam_manager_1").id,
        "kam_region_id": ref(env, "region_east_china").id,
        "kam_relationship_level_id": ref(env, "relationship_level_vendor").id,
        "kam_since": "2026-01-01",
    })


def row(account, rule):
    account.invalidate_cache()
    rows = account.kam_visit_compliance_ids.filtered(
        lambda r: r.rule_id == ref(account.env, rule))
    assert len(rows) <= 1
    return rows


def visit(env, account, login, date, state="done"):
    return env["kam.visit"].create({
        "partner_id": account.id,
        "user_id": ref(env, "user_" + login).id,
        "visit_date": date, "purpose": "Test visit", "state": state})


def refresh(env, today):
    env["kam.visit.compliance"]._kam_refresh(today=today)


def activities(env, account, type_xmlid="mail_activity_type_kam_visit"):
    return env["mail.activity"].search([
        ("res_model", "=", "res.partner"), ("res_id", "=", account.id),
        ("activity_type_id", "=", ref(env, type_xmlid).id)])


def test_rows_for_every_applicable_rule(env, account):
    kam_row = row(account, KAM_RULE)
    rm_row = row(account, RM_RULE)
    assert kam_row.responsible_id == ref(env, "user_kam_manager_1")
    assert rm_row.responsible_id == ref(env, "user_kam_regional")
    # no visit yet: due = key account since + interval
    assert kam_row.due_date == "2026-02-01"
    assert rm_row.due_date == "2026-07-03"
    assert not kam_row.last_visit_date


@pytest.mark.parametrize("today,state,days", [
    ("2026-03-20", "ok", 0),
    ("2026-03-25", "due_soon", 0),   # 7 days' warning before 04-01
    ("2026-04-01", "due_soon", 0),   # due today is not overdue yet
    ("2026-04-02", "overdue", 1),
    ("2026-04-12", "overdue", 11),
])
def test_states_across_time(env, account, today, state, days):
    visit(env, account, "kam_manager_1", "2026-03-01 10:00:00")
    refresh(env, today)
    kam_row = row(account, KAM_RULE).with_context(kam_today=today)
    assert kam_row.last_visit_date == "2026-03-01 10:00:00"
    assert kam_row.due_date == "2026-04-01"
    assert (kam_row.state, kam_row.days_overdue) == (state, days)


def test_partner_shows_worst_state(env, account):
    visit(env, account, "kam_manager_1", "2026-03-01 10:00:00")
    refresh(env, "2026-03-10")
    account.invalidate_cache()
    assert account.kam_visit_state == "ok"
    refresh(env, "2026-07-10")  # both rules overdue by then
    account.invalidate_cache()
    assert account.kam_visit_state == "overdue"
    found = env["res.partner"].search([("kam_visit_state", "=", "overdue"),
                                       ("id", "=", account.id)])
    assert found == account


def test_only_the_responsible_persons_visit_counts(env, account):
    # a visit by another KAM, or by support staff, does not satisfy the KAM
    # rule; the regional manager's visit only satisfies theirs
    visit(env, account, "kam_manager_2", "2026-03-01 10:00:00")
    visit(env, account, "kam_support", "2026-03-02 10:00:00")
    visit(env, account, "kam_regional", "2026-03-03 10:00:00")
    refresh(env, "2026-03-10")
    assert not row(account, KAM_RULE).last_visit_date
    assert row(account, KAM_RULE).state == "overdue"
    assert row(account, RM_RULE).last_visit_date == "2026-03-03 10:00:00"


def test_planned_and_cancelled_visits_do_not_count(env, account):
    done = visit(env, account, "kam_manager_1", "2026-03-01 10:00:00")
    visit(env, account, "kam_manager_1", "2026-03-05 10:00:00", "planned")
    assert row(account, KAM_RULE).last_visit_date == "2026-03-01 10:00:00"
    done.sudo(ref(env, "user_kam_manager_1")).action_cancel()
    assert not row(account, KAM_RULE).last_visit_date


def test_marking_done_updates_compliance_at_once(env, account):
    planned = visit(env, account, "kam_manager_1", "2026-03-01 10:00:00",
                    "planned")
    assert not row(account, KAM_RULE).last_visit_date
    planned.sudo(ref(env, "user_kam_manager_1")).action_done()
    assert row(account, KAM_RULE).last_visit_date == "2026-03-01 10:00:00"


def test_new_kam_region_manager_level_and_demotion(env, account):
    visit(env, account, "kam_manager_1", "2026-03-01 10:00:00")
    regional = as_user(env, "kam_regional")
    # a new KAM has not visited yet
    account.with_env(regional).write(
        {"kam_manager_id": ref(env, "user_kam_manager_2").id})
    kam_row = row(account, KAM_RULE)
    assert kam_row.responsible_id == ref(env, "user_kam_manager_2")
    assert not kam_row.last_visit_date
    # a new regional manager for the region
    director = as_user(env, "kam_director")
    east = ref(env, "region_east_china").with_env(director)
    east.write({"manager_id": ref(env, "user_kam_director").id})
    assert row(account, RM_RULE).responsible_id == ref(env,
                                                       "user_kam_director")
    # a rule restricted to strategic alliances applies once the level is
    alliance_rule = env["kam.visit.rule"].create({
        "name": "Alliances every 14 days", "role": "kam",
        "interval_days": 14,
        "relationship_level_ids": [(6, 0, [ref(
            env, "relationship_level_strategic_alliance").id])]})
    assert not account.kam_visit_compliance_ids.filtered(
        lambda r: r.rule_id == alliance_rule)
    account.write({"kam_relationship_level_id": ref(
        env, "relationship_level_strategic_alliance").id})
    account.invalidate_cache()
    assert account.kam_visit_compliance_ids.filtered(
        lambda r: r.rule_id == alliance_rule).due_date == "2026-01-15"
    # demotion removes the rows, promotion brings them back
    account.with_env(director).action_kam_demote()
    account.invalidate_cache()
    assert not account.kam_visit_compliance_ids
    assert not account.kam_visit_state


def test_rule_changes_recompute(env, account):
    visit(env, account, "kam_manager_1", "2026-03-01 10:00:00")
    rule = ref(env, KAM_RULE)
    rule.write({"interval_days": 14})
    assert row(account, KAM_RULE).due_date == "2026-03-15"
    rule.write({"account_type": "national"})  # no longer applies
    assert not row(account, KAM_RULE)
    rule.write({"account_type": False, "active": False})
    assert not row(account, KAM_RULE)


@pytest.mark.parametrize("vals,field", [
    ({"interval_days": 0}, "Visit Every"),
    ({"interval_days": -5}, "Visit Every"),
    ({"warning_days": -1}, "Warn"),
])
def test_rule_bad_input(env, vals, field):
    rule = ref(env, KAM_RULE)
    with raises_and_rolls_back(env, ValidationError, match=field):
        rule.write(vals)
    assert rule.interval_days == 31 and rule.warning_days == 7
    with raises_and_rolls_back(env, ValidationError, match=field):
        env["kam.visit.rule"].create(dict({"name": "Bad", "role": "kam"},
                                          **vals))


def days_ago(days, time=False):
    from datetime import date, timedelta
    day = (date.today() - timedelta(days=days)).strftime("%Y-%m-%d")
    return day + " 10:00:00" if time else day


def test_daily_action_activities_are_idempotent(env, account):
    cron = env["kam.visit.compliance"]
    account.write({"kam_since": days_ago(400)})
    visit(env, account, "kam_regional", days_ago(10, True))
    visit(env, account, "kam_manager_1", days_ago(20, True))
    cron._cron_visit_compliance(today=days_ago(0))
    assert not activities(env, account)  # everything ok
    cron._cron_visit_compliance(today=days_ago(-8))  # due soon in 8 days
    acts = activities(env, account)
    assert len(acts) == 1
    assert acts.user_id == ref(env, "user_kam_manager_1")
    assert acts.date_deadline == days_ago(-11)  # last visit + 31 days
    # twice, and again after a "crash" between the refresh and the
    # activities: still exactly one
    cron._cron_visit_compliance(today=days_ago(-8))
    cron._kam_refresh(today=days_ago(-9), activities=False)
    cron._cron_visit_compliance(today=days_ago(-9))
    assert len(activities(env, account)) == 1
    # a done visit closes it at once, with a note in the chatter
    messages_before = len(account.message_ids)
    visit(env, account, "kam_manager_1", days_ago(0, True), "planned") \
        .sudo(ref(env, "user_kam_manager_1")).action_done()
    assert not activities(env, account)
    account.invalidate_cache()
    assert len(account.message_ids) > messages_before
    cron._cron_visit_compliance(today=days_ago(0))
    assert not activities(env, account)


def test_escalation_once_to_the_supervisor(env, account):
    cron = env["kam.visit.compliance"]
    visit(env, account, "kam_manager_1", "2026-03-01 10:00:00")
    cron._cron_visit_compliance(today="2026-04-08")  # 7 days: not yet
    assert not activities(env, account,
                          "mail_activity_type_kam_visit_escalation")
    cron._cron_visit_compliance(today="2026-04-09")  # 8 days overdue
    esc = activities(env, account, "mail_activity_type_kam_visit_escalation")
    assert esc.user_id == ref(env, "user_kam_regional")
    assert row(account, KAM_RULE).escalated_date == "2026-04-09"
    cron._cron_visit_compliance(today="2026-04-10")
    cron._cron_visit_compliance(today="2026-04-20")
    assert len(activities(env, account,
                          "mail_activity_type_kam_visit_escalation")) == 1
    # the regional manager's own overdue visit goes to a sales director,
    # not to the administrator
    cron._cron_visit_compliance(today="2026-07-20")
    esc = activities(env, account, "mail_activity_type_kam_visit_escalation")
    assert ref(env, "user_kam_director") in esc.mapped("user_id")
    assert ref(env, "base.user_root") not in esc.mapped("user_id")
    # a done visit ends the cycle and closes the escalation of that row
    visit(env, account, "kam_manager_1", "2026-07-19 10:00:00")
    visit(env, account, "kam_regional", "2026-07-19 11:00:00")
    cron._cron_visit_compliance(today="2026-07-20")
    assert not activities(env, account,
                          "mail_activity_type_kam_visit_escalation")
    assert not row(account, KAM_RULE).escalated_date


def test_escalation_days_is_a_setting(env, account):
    env["ir.config_parameter"].set_param(
        "kam_management.visit_escalation_days", "2")
    visit(env, account, "kam_manager_1", "2026-03-01 10:00:00")
    env["kam.visit.compliance"]._cron_visit_compliance(today="2026-04-04")
    assert activities(env, account, "mail_activity_type_kam_visit_escalation")


def test_missing_manager_is_reported_not_a_crash(env):
    region = env["kam.region"].create({"name": "No Manager Region"})
    partner = env["res.partner"].create({
        "name": "Orphan Co", "is_company": True, "kam_is_key_account": True,
        "kam_account_type": "key",
        "kam_manager_id": ref(env, "user_kam_manager_1").id,
        "kam_region_id": region.id, "kam_since": "2025-01-01",
        "kam_relationship_level_id": ref(env, "relationship_level_vendor").id})
    assert env["kam.visit.compliance"]._cron_visit_compliance(
        today="2026-04-01")
    rm_row = row(partner, RM_RULE)
    assert rm_row.missing_responsible and not rm_row.responsible_id
    assert rm_row.state == "overdue"


def test_concurrent_run_skips(env, registry):
    """A second run while another transaction holds the lock does nothing."""
    from conftest import environment
    env.cr.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                   ("kam_management.ir_cron_visit_compliance",))
    with environment(registry) as other:
        assert other["kam.visit.compliance"]._cron_visit_compliance() is False


def test_monthly_share_of_compliant_accounts(env, account):
    cron = env["kam.visit.compliance"]
    Snapshot = env["kam.visit.compliance.snapshot"]
    kam1 = env["res.users"].create({
        "name": "Share KAM", "login": "share_kam_test",
        "groups_id": [(6, 0, [ref(env, "group_kam_user").id])]})
    account.write({"kam_manager_id": kam1.id})
    env["kam.visit"].create({
        "partner_id": account.id, "user_id": kam1.id, "state": "done",
        "visit_date": "2026-03-01 10:00:00", "purpose": "Share test"})
    cron._cron_visit_compliance(today="2026-03-10")
    snap = Snapshot.search([("partner_id", "=", account.id),
                            ("role", "=", "kam")])
    assert (snap.month, snap.state, snap.compliant_pct) == (
        "2026-03-01", "ok", 100)
    # overdue once in April: April is not compliant, even after the visit
    cron._cron_visit_compliance(today="2026-04-05")
    env["kam.visit"].create({
        "partner_id": account.id, "user_id": kam1.id, "state": "done",
        "visit_date": "2026-04-06 10:00:00", "purpose": "Share test"})
    cron._cron_visit_compliance(today="2026-04-07")
    april = Snapshot.search([("partner_id", "=", account.id),
                             ("role", "=", "kam"), ("month", "=", "2026-04-01")])
    assert len(april) == 1 and april.state == "overdue"
    assert april.compliant_pct == 0
    share = Snapshot.kam_compliance_share([kam1.id], "2026-03-01")
    assert share[kam1.id] == 100.0
    share = Snapshot.kam_compliance_share([kam1.id], "2026-04-01")
    assert share[kam1.id] == 0.0
