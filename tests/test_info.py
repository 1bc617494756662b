"""Information and early warning (R10, R16): routing by importance, the
acknowledgement deadline and the one-level re-escalation, the workflow,
bad input and access per role. Times are passed explicitly."""
import pytest

from common import (AccessError, ValidationError, as_user,
                    raises_and_rolls_back, ref)
from odoo.exceptions import UserError

T0 = "2026-03-02 09:00:00"


def info_vals(env, importance, partner="partner_kam_shanghai_metro", **kw):
    vals = {"partner_id": ref(env, partner).id, "name": "News",
            "category_id": ref(env, "info_category_competitor").id,
            "importance": importance}
    vals.update(kw)
    return vals


def create_info(env, login, importance, **kw):
    Info = env["kam.info"].with_env(as_user(env, login))
    return Info.create(
        info_vals(env, importance, **kw))


def info_activities(env, info, type_xmlid="mail_activity_type_kam_info"):
    return env["mail.activity"].search([
        ("res_model", "=", "kam.info"), ("res_id", "=", info.id),
        ("activity_type_id", "=", ref(env, type_xmlid).id)])


def directors(env):
    return env["res.users"]._kam_directors()


def test_normal_item_notifies_nobody(env):
    info = create_info(env, "kam_manager_1", "normal")
    assert not info.escalation_level
    assert not info_activities(env, info)
    assert not info.ack_deadline


def test_important_item_goes_to_regional_manager_at_once(env):
    info = env["kam.info"].with_env(as_user(env, "kam_manager_1")).create(
        info_vals(env, "important"))
    regional = ref(env, "user_kam_regional")
    acts = info_activities(env, info)
    assert acts.mapped("user_id") == regional
    assert info.escalation_level == "regional_manager"
    assert info.escalated_user_ids == regional
    # a chatter message that notifies the manager
    msg = info.message_ids.filtered(
        lambda m: regional.partner_id in m.partner_ids)
    assert msg
    assert info.ack_deadline


def test_critical_item_goes_to_manager_and_every_director(env):
    info = create_info(env, "kam_manager_1", "critical")
    regional = ref(env, "user_kam_regional")
    expected = regional | directors(env)
    assert ref(env, "base.user_root") not in directors(env)
    assert set(info_activities(env, info).mapped("user_id")) == set(expected)
    assert info.escalation_level == "directors"


def test_deadline_from_configured_hours(env):
    env["ir.config_parameter"].set_param(
        "kam_management.info_ack_hours_important", "48")
    info = create_info(env, "kam_manager_1", "important")
    info.sudo()._kam_workflow_write({"ack_deadline": False})
    info.with_context()._kam_escalate(now=T0)
    # re-routing does not notify twice, the deadline follows the setting
    assert len(info_activities(env, info)) == 1
    assert info.ack_deadline == "2026-03-04 09:00:00"


def test_unacknowledged_important_item_escalates_one_level_once(env):
    info = create_info(env, "kam_manager_1", "important")
    info.sudo()._kam_workflow_write({"ack_deadline": "2026-03-03 09:00:00"})
    Info = env["kam.info"]
    # before the deadline nothing happens
    assert Info._cron_info_escalation(now="2026-03-03 08:59:00") == 0
    assert Info._cron_info_escalation(now="2026-03-03 10:00:00") >= 1
    up = info_activities(env, info, "mail_activity_type_kam_info_escalation")
    assert set(up.mapped("user_id")) == set(directors(env))
    assert info.escalation_level == "directors"
    assert info.re_escalated_date == "2026-03-03 10:00:00"
    # once: a second run, even much later, adds nothing
    Info._cron_info_escalation(now="2026-03-10 10:00:00")
    assert len(info_activities(
        env, info, "mail_activity_type_kam_info_escalation")) == len(up)


def test_critical_item_already_at_directors_gets_overdue_activity(env):
    info = create_info(env, "kam_manager_1", "critical")
    info.sudo()._kam_workflow_write({"ack_deadline": "2026-03-02 17:00:00"})
    env["kam.info"]._cron_info_escalation(now="2026-03-02 18:00:00")
    up = info_activities(env, info, "mail_activity_type_kam_info_escalation")
    assert set(up.mapped("user_id")) == set(directors(env))
    env["kam.info"]._cron_info_escalation(now="2026-03-05 18:00:00")
    assert info_activities(
        env, info, "mail_activity_type_kam_info_escalation") == up


def test_acknowledged_item_does_not_escalate(env):
    info = create_info(env, "kam_manager_1", "important")
    info.sudo()._kam_workflow_write({"ack_deadline": "2026-03-03 09:00:00"})
    info.with_env(as_user(env, "kam_regional")).action_acknowledge()
    assert info.state == "acknowledged"
    assert info.acknowledged_by_id == ref(env, "user_kam_regional")
    assert not info_activities(env, info)
    env["kam.info"]._cron_info_escalation(now="2026-03-04 09:00:00")
    assert not info.re_escalated_date
    assert not info_activities(
        env, info, "mail_activity_type_kam_info_escalation")


def test_raising_importance_routes_at_once(env):
    info = create_info(env, "kam_manager_1", "normal")
    info.with_env(as_user(env, "kam_manager_1")).write(
        {"importance": "critical"})
    assert info.escalation_level == "directors"
    assert set(directors(env)) <= set(info_activities(env, info).mapped(
        "user_id"))


def test_reporter_cannot_acknowledge_own_item(env):
    info = create_info(env, "kam_regional", "critical")
    # the regional manager reported it: only directors are notified
    assert ref(env, "user_kam_regional") not in info_activities(
        env, info).mapped("user_id")
    with raises_and_rolls_back(env, AccessError):
        info.with_env(as_user(env, "kam_regional")).action_acknowledge()
    info.with_env(as_user(env, "kam_director")).action_acknowledge()
    assert info.state == "acknowledged"


def test_kam_cannot_acknowledge_escalated_item(env):
    info = create_info(env, "kam_manager_1", "important")
    with raises_and_rolls_back(env, AccessError):
        info.with_env(as_user(env, "kam_manager_1")).action_acknowledge()


def test_impossible_transitions(env):
    info = create_info(env, "kam_manager_1", "important")
    kam = info.with_env(as_user(env, "kam_manager_1"))
    with raises_and_rolls_back(env, UserError, match="acknowledged first"):
        kam.action_close()
    info.with_env(as_user(env, "kam_regional")).action_acknowledge()
    with raises_and_rolls_back(env, UserError, match="Acknowledge"):
        info.with_env(as_user(env, "kam_regional")).action_acknowledge()
    kam.action_close()
    assert info.state == "closed"
    with raises_and_rolls_back(env, UserError):
        kam.action_close()
    # nobody writes the state directly
    with raises_and_rolls_back(env, AccessError):
        kam.write({"state": "new"})


def test_not_a_key_account(env):
    with raises_and_rolls_back(env, ValidationError, match="Key Account"):
        env["kam.info"].create(info_vals(
            env, "normal", partner="partner_kam_prospect_fuzhou"))


def test_early_warning_badge(env):
    account = ref(env, "partner_kam_hefei_auto")
    assert not account.kam_early_warning
    info = create_info(env, "kam_manager_2", "critical",
                       partner="partner_kam_hefei_auto")
    account.invalidate_cache()
    assert account.kam_early_warning
    assert account.kam_info_critical_count == 1
    found = env["res.partner"].search([("kam_early_warning", "=", True)])
    assert account in found
    info.with_env(as_user(env, "kam_director")).action_acknowledge()
    info.with_env(as_user(env, "kam_manager_2")).action_close()
    account.invalidate_cache()
    assert not account.kam_early_warning
    assert account not in env["res.partner"].search(
        [("kam_early_warning", "=", True)])


@pytest.mark.parametrize("login,sees_own,sees_other", [
    ("kam_manager_1", True, False),
    ("kam_regional", True, True),
    ("kam_director", True, True),
    ("kam_secretary", True, True),
    # support staff: only the accounts of their teams (issue 7); kam_support
    # is on the team of kam_manager_1's account, not of wuxi_semicon
    ("kam_support", True, False),
])
def test_who_sees_which_items(env, login, sees_own, sees_other):
    own = create_info(env, "kam_manager_1", "normal")
    other = create_info(env, "kam_manager_2", "normal",
                        partner="partner_kam_wuxi_semicon")
    seen = env["kam.info"].with_env(as_user(env, login)).search(
        [("id", "in", (own | other).ids)])
    assert (own in seen, other in seen) == (sees_own, sees_other)


def test_support_does_not_see_other_regions(env):
    south = create_info(env, "kam_manager_2", "normal",
                        partner="partner_kam_guangzhou_airport")
    assert not env["kam.info"].with_env(as_user(env, "kam_support")).search(
        [("id", "=", south.id)])


def test_kam_cannot_report_on_other_kams_account(env):
    with raises_and_rolls_back(env, AccessError):
        create_info(env, "kam_manager_1", "normal",
                    partner="partner_kam_wuxi_semicon")


def test_secretary_enters_information_for_a_kam(env):
    info = create_info(env, "kam_secretary", "normal",
                       reporter_id=ref(env, "user_kam_manager_1").id)
    assert info.reporter_id == ref(env, "user_kam_manager_1")


def test_only_directors_configure_categories(env):
    with raises_and_rolls_back(env, AccessError):
        env["kam.info.category"].with_env(as_user(env, "kam_regional")).create(
            {"name": "Rumour"})
    env["kam.info.category"].with_env(as_user(env, "kam_director")).create(
        {"name": "Rumour"})
