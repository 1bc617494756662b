"""The 80/20 key-account finder (R1): ranking, shares, one-step promotion."""
import importlib

import pytest
from odoo.exceptions import UserError

from common import (AccessError, ValidationError, as_user, make_company,
                    raises_and_rolls_back, ref)
from rfm_common import key_account, make_product, order

PERIOD = {"date_from": "2015-01-01", "date_to": "2015-12-31"}


def wizard(env, login="kam_regional", **vals):
    vals = dict(PERIOD, **vals)
    Wizard = env["kam.pareto.wizard"].with_env(as_user(env, login))
    return Wizard.create(vals)


def lines_by_partner(wiz):
    return {line.partner_id: line for line in wiz.line_ids}


@pytest.fixture
def customers(env):
    """Revenues of 2015: A 500, B 300 (a key account), C 150, D 50; E only
    a refund; an individual 0; orders outside 2015 or not confirmed."""
    product = make_product(env)
    a = make_company(env, "Pareto A")
    b = key_account(env, "Pareto B")
    c = make_company(env, "Pareto C")
    d = make_company(env, "Pareto D")
    e = make_company(env, "Pareto E")
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
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "person": person}


def test_ranking_and_cumulative_shares(env, customers):
    wiz = wizard(env)
    wiz.action_rank()
    assert wiz.state == "ranked"
    lines = lines_by_partner(wiz)
    ranked = wiz.line_ids.filtered("rank").sorted("rank")
    assert ranked.mapped("partner_id") == customers["a"] | customers["b"] \
        | customers["c"] | customers["d"]
    assert ranked.mapped("revenue") == [500.0, 300.0, 150.0, 50.0]
    assert ranked.mapped("share") == [50.0, 30.0, 15.0, 5.0]
    assert ranked.mapped("cumulative_share") == [50.0, 80.0, 95.0, 100.0]
    # A and B make 80%: C is not needed to reach it
    assert ranked.mapped("in_top") == [True, True, False, False]
    assert [lines[customers[k]].status for k in "abcd"] == [
        "candidate", "key_top", "other", "other"]
    assert (wiz.customer_count, wiz.top_count, wiz.candidate_count) == (
        4, 2, 1)
    assert wiz.total_revenue == 1000.0
    # no positive revenue: not ranked
    assert customers["e"] not in lines and customers["person"] not in lines
    # key accounts without revenue in the period are outside the top
    outside = wiz.line_ids.filtered(
        lambda line: line.status == "key_outside")
    assert ref(env, "partner_kam_shanghai_metro") in outside.mapped(
        "partner_id")
    assert not any(outside.mapped("rank")) and not any(
        outside.mapped("in_top"))
    assert wiz.outside_count == len(outside)
    # ranking again replaces the lines
    count = len(wiz.line_ids)
    wiz.write({"share_target": 95.0})
    wiz.action_rank()
    assert len(wiz.line_ids) == count
    assert wiz.line_ids.filtered("rank").sorted("rank").mapped("in_top") == [
        True, True, True, False]


def test_pareto_ranking_rule(env):
    module = importlib.import_module(
        "odoo.addons.kam_management.wizards.kam_pareto_wizard")
    lines = module.pareto_ranking(
        {1: 10.0, 2: 10.0, 3: 80.0, 4: -5.0, 5: 0.0},
        key_accounts={2, 9}, companies={1, 2, 3}, target=80.0)
    assert [(line["partner_id"], line["rank"], line["in_top"],
             line["status"]) for line in lines] == [
        (3, 1, True, "candidate"), (1, 2, False, "other"),
        (2, 3, False, "key_outside"), (9, None, False, "key_outside")]
    # an individual in the top cannot be promoted
    lines = module.pareto_ranking({7: 100.0}, set(), set(), 80.0)
    assert lines[0]["status"] == "top_individual"
    assert module.pareto_ranking({}, set(), set(), 80.0) == []


def test_promote_in_one_step(env, customers):
    wiz = wizard(env)
    wiz.action_rank()
    wiz.action_select_candidates()
    assert lines_by_partner(wiz)[customers["a"]].selected
    wiz.write({
        "kam_account_type": "national",
        "kam_manager_id": ref(env, "user_kam_manager_2").id,
        "kam_region_id": ref(env, "region_east_china").id,
        "kam_relationship_level_id": ref(
            env, "relationship_level_preferred_supplier").id,
        "reason": "Half of 2015's revenue",
    })
    wiz.action_promote()
    a = customers["a"]
    assert a.kam_is_key_account
    assert (a.kam_account_type, a.kam_manager_id, a.kam_region_id,
            a.kam_relationship_level_id) == (
        "national", ref(env, "user_kam_manager_2"),
        ref(env, "region_east_china"),
        ref(env, "relationship_level_preferred_supplier"))
    history = a.kam_relationship_history_ids
    assert history.reason == "Half of 2015's revenue"
    assert history.user_id == ref(env, "user_kam_regional")
    # ranked again: A is now a key account in the top
    assert lines_by_partner(wiz)[a].status == "key_top"
    assert wiz.candidate_count == 0


def test_promotion_needs_selection_and_fields(env, customers):
    wiz = wizard(env)
    wiz.action_rank()
    with raises_and_rolls_back(env, UserError, match="tick"):
        wiz.action_promote()
    lines_by_partner(wiz)[customers["a"]].write({"selected": True})
    wiz.write({"kam_manager_id": False})
    with raises_and_rolls_back(env, UserError, match="Key Account Manager"):
        wiz.action_promote()
    assert not customers["a"].kam_is_key_account
    # already a key account
    lines_by_partner(wiz)[customers["b"]].write({"selected": True})
    wiz.write({"kam_manager_id": ref(env, "user_kam_manager_1").id,
               "kam_region_id": ref(env, "region_east_china").id})
    with raises_and_rolls_back(env, UserError, match="already"):
        wiz.action_promote()
    assert not customers["a"].kam_is_key_account


def test_regional_manager_promotes_only_into_own_region(env, customers):
    wiz = wizard(env)
    wiz.action_rank()
    lines_by_partner(wiz)[customers["a"]].write({"selected": True})
    wiz.write({"kam_manager_id": ref(env, "user_kam_manager_2").id,
               "kam_region_id": ref(env, "region_south_china").id})
    with raises_and_rolls_back(env, AccessError):
        wiz.action_promote()
    assert not customers["a"].kam_is_key_account


def test_only_managers_and_directors_rank(env, customers):
    for login in ("kam_manager_1", "kam_support", "kam_secretary"):
        wiz = wizard(env, login=login)
        with raises_and_rolls_back(env, AccessError):
            wiz.action_rank()
    wiz = wizard(env, login="kam_director")
    wiz.action_rank()
    assert wiz.customer_count == 4


def test_bad_period_and_share(env):
    with raises_and_rolls_back(env, ValidationError, match="before"):
        wizard(env, date_from="2015-12-31", date_to="2015-01-01")
    for share in (0.0, -10.0, 100.5):
        with raises_and_rolls_back(env, ValidationError, match="Top Share"):
            wizard(env, share_target=share)
    wiz = wizard(env, date_from="2015-06-01", date_to="2015-06-01",
                 share_target=100.0)
    assert wiz.id
    zh = env(context={"lang": "zh_CN"})
    with pytest.raises(ValidationError) as info:
        with zh.cr.savepoint():
            wizard(zh, date_from="2015-12-31", date_to="2015-01-01")
    assert "2015-01-01" in info.value.name and "期" in info.value.name
