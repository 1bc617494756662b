# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One workflow pattern (``kam.workflow.mixin``) for visits, requirements,
complaints, information and month-end reports: the same error for a move
refused in the current state, the same handling of a state written
directly (a kanban card dragged), the same rule for the superuser.

Each model's own workflow (side effects, reviewers...) is tested in its
own module; here, what the five share.
"""
from datetime import datetime, time, timedelta

from odoo.exceptions import AccessError, UserError

from .common import KamCase, as_user, ds, month_start, ref, today

MODELS = ("kam.visit", "kam.requirement", "kam.complaint", "kam.info",
          "kam.report", "kam.month.handin")


def past():
    return ds(datetime.combine(today() - timedelta(days=10), time(9)))


def shape(action, record, state, allowed):
    """The one refusal of a move in the wrong state."""
    return '%s: "%s" is %s; allowed only from %s.' % (
        action, record.display_name, state, allowed)


class WorkflowCase(KamCase):

    def new(self, model, login, **vals):
        env = self.env
        base = {
            "kam.visit": {
                "partner_id": ref(env, "partner_kam_suzhou_industrial").id,
                "visit_date": past(), "purpose": "Chiller retrofit"},
            "kam.requirement": {
                "partner_id": ref(env, "partner_kam_shanghai_metro").id,
                "name": "Chiller plant optimisation"},
            "kam.complaint": {
                "partner_id": ref(env, "partner_kam_shanghai_metro").id,
                "name": "Noisy unit"},
            "kam.info": {
                "partner_id": ref(env, "partner_kam_shanghai_metro").id,
                "name": "New plant", "importance": "normal",
                "category_id": ref(env, "info_category_competitor").id},
        }[model]
        base.update(vals)
        return env[model].with_env(self.as_user(login)).create(base)

    def new_report(self, login="kam_manager_1"):
        """A draft KAM report of a month far ahead (no demo report)."""
        return self.env["kam.report"].create({
            "report_type": "kam_monthly",
            "user_id": self.user(login).id,
            "region_id": self.kam_ref("region_east_china").id,
            "period_start": ds(month_start(months=600)),
        }).with_env(self.as_user(login))

    def assert_refused(self, record, call, action, state, allowed):
        """``call()`` raises the one error, and moves nothing."""
        with self.raises_and_rolls_back(UserError) as caught:
            call()
        self.assertEqual(caught.exception.name,
                         shape(action, record, state, allowed))
        return caught

    def stored_state(self, record):
        self.env.cr.execute(
            'SELECT state FROM "%s" WHERE id = %%s' % record._table,
            (record.id,))
        return self.env.cr.fetchone()[0]


class TestTransitionTables(WorkflowCase):
    """The five models declare their transitions the same way."""

    def test_tables_name_real_buttons_states_and_checks(self):
        for name in MODELS:
            model = self.env[name]
            with self.subTest(model=name):
                # (the model's own _inherit: an extension in another file,
                # such as kam_visit_check_in.py, inherits the model only)
                self.assertIn(name, self.env[
                    "kam.workflow.mixin"]._inherit_children)
                states = model._fields[model._kam_state_field].get_values(
                    self.env)
                self.assertTrue(model._kam_transitions)
                pairs = set()
                for action, move in model._kam_transitions.items():
                    self.assertTrue(callable(getattr(model, action)))
                    self.assertTrue(action.startswith("action_"))
                    self.assertLessEqual(set(move.sources), set(states))
                    self.assertIn(move.target, states)
                    self.assertTrue(move.label)
                    if move.who:
                        self.assertTrue(callable(getattr(model, move.who)))
                    for source in move.sources:
                        # a dragged card finds one transition at most
                        self.assertNotIn((source, move.target), pairs)
                        pairs.add((source, move.target))

    def test_old_state_checks_are_gone(self):
        for name in MODELS:
            with self.subTest(model=name):
                self.assertFalse(hasattr(self.env[name], "_kam_check_state"))

    def test_only_the_requirement_kanban_takes_moves(self):
        """The requirements are a kanban grouped by stage; the others
        move only through their buttons."""
        for name in MODELS:
            with self.subTest(model=name):
                self.assertEqual(self.env[name]._kam_takes_kanban_moves(),
                                 name == "kam.requirement")
        groups = self.env["kam.requirement"].read_group(
            [("id", "=", 0)], ["state"], ["state"])
        self.assertEqual([g["state"] for g in groups],
                         ["received", "drafting", "review", "approved",
                          "delivered", "cancelled"])


class TestOneErrorShape(WorkflowCase):
    """A button pressed in the wrong state: the same error everywhere."""

    def test_visit(self):
        visit = self.new("kam.visit", "kam_manager_1")
        self.assert_refused(visit, visit.action_submit, "Submit Report",
                            "Planned", "Done")
        self.assert_refused(visit, visit.action_plan, "Plan Again",
                            "Planned", "Cancelled")
        visit.action_done()
        self.assert_refused(visit, visit.action_done, "Mark as Done",
                            "Done", "Planned")

    def test_requirement(self):
        req = self.new("kam.requirement", "kam_manager_1")
        self.assert_refused(req, req.action_deliver, "Deliver", "Received",
                            "Approved")
        self.assert_refused(req, req.action_approve, "Approve", "Received",
                            "Review")
        req.action_cancel()
        self.assert_refused(req, req.action_cancel, "Cancel", "Cancelled",
                            "Received, Drafting, Review, Approved")

    def test_complaint(self):
        complaint = self.new("kam.complaint", "kam_manager_1")
        self.assert_refused(complaint, complaint.action_reopen, "Reopen",
                            "Received", "Resolved, Closed")
        complaint.action_respond()
        self.assert_refused(complaint, complaint.action_respond, "Respond",
                            "In Progress", "Received")

    def test_info(self):
        info = self.new("kam.info", "kam_manager_1")
        info.action_acknowledge()
        self.assert_refused(info, info.action_acknowledge, "Acknowledge",
                            "Acknowledged", "New")
        info.action_close()
        self.assert_refused(info, info.action_close, "Close", "Closed",
                            "New, Acknowledged")

    def test_report(self):
        report = self.new_report()
        self.assert_refused(report, report.action_acknowledge, "Acknowledge",
                            "Draft", "Submitted")
        report.action_submit()
        self.assert_refused(report, report.action_submit, "Submit",
                            "Submitted", "Draft")
        self.assert_refused(report, report.action_refresh_figures,
                            "Update Figures", "Submitted", "Draft")

    def test_the_error_is_translated(self):
        if not self.env["res.lang"].search([("code", "=", "zh_CN")]):
            self.skipTest("zh_CN is not installed")
        visit = self.new("kam.visit", "kam_manager_1")
        zh = visit.with_context(lang="zh_CN")
        with self.raises_and_rolls_back(UserError) as caught:
            zh.action_submit()
        self.assertIn("只能从", caught.exception.name)
        self.assertIn(visit.display_name, caught.exception.name)


class TestKanbanMoves(WorkflowCase):
    """Writing the state, as the kanban does when a card is dragged: the
    requirement runs the button, with its checks and side effects; the
    others refuse it with the same error, even where the button would
    move the record."""

    def test_requirement_drag_runs_the_button(self):
        req = self.new("kam.requirement", "kam_manager_1")
        activity_type = self.kam_ref("mail_activity_type_kam_requirement")
        req.write({"state": "drafting"})
        self.assertEqual(req.state, "drafting")
        # what Start does: the stage is logged and handed over
        self.assertEqual(req.stage_user_id, self.user("kam_support"))
        self.assertEqual(set(req.stage_log_ids.mapped("state")),
                         {"received", "drafting"})
        activities = self.env["mail.activity"].search([
            ("res_model", "=", "kam.requirement"), ("res_id", "=", req.id),
            ("activity_type_id", "=", activity_type.id)])
        self.assertEqual(activities.mapped("user_id"),
                         self.user("kam_support"))
        # the same column: nothing to do
        req.write({"state": "drafting", "description": "<p>Two units</p>"})
        self.assertEqual(req.state, "drafting")
        self.assertEqual(len(req.stage_log_ids), 2)

    def test_requirement_drag_refused_like_the_button(self):
        req = self.new("kam.requirement", "kam_manager_1")
        self.assert_refused(req, lambda: req.write({"state": "approved"}),
                            "Move to Approved", "Received", "Review")
        self.assertEqual(req.state, "received")
        self.assert_refused(req, lambda: req.write({"state": "delivered"}),
                            "Move to Delivered", "Received", "Approved")
        # back to a column no transition leads to
        req.action_start()
        self.assert_refused(req, lambda: req.write({"state": "received"}),
                            "Move to Received", "Drafting", "no state")

    def test_requirement_drag_checks_who_like_the_button(self):
        req = self.new("kam.requirement", "kam_manager_1")
        support = req.with_env(self.as_user("kam_support"))
        for call in (support.action_start,
                     lambda: support.write({"state": "drafting"})):
            with self.raises_and_rolls_back(
                    AccessError, "Start: only the key account manager"):
                call()
        self.assertEqual(self.stored_state(req), "received")
        # the card dragged back to drafting needs the reason, which only
        # the Send Back wizard asks for
        req.action_start()
        req.write({"solution": "<p>Two chillers in parallel</p>"})
        support.write({"state": "review"})
        self.assertEqual(req.state, "review")
        self.assertEqual(req.solution_user_id, self.user("kam_support"))
        with self.raises_and_rolls_back(UserError, "Reason"):
            req.write({"state": "drafting"})
        self.assertEqual(self.stored_state(req), "review")

    def test_visit_state_written_is_refused(self):
        visit = self.new("kam.visit", "kam_manager_1")
        # the visitor may mark it done, but with the button only
        self.assert_refused(visit, lambda: visit.write({"state": "done"}),
                            "Move to Done", "Planned", "no state")
        self.assertEqual(self.stored_state(visit), "planned")
        self.assertFalse(visit.date_done)
        visit.action_done()
        self.assertTrue(visit.date_done)

    def test_complaint_state_written_is_refused(self):
        complaint = self.new("kam.complaint", "kam_manager_1")
        self.assert_refused(
            complaint, lambda: complaint.write({"state": "in_progress"}),
            "Move to In Progress", "Received", "no state")
        self.assertEqual(self.stored_state(complaint), "new")
        self.assertFalse(complaint.date_first_response)

    def test_info_state_written_is_refused(self):
        info = self.new("kam.info", "kam_manager_1")
        kam = info.with_env(self.as_user("kam_manager_1"))
        self.assert_refused(info, lambda: kam.write({"state": "closed"}),
                            "Move to Closed", "New", "no state")
        self.assertEqual(self.stored_state(info), "new")
        kam.action_close()
        self.assertEqual(info.state, "closed")

    def test_report_state_written_is_refused(self):
        report = self.new_report()
        regional = report.with_env(self.as_user("kam_regional"))
        self.assert_refused(
            report, lambda: report.write({"state": "submitted"}),
            "Move to Submitted", "Draft", "no state")
        report.action_submit()
        self.assert_refused(
            report, lambda: regional.write({"state": "acknowledged"}),
            "Move to Acknowledged", "Submitted", "no state")
        self.assertEqual(self.stored_state(report), "submitted")
        self.assertFalse(report.acknowledged_by_id)

    def test_an_unknown_state_is_told_as_such(self):
        req = self.new("kam.requirement", "kam_manager_1")
        with self.raises_and_rolls_back(Exception, "Stage: this is not one"):
            req.write({"state": "flying"})


class TestWhoMayMove(WorkflowCase):
    """A user the model's check refuses cannot move the record."""

    def test_visit_visitor_cannot_review(self):
        visit = self.new("kam.visit", "kam_manager_1",
                         report_summary="Agreed on a pilot")
        visit.action_done()
        visit.action_submit()
        with self.raises_and_rolls_back(AccessError, "your own visit"):
            visit.action_review()
        visit.with_env(self.as_user("kam_regional")).action_review()
        self.assertEqual(visit.state, "reviewed")

    def test_requirement_author_cannot_approve(self):
        req = self.new("kam.requirement", "kam_manager_1")
        req.action_start()
        req.write({"solution": "<p>Two chillers</p>"})
        req.action_submit_solution()
        with self.raises_and_rolls_back(AccessError, "you wrote"):
            req.action_approve()
        with self.raises_and_rolls_back(AccessError, "you wrote"):
            req.write({"state": "approved"})
        req.with_env(self.as_user("kam_regional")).action_approve()
        self.assertEqual(req.state, "approved")

    def test_complaint_station_cannot_cancel(self):
        complaint = self.new("kam.complaint", "kam_manager_1")
        service = complaint.with_env(as_user(self.env, "kam_service"))
        with self.raises_and_rolls_back(AccessError, "Cancel: only"):
            service.action_cancel()
        service.action_respond()
        self.assertEqual(complaint.state, "in_progress")

    def test_info_reporter_cannot_acknowledge_escalated(self):
        info = self.new("kam.info", "kam_manager_1", importance="important")
        with self.raises_and_rolls_back(AccessError,
                                        "You cannot acknowledge"):
            info.action_acknowledge()
        info.with_env(self.as_user("kam_regional")).action_acknowledge()
        self.assertEqual(info.state, "acknowledged")

    def test_report_only_the_author_submits(self):
        report = self.new_report()
        with self.raises_and_rolls_back(AccessError, "Only the author"):
            report.with_env(self.as_user("kam_regional")).action_submit()
        report.action_submit()
        with self.raises_and_rolls_back(AccessError, "own report"):
            report.action_acknowledge()


class TestSuperuser(WorkflowCase):
    """The superuser passes every check of who may move, never the check
    of the state; its direct writes of a state no transition leads to are
    stored as they are (data files, repairs)."""

    def test_superuser_passes_who_not_state(self):
        # sudo: the test is about the superuser
        report = self.new_report().sudo()
        self.assert_refused(report, report.action_acknowledge,
                            "Acknowledge", "Draft", "Submitted")
        report.action_submit()  # not the author
        self.assertEqual(report.state, "submitted")
        visit = self.new("kam.visit", "kam_manager_1",
                         report_summary="Agreed on a pilot")
        visit.action_done()
        visit.action_submit()
        visit.sudo().action_review()  # sudo: not the supervisor
        self.assertEqual(visit.state, "reviewed")

    def test_superuser_drag_runs_the_button(self):
        # sudo: the superuser's drag
        req = self.new("kam.requirement", "kam_manager_1").sudo()
        req.write({"state": "drafting"})
        self.assertEqual(req.stage_user_id, self.user("kam_support"))
        self.assertEqual(len(req.stage_log_ids), 2)

    def test_superuser_writes_a_state_as_is(self):
        visit = self.new("kam.visit", "kam_manager_1").sudo()
        visit.write({"state": "submitted"})
        self.assertEqual(self.stored_state(visit), "submitted")
        self.assertFalse(visit.date_submitted)


class TestWorkflowFields(WorkflowCase):
    """The fields the buttons and scheduled actions set (dates, stamps, who
    decided) are guarded once, by the mixin, for every document: a user's
    write is refused before anything is stored and names the fields (the
    state given with them too); the superuser writes them."""

    def test_every_document_declares_its_fields(self):
        for model in MODELS + ("kam.relationship.level.request",):
            with self.subTest(model=model):
                Model = self.env[model]
                declared = Model._kam_workflow_fields or \
                    Model._kam_user_fields
                self.assertTrue(declared)
                self.assertTrue(set(declared) <= set(Model._fields))

    def test_a_user_write_is_refused_whole(self):
        cases = [
            (self.new("kam.visit", "kam_manager_1"),
             {"date_reviewed": past(), "purpose": "Changed"}),
            (self.new("kam.requirement", "kam_manager_1"),
             {"date_approved": past(), "name": "Changed"}),
            (self.new("kam.complaint", "kam_manager_1"),
             {"resolution_breached": True, "name": "Changed"}),
            (self.new_report(), {"visits_done": 99, "comments": "Changed"}),
        ]
        for record, vals in cases:
            with self.subTest(model=record._name):
                before = record.read(list(vals))[0]
                fname = sorted(set(vals) & set(
                    record._kam_protected_fields(vals)))[0]
                with self.raises_and_rolls_back(
                        UserError, "cannot be written: %s" % fname):
                    record.write(vals)
                self.assertEqual(record.read(list(vals))[0], before)

    def test_the_state_given_with_them_is_named(self):
        visit = self.new("kam.visit", "kam_manager_1")
        with self.raises_and_rolls_back(
                UserError, "cannot be written: date_done, state"):
            visit.write({"state": "done", "date_done": past()})

    def test_information_refuses_with_an_access_error(self):
        info = self.new("kam.info", "kam_manager_1")
        with self.raises_and_rolls_back(AccessError,
                                        "only through Acknowledge"):
            info.write({"escalation_level": 2})

    def test_the_superuser_writes_them(self):
        # sudo: the test is about the superuser (data files, repairs)
        req = self.new("kam.requirement", "kam_manager_1").sudo()
        req.write({"date_approved": past()})
        self.assertEqual(req.date_approved, past())
        complaint = self.new("kam.complaint", "kam_manager_1").sudo()
        complaint.write({"resolution_breached": True})
        self.assertTrue(complaint.resolution_breached)
