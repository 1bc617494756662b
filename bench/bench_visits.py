"""Benchmark of the daily visit-compliance action (R8), run by ``make bench``.

Generates its own data with SQL (not the ORM) in a database of its own:
key accounts, KAMs, regions and visits (20 per account: 200,000 at 10,000
accounts), then measures, at 1,000 and at 10,000 accounts:

* the daily action (``_cron_visit_compliance``) on its first run, when it
  writes every compliance row and the activities due, and on a second run;
* the SQL queries each run issues (``cr.sql_log_count``);
* the PostgreSQL floor: one SQL query computing the last qualifying visit
  per account and rule.

Targets: the action within 5x the floor plus the cost of the activities it
must write; the same number of queries at both sizes (queries grow with
batches, not with accounts). Ends with one line per target:
``<name>: <measured> (target <target>) PASS|FAIL``; exits 1 on a FAIL.
"""
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from conftest import addons_path, drop_db, run_odoo  # noqa: E402

BASE_DB = "kam_bench_base"
DB = "kam_bench_visits"
TODAY = "2026-06-15"
NEXT_DAY = "2026-06-16"
VISITS_PER_ACCOUNT = 20
KAMS = 100
REGIONS = 10

FLOOR_SQL = """
SELECT p.id, r.id, max(v.visit_date)
  FROM res_partner p
  JOIN kam_visit_rule r ON r.active
  LEFT JOIN kam_region reg ON reg.id = p.kam_region_id
  LEFT JOIN kam_visit v
    ON v.partner_id = p.id
   AND v.user_id = CASE r.role WHEN 'kam' THEN p.kam_manager_id
                               ELSE reg.manager_id END
   AND v.state IN ('done', 'submitted', 'reviewed')
 WHERE p.kam_is_key_account
 GROUP BY p.id, r.id
"""


def build_base():
    """A database with the addon and no demo data, copied for each size."""
    exists = subprocess.run(
        ["psql", "-d", "postgres", "-tAc",
         "select 1 from pg_database where datname = '%s'" % BASE_DB],
        stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()
    if exists:
        code, text = run_odoo("bench-base.log", "-d", BASE_DB,
                              "-u", "kam_management", "--stop-after-init")
    else:
        code, text = run_odoo("bench-base.log", "-d", BASE_DB,
                              "-i", "kam_management", "--without-demo=all",
                              "--stop-after-init")
    if code:
        sys.exit("building %s failed:\n%s" % (BASE_DB, text[-2000:]))


def generate(cr, accounts):
    """Users, regions, key accounts and visits, all in SQL."""
    cr.execute("SELECT res_id, name FROM ir_model_data WHERE module = %s "
               "AND name IN ('group_kam_user', 'group_kam_regional_manager', "
               "'relationship_level_vendor', 'relationship_level_partner')",
               ("kam_management",))
    ref = {name: res_id for res_id, name in cr.fetchall()}
    cr.execute("SELECT id FROM res_company ORDER BY id LIMIT 1")
    company = cr.fetchone()[0]
    users = KAMS + REGIONS
    cr.execute("""
        WITH p AS (
            INSERT INTO res_partner (name, display_name, active, company_id,
                                     is_company, customer, type, sale_warn,
                                     invoice_warn)
            SELECT 'Bench User ' || i, 'Bench User ' || i, true, %(c)s,
                   false, false, 'contact', 'no-message', 'no-message'
              FROM generate_series(1, %(n)s) i
            RETURNING id, name)
        INSERT INTO res_users (login, partner_id, company_id, active, share,
                               notification_type)
        SELECT lower(replace(name, ' ', '_')), id, %(c)s, true, false,
               'email' FROM p
    """, {"c": company, "n": users})
    cr.execute("SELECT id FROM res_users WHERE login LIKE 'bench_user_%%' "
               "ORDER BY id")
    uids = [r[0] for r in cr.fetchall()]
    kams, managers = uids[:KAMS], uids[KAMS:]
    cr.execute("INSERT INTO res_groups_users_rel (gid, uid) "
               "SELECT %s, unnest(%s::int[])", (ref["group_kam_user"], kams))
    cr.execute("INSERT INTO res_groups_users_rel (gid, uid) "
               "SELECT %s, unnest(%s::int[])",
               (ref["group_kam_regional_manager"], managers))
    cr.execute("""
        INSERT INTO kam_region (name, manager_id, company_id, active)
        SELECT 'Bench Region ' || i, m, %s, true
          FROM unnest(%s::int[]) WITH ORDINALITY AS x(m, i)
    """, (company, managers))
    cr.execute("SELECT id FROM kam_region WHERE name LIKE 'Bench Region %%' "
               "ORDER BY id")
    regions = [r[0] for r in cr.fetchall()]
    cr.execute("""
        INSERT INTO res_partner
               (name, display_name, active, company_id, is_company, customer,
                type, sale_warn, invoice_warn, kam_is_key_account,
               kam_account_type,
                kam_manager_id, kam_region_id, kam_relationship_level_id,
                kam_since)
        SELECT 'Bench Account ' || i, 'Bench Account ' || i, true, %(c)s,
               true, true, 'contact', 'no-message', 'no-message', true,
               (ARRAY['key', 'national', 'long_term'])[1 + i %% 3],
               (%(kams)s::int[])[1 + i %% %(nk)s],
               (%(regions)s::int[])[1 + i %% %(nr)s],
               CASE WHEN i %% 2 = 0 THEN %(l1)s ELSE %(l2)s END,
               DATE '2024-01-01' + (i %% 300)
          FROM generate_series(1, %(n)s) i
    """, {"c": company, "kams": kams, "nk": KAMS, "regions": regions,
          "nr": REGIONS, "l1": ref["relationship_level_vendor"],
          "l2": ref["relationship_level_partner"], "n": accounts})
    # visits: mostly by the account's KAM, some by the regional manager,
    # some by another KAM; mostly done, some planned or cancelled
    cr.execute("""
        INSERT INTO kam_visit
               (name, partner_id, user_id, visit_date, duration, kind,
                purpose, state, company_id, create_date, write_date)
        SELECT 'Bench visit', p.id,
               CASE WHEN v.j %% 10 = 0 THEN reg.manager_id
                    WHEN v.j %% 10 = 1 THEN (%(kams)s::int[])[1 + v.j %% %(nk)s]
                    ELSE p.kam_manager_id END,
               TIMESTAMP '2026-06-14 09:00' - ((v.j * 7919 + p.id) %% 540)
                   * INTERVAL '1 day',
               1.0, 'on_site', 'Bench',
               CASE WHEN v.j %% 10 = 2 THEN 'planned'
                    WHEN v.j %% 10 = 3 THEN 'cancelled'
                    WHEN v.j %% 3 = 0 THEN 'reviewed' ELSE 'done' END,
               %(c)s, now(), now()
          FROM res_partner p
          JOIN kam_region reg ON reg.id = p.kam_region_id
          CROSS JOIN generate_series(1, %(per)s) AS v(j)
         WHERE p.kam_is_key_account
    """, {"kams": kams, "nk": KAMS, "per": VISITS_PER_ACCOUNT, "c": company})
    cr.execute("ANALYZE")


def measure(accounts):
    import odoo
    drop_db(DB)
    subprocess.run(["createdb", "-T", BASE_DB, DB], check=True)
    odoo.modules.registry.Registry.delete(DB)
    registry = odoo.registry(DB)
    result = {"accounts": accounts}
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        generate(cr, accounts)
        cr.commit()
        cr.execute("SELECT count(*) FROM kam_visit")
        result["visits"] = cr.fetchone()[0]
        floors = []
        for _i in range(3):
            start = time.time()
            cr.execute(FLOOR_SQL)
            cr.fetchall()
            floors.append(time.time() - start)
        result["floor"] = min(floors)
        Compliance = env["kam.visit.compliance"]
        # the first run fills every row; then a normal day (states move on,
        # some activities and escalations); then the same day again
        for run, today in (("fill", TODAY), ("daily", NEXT_DAY),
                           ("again", NEXT_DAY)):
            cr.execute("SELECT count(*) FROM mail_activity")
            before = cr.fetchone()[0]
            queries = cr.sql_log_count
            start = time.time()
            stats = Compliance._cron_visit_compliance(today=today)
            result[run] = time.time() - start
            result[run + "_queries"] = cr.sql_log_count - queries
            # the time the action spent writing activities and escalations
            result[run + "_activities"] = stats["activity_seconds"]
            cr.execute("SELECT count(*) FROM mail_activity")
            result[run + "_new_activities"] = cr.fetchone()[0] - before
            cr.commit()
        cr.execute("SELECT count(*) FROM kam_visit_compliance")
        result["rows"] = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM mail_activity")
        result["activity_count"] = cr.fetchone()[0]
    odoo.sql_db.close_db(DB)
    odoo.modules.registry.Registry.delete(DB)
    return result


def main():
    import odoo
    build_base()
    odoo.tools.config.parse_config(["--addons-path=%s" % addons_path()])
    small = measure(1000)
    large = measure(10000)
    print()
    print("Visit compliance: the daily action (ir_cron_visit_compliance)")
    print("each run: seconds / SQL queries / new activities")
    print("%-9s %-7s %-7s %-9s | %-22s | %-22s | %-22s" % (
        "accounts", "visits", "rows", "floor (s)",
        "first run", "daily run", "same day again"))
    for r in (small, large):
        cells = ["%.3f / %d / %d" % (r[run], r[run + "_queries"],
                                     r[run + "_new_activities"])
                 for run in ("fill", "daily", "again")]
        print("%-9d %-7d %-7d %-9.3f | %-22s | %-22s | %-22s" % (
            r["accounts"], r["visits"], r["rows"], r["floor"], *cells))
    print("floor: one SQL query computing the last qualifying visit per "
          "account and rule.")
    print("activities: new open activities (reminders and escalations); time "
          "spent writing them at 10,000 accounts: first run %.3f s, daily "
          "run %.3f s." % (large["fill_activities"],
                           large["daily_activities"]))
    print("The first run writes all 20,000 compliance and snapshot rows once; "
          "later runs write only what changed.")
    print()
    checks = []
    for run in ("daily", "again"):
        core = large[run] - large[run + "_activities"]
        checks.append((
            "%s_run_vs_floor_10k" % run,
            "%.2fx floor + %.3f s activities" % (
                core / large["floor"], large[run + "_activities"]),
            "<= 5x floor + activities", core <= 5 * large["floor"]))
    checks.append(("queries_daily_1k_vs_10k",
                   "%d vs %d" % (small["daily_queries"],
                                 large["daily_queries"]),
                   "same at both sizes",
                   large["daily_queries"] <= small["daily_queries"]))
    checks.append(("rerun_new_activities_10k",
                   "%d" % large["again_new_activities"], "0",
                   large["again_new_activities"] == 0))
    failed = False
    for name, measured, target, ok in checks:
        print("%s: %s (target %s) %s" % (name, measured, target,
                                         "PASS" if ok else "FAIL"))
        failed = failed or not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
