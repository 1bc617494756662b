"""KAM scorecards (R4): each formula on hand-made data, targets and
satisfaction bad input, access per role. Dates are explicit."""
import pytest

from common import (AccessError, ValidationError, as_user,
                    raises_and_rolls_back, ref)

MONTH = "2026-03-01"


@pytest.fixture
def kam(env):
    """A fresh KAM in East China, so demo data does not mix in."""
    user = env["res.users"].create({
        "name": "Scorecard KAM", "login": "scorecard_kam_test",
        "groups_id": [(6, 0, [ref(env, "group_kam_user").id])]})
    ref(env, "region_east_china").write({"member_ids": [(4, user.id)]})
    return user


def account(env, kam, name, since="2025-01-01"):
    partner = env["res.partner"].create({
        "name": name, "is_company": True, "kam_is_key_account": True,
        "kam_account_type": "key", "kam_manager_id": kam.id,
        "kam_region_id": ref(env, "region_east_china").id,
        "kam_relationship_level_id": ref(env, "relationship_level_vendor").id,
        "kam_since": since})
    # its promotion happened long before the month
    partner.kam_relationship_history_ids.write({"date": since + " 00:00:00"})
    return partner


def order(env, partner, amount, date):
    product = env["product.product"].create({
        "name": "Chiller %s" % amount, "type": "service",
        "list_price": amount, "taxes_id": [(6, 0, [])]})
    so = env["sale.order"].create({
        "partner_id": partner.id,
        "order_line": [(0, 0, {"product_id": product.id,
                               "product_uom_qty": 1,
                               "price_unit": amount, "tax_id": [(6, 0, [])]})]})
    so.action_confirm()
    so.write({"confirmation_date": date})
    return so


def card(env, kam, month=MONTH):
    cards = env["kam.scorecard"]._kam_refresh_scorecards(month, [kam.id])
    assert len(cards) == 1
    return cards


def test_target_achievement_with_pro_rata_targets(env, kam):
    a = account(env, kam, "SC Alpha")
    contact = env["res.partner"].create({"name": "Buyer", "parent_id": a.id})
    order(env, a, 3000, "2026-03-05 10:00:00")
    order(env, contact, 1000, "2026-03-20 10:00:00")   # a contact's order
    order(env, a, 5000, "2026-04-01 10:00:00")          # next month
    draft = env["sale.order"].create({"partner_id": a.id})  # not confirmed
    assert draft.state == "draft"
    Target = env["kam.target"]
    # a quarterly target: March has 31 of its 90 days
    Target.create({"user_id": kam.id, "date_from": "2026-01-01",
                   "date_to": "2026-03-31", "amount": 9000})
    c = card(env, kam)
    assert c.sales_amount == pytest.approx(4000)
    assert c.target_amount == pytest.approx(9000 * 31 / 90.0)
    assert c.target_achievement_pct == pytest.approx(
        100 * 4000 / (9000 * 31 / 90.0))


def test_no_target_means_no_achievement_figure(env, kam):
    a = account(env, kam, "SC NoTarget")
    order(env, a, 1000, "2026-03-05 10:00:00")
    c = card(env, kam)
    env.cr.execute("SELECT target_achievement_pct FROM kam_scorecard "
                   "WHERE id = %s", (c.id,))
    assert env.cr.fetchone()[0] is None


def test_satisfaction_averages_accounts(env, kam):
    a = account(env, kam, "SC Sat A")
    b = account(env, kam, "SC Sat B")
    Sat = env["kam.satisfaction"]
    for partner, score, date in ((a, 5, "2026-03-02"), (a, 3, "2026-03-20"),
                                 (b, 2, "2026-03-10"), (b, 1, "2026-04-02")):
        Sat.create({"partner_id": partner.id, "score": score, "date": date})
    c = card(env, kam)
    # A: (5 + 3) / 2 = 4; B: 2 (the April score is another month)
    assert c.satisfaction_avg == pytest.approx(3.0)
    assert c.satisfaction_count == 3


def test_loyalty_repeat_purchase_and_upgrades(env, kam):
    a = account(env, kam, "SC Loyal A")
    b = account(env, kam, "SC Loyal B")
    account(env, kam, "SC Loyal C")  # buys nothing: not in the base
    order(env, a, 100, "2026-03-02 10:00:00")
    order(env, a, 100, "2026-03-09 10:00:00")
    order(env, b, 100, "2026-03-09 10:00:00")
    a.write({"kam_relationship_level_id":
             ref(env, "relationship_level_partner").id})
    up = a.kam_relationship_history_ids.filtered(
        lambda h: h.direction == "up")
    up.write({"date": "2026-03-15 10:00:00"})
    c = card(env, kam)
    assert (c.buyer_count, c.repeat_buyer_count) == (2, 1)
    assert c.repeat_purchase_pct == pytest.approx(50.0)
    assert c.level_upgrade_count == 1


def test_churn_rate_lost_over_accounts_at_start(env, kam):
    accounts = [account(env, kam, "SC Churn %s" % i) for i in range(4)]
    late = account(env, kam, "SC Churn New", since="2026-03-10")
    late.kam_relationship_history_ids.write({"date": "2026-03-10 00:00:00"})
    director = as_user(env, "kam_director")
    accounts[0].with_env(director).action_kam_demote()
    out = accounts[0].kam_relationship_history_ids.filtered(
        lambda h: h.direction == "out")
    out.write({"date": "2026-03-20 10:00:00"})
    c = card(env, kam)
    # 4 key accounts on March 1st (the new one came later), 1 demoted
    assert (c.accounts_at_start, c.accounts_lost) == (4, 1)
    assert c.churn_rate_pct == pytest.approx(25.0)
    # in April the demoted account is no longer counted
    april = card(env, kam, "2026-04-01")
    assert (april.accounts_at_start, april.accounts_lost) == (4, 0)


def snapshot(env, partner, month, churn_risk, segment="at_risk"):
    return env["kam.rfm.snapshot"].sudo().create({
        "partner_id": partner.id, "month": month, "date": month,
        "churn_risk": churn_risk, "segment": segment,
        "kam_manager_id": partner.kam_manager_id.id,
        "kam_region_id": partner.kam_region_id.id})


def test_churn_counts_accounts_at_risk_for_the_whole_month(env, kam):
    at_risk, recovered, late = [account(env, kam, "SC Risk %s" % i)
                                for i in range(3)]
    account(env, kam, "SC Fine")
    # at risk at the start (February) and at the end (March): lost
    snapshot(env, at_risk, "2026-02-01", True)
    snapshot(env, at_risk, "2026-03-01", True)
    # at risk in February only, or turning at risk in March: not lost
    snapshot(env, recovered, "2026-02-01", True)
    snapshot(env, recovered, "2026-03-01", False, "loyal")
    snapshot(env, late, "2026-02-01", False, "loyal")
    snapshot(env, late, "2026-03-01", True)
    Card = env["kam.scorecard"]
    assert Card._kam_churn_risk_lost([kam.id], MONTH, "2026-03-31") == {
        kam.id: {at_risk.id}}
    c = card(env, kam)
    assert (c.accounts_at_start, c.accounts_lost) == (4, 1)
    assert c.churn_rate_pct == pytest.approx(25.0)


def test_sales_share_over_estimated_purchases(env, kam):
    big = account(env, kam, "SC Wallet Big")
    small = account(env, kam, "SC Wallet Small")
    no_estimate = account(env, kam, "SC Wallet None")
    big.write({"kam_estimated_annual_purchases": 365000.0})   # 31,000 in March
    small.write({"kam_estimated_annual_purchases": 36500.0})  # 3,100 in March
    order(env, big, 6200.0, "2026-03-05 10:00:00")
    order(env, small, 3100.0, "2026-03-06 10:00:00")
    order(env, no_estimate, 99999.0, "2026-03-07 10:00:00")  # left out
    c = card(env, kam)
    # (6,200 + 3,100) / (31,000 + 3,100) x 100
    assert c.sales_share_pct == pytest.approx(9300.0 / 34100.0 * 100)
    other = env["res.users"].create({
        "name": "No Wallet KAM", "login": "no_wallet_kam_test",
        "groups_id": [(6, 0, [ref(env, "group_kam_user").id])]})
    assert not card(env, other).sales_share_pct


def test_visit_compliance_from_monthly_snapshots(env, kam):
    a = account(env, kam, "SC Visits A")
    account(env, kam, "SC Visits B")
    env["kam.visit"].create({
        "partner_id": a.id, "user_id": kam.id, "purpose": "Visit",
        "visit_date": "2026-03-02 10:00:00", "state": "done"})
    env["kam.visit.compliance"]._cron_visit_compliance(today="2026-03-10")
    c = card(env, kam)
    # A visited, B overdue (key account since 2025): half compliant
    assert c.visit_compliance_pct == pytest.approx(50.0)


def test_refresh_is_idempotent_and_read_groupable(env, kam):
    account(env, kam, "SC Idem")
    first = card(env, kam)
    second = card(env, kam)
    assert first == second
    groups = env["kam.scorecard"].read_group(
        [("user_id", "=", kam.id)],
        ["user_id", "churn_rate_pct", "sales_amount"], ["user_id"])
    assert groups[0]["user_id_count"] == 1


def test_cron_covers_every_kam(env):
    env["kam.scorecard"]._cron_scorecard(today="2026-03-15")
    users = env["kam.scorecard"].search(
        [("period_start", "=", "2026-03-01")]).mapped("user_id")
    assert ref(env, "user_kam_manager_1") in users
    assert ref(env, "user_kam_manager_2") in users


# ----------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------
def test_overlapping_targets_refused(env, kam):
    Target = env["kam.target"]
    Target.create({"user_id": kam.id, "date_from": "2026-03-01",
                   "date_to": "2026-03-31", "amount": 100})
    with raises_and_rolls_back(env, ValidationError, match="overlaps"):
        Target.create({"user_id": kam.id, "date_from": "2026-03-15",
                       "date_to": "2026-04-15", "amount": 100})
    # the next month is fine
    Target.create({"user_id": kam.id, "date_from": "2026-04-01",
                   "date_to": "2026-04-30", "amount": 100})


def test_target_period_ending_before_it_starts(env, kam):
    with raises_and_rolls_back(env, ValidationError, match="before"):
        env["kam.target"].create({"user_id": kam.id,
                                  "date_from": "2026-03-31",
                                  "date_to": "2026-03-01", "amount": 1})


@pytest.mark.parametrize("score", [0, 6, -1])
def test_satisfaction_outside_1_to_5(env, score):
    with raises_and_rolls_back(env, ValidationError, match="Score"):
        env["kam.satisfaction"].create({
            "partner_id": ref(env, "partner_kam_shanghai_metro").id,
            "score": score})


def test_errors_translated(env, kam):
    zh = env(context={"lang": "zh_CN"})
    with pytest.raises(ValidationError) as info:
        with env.cr.savepoint():
            zh["kam.satisfaction"].create({
                "partner_id": ref(env, "partner_kam_shanghai_metro").id,
                "score": 9})
    assert "满意" in info.value.name


# ----------------------------------------------------------------------
# Access
# ----------------------------------------------------------------------
def test_scorecard_visibility_per_role(env):
    env["kam.scorecard"]._kam_refresh_scorecards(MONTH)
    k1, k2 = ref(env, "user_kam_manager_1"), ref(env, "user_kam_manager_2")

    def seen(login):
        return set(env["kam.scorecard"].with_env(as_user(env, login)).search(
            [("period_start", "=", MONTH)]).mapped("user_id"))
    assert seen("kam_manager_1") == {k1}
    assert {k1, k2} <= seen("kam_regional")
    assert {k1, k2} <= seen("kam_director")
    with pytest.raises(AccessError):
        env["kam.scorecard"].with_env(as_user(env, "kam_support")).search([])


def test_targets_set_by_regional_manager_for_members_only(env):
    regional = as_user(env, "kam_regional")
    k1 = ref(env, "user_kam_manager_1")
    Target = env["kam.target"].with_env(regional)
    target = Target.create({"user_id": k1.id, "date_from": "2030-01-01",
                            "date_to": "2030-01-31", "amount": 10})
    with raises_and_rolls_back(env, AccessError):
        Target.create({"user_id": ref(env, "user_kam_regional").id,
                       "date_from": "2030-01-01", "date_to": "2030-01-31",
                       "amount": 10})
    kam1 = as_user(env, "kam_manager_1")
    assert target.with_env(kam1).read(["amount"])
    with raises_and_rolls_back(env, AccessError):
        target.with_env(kam1).write({"amount": 1e9})
    assert not env["kam.target"].with_env(
        as_user(env, "kam_manager_2")).search([("id", "=", target.id)])


def test_kam_scores_own_accounts_only(env):
    kam1 = as_user(env, "kam_manager_1")
    row = env["kam.satisfaction"].with_env(kam1).create({
        "partner_id": ref(env, "partner_kam_shanghai_metro").id, "score": 4})
    assert row.kam_manager_id == ref(env, "user_kam_manager_1")
    with raises_and_rolls_back(env, AccessError):
        env["kam.satisfaction"].with_env(kam1).create({
            "partner_id": ref(env, "partner_kam_wuxi_semicon").id,
            "score": 4})
