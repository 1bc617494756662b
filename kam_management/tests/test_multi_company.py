# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Multi-company (issue 7): two companies, each with its own currency,
region, users and key accounts. Every KAM record of one is invisible to the
users of the other; linking records of two companies is refused; the
scheduled actions, which run as the superuser over all companies, keep each
company's figures, currency, rankings and activities apart.

Company A is the demo database's main company; company B is built once per
class (``setUpClass``) and every test runs in a savepoint rolled back after
it. The XML-RPC test (``tests/test_multi_company.py``, pytest) builds its
own company and cleans up after itself.
"""
from dateutil.relativedelta import relativedelta

from odoo.exceptions import AccessError, ValidationError

from .common import (KamCase, as_user, ds, key_account_vals, make_company,
                     month_end, month_start, ref, today)
from .rfm_common import make_product, order

KAM_MODELS = [
    "kam.visit", "kam.visit.compliance", "kam.visit.compliance.snapshot",
    "kam.visit.rule", "kam.support.team", "kam.support.team.member",
    "kam.requirement", "kam.requirement.stage.log", "kam.service.station",
    "kam.complaint", "kam.info", "kam.report", "kam.target",
    "kam.satisfaction", "kam.scorecard", "kam.rfm.snapshot",
    "kam.relationship.history", "kam.region", "kam.satisfaction.request",
    "kam.month.handin", "kam.month.handin.line",
]
# what Odoo 11 says when a record rule hides a record that is read by id
RULE_DENIED = "due to security restrictions"


def _other_currency(env):
    """A currency that is not the main company's, with a rate."""
    main = env.ref("base.main_company").currency_id
    currency = env.ref("base.USD") if main != env.ref("base.USD") \
        else env.ref("base.EUR")
    currency.active = True
    return currency


def _user(env, login, company, groups):
    return env["res.users"].with_context(no_reset_password=True).create({
        "name": login, "login": login, "password": login,
        "email": "%s@example.com" % login,
        "company_id": company.id, "company_ids": [(6, 0, [company.id])],
        "groups_id": [(6, 0, [ref(env, g).id for g in groups])],
    })


class CompanyB(object):
    """Company B and its people, region and key accounts."""

    def __init__(self, env, suffix=""):
        self.env = env
        self.currency = _other_currency(env)
        self.company = env["res.company"].create({
            "name": "Company B%s" % suffix, "currency_id": self.currency.id})
        self.director = _user(env, "mc_director%s" % suffix, self.company,
                              ["group_kam_director"])
        self.regional = _user(env, "mc_regional%s" % suffix, self.company,
                              ["group_kam_regional_manager"])
        self.kam = _user(env, "mc_kam%s" % suffix, self.company,
                         ["group_kam_user", "sales_team.group_sale_salesman"])
        self.support = _user(env, "mc_support%s" % suffix, self.company,
                             ["group_kam_support"])
        self.secretary = _user(env, "mc_secretary%s" % suffix, self.company,
                               ["group_kam_secretary"])
        self.region = env["kam.region"].create({
            "name": "Region B%s" % suffix, "company_id": self.company.id,
            "manager_id": self.regional.id,
            "member_ids": [(6, 0, [self.kam.id, self.support.id])]})
        self.account = self.key_account("B Steel%s" % suffix)

    def key_account(self, name):
        partner = make_company(self.env, name, company_id=self.company.id)
        partner.write(key_account_vals(
            self.env, kam_manager_id=self.kam.id,
            kam_region_id=self.region.id))
        return partner


def _b_records(env, b):
    """One record of each hand-made KAM model in company B."""
    station = env["kam.service.station"].create({
        "name": "Station B", "region_id": b.region.id,
        "user_ids": [(6, 0, [b.support.id])],
        "partner_ids": [(6, 0, [b.account.id])]})
    team = b.account.kam_support_team_id
    env["kam.support.team.member"].create({
        "team_id": team.id, "user_id": b.support.id,
        "role": "technical_support"})
    visit = env["kam.visit"].create({
        "partner_id": b.account.id, "user_id": b.kam.id,
        "purpose": "Plant tour", "state": "planned"})
    requirement = env["kam.requirement"].create({
        "name": "B cooling", "partner_id": b.account.id})
    complaint = env["kam.complaint"].create({
        "name": "B leak", "partner_id": b.account.id})
    info = env["kam.info"].sudo(b.kam).create({
        "name": "B news", "partner_id": b.account.id,
        "category_id": env["kam.info.category"].search([], limit=1).id})
    # this year's target: B's KAM is new, no target of theirs overlaps
    year_start = today().replace(month=1, day=1)
    target = env["kam.target"].create({
        "user_id": b.kam.id, "company_id": b.company.id,
        "date_from": ds(year_start),
        "date_to": ds(year_start + relativedelta(years=1, days=-1)),
        "amount": 1000.0})
    satisfaction = env["kam.satisfaction"].create({
        "partner_id": b.account.id, "score": 4})
    rule = env["kam.visit.rule"].create({
        "name": "B weekly", "role": "kam", "interval_days": 7,
        "warning_days": 2, "company_id": b.company.id})
    return {"station": station, "team": team, "visit": visit,
            "requirement": requirement, "complaint": complaint,
            "info": info, "target": target, "satisfaction": satisfaction,
            "rule": rule}


def _b_order(env, b, partner, day, amount, pricelist, product):
    so = env["sale.order"].create({
        "partner_id": partner.id, "company_id": b.company.id,
        "pricelist_id": pricelist.id,
        "date_order": "%s 10:00:00" % day,
        "order_line": [(0, 0, {"product_id": product.id,
                               "product_uom_qty": 1,
                               "price_unit": amount})]})
    so.action_confirm()
    so.write({"date_order": "%s 10:00:00" % day,
              "confirmation_date": "%s 10:00:00" % day})
    return so


def _b_pricelist(env, b):
    return env["product.pricelist"].create({
        "name": "B list", "currency_id": b.currency.id,
        "company_id": b.company.id})


def _activities(env, record):
    domain = [("res_model", "=", record._name), ("res_id", "=", record.id)]
    return env["mail.activity"].search(domain).mapped("user_id")


class MultiCompanyCase(KamCase):
    """Company B (``self.b``), built once for the class."""

    @classmethod
    def setUpClass(cls):
        super(MultiCompanyCase, cls).setUpClass()
        cls.b = CompanyB(cls.env)

    def assertMoney(self, first, second, msg=None):
        """Equal to the cent (pytest.approx's relative 1e-6 allowed
        thousands on these billions)."""
        self.assertAlmostEqual(first, second, places=2, msg=msg)


# ----------------------------------------------------------------------
# 1. Every model has a company and a global company rule
# ----------------------------------------------------------------------
class TestCompanyOfRecords(MultiCompanyCase):

    def test_every_kam_model_has_a_company_and_a_global_rule(self):
        env = self.env
        # (a visit kind stands for a key of the visits' kind selection,
        # the same in every company; the contact windows belong to Odoo's
        # industries, which every company shares, issue 13)
        shared = {"kam.relationship.level", "kam.info.category",
                  "kam.requirement.stage.target", "kam.visit.kind",
                  "kam.contact.window"}
        models = env["ir.model"].search([("model", "=like", "kam.%"),
                                         ("transient", "=", False)])
        missing = []
        for model in models.mapped("model"):
            if model in shared or env[model]._abstract:
                continue
            field = env[model]._fields.get("company_id")
            rules = env["ir.rule"].search([
                ("model_id.model", "=", model), ("global", "=", True),
                ("domain_force", "like", "company_id")])
            if not field or not field.store or not rules:
                missing.append(model)
        self.assertEqual(missing, [])
        self.assertLessEqual(set(KAM_MODELS), set(models.mapped("model")))

    def test_records_follow_their_account_company(self):
        env, b = self.env, self.b
        records = _b_records(env, b)
        for name, record in records.items():
            self.assertEqual(record.company_id, b.company, name)
        team = records["team"]
        self.assertEqual(team.member_ids.company_id, b.company)
        self.assertEqual(b.account.company_id, b.company)
        # a visit entered by the admin (company A) still belongs to B
        self.assertNotEqual(env.user.company_id, b.company)
        req = records["requirement"]
        self.assertTrue(req.stage_log_ids)
        self.assertEqual(req.stage_log_ids.mapped("company_id"), b.company)
        history = env["kam.relationship.history"].search(
            [("partner_id", "=", b.account.id)])
        self.assertTrue(history)
        self.assertEqual(history.mapped("company_id"), b.company)


# ----------------------------------------------------------------------
# 2. Isolation over the ORM, as the real users
# ----------------------------------------------------------------------
class TestIsolation(MultiCompanyCase):

    def test_company_b_records_are_invisible_to_company_a(self):
        env, b = self.env, self.b
        records = _b_records(env, b)
        env["kam.visit.compliance"]._kam_refresh(partner_ids=b.account.ids)
        b_ids = {}
        for model in KAM_MODELS:
            b_ids[model] = set(env[model].search(
                [("company_id", "=", b.company.id)]).ids)
        self.assertTrue(b_ids["kam.visit.compliance"])
        self.assertTrue(b_ids["kam.region"])
        # A's director and secretary see everything of A, nothing of B
        for login in ("kam_director", "kam_secretary", "kam_regional",
                      "kam_manager_1", "kam_support"):
            user_env = as_user(env, login)
            for model in KAM_MODELS:
                if not user_env[model].check_access_rights(
                        "read", raise_exception=False):
                    continue    # no access at all (support staff: reports)
                seen = set(user_env[model].search([]).ids)
                self.assertFalse(seen & b_ids[model], (login, model))
            self.assertFalse(user_env["res.partner"].search(
                [("id", "=", b.account.id)]), login)
            # read by id: the company rule refuses it (not another error)
            with self.assertRaisesRegex(AccessError, RULE_DENIED):
                user_env["kam.visit"].browse(
                    records["visit"].id).read(["name"])

    def test_company_a_records_are_invisible_to_company_b(self):
        env, b = self.env, self.b
        _b_records(env, b)
        a = env.ref("base.main_company")
        for user in (b.director, b.secretary, b.regional, b.kam, b.support):
            user_env = env(user=user.id)
            for model in KAM_MODELS:
                if not user_env[model].check_access_rights(
                        "read", raise_exception=False):
                    continue
                rows = user_env[model].search([])
                self.assertTrue(all(r.company_id.id in (False, b.company.id)
                                    # sudo: the company as stored
                                    for r in rows.sudo()),
                                (user.login, model))
            self.assertFalse(user_env["res.partner"].search(
                [("company_id", "=", a.id),
                 ("kam_is_key_account", "=", True)]), user.login)
        # and B's director sees B's own records
        director = env(user=b.director.id)
        self.assertEqual(
            director["kam.visit"].search([]).mapped("partner_id"), b.account)
        self.assertEqual(director["kam.region"].search([]), b.region)


# ----------------------------------------------------------------------
# 3. Links across companies are refused, naming the field
# ----------------------------------------------------------------------
def _cases(env, b):
    """(description, callable, message fragment)."""
    a_account = ref(env, "partner_kam_shanghai_metro")
    a_station = ref(env, "service_station_east_china")
    kam1 = as_user(env, "kam_manager_1")
    category = env["kam.info.category"].search([], limit=1)
    return [
        ("region of B on an account of A",
         lambda: a_account.write({"kam_region_id": b.region.id}),
         "Key-Account Region"),
        ("KAM of B on an account of A",
         lambda: a_account.write({"kam_manager_id": b.kam.id}),
         "Key Account Manager"),
        ("visit by an A user for an account of B",
         lambda: kam1["kam.visit"].create({
             "partner_id": b.account.id, "purpose": "x"}),
         "Key Account"),
        ("visit of an A visitor to an account of B",
         lambda: env["kam.visit"].create({
             "partner_id": b.account.id, "purpose": "x",
             "user_id": ref(env, "user_kam_manager_1").id}),
         "Visitor"),
        ("visit of company A for an account of B",
         lambda: env["kam.visit"].create({
             "partner_id": b.account.id, "purpose": "x",
             "user_id": b.kam.id,
             "company_id": env.ref("base.main_company").id}),
         "Key Account"),
        ("requirement by an A user for an account of B",
         lambda: kam1["kam.requirement"].create({
             "name": "x", "partner_id": b.account.id}),
         "Key Account"),
        ("complaint by an A user for an account of B",
         lambda: kam1["kam.complaint"].create({
             "name": "x", "partner_id": b.account.id}),
         "Key Account"),
        ("complaint of B served by a station of A",
         lambda: env["kam.complaint"].create({
             "name": "x", "partner_id": b.account.id,
             "station_id": a_station.id}),
         "Service Station"),
        ("information by an A user on an account of B",
         lambda: kam1["kam.info"].create({
             "name": "x", "partner_id": b.account.id,
             "category_id": category.id}),
         "Key Account"),
        ("satisfaction by an A user on an account of B",
         lambda: kam1["kam.satisfaction"].create({
             "partner_id": b.account.id, "score": 3}),
         "Key Account"),
        ("A user as member of a region of B",
         lambda: b.region.write({"member_ids": [
             (4, ref(env, "user_kam_manager_1").id)]}),
         "Members"),
        ("A user as manager of a region of B",
         lambda: b.region.write({
             "manager_id": ref(env, "user_kam_regional").id}),
         "Regional Manager"),
        ("station of B serving an account of A",
         lambda: env["kam.service.station"].create({
             "name": "x", "region_id": b.region.id,
             "partner_ids": [(6, 0, [a_account.id])]}),
         "Key Accounts Served"),
        ("station of B staffed by an A user",
         lambda: env["kam.service.station"].create({
             "name": "x", "region_id": b.region.id,
             "user_ids": [(6, 0, [ref(env, "user_kam_support").id])]}),
         "Staff"),
        ("A support user on the team of an account of B",
         lambda: env["kam.support.team.member"].create({
             "team_id": b.account.kam_support_team_id.id,
             "user_id": ref(env, "user_kam_support").id}),
         "Member"),
        ("target of company A for a KAM of B",
         lambda: env["kam.target"].create({
             "user_id": b.kam.id, "company_id":
                 env.ref("base.main_company").id,
             "date_from": ds(month_start()), "date_to": ds(month_end()),
             "amount": 1.0}),
         "Key Account Manager"),
        ("account of B moved to a region of A",
         lambda: b.account.write({
             "kam_region_id": ref(env, "region_east_china").id}),
         "Key-Account Region"),
    ]


class TestCrossCompanyLinks(MultiCompanyCase):

    def test_links_across_companies_are_refused(self):
        env, b = self.env, self.b
        counts = {model: env[model].search_count([]) for model in (
            "kam.visit", "kam.requirement", "kam.complaint", "kam.info",
            "kam.satisfaction", "kam.service.station", "kam.target",
            "kam.support.team.member")}
        a_account = ref(env, "partner_kam_shanghai_metro")
        before = (a_account.kam_region_id, a_account.kam_manager_id,
                  b.region.member_ids, b.region.manager_id)
        cases = _cases(env, b)
        for label, call, field in cases:
            with self.subTest(label):
                with self.raises_and_rolls_back(ValidationError, field):
                    call()
        self.assertEqual(len(cases), 17)
        for model, count in counts.items():
            self.assertEqual(env[model].search_count([]), count, model)
        self.assertEqual((a_account.kam_region_id, a_account.kam_manager_id,
                          b.region.member_ids, b.region.manager_id), before)

    def test_cross_company_error_is_translated(self):
        kam1 = self.env(user=ref(self.env, "user_kam_manager_1").id,
                        context={"lang": "zh_CN"})
        with self.raises_and_rolls_back(ValidationError, "公司"):
            kam1["kam.visit"].create({"partner_id": self.b.account.id,
                                      "purpose": "x"})


# ----------------------------------------------------------------------
# 4. The scheduled actions, per company
# ----------------------------------------------------------------------
class TestScheduledActions(MultiCompanyCase):

    def test_visit_rules_apply_to_their_company_only(self):
        env, b = self.env, self.b
        rule_b = env["kam.visit.rule"].create({
            "name": "B weekly", "role": "kam", "interval_days": 7,
            "warning_days": 2, "company_id": b.company.id})
        env["kam.visit.compliance"]._cron_visit_compliance()
        Compliance = env["kam.visit.compliance"]
        rows_b = Compliance.search([("partner_id", "=", b.account.id)])
        self.assertEqual(rows_b.mapped("rule_id"), rule_b)
        self.assertEqual(rows_b.company_id, b.company)
        self.assertFalse(Compliance.search([
            ("rule_id", "=", rule_b.id),
            ("partner_id", "!=", b.account.id)]))
        # A's demo rules do not apply to B's account
        self.assertNotIn(ref(env, "visit_rule_kam_monthly"),
                         rows_b.mapped("rule_id"))
        # B's KAM sees their row; A's director does not
        self.assertEqual(
            env(user=b.kam.id)["kam.visit.compliance"].search([]), rows_b)
        self.assertFalse(as_user(env, "kam_director")[
            "kam.visit.compliance"].search([("id", "in", rows_b.ids)]))

    def test_rfm_ranks_each_company_apart_in_its_currency(self):
        env, b = self.env, self.b
        second = b.key_account("B Copper")
        product = make_product(env)
        pricelist = _b_pricelist(env, b)
        day = ds(today() - relativedelta(days=10))
        this_month = ds(month_start())
        # both far above every demo account of A: ranked among all accounts
        # they would both score M 5
        _b_order(env, b, b.account, day, 5.0e9, pricelist, product)
        _b_order(env, b, second, day, 9.0e9, pricelist, product)
        env["res.partner"]._cron_kam_rfm_refresh()
        snaps = env["kam.rfm.snapshot"].search([
            ("partner_id", "in", (b.account | second).ids),
            ("month", "=", this_month)])
        by_partner = {s.partner_id: s for s in snaps}
        self.assertEqual(by_partner[b.account].m_score, 1)
        self.assertEqual(by_partner[second].m_score, 5)
        for snap in snaps:
            self.assertEqual(snap.currency_id, b.currency)
            self.assertEqual(snap.company_id, b.company)
        self.assertMoney(by_partner[b.account].monetary, 5.0e9)
        # an order of B's account placed through company A, in A's
        # currency, counts in B's currency (converted with A's rates)
        a_currency = env.ref("base.main_company").currency_id
        so = order(env, product, second, day, 1000.0)
        self.assertNotEqual(so.company_id, b.company)
        self.assertEqual(so.currency_id, a_currency)
        env["res.partner"]._cron_kam_rfm_refresh()
        converted = a_currency.with_context(date=day).compute(
            1000.0, b.currency)
        self.assertNotAlmostEqual(converted, 1000.0, places=2)
        by_partner[second].invalidate_cache()
        self.assertMoney(by_partner[second].monetary, 9.0e9 + converted)
        # A's snapshots stay in A's currency
        a_snap = env["kam.rfm.snapshot"].search([
            ("partner_id", "=", ref(env, "partner_kam_shanghai_metro").id),
            ("month", "=", this_month)])
        self.assertEqual(a_snap.currency_id, a_currency)
        # B's KAM reads B's snapshots only
        seen = env(user=b.kam.id)["kam.rfm.snapshot"].search([])
        self.assertTrue(seen)
        self.assertLessEqual(seen.mapped("partner_id"), b.account | second)

    def test_pareto_finder_ranks_own_company_only(self):
        env, b = self.env, self.b
        product = make_product(env)
        pricelist = _b_pricelist(env, b)
        day = ds(today() - relativedelta(days=5))
        prospect = make_company(env, "B Prospect", company_id=b.company.id)
        _b_order(env, b, prospect, day, 5000.0, pricelist, product)
        _b_order(env, b, b.account, day, 100.0, pricelist, product)
        a_customer = ref(env, "partner_kam_shanghai_metro")
        order(env, product, a_customer, day, 300.0)
        ranked = {}
        for user in (b.director, ref(env, "user_kam_director")):
            wizard = env(user=user.id)["kam.pareto.wizard"].create({})
            wizard.action_rank()
            ranked[user] = wizard.line_ids.mapped("partner_id")
        self.assertEqual(ranked[b.director], prospect | b.account)
        mine = ranked[ref(env, "user_kam_director")]
        self.assertIn(a_customer, mine)
        self.assertFalse(mine & (prospect | b.account))

    def test_monthly_reports_and_scorecards_per_company(self):
        env, b = self.env, self.b
        first = month_start()             # the day the action runs
        previous = month_start(months=-1)  # the month it reports on
        product = make_product(env)
        pricelist = _b_pricelist(env, b)
        _b_order(env, b, b.account, ds(previous + relativedelta(days=3)),
                 777.0, pricelist, product)
        env["kam.target"].create({
            "user_id": b.kam.id, "company_id": b.company.id,
            "date_from": ds(previous), "date_to": ds(month_end(previous)),
            "amount": 1554.0})
        reports = env["kam.report"]._cron_monthly_reports(today=ds(first))
        kam_report = reports.filtered(lambda r: r.user_id == b.kam)
        region_report = reports.filtered(
            lambda r: r.report_type == "region_monthly"
            and r.region_id == b.region)
        self.assertEqual(kam_report.company_id, b.company)
        self.assertEqual(region_report.company_id, b.company)
        self.assertEqual(kam_report.currency_id, b.currency)
        self.assertMoney(kam_report.sales_amount, 777.0)
        self.assertMoney(kam_report.target_amount, 1554.0)
        self.assertAlmostEqual(kam_report.target_achievement_pct, 50.0)
        self.assertEqual(kam_report.reviewer_id, b.regional)
        self.assertEqual(region_report.reviewer_id, b.director)
        # A's reports keep A's company and none of B's sales
        a_reports = reports - kam_report - region_report
        self.assertTrue(a_reports)
        self.assertEqual(set(a_reports.mapped("company_id")),
                         {env.ref("base.main_company")})
        # the scorecard of B's KAM, in B's currency
        card = env["kam.scorecard"].search([
            ("user_id", "=", b.kam.id),
            ("period_start", "=", ds(previous))])
        self.assertEqual(card.company_id, b.company)
        self.assertEqual(card.currency_id, b.currency)
        self.assertMoney(card.sales_amount, 777.0)
        # as the users: B's KAM and director see B's, A's director not
        self.assertEqual(env(user=b.kam.id)["kam.report"].search([]),
                         kam_report)
        director_b = env(user=b.director.id)
        self.assertEqual(set(director_b["kam.report"].search([]).ids),
                         set((kam_report | region_report).ids))
        self.assertLessEqual(
            director_b["kam.scorecard"].search([]).mapped("user_id"),
            b.kam | b.regional | b.director | b.support)
        director_a = as_user(env, "kam_director")
        self.assertFalse(director_a["kam.report"].search(
            [("id", "in", (kam_report | region_report).ids)]))
        self.assertFalse(director_a["kam.scorecard"].search(
            [("id", "=", card.id)]))

    def test_month_end_information_goes_to_the_company_secretary(self):
        """R14: B's KAM gets B's hand-in; once handed in, B's secretary
        (not A's) enters it; A's people do not even see it."""
        env, b = self.env, self.b
        handins = env["kam.report"]._cron_month_end_information(
            today=ds(month_end()))
        b_handin = handins.filtered(lambda h: h.user_id == b.kam)
        self.assertEqual(b_handin.company_id, b.company)
        self.assertEqual(b_handin.line_ids.mapped("partner_id"), b.account)
        self.assertEqual(_activities(env, b_handin), b.kam)
        b_handin.sudo(b.kam).action_hand_in()
        recipients = _activities(env, b_handin)
        self.assertIn(b.secretary, recipients)
        self.assertNotIn(ref(env, "user_kam_secretary"), recipients)
        a_handin = handins.filtered(
            lambda h: h.user_id == ref(env, "user_kam_manager_1"))
        self.assertTrue(a_handin)
        a_handin.sudo(ref(env, "user_kam_manager_1")).action_hand_in()
        self.assertNotIn(b.secretary, _activities(env, a_handin))
        secretary_a = as_user(env, "kam_secretary")
        self.assertFalse(secretary_a["kam.month.handin"].search(
            [("id", "=", b_handin.id)]))
        self.assertFalse(secretary_a["kam.month.handin.line"].search(
            [("handin_id", "=", b_handin.id)]))
        b_handin.sudo(b.secretary).action_confirm_entered()
        self.assertEqual(b_handin.state, "entered")

    def test_info_escalation_goes_to_the_company_directors(self):
        env, b = self.env, self.b
        category = env["kam.info.category"].search([], limit=1)
        info = env["kam.info"].sudo(b.kam).create({
            "name": "B plant closing", "partner_id": b.account.id,
            "category_id": category.id, "importance": "critical"}).sudo()
        recipients = _activities(env, info)
        self.assertIn(b.director, recipients)
        self.assertNotIn(ref(env, "user_kam_director"), recipients)
        # not acknowledged in time: the escalation stays in company B
        env["kam.info"]._cron_info_escalation(
            now=ds(today() + relativedelta(days=30)) + " 00:00:00")
        recipients = _activities(env, info)
        self.assertNotIn(ref(env, "user_kam_director"), recipients)
        self.assertTrue(info.re_escalated_date)

    def test_complaint_breach_goes_to_the_company_people(self):
        env, b = self.env, self.b
        station = env["kam.service.station"].create({
            "name": "Station B", "region_id": b.region.id,
            "response_hours": 1, "resolution_hours": 2,
            "user_ids": [(6, 0, [b.support.id])],
            "partner_ids": [(6, 0, [b.account.id])]})
        # received a month ago: far beyond the 1-hour response commitment
        received = ds(today() - relativedelta(months=1)) + " 08:00:00"
        complaint = env["kam.complaint"].create({
            "name": "B leak", "partner_id": b.account.id,
            "date_received": received})
        self.assertEqual(complaint.station_id, station)
        env["kam.complaint"]._cron_check_breaches()
        self.assertTrue(complaint.response_breached)
        self.assertEqual(_activities(env, complaint), b.kam | b.support)

    def test_visit_escalation_goes_to_the_company_directors(self):
        env, b = self.env, self.b
        env["kam.visit.rule"].create({
            "name": "B regional", "role": "regional_manager",
            "interval_days": 7, "warning_days": 2,
            "company_id": b.company.id})
        # a key account for a year, never visited: far beyond the 7 days
        # and the escalation delay
        b.account.kam_since = ds(today() - relativedelta(years=1))
        env["kam.visit.compliance"]._cron_visit_compliance()
        activities = env["mail.activity"].search([
            ("res_model", "=", "res.partner"),
            ("res_id", "=", b.account.id)])
        escalated = activities.filtered(
            lambda a: a.activity_type_id == ref(
                env, "mail_activity_type_kam_visit_escalation"))
        self.assertEqual(escalated.mapped("user_id"), b.director)
