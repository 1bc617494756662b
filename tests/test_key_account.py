"""Key accounts on res.partner: constraints (R1-R3) and relationship history
(R11), on the real registry."""

import pytest

from common import (ValidationError, key_account_vals, make_company, ref,
                    raises_and_rolls_back, as_user)

REQUIRED = [
    ("kam_account_type", "Key-Account Type"),
    ("kam_manager_id", "Key Account Manager"),
    ("kam_region_id", "Key-Account Region"),
    ("kam_relationship_level_id", "Relationship Level"),
]


def test_promoting_a_company_sets_since_and_writes_history(env):
    company = make_company(env)
    company.write(key_account_vals(env))
    assert company.kam_is_key_account
    assert company.kam_since  # today, as nothing else was given
    rows = company.kam_relationship_history_ids
    assert len(rows) == 1
    assert rows.old_level_id.id is False or not rows.old_level_id
    assert rows.new_level_id == ref(env, "relationship_level_vendor")
    assert rows.direction == "in"


@pytest.mark.parametrize("fname,label", REQUIRED)
def test_key_account_needs_each_field(env, fname, label):
    company = make_company(env, "Missing %s" % fname)
    vals = key_account_vals(env)
    vals[fname] = False
    with raises_and_rolls_back(env, ValidationError, match=label):
        company.write(vals)
    assert not company.kam_is_key_account
    assert not company.kam_relationship_history_ids


@pytest.mark.parametrize("fname,label", REQUIRED)
def test_key_account_create_needs_each_field(env, fname, label):
    vals = key_account_vals(env, name="Created %s" % fname, is_company=True)
    vals[fname] = False
    with raises_and_rolls_back(env, ValidationError, match=label):
        env["res.partner"].create(vals)
    assert not env["res.partner"].search([("name", "=", vals["name"])])


def test_only_companies_can_be_key_accounts(env):
    person = env["res.partner"].create({"name": "Wang Person"})
    with raises_and_rolls_back(env, ValidationError, match="not a company"):
        person.write(key_account_vals(env))
    assert not person.kam_is_key_account
    account = ref(env, "partner_kam_shanghai_metro")
    with raises_and_rolls_back(env, ValidationError, match="not a company"):
        account.write({"is_company": False})
    assert account.is_company


def test_kam_must_be_in_kam_group(env):
    company = make_company(env)
    outsider = env["res.users"].create({
        "name": "Outsider", "login": "outsider_kam_test",
        "groups_id": [(6, 0, [ref(env, "base.group_user").id])]})
    with raises_and_rolls_back(env, ValidationError,
                               match="Key Account Manager"):
        company.write(key_account_vals(env, kam_manager_id=outsider.id))
    assert not company.kam_is_key_account


def test_regional_manager_must_be_in_group(env):
    outsider = env["res.users"].create({
        "name": "Outsider", "login": "outsider_region_test",
        "groups_id": [(6, 0, [ref(env, "base.group_user").id])]})
    region = ref(env, "region_east_china")
    with raises_and_rolls_back(env, ValidationError,
                               match="Regional Manager"):
        region.write({"manager_id": outsider.id})
    assert region.manager_id == ref(env, "user_kam_regional")


def test_level_change_by_write_writes_history(env):
    account = ref(env, "partner_kam_nanjing_hospital")  # vendor, kam 1
    before = len(account.kam_relationship_history_ids)
    kam1 = as_user(env, "kam_manager_1")
    partner = account.with_env(kam1)
    partner.with_context(kam_history_reason="Won the tender").write({
        "kam_relationship_level_id":
            ref(env, "relationship_level_partner").id})
    account.invalidate_cache()
    rows = account.kam_relationship_history_ids
    assert len(rows) == before + 1
    last = rows[0]
    assert last.old_level_id == ref(env, "relationship_level_vendor")
    assert last.new_level_id == ref(env, "relationship_level_partner")
    assert last.user_id == ref(env, "user_kam_manager_1")
    assert last.reason == "Won the tender"
    assert last.direction == "up"
    # writing the same level again is no change: no row
    partner.write({"kam_relationship_level_id":
                   ref(env, "relationship_level_partner").id})
    account.invalidate_cache()
    assert len(account.kam_relationship_history_ids) == before + 1


def test_kanban_drag_and_drop_writes_history(env):
    """The kanban is grouped by level: every level is a column, and dropping
    a card in another column is a write of the level."""
    Partner = env["res.partner"].with_env(as_user(env, "kam_manager_1"))
    groups = Partner.read_group(
        [("kam_is_key_account", "=", True)], ["kam_relationship_level_id"],
        ["kam_relationship_level_id"])
    levels = env["kam.relationship.level"].search([])
    assert [g["kam_relationship_level_id"][0] for g in groups] == levels.ids
    account = Partner.browse(ref(env, "partner_kam_hangzhou_mall").id)
    account.write({"kam_relationship_level_id":
                   ref(env, "relationship_level_preferred_supplier").id})
    last = account.kam_relationship_history_ids[0]
    assert last.direction == "down"
    assert last.new_level_id == ref(env,
                                    "relationship_level_preferred_supplier")


def test_import_writes_history(env):
    """Import goes through ``load``: a new key account and a level change."""
    Partner = env["res.partner"].with_env(as_user(env, "kam_regional"))
    result = Partner.load(
        ["name", "is_company", "kam_is_key_account", "kam_account_type",
         "kam_manager_id/id", "kam_region_id/id",
         "kam_relationship_level_id/id"],
        [["Imported Chiller Co", "1", "1", "national",
          "kam_management.user_kam_manager_2",
          "kam_management.region_east_china",
          "kam_management.relationship_level_partner"]])
    assert not result["messages"], result["messages"]
    partner = env["res.partner"].browse(result["ids"])
    assert partner.kam_is_key_account
    assert partner.kam_relationship_history_ids.new_level_id == ref(
        env, "relationship_level_partner")
    # an update by import of an existing account
    result = Partner.load(
        ["id", "kam_relationship_level_id/id"],
        [["kam_management.partner_kam_wuxi_semicon",
          "kam_management.relationship_level_strategic_alliance"]])
    assert not result["messages"], result["messages"]
    account = ref(env, "partner_kam_wuxi_semicon")
    account.invalidate_cache()
    assert account.kam_relationship_history_ids[0].new_level_id == ref(
        env, "relationship_level_strategic_alliance")


def test_promote_wizard_and_demote(env):
    company = make_company(env, "Prospect Ltd")
    regional = as_user(env, "kam_regional")
    action = company.with_env(regional).action_kam_promote()
    assert action["res_model"] == "kam.promote.wizard"
    wizard = env["kam.promote.wizard"].with_env(regional).create({
        "partner_ids": [(6, 0, company.ids)],
        "kam_account_type": "long_term",
        "kam_manager_id": ref(env, "user_kam_manager_2").id,
        "kam_region_id": ref(env, "region_east_china").id,
        "kam_relationship_level_id": ref(env, "relationship_level_vendor").id,
        "reason": "Top 20% of revenue",
    })
    wizard.action_promote()
    company.invalidate_cache()
    assert company.kam_is_key_account
    assert company.kam_manager_id == ref(env, "user_kam_manager_2")
    assert company.kam_relationship_history_ids.reason == "Top 20% of revenue"
    # promoting it again is refused with a clear message
    wizard2 = env["kam.promote.wizard"].with_env(regional).create({
        "partner_ids": [(6, 0, company.ids)],
        "kam_manager_id": ref(env, "user_kam_manager_2").id,
        "kam_region_id": ref(env, "region_east_china").id,
    })
    from odoo.exceptions import UserError
    with raises_and_rolls_back(env, UserError, match="already"):
        wizard2.action_promote()
    company.with_env(regional).action_kam_demote()
    company.invalidate_cache()
    assert not company.kam_is_key_account
    assert not company.kam_relationship_level_id
    assert company.kam_relationship_history_ids[0].direction == "out"


def test_level_data_is_an_ascending_ladder(env):
    names = ["relationship_level_vendor",
             "relationship_level_preferred_supplier",
             "relationship_level_partner",
             "relationship_level_strategic_alliance"]
    seqs = [ref(env, n).sequence for n in names]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4


def test_demo_data_covers_every_type_and_level(env):
    accounts = env["res.partner"].search([("kam_is_key_account", "=", True)])
    assert len(accounts) >= 12
    assert set(accounts.mapped("kam_account_type")) == {
        "key", "national", "long_term"}
    assert len(accounts.mapped("kam_relationship_level_id")) == 4
    assert any(ord(c) > 0x4e00 for c in "".join(accounts.mapped("name")))
