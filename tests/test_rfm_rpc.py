"""The RFM analysis and the 80/20 finder over XML-RPC, as the demo users."""
import xmlrpc.client

import pytest

KA = [("kam_is_key_account", "=", True)]
RFM = ["kam_rfm_recency_days", "kam_rfm_frequency", "kam_rfm_monetary",
       "kam_rfm_margin", "kam_rfm_margin_rate", "kam_rfm_score",
       "kam_rfm_segment", "kam_churn_risk", "kam_manager_id"]


def fault(server, *args, **kwargs):
    with pytest.raises(xmlrpc.client.Fault) as info:
        server.call(*args, **kwargs)
    return info.value.faultString


def test_demo_database_shows_every_segment(server):
    rows = server.call("kam_director", "res.partner", "search_read", KA,
                       fields=RFM)
    assert {r["kam_rfm_segment"] for r in rows} >= {
        "champions", "loyal", "potential", "at_risk", "hibernating", "lost"}
    assert all(len(r["kam_rfm_score"]) == 3 for r in rows)
    assert any(r["kam_churn_risk"] for r in rows)
    # the demo orders cost something (issue 13): a margin, and a rate
    # wherever there is revenue, empty (False) where there is none
    assert any(r["kam_rfm_margin"] > 0 for r in rows)
    assert all((r["kam_rfm_margin_rate"] is False) == (
        r["kam_rfm_monetary"] <= 0) for r in rows)


def test_kam_reads_own_accounts_analysis_only(server):
    kam1 = server.ref("kam_management.user_kam_manager_1")
    rows = server.call("kam_manager_1", "res.partner", "search_read", KA,
                       fields=RFM)
    assert rows and {r["kam_manager_id"][0] for r in rows} == {kam1}
    snapshots = server.call("kam_manager_1", "kam.rfm.snapshot",
                            "search_read", [], fields=["partner_id"])
    assert snapshots
    assert {s["partner_id"][0] for s in snapshots} <= {r["id"] for r in rows}
    other = server.ref("kam_management.partner_kam_wuxi_semicon")
    assert "security restrictions" in fault(
        server, "kam_manager_1", "res.partner", "read", [other],
        ["kam_rfm_score"])


def test_refresh_and_finder_check_rights(server):
    assert "refresh" in fault(server, "kam_support", "res.partner",
                              "action_kam_rfm_refresh", [])
    account = server.ref("kam_management.partner_kam_shanghai_metro")
    fault(server, "kam_manager_1", "res.partner", "write", [account],
          {"kam_rfm_score": "555"})
    wizard = server.call("kam_manager_1", "kam.pareto.wizard", "create", {})
    assert "80/20" in fault(server, "kam_manager_1", "kam.pareto.wizard",
                            "action_rank", [wizard])
    wizard = server.call("kam_regional", "kam.pareto.wizard", "create", {})
    server.call("kam_regional", "kam.pareto.wizard", "action_rank", [wizard])
    lines = server.call("kam_regional", "kam.pareto.wizard.line",
                        "search_read", [("wizard_id", "=", wizard)],
                        fields=["partner_id", "status", "cumulative_share"])
    xiamen = server.ref("kam_management.partner_kam_prospect_xiamen")
    assert [line["status"] for line in lines
            if line["partner_id"][0] == xiamen] == [
        "candidate"]
