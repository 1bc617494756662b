# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every key account has its local service station (R7, issue 13): the
accounts without one are listed and counted; a promotion proposes the
region's station and keeps a station already serving the account."""
from odoo.exceptions import UserError

from .common import KamCase, key_account_vals, make_company

KA = [("kam_is_key_account", "=", True)]
MISSING = [("kam_station_missing", "=", True)]
NOTE = "serves this key account from its promotion"


class StationCase(KamCase):

    @classmethod
    def setUpClass(cls):
        super(StationCase, cls).setUpClass()
        cls.east = cls.env.ref("kam_management.region_east_china")
        cls.station = cls.env.ref(
            "kam_management.service_station_east_china")

    def expected_missing(self):
        """The key accounts no active station serves, found without the
        new field: every key account minus those of the active stations
        (as admin)."""
        accounts = self.env["res.partner"].search(KA)
        served = self.env["kam.service.station"].search([]).mapped(
            "partner_ids")
        return accounts - served

    def notes(self, partner):
        return partner.message_ids.filtered(
            lambda m: NOTE in (m.body or ""))

    def promote_wizard(self, companies, login="kam_regional", **vals):
        vals = dict({
            "partner_ids": [(6, 0, companies.ids)],
            "kam_manager_id": self.kam_ref("user_kam_manager_1").id,
            "kam_region_id": self.east.id,
            "kam_relationship_level_id":
                self.kam_ref("relationship_level_vendor").id,
        }, **vals)
        return self.env["kam.promote.wizard"].with_env(
            self.as_user(login)).create(vals)


class TestAccountsWithoutStation(StationCase):

    def test_filter_lists_exactly_the_accounts_without_station(self):
        env = self.env
        new = env["res.partner"].create(dict(
            key_account_vals(env), name="Station-less Co", is_company=True))
        south = env["res.partner"].search(
            KA + [("kam_region_id", "=", self.kam_ref(
                "region_south_china").id)])
        expected = self.expected_missing()
        self.assertIn(new, expected)
        self.assertTrue(south and south <= expected)
        self.assertFalse(self.station.partner_ids & expected)
        Partner = env["res.partner"].with_env(self.as_user("kam_director"))
        found = Partner.search(KA + MISSING)
        self.assertEqual(found, expected.with_env(Partner.env))
        self.assertEqual(Partner.search_count(MISSING), len(expected))
        # the other way round: the served key accounts (and the others)
        self.assertEqual(Partner.search(KA + [("kam_station_missing", "=",
                                               False)]),
                         self.station.partner_ids.with_env(Partner.env))
        self.assertEqual(Partner.search(KA + [("kam_station_missing", "!=",
                                               True)]),
                         Partner.search(KA + [("kam_station_missing", "=",
                                               False)]))
        self.assertEqual(
            [p.kam_station_missing for p in (new, self.station.partner_ids[0])],
            [True, False])
        # an archived station serves nobody
        self.station.active = False
        self.assertEqual(Partner.search_count(MISSING),
                         len(self.expected_missing()))
        self.assertIn(self.kam_ref("partner_kam_shanghai_metro"),
                      Partner.search(MISSING))

    def test_regional_manager_counts_their_region(self):
        """The count is read under the reader's record rules."""
        expected = self.expected_missing().filtered(
            lambda p: p.kam_region_id == self.east)
        regional = self.as_user("kam_regional")
        self.assertEqual(
            regional["res.partner"].search_count(MISSING),
            len(expected))
        self.assertEqual(self.east.with_env(regional).station_missing_count,
                         len(expected))
        director = self.east.with_env(self.as_user("kam_director"))
        self.assertEqual(director.station_missing_count, len(expected))

    def test_director_sees_the_list_and_the_count(self):
        action = self.kam_ref("res_partner_kam_action_without_station")
        self.assertIn("'search_default_filter_kam_without_station': 1",
                      action.context)
        menu = self.kam_ref("kam_key_account_without_station_menu")
        self.assertEqual(menu.action, action)
        director = self.as_user("kam_director")
        arch = director["res.partner"].fields_view_get(
            view_id=self.kam_ref("res_partner_view_search_kam").id,
            view_type="search")["arch"]
        self.assertIn('name="filter_kam_without_station"', arch)
        self.assertIn(menu, director["ir.ui.menu"].search(
            [("id", "=", menu.id)]))
        kam1 = self.as_user("kam_manager_1")
        self.assertFalse(kam1["ir.ui.menu"].search([("id", "=", menu.id)]))
        region_arch = director["kam.region"].fields_view_get(
            view_type="tree")["arch"]
        self.assertIn('name="station_missing_count"', region_arch)

    def test_search_refuses_other_operators(self):
        with self.assertRaisesRegex(UserError, "Without a Service Station"):
            self.env["res.partner"].search(
                [("kam_station_missing", "in", [True])])


class TestPromotionProposesStation(StationCase):

    def test_wizard_proposes_the_region_station(self):
        company = make_company(self.env, "Jiaxing Paper")
        Wizard = self.env["kam.promote.wizard"].with_env(
            self.as_user("kam_regional"))
        form = Wizard.new({"partner_ids": [(6, 0, company.ids)],
                           "kam_region_id": self.east.id})
        form._onchange_kam_region_id()
        self.assertEqual(form.kam_service_station_id, self.station)
        # made without a station (over RPC): proposed as well
        wizard = self.promote_wizard(company)
        self.assertEqual(wizard.kam_service_station_id, self.station)
        wizard.action_promote()
        self.assertIn(company, self.station.partner_ids)
        self.assertFalse(company.kam_station_missing)
        self.assertEqual(len(self.notes(company)), 1)
        self.assertIn(self.station.name, self.notes(company).body)

    def test_cleared_station_is_respected(self):
        company = make_company(self.env, "Jiaxing Paper")
        self.promote_wizard(
            company, kam_service_station_id=False).action_promote()
        self.assertTrue(company.kam_is_key_account)
        self.assertNotIn(company, self.station.partner_ids)
        self.assertTrue(company.kam_station_missing)
        self.assertFalse(self.notes(company))

    def test_station_of_another_region_is_refused(self):
        south = self.kam_ref("region_south_china")
        other = self.env["kam.service.station"].create(
            {"name": "华南服务站", "region_id": south.id})
        company = make_company(self.env, "Jiaxing Paper")
        wizard = self.promote_wizard(company, login="kam_director",
                                     kam_service_station_id=other.id)
        with self.raises_and_rolls_back(
                UserError, "Service Station: 华南服务站 is not a station of "
                           "the region 华东区"):
            wizard.action_promote()
        self.assertFalse(company.kam_is_key_account)

    def test_no_proposal_when_the_region_has_several_or_none(self):
        self.env["kam.service.station"].create(
            {"name": "宁波服务站", "region_id": self.east.id})
        company = make_company(self.env, "Jiaxing Paper")
        self.assertFalse(self.promote_wizard(company).kam_service_station_id)
        south = self.kam_ref("region_south_china")
        self.assertFalse(self.promote_wizard(
            company, login="kam_director",
            kam_region_id=south.id).kam_service_station_id)

    def test_demotion_leaves_the_station_promotion_proposes_anew(self):
        """A demoted account leaves its station (stations serve key
        accounts, R7), the station's accounts can still be changed, and a
        new promotion into another region proposes that region's
        station."""
        director = self.as_user("kam_director")
        account = self.kam_ref("partner_kam_nanjing_hospital")
        self.assertIn(account, self.station.partner_ids)
        account.with_env(director).action_kam_demote()
        self.env.cr.execute(
            "SELECT station_id FROM kam_service_station_partner_rel "
            "WHERE partner_id = %s", (account.id,))
        self.assertFalse(self.env.cr.fetchall())
        self.assertTrue(account.message_ids.filtered(
            lambda m: "华东服务站" in (m.body or "")
            and "no longer serves" in m.body))
        # the station's list of accounts is still writable
        other = self.kam_ref("partner_kam_shanghai_metro")
        self.station.write({"partner_ids": [(4, other.id)]})
        west = self.env["kam.region"].create(
            {"name": "西部区", "manager_id": self.user("kam_regional").id})
        west_station = self.env["kam.service.station"].create(
            {"name": "成都服务站", "region_id": west.id})
        wizard = self.promote_wizard(account, login="kam_director",
                                     kam_region_id=west.id)
        self.assertEqual(wizard.kam_service_station_id, west_station)
        wizard.action_promote()
        self.assertTrue(account.kam_is_key_account)
        self.assertEqual(account.kam_service_station_ids, west_station)

    def test_finder_promotion_sets_the_station_and_notes_it(self):
        """The 80/20 finder promotes in a batch: the region's only
        station, and a note in the chatter."""
        regional = self.as_user("kam_regional")
        company = make_company(self.env, "Jiaxing Paper")
        Wizard = self.env["kam.pareto.wizard"].with_env(regional)
        wizard = Wizard.create({
            "kam_manager_id": self.kam_ref("user_kam_manager_1").id,
            "kam_region_id": self.east.id})
        self.env["kam.pareto.wizard.line"].with_env(regional).create({
            "wizard_id": wizard.id, "partner_id": company.id,
            "status": "candidate", "selected": True})
        wizard.action_promote()
        self.assertTrue(company.kam_is_key_account)
        self.assertIn(company, self.station.partner_ids)
        note = self.notes(company)
        self.assertEqual(len(note), 1)
        self.assertEqual(note.author_id, self.user("kam_regional").partner_id)
        self.assertIn("华东服务站", note.body)
