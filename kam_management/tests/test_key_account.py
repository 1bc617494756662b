# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Key accounts on res.partner: constraints (R1-R3) and relationship history
(R11), on the real registry."""
import re
from datetime import timedelta

from odoo.exceptions import AccessError, UserError, ValidationError

from .common import (KamCase, ds, key_account_vals, make_company, today,
                     with_cases)
from .test_access import state_at_error

REQUIRED = [
    ("kam_account_type", "Key-Account Type"),
    ("kam_manager_id", "Key Account Manager"),
    ("kam_region_id", "Key-Account Region"),
    ("kam_relationship_level_id", "Relationship Level"),
]
REQUIRED_IDS = [fname for fname, _label in REQUIRED]


def required_message(label, name):
    """The text of the constraint (res_partner.py, _check_kam_key_account)
    for a missing field, as a regular expression."""
    return "%s is required for the key account %s" % (
        re.escape(label), re.escape(name))


class KeyAccountCase(KamCase):

    def new_history(self, account, before):
        """The history rows of ``account`` written since ``before`` (found by
        difference, not by the order on ``date``: a test run under a faked
        clock may start earlier than the install that wrote the demo
        rows)."""
        account.invalidate_cache()
        return account.kam_relationship_history_ids - before

    def history_count(self, partner_name):
        """History rows of the partners called ``partner_name``, as stored
        (the snapshot of what a refused call had written)."""
        return self.env["kam.relationship.history"].search_count(
            [("partner_id.name", "=", partner_name)])


@with_cases("check_write_needs_field", REQUIRED, REQUIRED_IDS,
            prefix="test_key_account_needs")
@with_cases("check_create_needs_field", REQUIRED, REQUIRED_IDS,
            prefix="test_key_account_create_needs")
class TestKeyAccountConstraints(KeyAccountCase):
    """A key account is a company with a type, a KAM, a region and a level
    (R1-R3)."""

    def test_promoting_a_company_sets_since_and_writes_history(self):
        company = make_company(self.env)
        company.write(key_account_vals(self.env))
        self.assertTrue(company.kam_is_key_account)
        # today, as nothing else was given
        self.assertEqual(company.kam_since, ds(today()))
        rows = company.kam_relationship_history_ids
        self.assertEqual(len(rows), 1)
        self.assertFalse(rows.old_level_id)
        self.assertEqual(rows.new_level_id,
                         self.kam_ref("relationship_level_vendor"))
        self.assertEqual(rows.direction, "in")

    def check_write_needs_field(self, case):
        """Promoting without one of the required fields is refused; the
        constraint fires before any history row is written."""
        fname, label = case
        name = "Missing %s" % fname
        company = make_company(self.env, name)
        vals = key_account_vals(self.env)
        vals[fname] = False
        written = state_at_error(
            self, ValidationError, required_message(label, name),
            lambda: company.write(vals),
            lambda: self.history_count(name))
        self.assertEqual(written, 0)

    def check_create_needs_field(self, case):
        """Creating a key account without one of the required fields is
        refused; no history row is written before the refusal."""
        fname, label = case
        name = "Created %s" % fname
        vals = key_account_vals(self.env, name=name, is_company=True)
        vals[fname] = False
        written = state_at_error(
            self, ValidationError, required_message(label, name),
            lambda: self.env["res.partner"].create(vals),
            lambda: self.history_count(name))
        self.assertEqual(written, 0)

    def test_only_companies_can_be_key_accounts(self):
        person = self.env["res.partner"].create({"name": "Wang Person"})
        written = state_at_error(
            self, ValidationError,
            "Key Account: Wang Person is not a company",
            lambda: person.write(key_account_vals(self.env)),
            lambda: self.history_count("Wang Person"))
        self.assertEqual(written, 0)
        account = self.kam_ref("partner_kam_shanghai_metro")
        with self.raises_and_rolls_back(
                ValidationError,
                "Key Account: %s is not a company"
                % re.escape(account.display_name)):
            account.write({"is_company": False})

    def test_kam_must_be_in_kam_group(self):
        company = make_company(self.env)
        outsider = self.env["res.users"].create({
            "name": "Outsider", "login": "outsider_kam_test",
            "groups_id": [(6, 0, [self.kam_ref("base.group_user").id])]})
        written = state_at_error(
            self, ValidationError,
            "Key Account Manager: Outsider is not in the group",
            lambda: company.write(key_account_vals(
                self.env, kam_manager_id=outsider.id)),
            lambda: self.history_count(company.name))
        self.assertEqual(written, 0)

    def test_regional_manager_must_be_in_group(self):
        outsider = self.env["res.users"].create({
            "name": "Outsider", "login": "outsider_region_test",
            "groups_id": [(6, 0, [self.kam_ref("base.group_user").id])]})
        region = self.kam_ref("region_east_china")
        self.assertEqual(region.manager_id, self.kam_ref("user_kam_regional"))
        with self.raises_and_rolls_back(
                ValidationError,
                "Regional Manager: Outsider is not in the group"):
            region.write({"manager_id": outsider.id})


class TestRelationshipHistory(KeyAccountCase):
    """Every change of level writes a history row (R11)."""

    def test_level_change_by_write_writes_history(self):
        account = self.kam_ref("partner_kam_nanjing_hospital")  # vendor, kam 1
        before = account.kam_relationship_history_ids
        # the region's manager changes the level (a KAM asks: issue 12)
        regional = self.as_user("kam_regional")
        partner = account.with_env(regional)
        partner.with_context(kam_history_reason="Won the tender").write({
            "kam_relationship_level_id":
                self.kam_ref("relationship_level_partner").id})
        last = self.new_history(account, before)
        self.assertEqual(len(last), 1)
        self.assertEqual(last.old_level_id,
                         self.kam_ref("relationship_level_vendor"))
        self.assertEqual(last.new_level_id,
                         self.kam_ref("relationship_level_partner"))
        self.assertEqual(last.user_id, self.kam_ref("user_kam_regional"))
        self.assertEqual(last.change_type, "direct")
        self.assertEqual(last.reason, "Won the tender")
        self.assertEqual(last.direction, "up")
        # writing the same level again is no change: no row
        partner.write({"kam_relationship_level_id":
                       self.kam_ref("relationship_level_partner").id})
        self.assertEqual(self.new_history(account, before), last)

    def test_kanban_drag_and_drop_writes_history(self):
        """The kanban is grouped by level: every level is a column, and
        dropping a card in another column is a write of the level (by the
        region's manager; a KAM's drop asks for the change, issue 12)."""
        Partner = self.env["res.partner"].with_env(
            self.as_user("kam_regional"))
        groups = Partner.read_group(
            [("kam_is_key_account", "=", True)],
            ["kam_relationship_level_id"], ["kam_relationship_level_id"])
        levels = self.env["kam.relationship.level"].search([])
        self.assertEqual(
            [g["kam_relationship_level_id"][0] for g in groups], levels.ids)
        account = Partner.browse(self.kam_ref("partner_kam_hangzhou_mall").id)
        before = account.kam_relationship_history_ids
        account.write({"kam_relationship_level_id": self.kam_ref(
            "relationship_level_preferred_supplier").id})
        last = self.new_history(account, before)
        self.assertEqual(len(last), 1)
        self.assertEqual(last.direction, "down")
        self.assertEqual(last.new_level_id, self.kam_ref(
            "relationship_level_preferred_supplier"))

    def test_import_writes_history(self):
        """Import goes through ``load``: a new key account and a level
        change."""
        Partner = self.env["res.partner"].with_env(
            self.as_user("kam_regional"))
        result = Partner.load(
            ["name", "is_company", "kam_is_key_account", "kam_account_type",
             "kam_manager_id/id", "kam_region_id/id",
             "kam_relationship_level_id/id"],
            [["Imported Chiller Co", "1", "1", "national",
              "kam_management.user_kam_manager_2",
              "kam_management.region_east_china",
              "kam_management.relationship_level_partner"]])
        self.assertFalse(result["messages"], result["messages"])
        partner = self.env["res.partner"].browse(result["ids"])
        self.assertTrue(partner.kam_is_key_account)
        self.assertEqual(partner.kam_relationship_history_ids.new_level_id,
                         self.kam_ref("relationship_level_partner"))
        # an update by import of an existing account
        account = self.kam_ref("partner_kam_wuxi_semicon")
        before = account.kam_relationship_history_ids
        result = Partner.load(
            ["id", "kam_relationship_level_id/id"],
            [["kam_management.partner_kam_wuxi_semicon",
              "kam_management.relationship_level_strategic_alliance"]])
        self.assertFalse(result["messages"], result["messages"])
        last = self.new_history(account, before)
        self.assertEqual(len(last), 1)
        self.assertEqual(last.new_level_id, self.kam_ref(
            "relationship_level_strategic_alliance"))

    def test_promote_wizard_and_demote(self):
        company = make_company(self.env, "Prospect Ltd")
        regional = self.as_user("kam_regional")
        action = company.with_env(regional).action_kam_promote()
        self.assertEqual(action["res_model"], "kam.promote.wizard")
        wizard = self.env["kam.promote.wizard"].with_env(regional).create({
            "partner_ids": [(6, 0, company.ids)],
            "kam_account_type": "long_term",
            "kam_manager_id": self.kam_ref("user_kam_manager_2").id,
            "kam_region_id": self.kam_ref("region_east_china").id,
            "kam_relationship_level_id":
                self.kam_ref("relationship_level_vendor").id,
            "reason": "Top 20% of revenue",
        })
        wizard.action_promote()
        company.invalidate_cache()
        self.assertTrue(company.kam_is_key_account)
        self.assertEqual(company.kam_manager_id,
                         self.kam_ref("user_kam_manager_2"))
        self.assertEqual(company.kam_since, ds(today()))
        self.assertEqual(company.kam_relationship_history_ids.reason,
                         "Top 20% of revenue")
        # promoting it again is refused with a clear message
        wizard2 = self.env["kam.promote.wizard"].with_env(regional).create({
            "partner_ids": [(6, 0, company.ids)],
            "kam_manager_id": self.kam_ref("user_kam_manager_2").id,
            "kam_region_id": self.kam_ref("region_east_china").id,
        })
        with self.raises_and_rolls_back(
                UserError, "Companies: Prospect Ltd are key accounts "
                           "already"):
            wizard2.action_promote()
        company.with_env(regional).action_kam_demote()
        company.invalidate_cache()
        self.assertFalse(company.kam_is_key_account)
        self.assertFalse(company.kam_relationship_level_id)
        self.assertFalse(company.kam_since)
        self.assertEqual(company.kam_relationship_history_ids[0].direction,
                         "out")


class TestKeySince(KeyAccountCase):
    """Key Account Since is set on promotion; afterwards only the region's
    manager or a sales director changes it, never the KAM (issue 12)."""

    def setUp(self):
        super(TestKeySince, self).setUp()
        self.account = make_company(
            self.env, "Since Ltd", **key_account_vals(
                self.env, kam_since=ds(today() - timedelta(days=90))))

    def stored_since(self):
        self.env.cr.execute("SELECT kam_since FROM res_partner "
                            "WHERE id = %s", (self.account.id,))
        return ds(self.env.cr.fetchone()[0])

    def test_kam_cannot_change_since(self):
        before = self.stored_since()
        account = self.account.with_env(self.as_user("kam_manager_1"))
        # the KAM may still change the account's other data
        account.write({"kam_account_type": "national"})
        with self.raises_and_rolls_back(
                AccessError, "Key Account Since: only the regional manager "
                             "of Since Ltd or a sales director"):
            account.write({"kam_since": ds(today())})
        with self.raises_and_rolls_back(AccessError, "Key Account Since"):
            account.write({"kam_since": ds(today()),
                           "kam_strategy": "moved"})
        self.assertEqual(self.stored_since(), before)

    def test_regional_manager_and_director_change_since(self):
        for login, days in (("kam_regional", 30), ("kam_director", 60)):
            day = ds(today() - timedelta(days=days))
            self.account.with_env(self.as_user(login)).write(
                {"kam_since": day})
            self.assertEqual(self.stored_since(), day)

    def test_other_regional_manager_cannot_change_since(self):
        other = self.env["res.users"].create({
            "name": "Other Regional", "login": "other_regional_h12",
            "groups_id": [(6, 0, [self.kam_ref(
                "group_kam_regional_manager").id])]})
        with self.raises_and_rolls_back(AccessError):
            self.account.sudo(other).write({"kam_since": ds(today())})


class TestKeyAccountData(KeyAccountCase):
    """The shipped levels and the demo key accounts."""

    def test_level_data_is_an_ascending_ladder(self):
        names = ["relationship_level_vendor",
                 "relationship_level_preferred_supplier",
                 "relationship_level_partner",
                 "relationship_level_strategic_alliance"]
        seqs = [self.kam_ref(n).sequence for n in names]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(set(seqs)), 4)

    def test_demo_data_covers_every_type_and_level(self):
        accounts = self.env["res.partner"].search(
            [("kam_is_key_account", "=", True)])
        self.assertGreaterEqual(len(accounts), 12)
        self.assertEqual(set(accounts.mapped("kam_account_type")),
                         {"key", "national", "long_term"})
        self.assertEqual(len(accounts.mapped("kam_relationship_level_id")),
                         4)
        self.assertTrue(any(ord(c) > 0x4e00
                            for c in "".join(accounts.mapped("name"))))
