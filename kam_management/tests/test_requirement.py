# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One-stop service (R6): requirement -> solution drafted by technical
support -> approved by the KAM (never by its author) -> delivered; hand-over
activities, stage times and targets; access per role.

Times are counted back from now by the clock the addon reads
(``fields.Datetime.now``): no test depends on the day it runs. The public
methods over XML-RPC are tested in the repository's
``tests/test_requirement.py``.
"""
from contextlib import contextmanager
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import NO_RIGHT, NO_RULE, KamCase, as_user, hours_ago, ref

Req = "kam.requirement"


def new_requirement(env, login="kam_manager_1",
                    account="partner_kam_shanghai_metro", **vals):
    vals.setdefault("name", "Chiller plant optimisation")
    vals["partner_id"] = ref(env, account).id
    return env[Req].with_env(as_user(env, login)).create(vals)


def open_activities(req):
    activity_type = ref(req.env, "mail_activity_type_kam_requirement")
    # sudo: every activity, whoever it is assigned to
    return req.env["mail.activity"].sudo().search([
        ("res_model", "=", Req), ("res_id", "=", req.id),
        ("activity_type_id", "=", activity_type.id)])


def act_as(req, login):
    return req.with_env(as_user(req.env, login))


def visible(env, login):
    return env[Req].with_env(as_user(env, login)).search([])


class RequirementCase(KamCase):

    @contextmanager
    def refused_in_stage(self, exc, match, req):
        """``raises_and_rolls_back``, also reading the stage of ``req`` in
        the database at the moment of the error, before the rollback: the
        refused call had moved nothing yet. (After the rollback the stage
        is the old one whatever the call did.) Yields a list that holds
        that stage once the block is over."""
        seen = []
        with self.assertRaisesRegex(exc, match):
            with self.env.cr.savepoint():
                try:
                    yield seen
                except exc:
                    self.env.cache.invalidate()
                    seen.append(self.env[Req].browse(req.id).state)
                    raise
        self.env.clear()


# ----------------------------------------------------------------------
# The workflow
# ----------------------------------------------------------------------
class TestRequirementWorkflow(RequirementCase):

    def test_full_workflow_hands_over_with_activities_and_times(self):
        env = self.env
        kam1, support = "kam_manager_1", "kam_support"
        req = new_requirement(env)
        # defaults: received by the KAM, drafted by the team's technical
        # support
        self.assertEqual(req.state, "received")
        self.assertEqual(req.received_user_id,
                         ref(env, "user_kam_manager_1"))
        self.assertEqual(req.tech_user_id, ref(env, "user_kam_support"))
        self.assertEqual(open_activities(req).user_id,
                         ref(env, "user_kam_manager_1"))

        act_as(req, kam1).action_start()
        self.assertEqual(req.state, "drafting")
        activity = open_activities(req)
        self.assertEqual(activity.user_id, ref(env, "user_kam_support"))
        self.assertEqual(activity.summary, "Draft the solution")

        act_as(req, support).write(
            {"solution": "<p>Variable-speed pumps.</p>"})
        act_as(req, support).action_submit_solution()
        self.assertEqual(req.state, "review")
        self.assertEqual(req.solution_user_id,
                         ref(env, "user_kam_support"))
        self.assertEqual(open_activities(req).user_id,
                         ref(env, "user_kam_manager_1"))

        act_as(req, kam1).action_approve()
        self.assertEqual(req.state, "approved")
        self.assertEqual(req.approved_user_id,
                         ref(env, "user_kam_manager_1"))
        self.assertEqual(open_activities(req).user_id,
                         ref(env, "user_kam_manager_1"))

        act_as(req, kam1).action_deliver()
        self.assertEqual(req.state, "delivered")
        self.assertTrue(req.date_delivered)
        self.assertFalse(open_activities(req))
        # each done hand-over is in the chatter, each stage in the time log
        done = req.message_ids.filtered(
            lambda m: m.mail_activity_type_id == ref(
                env, "mail_activity_type_kam_requirement"))
        self.assertEqual(len(done), 4)
        logs = req.stage_log_ids.sorted("id")
        self.assertEqual([log.state for log in logs],
                         ["received", "drafting", "review", "approved"])
        self.assertTrue(all(log.date_end for log in logs))
        self.assertEqual([log.user_id.login for log in logs],
                         [kam1, support, kam1, kam1])
        self.assertEqual(logs[0].target_hours, 24.0)
        self.assertEqual(logs[1].target_hours, 72.0)

    def test_received_stage_starts_at_the_received_date(self):
        req = new_requirement(self.env, date_received=hours_ago(30))
        self.assertEqual(req.date_stage_start, req.date_received)
        self.assertTrue(req.is_overdue)  # 30 h > 24 h target
        log = req.stage_log_ids
        self.assertEqual(log.date_start, req.date_received)
        self.assertTrue(log.is_overdue)

    def test_impossible_transitions_are_refused(self):
        req = act_as(new_requirement(self.env), "kam_manager_1")
        for action in ("action_approve", "action_deliver",
                       "action_submit_solution"):
            with self.subTest(action=action):
                with self.raises_and_rolls_back(
                        UserError, r'"[^"]+" is Received; allowed only '
                                   r'from \w+\.'):
                    getattr(req, action)()
        # the stage is checked before the reason
        with self.raises_and_rolls_back(
                UserError, "Send Back: .* is Received; allowed only from "
                           "Review"):
            req.action_reject(reason="no")
        req.action_start()
        with self.raises_and_rolls_back(
                UserError, "Start: .* is Drafting; allowed only from "
                           "Received"):
            req.action_start()
        # moving the kanban card runs the same checks
        with self.refused_in_stage(
                UserError, "Move to Delivered: .* is Drafting; allowed only "
                           "from Approved",
                req) as stage:
            req.write({"state": "delivered"})
        self.assertEqual(stage, ["drafting"])

    def test_dragging_a_card_runs_the_action(self):
        req = act_as(new_requirement(self.env), "kam_manager_1")
        req.write({"state": "drafting"})
        self.assertEqual(req.state, "drafting")
        self.assertEqual(open_activities(req).user_id,
                         ref(self.env, "user_kam_support"))
        # review -> drafting needs the reason, given only through the wizard
        req.write({"solution": "<p>x</p>"})
        req.write({"state": "review"})
        self.assertEqual(req.state, "review")
        with self.refused_in_stage(UserError, "Reason", req) as stage:
            req.write({"state": "drafting"})
        self.assertEqual(stage, ["review"])

    def test_workflow_fields_cannot_be_written(self):
        env = self.env
        req = act_as(new_requirement(env), "kam_manager_1")
        with self.raises_and_rolls_back(UserError, "approved_user_id"):
            req.write({"approved_user_id": ref(env,
                                               "user_kam_manager_1").id})
        with self.raises_and_rolls_back(UserError, "starts as received"):
            new_requirement(env, state="approved")

    def test_author_of_the_solution_cannot_approve_it(self):
        """The KAM who writes and submits the solution himself does not
        approve it: the regional manager does (R6)."""
        env = self.env
        req = act_as(new_requirement(env), "kam_manager_1")
        req.action_start()
        req.write({"solution": "<p>My own idea.</p>"})
        req.action_submit_solution()
        self.assertEqual(req.solution_user_id,
                         ref(env, "user_kam_manager_1"))
        self.assertEqual(req.stage_user_id, ref(env, "user_kam_regional"))
        self.assertEqual(open_activities(req).user_id,
                         ref(env, "user_kam_regional"))
        with self.refused_in_stage(AccessError, "you wrote", req) as stage:
            req.action_approve()
        self.assertEqual(stage, ["review"])
        act_as(req, "kam_regional").action_approve()
        self.assertEqual(req.state, "approved")

    def test_technical_support_cannot_approve(self):
        req = ref(self.env, "requirement_review")
        with self.refused_in_stage(AccessError, "Approve", req) as stage:
            act_as(req, "kam_support").action_approve()
        self.assertEqual(stage, ["review"])
        # another KAM does not even see the account's requirement
        with self.refused_in_stage(AccessError, NO_RULE, req) as stage:
            act_as(req, "kam_manager_2").action_approve()
        self.assertEqual(stage, ["review"])

    def test_director_approves_any_solution(self):
        """With a reason (the KAM approves as a rule, see
        TestSolutionApproval)."""
        req = ref(self.env, "requirement_review")
        act_as(req, "kam_director").action_approve(
            reason="The key account manager is on leave.")
        self.assertEqual(req.state, "approved")

    def test_only_the_assigned_support_submits(self):
        env = self.env
        req = ref(env, "requirement_drafting")  # kam_support drafts
        team = req.partner_id.kam_support_team_id  # kam_service is on it
        self.assertIn(ref(env, "user_kam_service"),
                      team.member_ids.mapped("user_id"))
        with self.raises_and_rolls_back(AccessError, "Submit Solution"):
            act_as(req, "kam_service").action_submit_solution()
        with self.raises_and_rolls_back(UserError, "write the solution"):
            act_as(req, "kam_support").action_submit_solution()

    def test_send_back_needs_a_reason(self):
        env = self.env
        req = act_as(ref(env, "requirement_review"), "kam_manager_1")
        for reason in (None, "", "   "):
            with self.subTest(reason=reason):
                with self.refused_in_stage(UserError, "Reason",
                                           req) as stage:
                    req.action_reject(reason=reason)
                self.assertEqual(stage, ["review"])
        wizard = env["kam.requirement.reject.wizard"].with_env(
            req.env).create({"requirement_id": req.id,
                             "reason": "Cost the N+1 option too."})
        wizard.action_reject()
        self.assertEqual(req.state, "drafting")
        self.assertEqual(req.reject_reason, "Cost the N+1 option too.")
        activity = open_activities(req)
        self.assertEqual(activity.user_id, ref(env, "user_kam_support"))
        self.assertIn("Cost the N+1 option too.", activity.note)
        self.assertEqual(req.stage_log_ids.sorted("id")[-1].note,
                         "Cost the N+1 option too.")
        # the solution can be reworked again
        act_as(req, "kam_support").write({"solution": "<p>With costs.</p>"})
        self.assertIn("With costs.", req.solution)

    def test_submitted_solution_is_frozen(self):
        req = act_as(ref(self.env, "requirement_review"), "kam_support")
        with self.raises_and_rolls_back(UserError, "was submitted"):
            req.write({"solution": "<p>sneaky edit</p>"})

    def test_technical_support_must_be_on_the_team(self):
        with self.raises_and_rolls_back(ValidationError,
                                        "not an active member"):
            new_requirement(self.env, tech_user_id=ref(
                self.env, "user_kam_support_2").id)

    def test_requirement_only_for_key_accounts(self):
        with self.raises_and_rolls_back(ValidationError,
                                        "not a key account"):
            new_requirement(self.env, login="kam_director",
                            account="partner_kam_prospect_fuzhou")

    def test_errors_are_translated(self):
        zh = self.env(context={"lang": "zh_CN"})
        req = zh[Req].with_env(as_user(zh, "kam_manager_1")).browse(
            ref(zh, "requirement_review").id)
        with self.raises_and_rolls_back(UserError, "原因") as info:
            req.action_reject(reason="")
        self.assertIn("原因", info.exception.name)


# ----------------------------------------------------------------------
# Who approves a solution (R6)
# ----------------------------------------------------------------------
APPROVAL_PARAM = "kam_management.solution_approval_kam_only"
ABSENT = "Sun Li is at a customer site in Xi an all week."


class TestSolutionApproval(RequirementCase):
    """The KAM approves; a regional manager or a director only with a
    recorded reason; the regional manager without one when the KAM wrote
    the solution; the setting off restores "any manager, no reason"."""

    def setUp(self):
        super(TestSolutionApproval, self).setUp()
        # the parameter is cached by the registry, which the rollback of a
        # test does not undo
        self.addCleanup(self.registry.clear_caches)

    def review(self):
        """A requirement of kam_manager_1's account in review, whose
        solution kam_support wrote."""
        req = ref(self.env, "requirement_review")
        self.assertEqual(req.state, "review")
        self.assertEqual(req.solution_user_id,
                         ref(self.env, "user_kam_support"))
        return req

    def new_in_review(self):
        """A new requirement of kam_manager_1's account whose solution
        kam_support submitted."""
        req = new_requirement(self.env)
        act_as(req, "kam_manager_1").action_start()
        act_as(req, "kam_support").write({"solution": "<p>Two pumps.</p>"})
        act_as(req, "kam_support").action_submit_solution()
        self.assertEqual(req.state, "review")
        return req

    def set_kam_only(self, value):
        self.env["ir.config_parameter"].set_param(APPROVAL_PARAM, value)

    def test_kam_approves_without_a_reason(self):
        req = self.review()
        act_as(req, "kam_manager_1").action_approve()
        self.assertEqual(req.state, "approved")
        self.assertEqual(req.approved_user_id,
                         ref(self.env, "user_kam_manager_1"))
        self.assertFalse(req.approval_reason)

    def test_others_need_a_reason(self):
        for login in ("kam_regional", "kam_director"):
            for reason in (None, "", "   "):
                with self.subTest(login=login, reason=reason):
                    req = self.review()
                    with self.refused_in_stage(
                            UserError, r"Reason: you approve the solution "
                                       r"of .* instead of ", req) as stage:
                        act_as(req, login).action_approve(reason=reason)
                    self.assertEqual(stage, ["review"])
                    self.assertFalse(req.approved_user_id)
                    self.assertFalse(req.approval_reason)
        # dragging the card to Approved is the same button
        req = act_as(self.review(), "kam_regional")
        with self.refused_in_stage(UserError, "Reason", req) as stage:
            req.write({"state": "approved"})
        self.assertEqual(stage, ["review"])

    def test_regional_manager_approves_with_a_reason(self):
        req = self.review()
        act_as(req, "kam_regional").action_approve(reason="  %s " % ABSENT)
        self.assertEqual(req.state, "approved")
        self.assertEqual(req.approved_user_id,
                         ref(self.env, "user_kam_regional"))
        self.assertEqual(req.approval_reason, ABSENT)
        # the hand-over activity's feedback in the chatter says why
        self.assertTrue([m for m in req.message_ids if ABSENT in m.body])
        # the stage log and the next step as for the KAM's approval
        self.assertEqual(req.stage_user_id,
                         ref(self.env, "user_kam_manager_1"))
        self.assertEqual(req.stage_log_ids.sorted("id")[-1].state,
                         "approved")

    def test_reason_in_the_context(self):
        """The RPC path without the argument: the context key."""
        req = self.review()
        act_as(req, "kam_director").with_context(
            kam_approval_reason=ABSENT).action_approve()
        self.assertEqual(req.state, "approved")
        self.assertEqual(req.approval_reason, ABSENT)

    def test_reason_must_be_text(self):
        req = act_as(self.review(), "kam_regional")
        with self.refused_in_stage(UserError, "Reason: give the reason as "
                                              "a text", req) as stage:
            req.action_approve(reason=42)
        self.assertEqual(stage, ["review"])

    def test_the_form_button_asks_only_who_needs_to_say_why(self):
        req = self.review()
        # the KAM: approved at once
        act_as(req, "kam_manager_1").action_approve_ask_reason()
        self.assertEqual(req.state, "approved")
        # the regional manager: the wizard, which records the reason
        req = ref(self.env, "requirement_reworked")  # drafting, kam_support
        act_as(req, "kam_support").write({"solution": "<p>Payback 3 y.</p>"})
        act_as(req, "kam_support").action_submit_solution()
        action = act_as(req, "kam_regional").action_approve_ask_reason()
        self.assertEqual(action["res_model"],
                         "kam.requirement.approve.wizard")
        self.assertEqual(req.state, "review")
        Wizard = self.env["kam.requirement.approve.wizard"].with_env(
            as_user(self.env, "kam_regional")).with_context(
                action["context"])
        wizard = Wizard.create({"reason": ABSENT})
        self.assertEqual(wizard.requirement_id, req)
        self.assertEqual(wizard.approver_id,
                         ref(self.env, "user_kam_manager_1"))
        wizard.action_approve()
        self.assertEqual(req.state, "approved")
        self.assertEqual(req.approval_reason, ABSENT)
        # who may not approve does not get the wizard either
        other = self.new_in_review()
        with self.raises_and_rolls_back(AccessError, "Approve"):
            act_as(other, "kam_support").action_approve_ask_reason()

    def test_kam_wrote_it_regional_manager_approves_without_reason(self):
        env = self.env
        req = act_as(new_requirement(env), "kam_manager_1")
        req.action_start()
        req.write({"solution": "<p>My own idea.</p>"})
        req.action_submit_solution()
        with self.refused_in_stage(AccessError, "you wrote", req) as stage:
            req.action_approve(reason=ABSENT)
        self.assertEqual(stage, ["review"])
        # a director still says why: the regional manager approves
        with self.refused_in_stage(UserError, "Reason", req) as stage:
            act_as(req, "kam_director").action_approve()
        self.assertEqual(stage, ["review"])
        act_as(req, "kam_regional").action_approve()
        self.assertEqual(req.state, "approved")
        self.assertEqual(req.approved_user_id,
                         ref(env, "user_kam_regional"))
        self.assertFalse(req.approval_reason)

    def test_setting_off_restores_any_manager(self):
        self.set_kam_only("False")
        for login in ("kam_regional", "kam_director"):
            with self.subTest(login=login):
                req = self.new_in_review()
                act_as(req, login).action_approve()
                self.assertEqual(req.state, "approved")
                self.assertEqual(req.approved_user_id, self.user(login))
                self.assertFalse(req.approval_reason)
        # the author is still refused
        req = act_as(new_requirement(self.env), "kam_manager_1")
        req.action_start()
        req.write({"solution": "<p>Mine.</p>"})
        req.action_submit_solution()
        with self.raises_and_rolls_back(AccessError, "you wrote"):
            req.action_approve()
        # the form button approves at once
        req = self.new_in_review()
        act_as(req, "kam_director").action_approve_ask_reason()
        self.assertEqual(req.state, "approved")

    def test_setting_in_the_settings(self):
        Settings = self.env["res.config.settings"]
        self.assertTrue(Settings.create({}).kam_solution_approval_kam_only)
        # set_values, what "Save" runs (execute() would also reset the
        # environments of the test, for the installed module_* settings)
        Settings.create({"kam_solution_approval_kam_only": False}).set_values()
        self.assertEqual(self.env["ir.config_parameter"].get_param(
            APPROVAL_PARAM), "False")
        self.assertFalse(Settings.create({}).kam_solution_approval_kam_only)
        req = self.review()
        act_as(req, "kam_regional").action_approve()
        self.assertEqual(req.state, "approved")
        Settings.create({"kam_solution_approval_kam_only": True}).set_values()
        self.assertEqual(self.env["ir.config_parameter"].get_param(
            APPROVAL_PARAM), "True")

    def test_setting_takes_true_or_false_only(self):
        for value in ("yes please", "2", ""):
            with self.subTest(value=value):
                with self.raises_and_rolls_back(
                        ValidationError, "%s: .* use True or False"
                        % APPROVAL_PARAM):
                    self.set_kam_only(value)
        for value in ("true", " FALSE ", "1", "0"):
            self.set_kam_only(value)


# ----------------------------------------------------------------------
# Stage targets and overdue
# ----------------------------------------------------------------------
class TestRequirementTargets(RequirementCase):

    def test_overdue_follows_the_configured_targets(self):
        env = self.env
        req = new_requirement(env, date_received=hours_ago(5))
        self.assertFalse(req.is_overdue)
        overdue = [("is_overdue", "=", True)]
        self.assertNotIn(req, env[Req].search(overdue))
        target = ref(env, "requirement_stage_target_received").with_env(
            as_user(env, "kam_director"))
        target.write({"target_hours": 4})
        req.invalidate_cache()
        self.assertTrue(req.is_overdue)
        self.assertIn(req, env[Req].search(overdue))
        self.assertNotIn(req, env[Req].search([("is_overdue", "=", False)]))
        self.assertEqual(req.stage_deadline, fields.Datetime.to_string(
            fields.Datetime.from_string(req.date_received)
            + timedelta(hours=4)))
        target.write({"target_hours": 0})  # no target: never overdue
        req.invalidate_cache()
        self.assertFalse(req.is_overdue)
        self.assertNotIn(req, env[Req].search(overdue))

    def test_only_directors_edit_targets(self):
        env = self.env
        target = ref(env, "requirement_stage_target_review")
        for login in ("kam_manager_1", "kam_regional", "kam_secretary"):
            with self.subTest(login=login):
                with self.raises_and_rolls_back(AccessError, NO_RIGHT):
                    target.with_env(as_user(env, login)).write(
                        {"target_hours": 1})
        with self.raises_and_rolls_back(ValidationError, "negative"):
            target.with_env(as_user(env, "kam_director")).write(
                {"target_hours": -1})

    def test_kanban_shows_every_stage(self):
        groups = self.env[Req].with_env(
            as_user(self.env, "kam_manager_1")).read_group(
                [], ["state"], ["state"])
        self.assertEqual([g["state"] for g in groups],
                         ["received", "drafting", "review", "approved",
                          "delivered", "cancelled"])

    def test_demo_has_a_requirement_at_each_stage(self):
        states = set(self.env[Req].search([]).mapped("state"))
        self.assertEqual(states, {"received", "drafting", "review",
                                  "approved", "delivered", "cancelled"})

    def test_partner_shows_open_requirements(self):
        env = self.env
        account = ref(env, "partner_kam_shanghai_metro").with_env(
            as_user(env, "kam_manager_1"))
        open_reqs = account.kam_open_requirement_ids
        self.assertTrue(open_reqs)
        self.assertLessEqual(set(open_reqs.mapped("state")),
                             {"received", "drafting", "review", "approved"})
        self.assertEqual(account.kam_open_requirement_count, len(open_reqs))
        self.assertNotIn(ref(env, "requirement_delivered"), open_reqs)
        action = account.action_kam_view_requirements()
        self.assertEqual(env[Req].search(action["domain"] + [
            ("state", "not in", ("delivered", "cancelled"))]), open_reqs)


# ----------------------------------------------------------------------
# Access per role
# ----------------------------------------------------------------------
class TestRequirementAccess(RequirementCase):

    def test_requirement_access_per_role(self):
        env = self.env
        total = env[Req].search([])
        east = ref(env, "region_east_china")
        kam1 = visible(env, "kam_manager_1")
        self.assertTrue(kam1)
        self.assertEqual(set(kam1.mapped("kam_manager_id.login")),
                         {"kam_manager_1"})
        self.assertEqual(set(visible(env, "kam_regional").mapped(
            "partner_id.kam_region_id")), {east})
        self.assertEqual(visible(env, "kam_director"), total)
        self.assertEqual(visible(env, "kam_secretary"), total)
        # support staff: only the requirements of their teams' accounts
        support = visible(env, "kam_support")
        self.assertEqual(set(support.mapped("partner_id.name")), {
            ref(env, "partner_kam_shanghai_metro").name,
            ref(env, "partner_kam_hangzhou_mall").name})
        self.assertEqual(visible(env, "kam_support_2"),
                         ref(env, "requirement_wuxi"))
        with self.raises_and_rolls_back(AccessError, NO_RULE):
            ref(env, "requirement_wuxi").with_env(
                as_user(env, "kam_support")).read(["name"])
        # stage times follow the requirement
        logs = env["kam.requirement.stage.log"].with_env(
            as_user(env, "kam_support_2")).search([])
        self.assertEqual(logs.mapped("requirement_id"),
                         ref(env, "requirement_wuxi"))

    def test_secretary_reads_but_does_not_write(self):
        env = self.env
        req = ref(env, "requirement_received").with_env(
            as_user(env, "kam_secretary"))
        self.assertTrue(req.read(["name"]))
        with self.raises_and_rolls_back(AccessError, NO_RIGHT):
            req.write({"name": "x"})
        with self.raises_and_rolls_back(AccessError, NO_RIGHT):
            req.action_start()

    def test_kam_cannot_create_for_another_kams_account(self):
        with self.raises_and_rolls_back(AccessError, NO_RULE):
            new_requirement(self.env, login="kam_manager_1",
                            account="partner_kam_wuxi_semicon")

    def test_support_cannot_create_requirements(self):
        with self.raises_and_rolls_back(AccessError, NO_RIGHT):
            new_requirement(self.env, login="kam_support")
