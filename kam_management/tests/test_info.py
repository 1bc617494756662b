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


def second_director(env, lang="zh_CN"):
    """Another sales director of the main company, reading ``lang``."""
    return env["res.users"].with_context(no_reset_password=True).create({
        "name": "Second Director", "login": "kam_director_two",
        "lang": lang, "groups_id": [(6, 0, [
            ref(env, "group_kam_director").id])]})


class TestInfoRouting(KamCase):
    """R10: who is notified at once, and the acknowledgement deadline."""

    def test_normal_item_notifies_nobody(self):
        info = create_info(self.env, "kam_manager_1", "normal")
        self.assertFalse(info.escalation_level)
        self.assertFalse(info_activities(self.env, info))
        self.assertFalse(info.ack_deadline)

    def test_important_item_goes_to_manager_and_every_director_at_once(self):
        """R10: "passed on immediately to both the regional manager and the
        sales director": an activity for each, and one chatter message per
        language that notifies the readers of that language."""
        env = self.env
        regional = ref(env, "user_kam_regional")
        regional.lang = "en_US"
        other = second_director(env)
        everyone = directors(env)
        self.assertIn(other, everyone)
        self.assertGreaterEqual(len(everyone), 2)
        everyone.filtered(lambda u: u != other).write({"lang": "en_US"})
        t0 = now()
        info = env["kam.info"].with_env(self.as_user("kam_manager_1")).create(
            info_vals(env, "important"))
        expected = regional | everyone
        acts = info_activities(env, info)
        self.assertEqual(sorted(acts.mapped("user_id").ids),
                         sorted(expected.ids))
        self.assertEqual(len(acts), len(expected))  # one each
        self.assertEqual(set(info.escalated_user_ids), set(expected))
        self.assertEqual(info.escalation_level, "directors")
        # each summary in its reader's language
        by_user = {a.user_id: a.summary for a in acts}
        self.assertRegex(by_user[regional],
                         "^Important information on .*: please acknowledge$")
        self.assertRegex(by_user[other], "^重要信息")
        # one message per language, notifying exactly its readers
        notices = info.message_ids.filtered("partner_ids")
        self.assertEqual(len(notices), 2)
        readers = {frozenset(m.partner_ids.ids) for m in notices}
        self.assertEqual(readers, {
            frozenset(other.partner_id.ids),
            frozenset((expected - other).mapped("partner_id").ids)})
        # the important deadline (24 hours by default)
        hours = float(env["ir.config_parameter"].get_param(
            "kam_management.info_ack_hours_important"))
        deadline = fields.Datetime.from_string(info.ack_deadline)
        self.assertLessEqual(abs((deadline - t0 - timedelta(
            hours=hours)).total_seconds()), 60)

    def test_critical_item_goes_to_manager_and_every_director(self):
        env = self.env
        t0 = now()
        info = create_info(env, "kam_manager_1", "critical")
        regional = ref(env, "user_kam_regional")
        expected = regional | directors(env)
        self.assertNotIn(ref(env, "base.user_root"), directors(env))
        self.assertEqual(set(info_activities(env, info).mapped("user_id")),
                         set(expected))
        self.assertEqual(info.escalation_level, "directors")
        # the shorter critical deadline (8 hours by default)
        hours = float(env["ir.config_parameter"].get_param(
            "kam_management.info_ack_hours_critical"))
        self.assertLess(hours, float(env["ir.config_parameter"].get_param(
            "kam_management.info_ack_hours_important")))
        deadline = fields.Datetime.from_string(info.ack_deadline)
        self.assertLessEqual(abs((deadline - t0 - timedelta(
            hours=hours)).total_seconds()), 60)

    def test_directors_of_the_accounts_company_only(self):
        """A director who may not work in the account's company is not
        told (res.users._kam_directors(company))."""
        env = self.env
        other_company = env["res.company"].create({"name": "Other Co R10"})
        outsider = second_director(env)
        outsider.write({"company_ids": [(6, 0, [other_company.id])],
                        "company_id": other_company.id})
        info = create_info(env, "kam_manager_1", "important")
        told = info_activities(env, info).mapped("user_id")
        self.assertNotIn(outsider, told)
        self.assertIn(ref(env, "user_kam_director"), told)

    def test_deadline_from_configured_hours(self):
        env = self.env
        env["ir.config_parameter"].set_param(
            "kam_management.info_ack_hours_important", "48")
        info = create_info(env, "kam_manager_1", "important")
        info.sudo()._kam_workflow_write({"ack_deadline": False})
        t0 = now()
        info.with_context()._kam_escalate(now=ds(t0))
        # re-routing does not notify twice, the deadline follows the setting
        recipients = ref(env, "user_kam_regional") | directors(env)
        self.assertEqual(len(info_activities(env, info)), len(recipients))
        self.assertEqual(info.ack_deadline, ds(t0 + timedelta(hours=48)))


class TestInfoEscalation(KamCase):
    """R10: not acknowledged in time, escalated once. Everybody was told at
    once, so "one level up" is a reminder for every recipient."""

    def test_unacknowledged_important_item_escalates_once(self):
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
        # an hour later this item, and only it, is escalated: a reminder
        # for the regional manager and every director
        late = ds(deadline + timedelta(hours=1))
        self.assertEqual(Info._cron_info_escalation(now=late), 1)
        up = info_activities(env, info, ESCALATION_TYPE)
        self.assertEqual(sorted(up.mapped("user_id").ids), sorted(
            (ref(env, "user_kam_regional") | directors(env)).ids))
        self.assertRegex(up[0].summary, "^Not acknowledged in time")
        self.assertEqual(info.escalation_level, "directors")
        self.assertEqual(info.re_escalated_date, late)
        # once: a second run, even much later, adds nothing
        Info._cron_info_escalation(now=ds(deadline + timedelta(days=7)))
        self.assertEqual(info_activities(env, info, ESCALATION_TYPE), up)

    def test_critical_item_reminder_once(self):
        env = self.env
        info = create_info(env, "kam_manager_1", "critical")
        deadline = quiet_deadline(env, info)
        info.sudo()._kam_workflow_write({"ack_deadline": ds(deadline)})
        env["kam.info"]._cron_info_escalation(
            now=ds(deadline + timedelta(hours=1)))
        up = info_activities(env, info, ESCALATION_TYPE)
        self.assertEqual(set(up.mapped("user_id")), set(
            ref(env, "user_kam_regional") | directors(env)))
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

    def test_raising_to_critical_shortens_the_deadline(self):
        """Important -> critical: nobody new to tell, but the critical
        (shorter) deadline applies, to the item and its tasks."""
        env = self.env
        info = create_info(env, "kam_manager_1", "important")
        acts = info_activities(env, info)
        before = info.ack_deadline
        info.with_env(self.as_user("kam_manager_1")).write(
            {"importance": "critical"})
        self.assertEqual(info_activities(env, info), acts)
        self.assertLess(info.ack_deadline, before)
        self.assertEqual(set(acts.mapped("date_deadline")),
                         {info.ack_deadline[:10]})


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
        info = create_info(self.env, "kam_manager_1", "important",
                           measures_taken="Called the customer.")
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
        info.with_env(self.as_user("kam_manager_2")).action_close(
            measures_taken="Credit limit lowered; weekly calls with the CFO.")
        account.invalidate_cache()
        self.assertFalse(account.kam_early_warning)
        self.assertNotIn(account, env["res.partner"].search(
            [("kam_early_warning", "=", True)]))


class TestInfoMeasures(KamCase):
    """R10: what the KAM did about the item, and who closed it when."""

    def test_important_item_closes_only_with_measures(self):
        env = self.env
        info = create_info(env, "kam_manager_1", "important")
        info.with_env(self.as_user("kam_regional")).action_acknowledge()
        kam = info.with_env(self.as_user("kam_manager_1"))
        for blank in (False, "  "):
            kam.write({"measures_taken": blank})
            with self.raises_and_rolls_back(UserError, "Measures Taken: "):
                kam.action_close()
            self.assertEqual(info.state, "acknowledged")
            self.assertFalse(info.closed_by_id)
        kam.write({"measures_taken": "Offered a three-year contract."})
        t0 = now()
        kam.action_close()
        self.assertEqual(info.state, "closed")
        self.assertEqual(info.closed_by_id, ref(env, "user_kam_manager_1"))
        closed = fields.Datetime.from_string(info.date_closed)
        self.assertLessEqual(abs((closed - t0).total_seconds()), 60)
        # the measures are tracked in the chatter
        tracked = env["mail.tracking.value"].search([
            ("mail_message_id.model", "=", "kam.info"),
            ("mail_message_id.res_id", "=", info.id),
            ("field", "=", "measures_taken")], order="id desc", limit=1)
        self.assertEqual(tracked.new_value_text,
                         "Offered a three-year contract.")

    def test_measures_given_with_the_closing(self):
        env = self.env
        info = create_info(env, "kam_manager_1", "critical")
        info.with_env(self.as_user("kam_director")).action_acknowledge()
        info.with_env(self.as_user("kam_regional")).action_close(
            measures_taken="Escalated to the key-account team.")
        self.assertEqual(info.measures_taken,
                         "Escalated to the key-account team.")
        self.assertEqual(info.closed_by_id, ref(env, "user_kam_regional"))

    def test_normal_item_closes_without_measures(self):
        info = create_info(self.env, "kam_manager_1", "normal")
        info.with_env(self.as_user("kam_manager_1")).action_close()
        self.assertEqual(info.state, "closed")
        self.assertEqual(info.closed_by_id,
                         ref(self.env, "user_kam_manager_1"))
        self.assertTrue(info.date_closed)

    def test_closer_fields_are_written_by_the_workflow_only(self):
        info = create_info(self.env, "kam_manager_1", "normal")
        kam = info.with_env(self.as_user("kam_manager_1"))
        for vals in ({"closed_by_id": ref(self.env, "user_kam_director").id},
                     {"date_closed": fields.Datetime.now()}):
            with self.raises_and_rolls_back(AccessError,
                                            "only through Acknowledge"):
                kam.write(vals)
        with self.raises_and_rolls_back(UserError, "starts in the state"):
            create_info(self.env, "kam_manager_1", "normal",
                        date_closed=fields.Datetime.now())


class TestInfoCategoryProposal(KamCase):
    """R10: any KAM proposes a category, a sales director approves it;
    only approved categories are used."""

    def propose(self, login="kam_manager_1", name="Rumour"):
        return self.env["kam.info.category"].with_env(
            self.as_user(login)).create({"name": name,
                                         "description": "Market talk"})

    def category_activities(self, category):
        return self.env["mail.activity"].search([
            ("res_model", "=", "kam.info.category"),
            ("res_id", "=", category.id)])

    def test_kam_proposes_directors_are_asked_in_their_language(self):
        env = self.env
        other = second_director(env)
        ref(env, "user_kam_director").lang = "en_US"
        category = self.propose()
        self.assertEqual(category.state, "proposed")
        self.assertEqual(category.proposed_by_id,
                         ref(env, "user_kam_manager_1"))
        acts = self.category_activities(category)
        self.assertEqual(sorted(acts.mapped("user_id").ids),
                         sorted(directors(env).ids))
        self.assertIn(other, acts.mapped("user_id"))
        by_user = {a.user_id: a.summary for a in acts}
        self.assertRegex(by_user[ref(env, "user_kam_director")],
                         "^Decide the proposed information category "
                         "\"Rumour\" \\(proposed by ")
        self.assertEqual(set(acts.mapped("activity_type_id")), {
            ref(env, "mail_activity_type_kam_info_category")})

    def test_kam_cannot_create_an_approved_category(self):
        with self.raises_and_rolls_back(AccessError, "only a sales director"):
            self.env["kam.info.category"].with_env(
                self.as_user("kam_manager_1")).create(
                    {"name": "Rumour", "state": "approved"})
        # a regional manager proposes too, never approves by creating
        category = self.propose("kam_regional")
        self.assertEqual(category.state, "proposed")

    def test_director_approves_and_the_category_is_used(self):
        env = self.env
        category = self.propose()
        # not usable while proposed
        with self.raises_and_rolls_back(ValidationError,
                                        "Category: .* is Proposed"):
            create_info(env, "kam_manager_1", "normal",
                        category_id=category.id)
        info = create_info(env, "kam_manager_1", "normal")
        with self.raises_and_rolls_back(ValidationError, "Category: "):
            info.with_env(self.as_user("kam_manager_1")).write(
                {"category_id": category.id})
        # the KAM does not approve their own proposal, nor a regional manager
        for login in ("kam_manager_1", "kam_regional", "kam_secretary"):
            with self.raises_and_rolls_back(AccessError,
                                            "only a sales director"):
                category.with_env(self.as_user(login)).action_approve()
        with self.raises_and_rolls_back(UserError, "Move to Approved"):
            category.with_env(self.as_user("kam_manager_1")).write(
                {"state": "approved"})
        category.with_env(self.as_user("kam_director")).action_approve()
        self.assertEqual(category.state, "approved")
        self.assertFalse(self.category_activities(category))
        # the proposer is told
        told = category.message_ids.filtered(
            lambda m: ref(env, "user_kam_manager_1").partner_id
            in m.partner_ids)
        self.assertRegex(told[0].body, "approved by")
        used = create_info(env, "kam_manager_1", "normal",
                           category_id=category.id)
        self.assertEqual(used.category_id, category)
        # the domain of the field offers approved categories only
        domain = env["kam.info"]._fields["category_id"].domain
        offered = env["kam.info.category"].search(domain)
        self.assertIn(category, offered)
        self.assertEqual(set(offered.mapped("state")), {"approved"})
        with self.raises_and_rolls_back(UserError, "Approve: .* is Approved"):
            category.with_env(self.as_user("kam_director")).action_approve()

    def test_director_rejects(self):
        category = self.propose()
        category.with_env(self.as_user("kam_director")).action_reject(
            reason="Too vague; use Competitor Move.")
        self.assertEqual(category.state, "rejected")
        self.assertFalse(self.category_activities(category))
        self.assertIn("Too vague", category.message_ids[0].body)
        with self.raises_and_rolls_back(ValidationError,
                                        "Category: .* is Rejected"):
            create_info(self.env, "kam_manager_1", "normal",
                        category_id=category.id)

    def test_kam_edits_own_proposal_while_proposed_only(self):
        category = self.propose()
        mine = category.with_env(self.as_user("kam_manager_1"))
        mine.write({"description": "What the market says"})
        # another KAM's proposal is read, not written
        theirs = category.with_env(self.as_user("kam_manager_2"))
        self.assertTrue(theirs.read(["name", "state"]))
        with self.raises_and_rolls_back(AccessError, SECURITY):
            theirs.write({"description": "Mine now"})
        with self.raises_and_rolls_back(UserError, "Proposed by"):
            mine.write({"proposed_by_id": ref(self.env,
                                              "user_kam_manager_2").id})
        category.with_env(self.as_user("kam_director")).action_approve()
        with self.raises_and_rolls_back(AccessError, SECURITY):
            mine.write({"description": "Changed after approval"})
        # approved categories stay the directors'
        with self.raises_and_rolls_back(AccessError, SECURITY):
            self.kam_ref("info_category_competitor").with_env(
                self.as_user("kam_manager_1")).write({"name": "Rivals"})
        with self.raises_and_rolls_back(AccessError, SECURITY):
            mine.unlink()

    def test_support_and_secretary_do_not_propose(self):
        for login in ("kam_support", "kam_secretary"):
            with self.raises_and_rolls_back(AccessError,
                                            "not allowed to create"):
                self.propose(login)


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
        """Directors' categories are approved at once; anybody else only
        proposes (support staff and the secretary not even that)."""
        Category = self.env["kam.info.category"]
        with self.raises_and_rolls_back(AccessError,
                                        "not allowed to create"):
            Category.with_env(self.as_user("kam_support")).create(
                {"name": "Rumour"})
        proposed = Category.with_env(self.as_user("kam_regional")).create(
            {"name": "Rumour"})
        self.assertEqual(proposed.state, "proposed")
        made = Category.with_env(self.as_user("kam_director")).create(
            {"name": "Weather"})
        self.assertEqual(made.state, "approved")
        self.assertFalse(made.proposed_by_id)
