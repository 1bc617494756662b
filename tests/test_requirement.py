"""One-stop service (R6): requirement -> solution drafted by technical
support -> approved by the KAM (never by its author) -> delivered; hand-over
activities, stage times and targets; access per role."""
from datetime import datetime, timedelta

import pytest

from odoo import fields
from odoo.exceptions import UserError

from common import (AccessError, ValidationError, as_user,
                    raises_and_rolls_back, ref)

Req = "kam.requirement"


def hours_ago(hours):
    return fields.Datetime.to_string(datetime.utcnow() - timedelta(hours=hours))


def new_requirement(env, login="kam_manager_1",
                    account="partner_kam_shanghai_metro", **vals):
    vals.setdefault("name", "Chiller plant optimisation")
    vals["partner_id"] = ref(env, account).id
    return env[Req].with_env(as_user(env, login)).create(vals)


def open_activities(req):
    activity_type = ref(req.env, "mail_activity_type_kam_requirement")
    return req.env["mail.activity"].sudo().search([
        ("res_model", "=", Req), ("res_id", "=", req.id),
        ("activity_type_id", "=", activity_type.id)])


def act_as(req, login):
    return req.with_env(as_user(req.env, login))


def test_full_workflow_hands_over_with_activities_and_times(env):
    kam1, support = "kam_manager_1", "kam_support"
    req = new_requirement(env)
    # defaults: received by the KAM, drafted by the team's technical support
    assert req.state == "received"
    assert req.received_user_id == ref(env, "user_kam_manager_1")
    assert req.tech_user_id == ref(env, "user_kam_support")
    assert open_activities(req).user_id == ref(env, "user_kam_manager_1")

    act_as(req, kam1).action_start()
    assert req.state == "drafting"
    activity = open_activities(req)
    assert activity.user_id == ref(env, "user_kam_support")
    assert activity.summary == "Draft the solution"

    act_as(req, support).write({"solution": "<p>Variable-speed pumps.</p>"})
    act_as(req, support).action_submit_solution()
    assert req.state == "review"
    assert req.solution_user_id == ref(env, "user_kam_support")
    assert open_activities(req).user_id == ref(env, "user_kam_manager_1")

    act_as(req, kam1).action_approve()
    assert req.state == "approved"
    assert req.approved_user_id == ref(env, "user_kam_manager_1")
    assert open_activities(req).user_id == ref(env, "user_kam_manager_1")

    act_as(req, kam1).action_deliver()
    assert req.state == "delivered" and req.date_delivered
    assert not open_activities(req)
    # each done hand-over is in the chatter, each stage in the time log
    done = req.message_ids.filtered(
        lambda m: m.mail_activity_type_id == ref(
            env, "mail_activity_type_kam_requirement"))
    assert len(done) == 4
    logs = req.stage_log_ids.sorted("id")
    assert [log.state for log in logs] == ["received", "drafting", "review",
                                           "approved"]
    assert all(log.date_end for log in logs)
    assert [log.user_id.login for log in logs] == [kam1, support, kam1, kam1]
    assert logs[0].target_hours == 24.0 and logs[1].target_hours == 72.0


def test_received_stage_starts_at_the_received_date(env):
    req = new_requirement(env, date_received=hours_ago(30))
    assert req.date_stage_start == req.date_received
    assert req.is_overdue  # 30 h > 24 h target
    log = req.stage_log_ids
    assert log.date_start == req.date_received and log.is_overdue


def test_impossible_transitions_are_refused(env):
    req = act_as(new_requirement(env), "kam_manager_1")
    for action in ("action_approve", "action_deliver",
                   "action_submit_solution"):
        with raises_and_rolls_back(env, UserError,
                                   match="Impossible transition"):
            getattr(req, action)()
    with raises_and_rolls_back(env, UserError, match="Reason|Impossible"):
        req.action_reject(reason="no")
    req.action_start()
    with raises_and_rolls_back(env, UserError, match="Impossible transition"):
        req.action_start()
    # moving the kanban card runs the same checks
    with raises_and_rolls_back(env, UserError,
                               match="cannot go from Drafting to Delivered"):
        req.write({"state": "delivered"})
    assert req.state == "drafting"


def test_dragging_a_card_runs_the_action(env):
    req = act_as(new_requirement(env), "kam_manager_1")
    req.write({"state": "drafting"})
    assert req.state == "drafting"
    assert open_activities(req).user_id == ref(env, "user_kam_support")
    # review -> drafting needs the reason, given only through the wizard
    req.write({"solution": "<p>x</p>"})
    req.write({"state": "review"})
    with raises_and_rolls_back(env, UserError, match="Reason"):
        req.write({"state": "drafting"})


def test_workflow_fields_cannot_be_written(env):
    req = act_as(new_requirement(env), "kam_manager_1")
    with raises_and_rolls_back(env, UserError, match="approved_user_id"):
        req.write({"approved_user_id": ref(env, "user_kam_manager_1").id})
    with raises_and_rolls_back(env, UserError, match="starts as received"):
        new_requirement(env, state="approved")


def test_author_of_the_solution_cannot_approve_it(env):
    """The KAM who writes and submits the solution himself does not
    approve it: the regional manager does (R6)."""
    req = act_as(new_requirement(env), "kam_manager_1")
    req.action_start()
    req.write({"solution": "<p>My own idea.</p>"})
    req.action_submit_solution()
    assert req.solution_user_id == ref(env, "user_kam_manager_1")
    assert req.stage_user_id == ref(env, "user_kam_regional")
    assert open_activities(req).user_id == ref(env, "user_kam_regional")
    with raises_and_rolls_back(env, AccessError, match="you wrote"):
        req.action_approve()
    act_as(req, "kam_regional").action_approve()
    assert req.state == "approved"


def test_technical_support_cannot_approve(env):
    req = ref(env, "requirement_review")
    with raises_and_rolls_back(env, AccessError, match="Approve"):
        act_as(req, "kam_support").action_approve()
    with raises_and_rolls_back(env, AccessError):
        act_as(req, "kam_manager_2").action_approve()
    assert req.state == "review"


def test_director_approves_any_solution(env):
    req = ref(env, "requirement_review")
    act_as(req, "kam_director").action_approve()
    assert req.state == "approved"


def test_only_the_assigned_support_submits(env):
    req = ref(env, "requirement_drafting")  # kam_support drafts
    team = req.partner_id.kam_support_team_id  # kam_service is on it too
    assert ref(env, "user_kam_service") in team.member_ids.mapped("user_id")
    with raises_and_rolls_back(env, AccessError, match="Submit Solution"):
        act_as(req, "kam_service").action_submit_solution()
    with raises_and_rolls_back(env, UserError, match="write the solution"):
        act_as(req, "kam_support").action_submit_solution()


def test_send_back_needs_a_reason(env):
    req = act_as(ref(env, "requirement_review"), "kam_manager_1")
    for reason in (None, "", "   "):
        with raises_and_rolls_back(env, UserError, match="Reason"):
            req.action_reject(reason=reason)
    assert req.state == "review"
    wizard = env["kam.requirement.reject.wizard"].with_env(req.env).create({
        "requirement_id": req.id, "reason": "Cost the N+1 option too."})
    wizard.action_reject()
    assert req.state == "drafting"
    assert req.reject_reason == "Cost the N+1 option too."
    activity = open_activities(req)
    assert activity.user_id == ref(env, "user_kam_support")
    assert "Cost the N+1 option too." in activity.note
    assert req.stage_log_ids.sorted("id")[-1].note == \
        "Cost the N+1 option too."
    # the solution can be reworked again
    act_as(req, "kam_support").write({"solution": "<p>With costs.</p>"})


def test_submitted_solution_is_frozen(env):
    req = act_as(ref(env, "requirement_review"), "kam_support")
    with raises_and_rolls_back(env, UserError, match="was submitted"):
        req.write({"solution": "<p>sneaky edit</p>"})


def test_technical_support_must_be_on_the_team(env):
    with raises_and_rolls_back(env, ValidationError,
                               match="not an active member"):
        new_requirement(env, tech_user_id=ref(env, "user_kam_support_2").id)


def test_requirement_only_for_key_accounts(env):
    with raises_and_rolls_back(env, ValidationError,
                               match="not a key account"):
        new_requirement(env, login="kam_director",
                        account="partner_kam_prospect_fuzhou")


def test_errors_are_translated(env):
    zh = env(context={"lang": "zh_CN"})
    req = zh[Req].with_env(as_user(zh, "kam_manager_1")).browse(
        ref(zh, "requirement_review").id)
    with pytest.raises(UserError) as info:
        req.action_reject(reason="")
    assert "原因" in info.value.name


# ----------------------------------------------------------------------
# Stage targets and overdue
# ----------------------------------------------------------------------
def test_overdue_follows_the_configured_targets(env):
    req = new_requirement(env, date_received=hours_ago(5))
    assert not req.is_overdue
    overdue = [("is_overdue", "=", True)]
    assert req not in env[Req].search(overdue)
    target = ref(env, "requirement_stage_target_received").with_env(
        as_user(env, "kam_director"))
    target.write({"target_hours": 4})
    req.invalidate_cache()
    assert req.is_overdue
    assert req in env[Req].search(overdue)
    assert req not in env[Req].search([("is_overdue", "=", False)])
    assert req.stage_deadline == fields.Datetime.to_string(
        fields.Datetime.from_string(req.date_received) + timedelta(hours=4))
    target.write({"target_hours": 0})  # no target: never overdue
    req.invalidate_cache()
    assert not req.is_overdue and req not in env[Req].search(overdue)


def test_only_directors_edit_targets(env):
    target = ref(env, "requirement_stage_target_review")
    for login in ("kam_manager_1", "kam_regional", "kam_secretary"):
        with raises_and_rolls_back(env, AccessError):
            target.with_env(as_user(env, login)).write({"target_hours": 1})
    with raises_and_rolls_back(env, ValidationError, match="negative"):
        target.with_env(as_user(env, "kam_director")).write(
            {"target_hours": -1})


def test_kanban_shows_every_stage(env):
    groups = env[Req].with_env(as_user(env, "kam_manager_1")).read_group(
        [], ["state"], ["state"])
    assert [g["state"] for g in groups] == [
        "received", "drafting", "review", "approved", "delivered",
        "cancelled"]


def test_demo_has_a_requirement_at_each_stage(env):
    states = set(env[Req].search([]).mapped("state"))
    assert states == {"received", "drafting", "review", "approved",
                      "delivered", "cancelled"}


def test_partner_shows_open_requirements(env):
    account = ref(env, "partner_kam_shanghai_metro").with_env(
        as_user(env, "kam_manager_1"))
    open_reqs = account.kam_open_requirement_ids
    assert open_reqs and set(open_reqs.mapped("state")) <= {
        "received", "drafting", "review", "approved"}
    assert account.kam_open_requirement_count == len(open_reqs)
    assert ref(env, "requirement_delivered") not in open_reqs
    action = account.action_kam_view_requirements()
    assert env[Req].search(action["domain"] + [
        ("state", "not in", ("delivered", "cancelled"))]) == open_reqs


# ----------------------------------------------------------------------
# Access per role
# ----------------------------------------------------------------------
def visible(env, login):
    return env[Req].with_env(as_user(env, login)).search([])


def test_requirement_access_per_role(env):
    total = env[Req].search([])
    east = ref(env, "region_east_china")
    kam1 = visible(env, "kam_manager_1")
    assert kam1 and set(kam1.mapped("kam_manager_id.login")) == {
        "kam_manager_1"}
    assert set(visible(env, "kam_regional").mapped(
        "partner_id.kam_region_id")) == {east}
    assert visible(env, "kam_director") == total
    assert visible(env, "kam_secretary") == total
    # support staff: only the requirements of their teams' accounts
    support = visible(env, "kam_support")
    assert set(support.mapped("partner_id.name")) == {
        ref(env, "partner_kam_shanghai_metro").name,
        ref(env, "partner_kam_hangzhou_mall").name}
    assert visible(env, "kam_support_2") == ref(env, "requirement_wuxi")
    with pytest.raises(AccessError):
        ref(env, "requirement_wuxi").with_env(
            as_user(env, "kam_support")).read(["name"])
    # stage times follow the requirement
    logs = env["kam.requirement.stage.log"].with_env(
        as_user(env, "kam_support_2")).search([])
    assert logs.mapped("requirement_id") == ref(env, "requirement_wuxi")


def test_secretary_reads_but_does_not_write(env):
    req = ref(env, "requirement_received").with_env(
        as_user(env, "kam_secretary"))
    assert req.read(["name"])
    with raises_and_rolls_back(env, AccessError):
        req.write({"name": "x"})
    with raises_and_rolls_back(env, AccessError):
        req.action_start()


def test_kam_cannot_create_for_another_kams_account(env):
    with raises_and_rolls_back(env, AccessError):
        new_requirement(env, login="kam_manager_1",
                        account="partner_kam_wuxi_semicon")


def test_support_cannot_create_requirements(env):
    with raises_and_rolls_back(env, AccessError):
        new_requirement(env, login="kam_support")


# ----------------------------------------------------------------------
# The public methods over XML-RPC, as the demo users call them
# ----------------------------------------------------------------------
def rpc_fault(server, *args, **kwargs):
    import xmlrpc.client
    with pytest.raises(xmlrpc.client.Fault) as info:
        server.call(*args, **kwargs)
    return info.value.faultString


def test_rpc_checks_rights_and_input(server):
    req = server.ref("kam_management.requirement_review")
    message = rpc_fault(server, "kam_support", "kam.requirement",
                        "action_approve", [req])
    assert "Approve" in message
    message = rpc_fault(server, "kam_manager_1", "kam.requirement",
                        "action_reject", [req])
    assert "Reason" in message
    message = rpc_fault(server, "kam_manager_1", "kam.requirement", "write",
                        [req], {"state": "delivered"})
    assert "Impossible transition" in message
    rpc_fault(server, "kam_manager_2", "kam.requirement", "read", [req],
              ["name"])
    row = server.call("admin", "kam.requirement", "read", [req],
                      ["state"])[0]
    assert row["state"] == "review"
