# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Visits and their reports (R8): workflow, supervisors, bad input and
access per role, as the real demo users.

Visit dates are relative to today (the demo visits are relative to the
install day): a done visit must lie in the past, a refused one in the
future."""
from contextlib import contextmanager
from datetime import datetime, time, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError

from .common import KamCase, ds, make_company, today

# what Odoo's record rules and access rights answer
RULE_DENIED = (r"(?s)security restrictions.*"
               r"\(Document type: %s, Operation: %s\)")
ACL_DENIED = (r"(?s)not allowed to modify this document.*"
              r"\(Document model: %s\)")


def past():
    """A visit time well in the past (ten days ago, 09:00 UTC)."""
    return ds(datetime.combine(today() - timedelta(days=10), time(9)))


def future():
    """A visit time that has not come yet, whatever the hour today."""
    return ds(datetime.combine(today() + timedelta(days=2), time(9)))


class VisitCase(KamCase):

    def new_visit(self, login, account="partner_kam_suzhou_industrial",
                  **vals):
        data = {"partner_id": self.kam_ref(account).id,
                "visit_date": past(),
                "purpose": "Discuss the chiller retrofit"}
        data.update(vals)
        return self.env["kam.visit"].with_env(
            self.as_user(login)).create(data)

    def visit_state(self, visit):
        """The state stored in the database now (not the cache)."""
        self.env.cr.execute("SELECT state FROM kam_visit WHERE id = %s",
                            (visit.id,))
        return self.env.cr.fetchone()[0]

    @contextmanager
    def refused(self, exc, match, snapshot):
        """Like ``raises_and_rolls_back``, and ``snapshot()`` is taken at
        the moment of the error, before the rollback undoes anything: what
        the refused call had written by then (in ``seen["at_error"]``)."""
        seen = {}
        with self.assertRaisesRegex(exc, match):
            with self.env.cr.savepoint():
                try:
                    yield seen
                except exc:
                    seen["at_error"] = snapshot()
                    raise
        self.env.clear()


class TestVisitWorkflow(VisitCase):
    """Planned, done, submitted, reviewed or sent back (R8)."""

    def test_full_workflow_with_review_activity(self):
        visit = self.new_visit("kam_manager_1")
        self.assertEqual(visit.state, "planned")
        self.assertEqual(visit.user_id, self.user("kam_manager_1"))
        self.assertEqual(visit.reviewer_id, self.user("kam_regional"))
        visit.action_done()
        self.assertEqual(visit.state, "done")
        self.assertTrue(visit.date_done)
        with self.raises_and_rolls_back(UserError, "Summary"):
            visit.action_submit()
        visit.write({"report_summary": "Agreed on a pilot",
                     "report_next_steps": "Send the offer"})
        visit.action_submit()
        self.assertEqual(visit.state, "submitted")
        review_type = self.kam_ref("mail_activity_type_kam_visit_review")
        act = visit.activity_ids.filtered(
            lambda a: a.activity_type_id == review_type)
        self.assertEqual(act.user_id, self.user("kam_regional"))
        # the regional manager sends it back with a note, then reviews it
        regional = visit.with_env(self.as_user("kam_regional"))
        regional.action_send_back(reason="Add the competitor's prices")
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.review_note, "Add the competitor's prices")
        kam1 = self.user("kam_manager_1")
        self.assertTrue(visit.activity_ids.filtered(
            lambda a: a.user_id == kam1))
        visit.action_submit()
        regional.action_send_back()  # the note is optional
        self.assertEqual(visit.state, "done")
        visit.action_submit()
        regional.action_review()
        self.assertEqual(visit.state, "reviewed")
        self.assertTrue(visit.date_reviewed)
        self.assertFalse(visit.activity_ids.filtered(
            lambda a: a.activity_type_id == review_type))

    def test_regional_managers_visit_is_reviewed_by_a_director(self):
        visit = self.new_visit("kam_regional",
                               report_summary="Executive lunch")
        self.assertEqual(visit.reviewer_id, self.user("kam_director"))
        visit.action_done()
        visit.action_submit()
        with self.raises_and_rolls_back(AccessError, "own"):
            visit.action_review()
        # a KAM of the region is not the regional manager's supervisor
        with self.raises_and_rolls_back(
                AccessError, "Only the visitor's supervisor can review"):
            visit.with_env(self.as_user("kam_manager_1")).action_review()
        visit.with_env(self.as_user("kam_director")).action_review()
        self.assertEqual(visit.state, "reviewed")

    def test_support_visit_is_reviewed_by_the_regional_manager(self):
        visit = self.new_visit("kam_support",
                               account="partner_kam_shanghai_metro",
                               report_summary="Filters replaced")
        self.assertEqual(visit.reviewer_id, self.user("kam_regional"))

    def test_nobody_reviews_their_own_report(self):
        visit = self.new_visit("kam_manager_1", report_summary="Done")
        visit.action_done()
        visit.action_submit()
        # refused before anything is written
        with self.refused(AccessError, "own",
                          lambda: self.visit_state(visit)) as seen:
            visit.action_review()
        self.assertEqual(seen["at_error"], "submitted")
        self.assertEqual(visit.state, "submitted")

    def test_visit_done_in_the_future_is_refused(self):
        visit = self.new_visit("kam_manager_1", visit_date=future())
        with self.raises_and_rolls_back(ValidationError, "Visit Date"):
            visit.action_done()
        # (a user cannot create a done visit at all, see the next test; the
        # system can, but not in the future)
        with self.raises_and_rolls_back(ValidationError, "Visit Date"):
            self.env["kam.visit"].create({
                "partner_id": self.kam_ref(
                    "partner_kam_suzhou_industrial").id,
                "purpose": "x", "visit_date": future(), "state": "done"})
        # once the day has come, the same visit can be marked done
        visit.write({"visit_date": past()})
        visit.action_done()
        self.assertEqual(visit.state, "done")

    def test_visit_state_moves_only_through_the_buttons(self):
        """Issue 7: writing the state over RPC would skip the review (R8)."""
        with self.raises_and_rolls_back(UserError, "state"):
            self.new_visit("kam_manager_1", state="reviewed")
        visit = self.new_visit("kam_manager_1")
        # refused before anything is written
        with self.refused(UserError, "date_done, state",
                          lambda: self.visit_state(visit)) as seen:
            visit.write({"state": "done", "date_done": past()})
        self.assertEqual(seen["at_error"], "planned")
        self.assertEqual(visit.state, "planned")

    def test_visit_on_an_ordinary_partner_is_refused(self):
        company = make_company(self.env, "Not A Key Account")
        with self.raises_and_rolls_back(ValidationError,
                                        "not a key account"):
            self.env["kam.visit"].create({"partner_id": company.id,
                                          "visit_date": past(),
                                          "purpose": "x"})

    def test_marking_someone_elses_visit_done(self):
        visit = self.new_visit("kam_manager_1",
                               account="partner_kam_shanghai_metro")
        # support staff are not the KAM's supervisor
        other = self.env["kam.visit"].sudo().create({
            "partner_id": self.kam_ref("partner_kam_shanghai_metro").id,
            "user_id": self.user("kam_support").id,
            "visit_date": past(), "purpose": "x"})
        # refused before anything is written
        with self.refused(AccessError, "visitor or their supervisor",
                          lambda: self.visit_state(other)) as seen:
            other.with_env(self.as_user("kam_manager_1")).action_done()
        self.assertEqual(seen["at_error"], "planned")
        self.assertEqual(other.state, "planned")
        # the regional manager supervises both
        visit.with_env(self.as_user("kam_regional")).action_done()
        other.with_env(self.as_user("kam_regional")).action_done()
        self.assertEqual((visit.state, other.state), ("done", "done"))

    def test_contacts_met_must_belong_to_the_account(self):
        stranger = self.env["res.partner"].create({"name": "Stranger"})
        with self.raises_and_rolls_back(ValidationError, "Contacts Met"):
            self.new_visit("kam_manager_1",
                           account="partner_kam_shanghai_metro",
                           contact_ids=[(6, 0, [stranger.id])])
        contact = self.kam_ref("partner_kam_shanghai_metro_contact")
        ok = self.new_visit("kam_manager_1",
                            account="partner_kam_shanghai_metro",
                            contact_ids=[(6, 0, [contact.id])])
        self.assertEqual(ok.contact_ids, contact)

    def test_only_planned_or_cancelled_visits_are_deleted(self):
        visit = self.new_visit("kam_manager_1")
        visit.action_done()
        with self.raises_and_rolls_back(UserError, "cancel"):
            visit.unlink()
        visit.action_cancel()
        visit.unlink()
        self.assertFalse(visit.exists())


class TestVisitAccess(VisitCase):
    """Who sees and changes which visits, rules and compliance rows (R8),
    on the demo visits."""

    def visible(self, login):
        return self.env["kam.visit"].with_env(self.as_user(login)).search([])

    def test_kam_sees_visits_to_own_accounts_only(self):
        seen = self.visible("kam_manager_1")
        kam1 = self.user("kam_manager_1")
        self.assertTrue(seen)
        for visit in seen:
            self.assertTrue(visit.sudo().partner_id.kam_manager_id == kam1
                            or visit.user_id == kam1, visit.name)
        # including the support staff's visit on their account
        self.assertIn(self.kam_ref("visit_metro_support"), seen)
        wuxi = self.kam_ref("visit_wuxi_kam")
        self.assertNotIn(wuxi, seen)
        with self.assertRaisesRegex(AccessError,
                                    RULE_DENIED % ("kam.visit", "read")):
            wuxi.with_env(self.as_user("kam_manager_1")).read(["purpose"])
        with self.raises_and_rolls_back(
                AccessError, RULE_DENIED % ("kam.visit", "read")):
            wuxi.with_env(self.as_user("kam_manager_1")).write(
                {"purpose": "x"})

    def test_kam_cannot_log_a_visit_on_another_kams_account(self):
        with self.raises_and_rolls_back(
                AccessError, RULE_DENIED % ("Contact", "read")):
            self.new_visit("kam_manager_2",
                           account="partner_kam_shanghai_metro")

    def test_support_sees_own_visits_and_their_teams_accounts_visits(self):
        support = self.user("kam_support")
        seen = self.visible("kam_support")
        self.assertIn(self.kam_ref("visit_metro_support"), seen)
        teams = self.env["kam.support.team"].search(
            [("member_ids.user_id", "=", support.id)])
        accounts = teams.mapped("partner_id")
        self.assertTrue(accounts)
        for visit in seen:
            self.assertTrue(visit.user_id == support
                            or visit.sudo().partner_id in accounts,
                            visit.name)
        # visits to accounts of other teams stay hidden
        wuxi = self.kam_ref("visit_wuxi_kam")
        self.assertNotIn(wuxi, seen)
        with self.assertRaisesRegex(AccessError,
                                    RULE_DENIED % ("kam.visit", "read")):
            wuxi.with_env(self.as_user("kam_support")).read(["purpose"])

    def test_regional_manager_sees_region_director_all(self):
        east = self.kam_ref("region_east_china")
        seen = self.visible("kam_regional")
        self.assertEqual(set(seen.mapped("region_id")), {east})
        self.assertNotIn(self.kam_ref("visit_gz_kam"), seen)
        total = self.env["kam.visit"].search_count([])
        self.assertEqual(len(self.visible("kam_director")), total)
        self.assertEqual(len(self.visible("kam_secretary")), total)
        with self.raises_and_rolls_back(AccessError,
                                        ACL_DENIED % "kam.visit"):
            self.kam_ref("visit_wuxi_kam").with_env(
                self.as_user("kam_secretary")).write({"purpose": "x"})

    def test_rules_are_for_directors(self):
        rule = self.kam_ref("visit_rule_kam_monthly")
        for login in ("kam_manager_1", "kam_regional"):
            with self.raises_and_rolls_back(AccessError,
                                            ACL_DENIED % "kam.visit.rule"):
                rule.with_env(self.as_user(login)).write(
                    {"interval_days": 10})
        rule.with_env(self.as_user("kam_director")).write(
            {"interval_days": 30})
        self.assertEqual(rule.interval_days, 30)

    def test_compliance_rows_are_scoped_and_read_only(self):
        kam1 = self.user("kam_manager_1")
        rows = self.env["kam.visit.compliance"].with_env(
            self.as_user("kam_manager_1")).search([])
        self.assertTrue(rows)
        for row in rows:
            self.assertTrue(row.kam_manager_id == kam1
                            or row.responsible_id == kam1, row.id)
        with self.raises_and_rolls_back(
                AccessError, ACL_DENIED % "kam.visit.compliance"):
            rows[0].write({"state": "ok"})
        with self.raises_and_rolls_back(
                AccessError, "Only sales directors can refresh"):
            self.env["kam.visit.compliance"].with_env(
                self.as_user("kam_manager_1")).action_kam_refresh()

    def test_partner_smart_button_and_week_action(self):
        account = self.kam_ref("partner_kam_shanghai_metro")
        self.assertGreaterEqual(account.kam_visit_count, 3)
        action = account.with_env(self.as_user("kam_manager_1")) \
            .action_kam_view_visits()
        self.assertEqual(action["domain"], [("partner_id", "=", account.id)])
        week = self.kam_ref("kam_visit_action_my_week")
        self.assertIn("search_default_this_week", week.context)

    def test_visit_state_cannot_be_written(self):
        account = self.kam_ref("partner_kam_nanjing_hospital")

        def stored_state():
            self.env.cr.execute(
                "SELECT kam_visit_state FROM res_partner WHERE id = %s",
                (account.id,))
            return self.env.cr.fetchone()[0]
        # refused before anything is written
        with self.refused(AccessError, "Visit State",
                          stored_state) as seen:
            account.with_env(self.as_user("kam_director")).write(
                {"kam_visit_state": "ok"})
        # never visited since it became a key account (nine months before
        # the demo was installed): overdue
        self.assertEqual(seen["at_error"], "overdue")
        self.assertEqual(account.kam_visit_state, "overdue")
