# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Information and early warning (R10, R16): routing by importance, the
acknowledgement deadline and the one-level re-escalation, the workflow,
bad input and access per role. Times are passed explicitly, computed from
the clock the addon reads (never written down): the demo items' deadlines
follow the install time, so the escalation tests put their own deadline
before every other pending one."""
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import KamCase, as_user, ds, ref, with_cases

INFO_TYPE = "mail_activity_type_kam_info"
ESCALATION_TYPE = "mail_activity_type_kam_info_escalation"
# the record-rule refusal of Odoo 11 (kam.info or the account)
SECURITY = "security restrictions"


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


def info_activities(env, info, type_xmlid=INFO_TYPE):
    return env["mail.activity"].search([
        ("res_model", "=", "kam.info"), ("res_id", "=", info.id),
        ("activity_type_id", "=", ref(env, type_xmlid).id)])


def directors(env):
    return env["res.users"]._kam_directors()


def now():
    """Now by the clock the addon reads, to the second."""
    return fields.Datetime.from_string(fields.Datetime.now())


def quiet_deadline(env, info):
    """A deadline for ``info`` a day before every other pending item's
    (the demo ones are due hours after the install time, which may be
    before or after now) and before now: around it, the escalation cron
    has nothing else to do."""
    others = env["kam.info"].search([
        ("state", "=", "new"), ("importance", "in", ("important",
                                                     "critical")),
        ("re_escalated_date", "=", False), ("ack_deadline", "!=", False),
        ("id", "!=", info.id)])
    moments = [fields.Datetime.from_string(d)
               for d in others.mapped("ack_deadline")]
    return min(moments + [now()]) - timedelta(days=1)


class TestInfoRouting(KamCase):
    """R10: who is notified at once, and the acknowledgement deadline."""

    def test_normal_item_notifies_nobody(self):
        info = create_info(self.env, "kam_manager_1", "normal")
        self.assertFalse(info.escalation_level)
        self.assertFalse(info_activities(self.env, info))
        self.assertFalse(info.ack_deadline)

    def test_important_item_goes_to_regional_manager_at_once(self):
        env = self.env
        info = env["kam.info"].with_env(self.as_user("kam_manager_1")).create(
            info_vals(env, "important"))
        regional = ref(env, "user_kam_regional")
        acts = info_activities(env, info)
        self.assertEqual(acts.mapped("user_id"), regional)
        self.assertEqual(info.escalation_level, "regional_manager")
        self.assertEqual(info.escalated_user_ids, regional)
        # a chatter message that notifies the manager
        msg = info.message_ids.filtered(
            lambda m: regional.partner_id in m.partner_ids)
        self.assertTrue(msg)
        self.assertTrue(info.ack_deadline)

    def test_critical_item_goes_to_manager_and_every_director(self):
        env = self.env
        info = create_info(env, "kam_manager_1", "critical")
        regional = ref(env, "user_kam_regional")
        expected = regional | directors(env)
        self.assertNotIn(ref(env, "base.user_root"), directors(env))
        self.assertEqual(set(info_activities(env, info).mapped("user_id")),
                         set(expected))
        self.assertEqual(info.escalation_level, "directors")

    def test_deadline_from_configured_hours(self):
        env = self.env
        env["ir.config_parameter"].set_param(
            "kam_management.info_ack_hours_important", "48")
        info = create_info(env, "kam_manager_1", "important")
        info.sudo()._kam_workflow_write({"ack_deadline": False})
        t0 = now()
        info.with_context()._kam_escalate(now=ds(t0))
        # re-routing does not notify twice, the deadline follows the setting
        self.assertEqual(len(info_activities(env, info)), 1)
        self.assertEqual(info.ack_deadline, ds(t0 + timedelta(hours=48)))


class TestInfoEscalation(KamCase):
    """R10: one level up, once, when nobody acknowledges in time."""

    def test_unacknowledged_important_item_escalates_one_level_once(self):
        env = self.env
        info = create_info(env, "kam_manager_1", "important")
        deadline = quiet_deadline(env, info)
        info.sudo()._kam_workflow_write({"ack_deadline": ds(deadline)})
        Info = env["kam.info"]
        # before (and at) the deadline nothing happens
        self.assertEqual(Info._cron_info_escalation(
            now=ds(deadline - timedelta(minutes=1))), 0)
        self.assertEqual(Info._cron_info_escalation(now=ds(deadline)), 0)
        self.assertFalse(info.re_escalated_date)
        # an hour later this item, and only it, goes up
        late = ds(deadline + timedelta(hours=1))
        self.assertEqual(Info._cron_info_escalation(now=late), 1)
        up = info_activities(env, info, ESCALATION_TYPE)
        self.assertEqual(set(up.mapped("user_id")), set(directors(env)))
        self.assertEqual(info.escalation_level, "directors")
        self.assertEqual(info.re_escalated_date, late)
        # once: a second run, even much later, adds nothing
        Info._cron_info_escalation(now=ds(deadline + timedelta(days=7)))
        self.assertEqual(len(info_activities(env, info, ESCALATION_TYPE)),
                         len(up))

    def test_critical_item_already_at_directors_gets_overdue_activity(self):
        env = self.env
        info = create_info(env, "kam_manager_1", "critical")
        deadline = quiet_deadline(env, info)
        info.sudo()._kam_workflow_write({"ack_deadline": ds(deadline)})
        env["kam.info"]._cron_info_escalation(
            now=ds(deadline + timedelta(hours=1)))
        up = info_activities(env, info, ESCALATION_TYPE)
        self.assertEqual(set(up.mapped("user_id")), set(directors(env)))
        env["kam.info"]._cron_info_escalation(
            now=ds(deadline + timedelta(days=3, hours=1)))
        self.assertEqual(info_activities(env, info, ESCALATION_TYPE), up)

    def test_acknowledged_item_does_not_escalate(self):
        env = self.env
        info = create_info(env, "kam_manager_1", "important")
        deadline = quiet_deadline(env, info)
        info.sudo()._kam_workflow_write({"ack_deadline": ds(deadline)})
        info.with_env(self.as_user("kam_regional")).action_acknowledge()
        self.assertEqual(info.state, "acknowledged")
        self.assertEqual(info.acknowledged_by_id,
                         ref(env, "user_kam_regional"))
        self.assertFalse(info_activities(env, info))
        env["kam.info"]._cron_info_escalation(
            now=ds(deadline + timedelta(days=1)))
        self.assertFalse(info.re_escalated_date)
        self.assertFalse(info_activities(env, info, ESCALATION_TYPE))

    def test_raising_importance_routes_at_once(self):
        env = self.env
        info = create_info(env, "kam_manager_1", "normal")
        info.with_env(self.as_user("kam_manager_1")).write(
            {"importance": "critical"})
        self.assertEqual(info.escalation_level, "directors")
        self.assertLessEqual(
            set(directors(env)),
            set(info_activities(env, info).mapped("user_id")))


class TestInfoWorkflow(KamCase):
    """Acknowledge and close, bad input and the early-warning badge."""

    def test_reporter_cannot_acknowledge_own_item(self):
        env = self.env
        info = create_info(env, "kam_regional", "critical")
        # the regional manager reported it: only directors are notified
        self.assertNotIn(ref(env, "user_kam_regional"),
                         info_activities(env, info).mapped("user_id"))
        with self.raises_and_rolls_back(AccessError,
                                        "not the person who reported it"):
            info.with_env(self.as_user("kam_regional")).action_acknowledge()
        info.with_env(self.as_user("kam_director")).action_acknowledge()
        self.assertEqual(info.state, "acknowledged")

    def test_kam_cannot_acknowledge_escalated_item(self):
        info = create_info(self.env, "kam_manager_1", "important")
        with self.raises_and_rolls_back(AccessError,
                                        "You cannot acknowledge"):
            info.with_env(self.as_user("kam_manager_1")).action_acknowledge()

    def test_impossible_transitions(self):
        info = create_info(self.env, "kam_manager_1", "important")
        kam = info.with_env(self.as_user("kam_manager_1"))
        with self.raises_and_rolls_back(UserError, "acknowledged first"):
            kam.action_close()
        info.with_env(self.as_user("kam_regional")).action_acknowledge()
        with self.raises_and_rolls_back(UserError, "Acknowledge"):
            info.with_env(self.as_user("kam_regional")).action_acknowledge()
        kam.action_close()
        self.assertEqual(info.state, "closed")
        with self.raises_and_rolls_back(UserError, "Close: .* is Closed"):
            kam.action_close()
        # nobody writes the state directly
        with self.raises_and_rolls_back(
                UserError, "Move to New: .* is Closed; allowed only from "
                           "no state"):
            kam.write({"state": "new"})

    def test_not_a_key_account(self):
        with self.raises_and_rolls_back(ValidationError, "Key Account"):
            self.env["kam.info"].create(info_vals(
                self.env, "normal", partner="partner_kam_prospect_fuzhou"))

    def test_early_warning_badge(self):
        env = self.env
        account = ref(env, "partner_kam_hefei_auto")
        self.assertFalse(account.kam_early_warning)
        info = create_info(env, "kam_manager_2", "critical",
                           partner="partner_kam_hefei_auto")
        account.invalidate_cache()
        self.assertTrue(account.kam_early_warning)
        self.assertEqual(account.kam_info_critical_count, 1)
        found = env["res.partner"].search([("kam_early_warning", "=", True)])
        self.assertIn(account, found)
        info.with_env(self.as_user("kam_director")).action_acknowledge()
        info.with_env(self.as_user("kam_manager_2")).action_close()
        account.invalidate_cache()
        self.assertFalse(account.kam_early_warning)
        self.assertNotIn(account, env["res.partner"].search(
            [("kam_early_warning", "=", True)]))


VISIBILITY = [
    ("kam_manager_1", True, False),
    ("kam_regional", True, True),
    ("kam_director", True, True),
    ("kam_secretary", True, True),
    # support staff: only the accounts of their teams (issue 7); kam_support
    # is on the team of kam_manager_1's account, not of wuxi_semicon
    ("kam_support", True, False),
]


@with_cases("_check_who_sees", VISIBILITY, [c[0] for c in VISIBILITY],
            prefix="test_who_sees_which_items")
class TestInfoAccess(KamCase):
    """Who sees, reports and configures what."""

    def _check_who_sees(self, case):
        login, sees_own, sees_other = case
        own = create_info(self.env, "kam_manager_1", "normal")
        other = create_info(self.env, "kam_manager_2", "normal",
                            partner="partner_kam_wuxi_semicon")
        seen = self.env["kam.info"].with_env(self.as_user(login)).search(
            [("id", "in", (own | other).ids)])
        self.assertEqual((own in seen, other in seen),
                         (sees_own, sees_other))

    def test_support_does_not_see_other_regions(self):
        south = create_info(self.env, "kam_manager_2", "normal",
                            partner="partner_kam_guangzhou_airport")
        self.assertFalse(self.env["kam.info"].with_env(
            self.as_user("kam_support")).search([("id", "=", south.id)]))

    def test_kam_cannot_report_on_other_kams_account(self):
        with self.raises_and_rolls_back(AccessError, SECURITY):
            create_info(self.env, "kam_manager_1", "normal",
                        partner="partner_kam_wuxi_semicon")

    def test_secretary_enters_information_for_a_kam(self):
        manager = ref(self.env, "user_kam_manager_1")
        info = create_info(self.env, "kam_secretary", "normal",
                           reporter_id=manager.id)
        self.assertEqual(info.reporter_id, manager)

    def test_only_directors_configure_categories(self):
        Category = self.env["kam.info.category"]
        with self.raises_and_rolls_back(AccessError,
                                        "not allowed to create"):
            Category.with_env(self.as_user("kam_regional")).create(
                {"name": "Rumour"})
        Category.with_env(self.as_user("kam_director")).create(
            {"name": "Rumour"})
