"""make bench: the role cockpits (issue 15) on the benchmark data.

Uses the database of ``bench_rfm.py`` (``kam_bench_rfm``: 10,000 key
accounts, 500,000 orders; built by it when missing) and adds 200,000 done
visits with SQL. For each role's cockpit (a KAM ``bench_kam_0``, a regional
manager ``bench_regional_0``, the administrator as director) it measures:

* the SQL queries of ``kam.dashboard.kam_dashboard_data()`` (the cursor's
  ``sql_log_count``) with 10,000 key accounts and with 1,000 (the other
  9,000 made ordinary customers in a transaction rolled back afterwards):
  they must be equal;
* its server time (median of 5 warm runs) against the time Odoo's own Sales
  dashboard takes on the same database: ``search_read`` of ``crm.team``
  with the fields of the kanban view of ``sales_team.crm_team_salesteams_act``
  (the graph data included), as the same user where they may, else as
  admin. Target: no more than 1.5 times.

Usage: .venv/bin/python bench/bench_dashboard.py [--keep]  (--keep reuses
the visits of a previous run). Ends with one line per target:
``<name>: <measured> (target <target>) PASS|FAIL``; exits 1 if any fails.
"""
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import bench_rfm  # noqa: E402
import bench_visits  # noqa: E402
from targets import report  # noqa: E402

VISITS = 200000
RUNS = 5
SMALL = 1000
ROLES = (("kam", "bench_kam_0"), ("regional", "bench_regional_0"),
         ("director", "admin"))
SALES_GROUPS = {"bench_kam_0": "sales_team.group_sale_salesman",
                "bench_regional_0": "sales_team.group_sale_salesman_all_leads"}


def ensure_data(registry_factory):
    """The RFM benchmark's database, and the visits."""
    import odoo
    if not bench_visits.upgraded(bench_rfm.DB, "bench-dashboard-update.log"):
        subprocess.run([sys.executable,
                        os.path.join(ROOT, "bench", "bench_rfm.py")],
                       check=False)
    registry = registry_factory()
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM kam_visit WHERE purpose = "
                   "'Bench cockpit visit'")
        if cr.fetchone()[0] < VISITS:
            cr.execute("""
                INSERT INTO kam_visit (partner_id, user_id, visit_date,
                                       duration, kind, purpose, state,
                                       date_done, company_id, name)
                SELECT p.id, p.kam_manager_id,
                       now() - (g %% 700) * interval '1 day',
                       1.0, 'on_site', 'Bench cockpit visit',
                       CASE WHEN g %% 10 = 0 THEN 'done' ELSE 'reviewed' END,
                       now() - (g %% 700) * interval '1 day',
                       p.company_id, 'Bench cockpit visit'
                  FROM generate_series(1, %s) g
                  JOIN res_partner p
                    ON p.id = (SELECT min(id) FROM res_partner
                                WHERE kam_is_key_account) + g %% 10000
                 WHERE p.kam_is_key_account""", (VISITS,))
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            env["kam.visit.compliance"]._cron_visit_compliance()
            cr.commit()
    return registry


def uid_of(env, login):
    return env["res.users"].search([("login", "=", login)]).id


def cockpit(env, uid):
    """Queries and seconds of one cockpit read as ``uid``."""
    user_env = env(user=uid)
    user_env["res.partner"].invalidate_cache()
    before = env.cr.sql_log_count
    start = time.time()
    user_env["kam.dashboard"].kam_dashboard_data()
    return env.cr.sql_log_count - before, time.time() - start


def sales_dashboard(env, uid):
    """Seconds of Odoo's Sales dashboard kanban read (crm.team)."""
    action = env.ref("sales_team.crm_team_salesteams_act")
    Team = env["crm.team"]
    if not env(user=uid)["crm.team"].check_access_rights(
            "read", raise_exception=False):
        uid = env.ref("base.user_root").id
    Team = Team.sudo(uid)  # sudo: Odoo's own screen as the same user
    arch = Team.fields_view_get(view_type="kanban")
    fields = list(arch["fields"])
    domain = eval(action.domain or "[]")  # noqa: S307  (Odoo's own action)
    Team.invalidate_cache()
    start = time.time()
    Team.search_read(domain, fields)
    return time.time() - start


def grant_sales(env, uid, login):
    """A KAM is a salesperson in Odoo, a regional manager sees every
    team's documents: their own Sales dashboard (rolled back with the
    rest)."""
    if login in SALES_GROUPS:
        env["res.users"].browse(uid).write({"groups_id": [
            (4, env.ref(SALES_GROUPS[login]).id)]})


def main():
    import odoo
    registry = ensure_data(bench_rfm.open_registry)
    measured = {}
    # 10,000 accounts: each role's cockpit and Sales dashboard, warm
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        for role, login in ROLES:
            uid = uid_of(env, login)
            grant_sales(env, uid, login)
            cockpit(env, uid)  # warm
            big = [cockpit(env, uid) for _i in range(RUNS)]
            sales_dashboard(env, uid)  # warm
            sales = [sales_dashboard(env, uid) for _i in range(RUNS)]
            measured[role] = (big[0][0],
                              statistics.median(t for _q, t in big),
                              statistics.median(sales))
        cr.rollback()
    # ~1,000 accounts: the other 9,000 made ordinary customers, in a
    # transaction of its own rolled back afterwards (its dead rows would
    # slow every later read of the same transaction)
    small = {}
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute("""
            UPDATE res_partner SET kam_is_key_account = FALSE
             WHERE kam_is_key_account AND id %% %s <> 0""",
                   (10000 // SMALL,))
        for role, login in ROLES:
            uid = uid_of(env, login)
            grant_sales(env, uid, login)
            cockpit(env, uid)
            small[role] = cockpit(env, uid)[0]
        cr.rollback()
    results = []
    for role, _login in ROLES:
        queries_big, seconds, reference = measured[role]
        print("%s cockpit: %d queries at 10,000 accounts, %d at ~1,000; "
              "%.3f s against %.3f s for the Sales dashboard"
              % (role, queries_big, small[role], seconds, reference))
        results.append((
            "dashboard_%s_queries_1k_vs_10k" % role,
            "%d vs %d" % (small[role], queries_big), "equal",
            small[role] == queries_big))
        ratio = seconds / reference if reference else float("inf")
        results.append((
            "dashboard_%s_time_vs_sales_dashboard" % role,
            "%.2fx (%.3f s / %.3f s)" % (ratio, seconds, reference),
            "<= 1.5x", ratio <= 1.5))
    sys.exit(report(results))


if __name__ == "__main__":
    main()
