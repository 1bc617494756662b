# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The 80/20 key-account finder (R1): ranking, shares, one-step promotion.

Dates: the wizard ranks the fixed year ``PERIOD``, passed to it, on orders
the tests make in and around that year. Demo orders are dated relative to
the install day (at most 640 days before it) and other confirmed orders of
the year, if any, are cancelled first, so only the tests' orders count;
the key account seen outside the top is the tests' own too.
"""
import importlib

from dateutil.relativedelta import relativedelta

from odoo.exceptions import AccessError, UserError, ValidationError

from .common import KamCase, as_user, ds, make_company, ref, today
from .rfm_common import key_account, make_product, order

PERIOD = {"date_from": "2015-01-01", "date_to": "2015-12-31"}


def wizard(env, login="kam_regional", **vals):
    vals = dict(PERIOD, **vals)
    Wizard = env["kam.pareto.wizard"].with_env(as_user(env, login))
    return Wizard.create(vals)


def lines_by_partner(wiz):
    return {line.partner_id: line for line in wiz.line_ids}


class TestParetoRule(KamCase):
    """The pure ranking rule."""

    def test_pareto_ranking_rule(self):
        module = importlib.import_module(
            "odoo.addons.kam_management.wizards.kam_pareto_wizard")
        lines = module.pareto_ranking(
            {1: 10.0, 2: 10.0, 3: 80.0, 4: -5.0, 5: 0.0},
            key_accounts={2, 9}, companies={1, 2, 3}, target=80.0)
        self.assertEqual(
            [(line["partner_id"], line["rank"], line["in_top"],
              line["status"]) for line in lines],
            [(3, 1, True, "candidate"), (1, 2, False, "other"),
             (2, 3, False, "key_outside"), (9, None, False, "key_outside")])
        # an individual in the top cannot be promoted
        lines = module.pareto_ranking({7: 100.0}, set(), set(), 80.0)
        self.assertEqual(lines[0]["status"], "top_individual")
        self.assertEqual(module.pareto_ranking({}, set(), set(), 80.0), [])

    def test_bad_period_and_share(self):
        env = self.env
        with self.raises_and_rolls_back(ValidationError, "before"):
            wizard(env, date_from="2015-12-31", date_to="2015-01-01")
        for share in (0.0, -10.0, 100.5):
            with self.subTest(share=share):
                with self.raises_and_rolls_back(ValidationError,
                                                "Top Share"):
                    wizard(env, share_target=share)
        wiz = wizard(env, date_from="2015-06-01", date_to="2015-06-01",
                     share_target=100.0)
        self.assertTrue(wiz.id)
        zh = env(context={"lang": "zh_CN"})
        with self.assertRaisesRegex(ValidationError, "2015-01-01") as info:
            with zh.cr.savepoint():
                wizard(zh, date_from="2015-12-31", date_to="2015-01-01")
        self.assertIn("2015-01-01", info.exception.name)
        self.assertIn("期", info.exception.name)


class TestPareto(KamCase):
    """Ranking and promotion on the customers' orders of 2015."""

    @classmethod
    def setUpClass(cls):
        """Revenues of 2015: A 500, B 300 (a key account), C 150, D 50; E
        only a refund; an individual 0; orders outside 2015 or not
        confirmed; a key account that bought only after 2015."""
        super(TestPareto, cls).setUpClass()
        env = cls.env
        # only the orders below count in the period
        env.cr.execute(
            "UPDATE sale_order SET state = 'cancel' "
            "WHERE state IN ('sale', 'done') "
            "AND date_order >= %s AND date_order < %s",
            ("2015-01-01", "2016-01-01"))
        product = make_product(env)
        a = make_company(env, "Pareto A")
        b = key_account(env, "Pareto B")
        c = make_company(env, "Pareto C")
        d = make_company(env, "Pareto D")
        e = make_company(env, "Pareto E")
        idle = key_account(env, "Pareto Idle Key Account")
        person = env["res.partner"].create({"name": "Pareto Person"})
        contact = env["res.partner"].create({"name": "A's buyer",
                                             "parent_id": a.id})
        order(env, product, a, "2015-03-01", 300.0)
        order(env, product, contact, "2015-12-31 23:00:00", 200.0)
        order(env, product, b, "2015-06-01", 300.0)
        order(env, product, c, "2015-01-01 00:00:00", 150.0)
        order(env, product, d, "2015-07-01", 50.0)
        order(env, product, e, "2015-07-01", -100.0)
        order(env, product, person, "2015-07-01", 0.0)
        order(env, product, a, "2016-01-01 00:00:00", 10000.0)
        order(env, product, c, "2014-12-31 23:59:59", 10000.0)
        order(env, product, d, "2015-05-01", 10000.0, state="cancel")
        order(env, product, d, "2015-05-01", 10000.0, state="draft")
        order(env, product, idle, "2016-01-01 00:00:00", 10000.0)
        cls.customers = {"a": a, "b": b, "c": c, "d": d, "e": e,
                         "idle": idle, "person": person}

    def test_ranking_and_cumulative_shares(self):
        env, customers = self.env, self.customers
        wiz = wizard(env)
        wiz.action_rank()
        self.assertEqual(wiz.state, "ranked")
        lines = lines_by_partner(wiz)
        ranked = wiz.line_ids.filtered("rank").sorted("rank")
        self.assertEqual(
            ranked.mapped("partner_id"),
            customers["a"] | customers["b"] | customers["c"]
            | customers["d"])
        self.assertEqual(ranked.mapped("revenue"),
                         [500.0, 300.0, 150.0, 50.0])
        self.assertEqual(ranked.mapped("share"), [50.0, 30.0, 15.0, 5.0])
        self.assertEqual(ranked.mapped("cumulative_share"),
                         [50.0, 80.0, 95.0, 100.0])
        # A and B make 80%: C is not needed to reach it
        self.assertEqual(ranked.mapped("in_top"),
                         [True, True, False, False])
        self.assertEqual([lines[customers[k]].status for k in "abcd"], [
            "candidate", "key_top", "other", "other"])
        self.assertEqual(
            (wiz.customer_count, wiz.top_count, wiz.candidate_count),
            (4, 2, 1))
        self.assertEqual(wiz.total_revenue, 1000.0)
        # no positive revenue: not ranked
        self.assertNotIn(customers["e"], lines)
        self.assertNotIn(customers["person"], lines)
        # key accounts without revenue in the period are outside the top
        outside = wiz.line_ids.filtered(
            lambda line: line.status == "key_outside")
        self.assertIn(customers["idle"], outside.mapped("partner_id"))
        self.assertFalse(any(outside.mapped("rank")))
        self.assertFalse(any(outside.mapped("in_top")))
        self.assertEqual(wiz.outside_count, len(outside))
        # ranking again replaces the lines
        count = len(wiz.line_ids)
        wiz.write({"share_target": 95.0})
        wiz.action_rank()
        self.assertEqual(len(wiz.line_ids), count)
        self.assertEqual(
            wiz.line_ids.filtered("rank").sorted("rank").mapped("in_top"),
            [True, True, True, False])

    def test_promote_in_one_step(self):
        env, customers = self.env, self.customers
        wiz = wizard(env)
        wiz.action_rank()
        wiz.action_select_candidates()
        self.assertTrue(lines_by_partner(wiz)[customers["a"]].selected)
        # the regional manager promotes with the suggested type: A has no
        # address in a region and bought first in 2015
        self.assertEqual(lines_by_partner(wiz)[customers["a"]]
                         .suggested_account_type, "key")
        wiz.write({
            "kam_manager_id": ref(env, "user_kam_manager_2").id,
            "kam_region_id": ref(env, "region_east_china").id,
            "kam_relationship_level_id": ref(
                env, "relationship_level_preferred_supplier").id,
            "reason": "Half of 2015's revenue",
        })
        wiz.action_promote()
        a = customers["a"]
        self.assertTrue(a.kam_is_key_account)
        self.assertEqual(
            (a.kam_account_type, a.kam_manager_id, a.kam_region_id,
             a.kam_relationship_level_id),
            ("key", ref(env, "user_kam_manager_2"),
             ref(env, "region_east_china"),
             ref(env, "relationship_level_preferred_supplier")))
        history = a.kam_relationship_history_ids
        self.assertEqual(history.reason, "Half of 2015's revenue")
        self.assertEqual(history.user_id, ref(env, "user_kam_regional"))
        # ranked again: A is now a key account in the top
        self.assertEqual(lines_by_partner(wiz)[a].status, "key_top")
        self.assertEqual(wiz.candidate_count, 0)

    def refused_promotion(self, wiz, exc, match):
        """Promote, expecting ``exc`` matching ``match``; returns whether A
        was a key account at the moment of the error, before the rollback
        hides what the failed call wrote."""
        a = self.customers["a"]
        at_error = {}
        with self.raises_and_rolls_back(exc, match):
            try:
                wiz.action_promote()
            except exc:
                a.invalidate_cache()
                at_error["key"] = a.kam_is_key_account
                raise
        return at_error["key"]

    def test_promotion_needs_selection_and_fields(self):
        env, customers = self.env, self.customers
        wiz = wizard(env)
        wiz.action_rank()
        self.assertFalse(self.refused_promotion(wiz, UserError, "tick"))
        lines_by_partner(wiz)[customers["a"]].write({"selected": True})
        wiz.write({"kam_manager_id": False})
        self.assertFalse(self.refused_promotion(
            wiz, UserError, "Key Account Manager is required"))
        # already a key account: nobody is promoted, A neither
        lines_by_partner(wiz)[customers["b"]].write({"selected": True})
        wiz.write({"kam_manager_id": ref(env, "user_kam_manager_1").id,
                   "kam_region_id": ref(env, "region_east_china").id})
        self.assertFalse(self.refused_promotion(
            wiz, UserError, "Pareto B are key accounts already"))

    def test_regional_manager_promotes_only_into_own_region(self):
        env, customers = self.env, self.customers
        wiz = wizard(env)
        wiz.action_rank()
        lines_by_partner(wiz)[customers["a"]].write({"selected": True})
        wiz.write({"kam_manager_id": ref(env, "user_kam_manager_2").id,
                   "kam_region_id": ref(env, "region_south_china").id})
        # refused before anything is written, with the addon's message
        # (not the record rule's generic one when the account is read back)
        account = customers["a"]
        with self.raises_and_rolls_back(
                AccessError, "to a region you do not manage"):
            try:
                wiz.action_promote()
            except AccessError:
                account.invalidate_cache()
                self.assertFalse(account.kam_is_key_account)
                raise

    def test_only_managers_and_directors_rank(self):
        env = self.env
        for login in ("kam_manager_1", "kam_support", "kam_secretary"):
            with self.subTest(login=login):
                wiz = wizard(env, login=login)
                with self.raises_and_rolls_back(
                        AccessError, "may use the 80/20 key-account finder"):
                    wiz.action_rank()
        wiz = wizard(env, login="kam_director")
        wiz.action_rank()
        self.assertEqual(wiz.customer_count, 4)


class TestParetoByMargin(KamCase):
    """Ranked by margin (R13, issue 13), the top is not the revenue's: the
    largest buyer earns us the least."""

    PERIOD = {"date_from": "2017-01-01", "date_to": "2017-12-31",
              "share_target": 50.0}

    @classmethod
    def setUpClass(cls):
        """2017: Thin buys 1000 at a margin of 100, Rich 600 at 500, Mid
        400 at 400; a cancelled order of Thin with a large margin."""
        super(TestParetoByMargin, cls).setUpClass()
        env = cls.env
        env.cr.execute(
            "UPDATE sale_order SET state = 'cancel' "
            "WHERE state IN ('sale', 'done') "
            "AND date_order >= %s AND date_order < %s",
            ("2017-01-01", "2018-01-01"))
        product = make_product(env)
        cls.thin = make_company(env, "Margin Thin")
        cls.rich = make_company(env, "Margin Rich")
        cls.mid = make_company(env, "Margin Mid")
        order(env, product, cls.thin, "2017-03-01", 1000.0, cost=900.0)
        order(env, product, cls.thin, "2017-03-02", 5000.0, cost=0.0,
              state="cancel")
        order(env, product, cls.rich, "2017-04-01", 600.0, cost=100.0)
        order(env, product, cls.mid, "2017-05-01", 400.0, cost=0.0)

    def ranked(self, **vals):
        wiz = wizard(self.env, **dict(self.PERIOD, **vals))
        wiz.action_rank()
        return wiz, wiz.line_ids.filtered("rank").sorted("rank")

    def test_rank_by_margin_differs_from_rank_by_revenue(self):
        by_revenue, lines = self.ranked()
        self.assertEqual(by_revenue.rank_by, "revenue")
        self.assertEqual(lines.mapped("partner_id"),
                         self.thin | self.rich | self.mid)
        self.assertEqual(lines.mapped("in_top"), [True, False, False])
        self.assertEqual(lines.mapped("share"), [50.0, 30.0, 20.0])
        by_margin, lines = self.ranked(rank_by="margin")
        self.assertEqual(lines.mapped("partner_id"),
                         self.rich | self.mid | self.thin)
        self.assertEqual(lines.mapped("in_top"), [True, False, False])
        self.assertEqual(lines.mapped("share"), [50.0, 40.0, 10.0])
        self.assertEqual(lines.mapped("cumulative_share"),
                         [50.0, 90.0, 100.0])
        # the candidate of the margin is not the revenue's
        self.assertEqual(
            by_revenue.line_ids.filtered(
                lambda line: line.status == "candidate").partner_id,
            self.thin)
        self.assertEqual(
            by_margin.line_ids.filtered(
                lambda line: line.status == "candidate").partner_id,
            self.rich)
        # both figures on every line, whatever the ranking
        self.assertEqual(lines.mapped("revenue"), [600.0, 400.0, 1000.0])
        self.assertEqual(lines.mapped("margin"), [500.0, 400.0, 100.0])
        self.assertEqual(lines.mapped("margin_rate"), [83.33, 100.0, 10.0])
        for wiz in (by_revenue, by_margin):
            self.assertEqual((wiz.total_revenue, wiz.total_margin),
                             (2000.0, 1000.0))

    def test_rank_by_is_checked(self):
        with self.raises_and_rolls_back(ValidationError, "Rank By"):
            wizard(self.env, rank_by="profit")


class TestParetoSuggestedType(KamCase):
    """The type the data suggest (R1, issue 13): national for addresses in
    two regions or more, long-term for a first confirmed order at least
    ``kam_management.long_term_years`` years before the end of the period;
    a director may promote with another type, nobody else. Dates relative
    to today; the period is the wizard's default (the last 365 days)."""

    @classmethod
    def setUpClass(cls):
        super(TestParetoSuggestedType, cls).setUpClass()
        env = cls.env
        cn, jp = env.ref("base.cn"), env.ref("base.jp")
        State = env["res.country.state"]
        east_state = State.create({"name": "Test East Province",
                                   "code": "KTE", "country_id": cn.id})
        south_state = State.create({"name": "Test South Province",
                                    "code": "KTS", "country_id": cn.id})
        # 华东 is the east province; 华南 the south one and Japan
        ref(env, "region_east_china").write({
            "state_ids": [(6, 0, [east_state.id])],
            "country_ids": [(6, 0, [])]})
        ref(env, "region_south_china").write({
            "state_ids": [(6, 0, [south_state.id])],
            "country_ids": [(6, 0, [jp.id])]})
        product = make_product(env)
        recent = ds(today() - relativedelta(days=10))
        east = {"state_id": east_state.id, "country_id": cn.id}
        # orders shipped to a site in the south (not one of its addresses)
        cls.shipping = make_company(env, "Suggest Shipping Co", **east)
        site = env["res.partner"].create(dict(
            name="Suggest Building Site", state_id=south_state.id,
            country_id=cn.id))
        order(env, product, cls.shipping, recent, 900.0, shipping=site)
        # a delivery address in Japan (a country of 华南)
        cls.branch = make_company(env, "Suggest Branch Co", **east)
        env["res.partner"].create({
            "name": "Suggest Branch Osaka", "parent_id": cls.branch.id,
            "type": "delivery", "country_id": jp.id})
        order(env, product, cls.branch, recent, 800.0,
              shipping=cls.branch)
        # everything in the east
        cls.local = make_company(env, "Suggest Local Co", **east)
        env["res.partner"].create(dict(
            east, name="Suggest Local Depot", parent_id=cls.local.id,
            type="delivery"))
        order(env, product, cls.local, recent, 700.0)
        # a customer for four years (a cancelled order six years ago)
        cls.old = make_company(env, "Suggest Old Co")
        cls.first = today() - relativedelta(years=4)
        order(env, product, cls.old, ds(cls.first), 100.0)
        order(env, product, cls.old,
              ds(today() - relativedelta(years=6)), 100.0, state="cancel")
        order(env, product, cls.old, recent, 600.0)

    def ranked(self, login="kam_regional"):
        wiz = wizard(self.env, login=login, date_from=ds(
            today() - relativedelta(days=364)), date_to=ds(today()))
        wiz.action_rank()
        return wiz, lines_by_partner(wiz)

    def test_a_state_is_in_one_region(self):
        env = self.env
        east = ref(env, "region_east_china")
        south = ref(env, "region_south_china")
        with self.raises_and_rolls_back(
                ValidationError, "States / Provinces: the region %s already "
                "covers Test East Province" % east.name):
            south.with_env(as_user(env, "kam_director")).write(
                {"state_ids": [(4, east.state_ids.id)]})
        with self.raises_and_rolls_back(
                ValidationError, "Countries: the region %s already covers "
                "Japan" % south.name):
            env["kam.region"].with_env(as_user(env, "kam_director")).create(
                {"name": "Japan Desk", "country_ids": [
                    (6, 0, south.country_ids.ids)]})
        # another company's region may cover it
        other = env["res.company"].create({"name": "Region Other Co"})
        env["kam.region"].create({
            "name": "Other East", "company_id": other.id,
            "state_ids": [(6, 0, east.state_ids.ids)]})

    def test_suggested_types(self):
        _wiz, lines = self.ranked()
        self.assertEqual(
            [(lines[p].region_count, lines[p].suggested_account_type)
             for p in (self.shipping, self.branch, self.local, self.old)],
            [(2, "national"), (2, "national"), (1, "key"),
             (0, "long_term")])
        self.assertEqual(lines[self.old].customer_since, ds(self.first))
        self.assertEqual(lines[self.local].customer_since,
                         ds(today() - relativedelta(days=10)))
        # five years needed: no longer long-term
        self.env["ir.config_parameter"].set_param(
            "kam_management.long_term_years", "5")
        _wiz, lines = self.ranked()
        self.assertEqual(lines[self.old].suggested_account_type, "key")
        self.assertEqual(lines[self.old].customer_since, ds(self.first))

    def promote(self, wiz, lines, partners):
        for partner in partners:
            lines[partner].write({"selected": True})
        wiz.write({
            "kam_manager_id": ref(self.env, "user_kam_manager_1").id,
            "kam_region_id": ref(self.env, "region_east_china").id,
            "kam_relationship_level_id": ref(
                self.env, "relationship_level_vendor").id})
        wiz.action_promote()
        self.env["res.partner"].invalidate_cache()
        return [p.kam_account_type for p in partners]

    def test_promotion_uses_the_suggested_type(self):
        wiz, lines = self.ranked()
        self.assertEqual(
            self.promote(wiz, lines, [self.shipping, self.old, self.local]),
            ["national", "long_term", "key"])
        self.assertTrue(all(p.kam_is_key_account for p in (
            self.shipping, self.old, self.local)))

    def test_director_overrides_the_type(self):
        wiz, lines = self.ranked(login="kam_director")
        lines[self.shipping].write({"kam_account_type": "key"})
        self.assertEqual(
            self.promote(wiz, lines, [self.shipping, self.old]),
            ["key", "long_term"])
        # on the wizard: for every ticked line without its own
        wiz, lines = self.ranked(login="kam_director")
        lines[self.local].write({"kam_account_type": "national"})
        wiz.write({"kam_account_type": "long_term"})
        self.assertEqual(
            self.promote(wiz, lines, [self.branch, self.local]),
            ["long_term", "national"])

    def test_only_directors_change_the_type(self):
        env = self.env
        refused = "only sales directors may set another type"
        wiz, lines = self.ranked(login="kam_regional")
        line = lines[self.shipping]
        with self.raises_and_rolls_back(AccessError, refused):
            line.write({"kam_account_type": "key"})
        with self.raises_and_rolls_back(AccessError, refused):
            wiz.write({"kam_account_type": "key"})
        with self.raises_and_rolls_back(AccessError, refused):
            wizard(env, login="kam_regional", kam_account_type="long_term")
        line.invalidate_cache()
        self.assertFalse(line.kam_account_type)
        # a type on the line however it got there (here in SQL): the
        # regional manager's promotion is refused before anything is
        # written
        env.cr.execute(
            "UPDATE kam_pareto_wizard_line SET kam_account_type = 'key'"
            " WHERE id = %s", (line.id,))
        line.invalidate_cache()
        line.write({"selected": True})
        wiz.write({
            "kam_manager_id": ref(env, "user_kam_manager_1").id,
            "kam_region_id": ref(env, "region_east_china").id})
        with self.raises_and_rolls_back(AccessError, refused):
            try:
                wiz.action_promote()
            except AccessError:
                self.shipping.invalidate_cache()
                self.assertFalse(self.shipping.kam_is_key_account)
                raise
