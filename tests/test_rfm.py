"""RFM analysis of key accounts (R13) and churn early warning (R10, R16),
on hand-made orders and explicit dates."""
import pytest

from common import (AccessError, ValidationError, as_user, make_company,
                    raises_and_rolls_back, ref)
from rfm_common import (churn_activities, figures, key_account, make_product,
                        only_these_key_accounts, order, refresh, rfm_rules)

AS_OF = "2024-06-30"  # window of 365 days: 2023-07-02 .. 2024-06-30


def foreign_pricelist(env):
    """A pricelist in a currency other than the company's, with rates that
    make one unit worth 0.5 company unit on 2024-01-10 and 0.25 after."""
    company = env.user.company_id
    currency = env["res.currency"].with_context(active_test=False).search([
        ("name", "in", ("EUR", "USD", "CNY")),
        ("id", "!=", company.currency_id.id)], limit=1)
    Rate = env["res.currency.rate"]
    # rates are units of the currency per unit of the base currency
    Rate.create({"name": "2024-01-09", "rate": 1.5, "company_id": company.id,
                 "currency_id": company.currency_id.id})
    Rate.create({"name": "2024-01-09", "rate": 3.0, "company_id": company.id,
                 "currency_id": currency.id})
    Rate.create({"name": "2024-01-11", "rate": 6.0, "company_id": company.id,
                 "currency_id": currency.id})
    return env["product.pricelist"].create({
        "name": "RFM foreign", "currency_id": currency.id})


def test_exact_rfm_values(env):
    product = make_product(env)
    account = key_account(env, "RFM Exact Co")
    contact = env["res.partner"].create({"name": "Buyer Wang",
                                         "parent_id": account.id})
    foreign = foreign_pricelist(env)
    # counted in the window
    order(env, product, account, "2024-06-20", 1000.0)
    order(env, product, account, "2024-03-01", 500.0, state="done")
    order(env, product, contact, "2024-06-29", 2000.0)  # for its company
    order(env, product, account, "2024-01-10", 100.0, pricelist=foreign)
    order(env, product, account, "2024-06-10", -200.0)  # a refund
    order(env, product, account, "2024-06-15", 0.0)
    # never counted
    order(env, product, account, "2024-06-25", 9999.0, state="cancel")
    order(env, product, account, "2024-06-28", 7777.0, state="draft")
    order(env, product, account, "2024-06-28", 6666.0, state="sent")
    order(env, product, account, "2024-07-05", 5000.0)  # after the date
    # previous window (2022-07-02 .. 2023-07-01) and older
    order(env, product, account, "2023-05-01", 300.0)
    order(env, product, account, "2021-01-01", 400.0)

    refresh(env, AS_OF)
    got = figures(account)
    assert got["last_order"] == "2024-06-29"
    assert got["recency"] == 1
    # positive orders only: 1000, 500, 2000 and 100 in the foreign currency
    assert got["frequency"] == 4
    # 1000 + 500 + 2000 + 100 * 1.5 / 3.0 - 200 + 0
    assert got["monetary"] == pytest.approx(3350.0)
    assert not got["churn"]
    assert got["segment"]
    snapshot = account.kam_rfm_snapshot_ids
    assert len(snapshot) == 1
    assert (snapshot.month, snapshot.date) == ("2024-06-01", AS_OF)
    assert (snapshot.frequency, snapshot.recency_days) == (4, 1)
    assert snapshot.monetary == pytest.approx(3350.0)
    assert snapshot.score == got["score"]
    assert snapshot.kam_manager_id == account.kam_manager_id
    # the contact has no figures of its own
    assert not contact.kam_rfm_score


def test_window_setting_and_recency_outside_window(env):
    product = make_product(env)
    account = key_account(env, "RFM Window Co")
    order(env, product, account, "2024-01-01", 100.0)
    order(env, product, account, "2024-06-01", 50.0)
    env["ir.config_parameter"].set_param(
        "kam_management.rfm_window_days", "30")
    refresh(env, AS_OF)
    got = figures(account)
    assert (got["recency"], got["frequency"]) == (29, 1)
    assert got["monetary"] == pytest.approx(50.0)
    # nothing in the last 10 days: recency still counts, the window is empty
    env["ir.config_parameter"].set_param(
        "kam_management.rfm_window_days", "10")
    refresh(env, AS_OF)
    got = figures(account)
    assert (got["recency"], got["frequency"], got["monetary"]) == (29, 0, 0)


def test_account_without_orders_and_refund_only(env):
    product = make_product(env)
    silent = key_account(env, "RFM Silent Co")
    refunded = key_account(env, "RFM Refund Co")
    order(env, product, refunded, "2024-06-01", -500.0)
    refresh(env, AS_OF)
    for account, monetary in ((silent, 0.0), (refunded, -500.0)):
        got = figures(account)
        assert not got["last_order"]
        assert got["frequency"] == 0
        assert got["monetary"] == pytest.approx(monetary)
        assert not got["segment"] and not got["churn"]
        assert got["score"][0] == "1"
        # recency is empty (NULL), not 0
        env.cr.execute("SELECT kam_rfm_recency_days FROM res_partner "
                       "WHERE id = %s", (account.id,))
        assert env.cr.fetchone()[0] is None
    assert env["res.partner"].search([
        ("id", "in", (silent | refunded).ids),
        ("kam_rfm_recency_days", "=", False)]) == silent | refunded


def test_quintile_score_boundaries(env):
    rules = rfm_rules()
    scores = rules.quintile_scores({i: i for i in range(11)})
    # percent rank i/10: < 0.2 -> 1, < 0.4 -> 2, < 0.6 -> 3, < 0.8 -> 4
    assert [scores[i] for i in range(11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 5]
    # ties share a score: the share of strictly worse accounts decides
    assert rules.quintile_scores({"a": 0, "b": 0, "c": 0, "d": 10}) == {
        "a": 1, "b": 1, "c": 1, "d": 5}
    assert rules.quintile_scores({"a": -50.0, "b": 0.0}) == {"a": 1, "b": 5}
    assert rules.quintile_scores({"only": 7}) == {"only": 3}
    assert rules.quintile_scores({}) == {}


def test_threshold_score_boundaries(env):
    rules = rfm_rules()
    days = [30, 90, 180, 365]
    assert [rules.threshold_score(v, days, True)
            for v in (0, 30, 31, 90, 91, 180, 181, 365, 366, None)] == \
        [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    counts = [1, 3, 6, 12]
    assert [rules.threshold_score(v, counts)
            for v in (0, 1, 2, 3, 5, 6, 11, 12, 40)] == \
        [1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert rules.threshold_score(-100.0, [10.0, 20.0, 30.0, 40.0]) == 1


def test_segment_rules(env):
    segment = rfm_rules().rfm_segment
    assert segment(4, 4, 4, True) == "champions"
    assert segment(5, 5, 3, True) == "loyal"
    assert segment(3, 3, 1, True) == "loyal"
    assert segment(5, 2, 5, True) == "potential"
    assert segment(3, 1, 1, True) == "potential"
    assert segment(2, 3, 5, True) == "at_risk"
    assert segment(1, 5, 5, True) == "at_risk"
    assert segment(2, 2, 5, True) == "hibernating"
    assert segment(1, 2, 5, True) == "lost"
    assert segment(1, 1, 1, False) is None


def test_quintiles_among_key_accounts_and_thresholds(env):
    product = make_product(env)
    accounts = [key_account(env, "RFM Q%d" % i) for i in range(5)]
    only_these_key_accounts(env, accounts)
    for i, account in enumerate(accounts):
        # i + 1 orders of 100, the latest i days before the date
        for k in range(i + 1):
            order(env, product, account, "2024-06-%02d" % (26 + i - k * 3),
                  100.0)
    refresh(env, AS_OF)
    scores = [figures(a)["score"] for a in accounts]
    # recency 4, 3, 2, 1, 0 days; frequency 1..5; amount 100..500
    assert scores == ["111", "222", "333", "444", "555"]
    assert [figures(a)["segment"] for a in accounts] == [
        "lost", "hibernating", "loyal", "champions", "champions"]
    # fixed thresholds instead
    ICP = env["ir.config_parameter"]
    ICP.set_param("kam_management.rfm_scoring", "threshold")
    ICP.set_param("kam_management.rfm_recency_thresholds", "0,1,2,3")
    ICP.set_param("kam_management.rfm_frequency_thresholds", "2,3,4,5")
    ICP.set_param("kam_management.rfm_monetary_thresholds",
                  "150,250,350,1000")
    refresh(env, AS_OF)
    assert [figures(a)["score"] for a in accounts] == [
        "111", "222", "333", "444", "554"]


def test_churn_rules(env):
    churn = rfm_rules().is_churn_risk
    settings = {"churn_recency_days": 180, "churn_drop_percent": 50}

    def row(**values):
        base = {"last_order": "2024-06-01", "recency": 10, "frequency": 4,
                "prev_frequency": 4, "monetary": 400.0,
                "prev_monetary": 400.0}
        base.update(values)
        return churn(base, settings)

    assert not row()
    assert not row(recency=180)
    assert row(recency=181)
    assert row(frequency=2)  # halved
    assert not row(frequency=3)
    assert row(monetary=200.0)
    assert not row(monetary=200.01)
    assert row(monetary=-50.0)
    assert not row(prev_frequency=0, prev_monetary=0.0, frequency=0,
                   monetary=0.0)
    assert not row(last_order=None, recency=None)


def test_churn_warnings_once_for_kam_and_regional_manager(env):
    product = make_product(env)
    account = key_account(env, "RFM Churn Co")
    # four orders in the previous window, one in this one: orders -75%
    for date in ("2023-01-10", "2023-02-10", "2023-03-10", "2023-04-10"):
        order(env, product, account, date, 1000.0)
    order(env, product, account, "2024-06-01", 4000.0)
    stats = refresh(env, AS_OF)
    assert figures(account)["churn"]
    activities = churn_activities(env, account)
    assert set(activities.mapped("user_id")) == {
        ref(env, "user_kam_manager_1"), ref(env, "user_kam_regional")}
    assert len(activities) == 2
    assert stats["warnings"] >= 2
    assert activities[0].date_deadline == "2024-07-03"
    assert "Churn" in activities[0].summary
    # a second run, or one after the account stayed at risk: no duplicate
    refresh(env, AS_OF)
    refresh(env, "2024-06-30")
    assert len(churn_activities(env, account)) == 2
    # done by the KAM: not raised again while the account stays at risk
    activities.filtered(
        lambda a: a.user_id == ref(env, "user_kam_manager_1")).action_done()
    refresh(env, AS_OF)
    assert len(churn_activities(env, account)) == 1


def test_score_drop_warning_and_open_activity_not_duplicated(env):
    account = key_account(env, "RFM Drop Co",
                          kam_manager_id=ref(env, "user_kam_manager_2").id,
                          kam_region_id=ref(env, "region_south_china").id)
    refresh(env, AS_OF)
    assert not churn_activities(env, account)
    # as if the previous refresh had scored it 5 in every letter, with
    # the region's manager already holding an open warning
    env.cr.execute("UPDATE res_partner SET kam_rfm_score = '555' "
                   "WHERE id = %s", (account.id,))
    env["mail.activity"].create({
        "res_model_id": env["ir.model"]._get("res.partner").id,
        "res_id": account.id,
        "activity_type_id": ref(
            env, "mail_activity_type_kam_churn_risk").id,
        "user_id": ref(env, "user_kam_director").id})
    env["res.partner"].invalidate_cache()
    refresh(env, AS_OF)
    assert figures(account)["score"] == "111"
    activities = churn_activities(env, account)
    assert sorted(activities.mapped("user_id.login")) == [
        "kam_director", "kam_manager_2"]
    assert "555" in activities.filtered(
        lambda a: a.user_id.login == "kam_manager_2").note
    # unchanged score: no further warning
    refresh(env, AS_OF)
    assert len(churn_activities(env, account)) == 2


def test_snapshots_are_monthly_and_idempotent(env):
    product = make_product(env)
    account = key_account(env, "RFM Snapshot Co")
    order(env, product, account, "2024-05-20", 100.0)
    refresh(env, "2024-05-31")
    refresh(env, "2024-05-31")
    order(env, product, account, "2024-06-10", 50.0)
    refresh(env, "2024-06-15")
    refresh(env, AS_OF)
    snapshots = env["kam.rfm.snapshot"].search(
        [("partner_id", "=", account.id)], order="month")
    assert snapshots.mapped("month") == ["2024-05-01", "2024-06-01"]
    may, june = snapshots
    assert (may.date, may.frequency, may.recency_days) == ("2024-05-31", 1,
                                                           11)
    assert (june.date, june.frequency, june.recency_days) == (AS_OF, 2, 20)
    assert june.monetary == pytest.approx(150.0)
    env.cr.execute("SELECT count(*) FROM kam_rfm_snapshot "
                   "GROUP BY partner_id, month HAVING count(*) > 1")
    assert not env.cr.fetchall()


def test_history_snapshot_touches_nothing_else(env):
    """Rebuilding a past month-end's snapshot leaves the accounts and the
    warnings alone."""
    product = make_product(env)
    account = key_account(env, "RFM History Co")
    for date in ("2023-01-10", "2023-02-10", "2023-03-10"):
        order(env, product, account, date, 1000.0)
    stats = env["kam.rfm.snapshot"]._kam_rfm_refresh(
        as_of="2023-12-31", snapshot_only=True)
    assert stats["warnings"] == 0 and stats["accounts"] > 0
    snapshot = account.kam_rfm_snapshot_ids
    assert (snapshot.month, snapshot.frequency, snapshot.recency_days) == (
        "2023-12-01", 3, 296)
    assert not figures(account)["score"]
    assert not churn_activities(env, account)


def test_demoted_account_loses_its_figures(env):
    product = make_product(env)
    account = key_account(env, "RFM Demoted Co")
    order(env, product, account, "2024-06-20", 100.0)
    refresh(env, AS_OF)
    assert figures(account)["score"]
    account.action_kam_demote()
    refresh(env, AS_OF)
    got = figures(account)
    assert not got["score"] and not got["frequency"] and not got["churn"]
    # its history stays
    assert account.kam_rfm_snapshot_ids


def test_query_count_does_not_grow_with_accounts(env):
    """Set-based: the same number of queries for 5 or 40 more accounts."""
    def count(as_of):
        refresh(env, as_of)  # settles figures and warnings
        refresh(env, as_of)  # and caches
        before = env.cr.sql_log_count
        stats = refresh(env, as_of)
        return env.cr.sql_log_count - before, stats

    product = make_product(env)
    for i in range(5):
        order(env, product, key_account(env, "RFM Few %d" % i),
              "2024-06-0%d" % (i + 1), 100.0 * (i + 1))
    few, stats_few = count(AS_OF)
    for i in range(35):
        key_account(env, "RFM Many %d" % i)
    many, stats_many = count(AS_OF)
    assert stats_many["accounts"] == stats_few["accounts"] + 35
    assert stats_few["batches"] == stats_many["batches"]
    assert few == many
    assert few < 20


def test_bad_settings_are_refused(env):
    Settings = env["res.config.settings"]
    bad = [
        ({"kam_rfm_window_days": 0}, "window"),
        ({"kam_rfm_window_days": -30}, "window"),
        ({"kam_churn_drop_percent": 0}, "drop"),
        ({"kam_churn_drop_percent": 120}, "drop"),
        ({"kam_churn_recency_days": 0}, "without order"),
        ({"kam_rfm_recency_thresholds": "90,30,180,365"}, "Recency"),
        ({"kam_rfm_frequency_thresholds": "1,2,3"}, "Frequency"),
        ({"kam_rfm_monetary_thresholds": "a,b,c,d"}, "Monetary"),
        ({"kam_rfm_monetary_thresholds": "-1,2,3,4"}, "Monetary"),
    ]
    for vals, word in bad:
        with raises_and_rolls_back(env, ValidationError, match=word):
            Settings.create(vals).execute()
    good = Settings.create({"kam_rfm_window_days": 180,
                            "kam_churn_drop_percent": 40,
                            "kam_rfm_scoring": "threshold",
                            "kam_rfm_monetary_thresholds": "1, 2, 3, 4.5"})
    good.execute()
    ICP = env["ir.config_parameter"]
    assert ICP.get_param("kam_management.rfm_window_days") == "180"
    assert ICP.get_param("kam_management.churn_drop_percent") == "40"
    assert ICP.get_param("kam_management.rfm_monetary_thresholds") == \
        "1,2,3,4.5"
    values = Settings.get_values()
    assert values["kam_rfm_window_days"] == 180
    assert values["kam_rfm_scoring"] == "threshold"


def test_bad_parameter_stops_the_refresh_before_any_write(env):
    product = make_product(env)
    account = key_account(env, "RFM Bad Param Co")
    order(env, product, account, "2024-06-20", 100.0)
    env["ir.config_parameter"].set_param(
        "kam_management.rfm_window_days", "0")
    with raises_and_rolls_back(env, ValidationError, match="window"):
        refresh(env, AS_OF)
    assert not figures(account)["score"]


def test_errors_are_translated(env):
    zh = env(context={"lang": "zh_CN"})
    zh["ir.config_parameter"].set_param(
        "kam_management.rfm_window_days", "-1")
    with pytest.raises(ValidationError) as info:
        with zh.cr.savepoint():
            refresh(zh, AS_OF)
    assert "RFM" in info.value.name and "天" in info.value.name


def test_refresh_rights(env):
    for login in ("kam_support", "kam_secretary"):
        partners = env["res.partner"].with_env(as_user(env, login))
        with raises_and_rolls_back(env, AccessError):
            partners.action_kam_rfm_refresh()
    kam = env["res.partner"].with_env(as_user(env, "kam_manager_1"))
    assert kam.action_kam_rfm_refresh()["tag"] == "reload"


def test_rfm_fields_are_not_typed_in(env):
    account = ref(env, "partner_kam_shanghai_metro")
    for login in ("kam_manager_1", "kam_director", "kam_secretary"):
        mine = account.with_env(as_user(env, login))
        with raises_and_rolls_back(env, AccessError):
            mine.write({"kam_rfm_score": "555"})
        with raises_and_rolls_back(env, AccessError):
            mine.write({"kam_churn_risk": False})
    with raises_and_rolls_back(env, AccessError):
        make_company(as_user(env, "kam_manager_1"), "Typed In",
                     kam_rfm_frequency=3)


def test_kam_sees_only_own_accounts_analysis(env):
    refresh(env, AS_OF)
    kam1 = as_user(env, "kam_manager_1")
    rows = env["res.partner"].with_env(kam1).search_read(
        [("kam_is_key_account", "=", True)],
        ["kam_rfm_score", "kam_rfm_segment", "kam_manager_id"])
    assert rows and all(r["kam_rfm_score"] for r in rows)
    assert {r["kam_manager_id"][0] for r in rows} == {
        ref(env, "user_kam_manager_1").id}
    other = ref(env, "partner_kam_wuxi_semicon").with_env(kam1)
    with pytest.raises(AccessError):
        other.read(["kam_rfm_score"])
    Snapshot = env["kam.rfm.snapshot"]
    expected = {
        "kam_manager_1": Snapshot.search([
            ("partner_id.kam_manager_id", "=",
             ref(env, "user_kam_manager_1").id)]),
        "kam_regional": Snapshot.search([
            ("partner_id.kam_region_id", "=",
             ref(env, "region_east_china").id)]),
        # support staff: the accounts of the support teams they are on (R5)
        "kam_support": Snapshot.search([
            ("partner_id.kam_support_user_ids", "in",
             [ref(env, "user_kam_support").id])]),
        "kam_director": Snapshot.search([]),
        "kam_secretary": Snapshot.search([]),
    }
    for login, snapshots in expected.items():
        assert snapshots
        seen = Snapshot.with_env(as_user(env, login)).search([])
        assert set(seen.ids) == set(snapshots.ids), login
    # the pivot by segment only counts what the KAM may see
    groups = env["res.partner"].with_env(kam1).read_group(
        [("kam_is_key_account", "=", True)], ["kam_rfm_segment"],
        ["kam_rfm_segment"])
    assert sum(g["kam_rfm_segment_count"] for g in groups) == len(rows)
    # users outside the KAM groups cannot read the analysis at all
    clerk = env["res.users"].create({
        "name": "RFM Clerk", "login": "rfm_clerk_test",
        "groups_id": [(6, 0, [ref(env, "base.group_user").id])]})
    with pytest.raises(AccessError):
        ref(env, "partner_kam_shanghai_metro").sudo(clerk).read(
            ["kam_rfm_score"])
    with pytest.raises(AccessError):
        Snapshot.sudo(clerk).search([])
