"""Benchmark of the daily visit-compliance action (R8), run by ``make bench``.

Generates its own data with SQL (not the ORM) in a database of its own:
key accounts, KAMs, regions and visits (20 per account: 200,000 at 10,000
accounts), then measures, at 1,000 and at 10,000 accounts:

* the daily action (``_cron_visit_compliance``) on its first run, when it
  writes every compliance row and the activities due, on the next day, and
  on that day again: raw wall time, activities included;
* the SQL queries each run issues (``cr.sql_log_count``);
* the PostgreSQL floor: one SQL query computing the last qualifying visit
  per account and rule;
* a plain ``mail.activity.create``, timed in the same database, against
  which the action's cost per activity is compared;
* the compliance rows the action wrote, compared row by row with an
  independent computation from the floor query;
* a first run on 10,000 accounts that were never visited.

Ends with one line per target: ``<name>: <measured> (target <target>)
PASS|FAIL``; exits 1 on a FAIL.
"""
import ast
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from conftest import addons_path, drop_db, run_odoo  # noqa: E402
from targets import report  # noqa: E402

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
   AND (r.id NOT IN (SELECT rule_id FROM kam_visit_rule_kind_rel)
        OR v.kind IN (SELECT k.code FROM kam_visit_rule_kind_rel rk
                        JOIN kam_visit_kind k ON k.id = rk.kind_id
                       WHERE rk.rule_id = r.id))
   AND (r.require_check_in IS NOT TRUE
        OR v.check_in_distance_m <= r.check_in_radius_m
        OR (v.check_in_account_no_position AND v.state = 'reviewed'))
 WHERE p.kam_is_key_account
 GROUP BY p.id, r.id
"""


def db_exists(name):
    return bool(subprocess.run(
        ["psql", "-d", "postgres", "-tAc",
         "select 1 from pg_database where datname = '%s'" % name],
        stdout=subprocess.PIPE, universal_newlines=True).stdout.strip())


def dependencies_installed(db):
    """The addon and every dependency of its manifest installed in ``db``."""
    with open(os.path.join(ROOT, "kam_management", "__manifest__.py")) as fh:
        names = ast.literal_eval(fh.read())["depends"] + ["kam_management"]
    installed = subprocess.run(
        ["psql", "-d", db, "-tAc", "SELECT count(*) FROM ir_module_module "
         "WHERE name = ANY(string_to_array('%s', ',')) "
         "AND state = 'installed'" % ",".join(names)],
        stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()
    return installed == str(len(names))


def upgraded(db, log_name):
    """A benchmark database kept from an earlier run, updated to this code
    with ``-u``; False when it cannot be, and it is to be built again: it
    does not exist, a dependency of the manifest is not installed (``-u``
    installs none, and on such a database runs long for nothing), or the
    update fails."""
    if not db_exists(db) or not dependencies_installed(db):
        return False
    code, text = run_odoo(log_name, "-d", db, "-u", "kam_management",
                          "--stop-after-init")
    return not code and "ERROR" not in text


def build_base(base=BASE_DB):
    """A database with the addon and no demo data, copied for each size."""
    if upgraded(base, "bench-base.log"):
        return
    drop_db(base)
    code, text = run_odoo("bench-base.log", "-d", base,
                          "-i", "kam_management", "--without-demo=all",
                          "--stop-after-init")
    if code:
        sys.exit("building %s failed:\n%s" % (base, text[-2000:]))


def generate(cr, accounts, visits=True):
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
    per = VISITS_PER_ACCOUNT if visits else 0
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
    """, {"kams": kams, "nk": KAMS, "per": per, "c": company})
    # the tables written, not the whole database: a database-wide ANALYZE
    # locks the shared catalogs until commit, blocking every other database
    cr.execute("ANALYZE res_partner, kam_visit")


# Independent of the action's SQL: the last qualifying visit per account
# and rule (the floor query's join), with what the dates are counted from;
# the due date and state are then computed in Python.
EXPECTED_SQL = """
SELECT p.id, r.id,
       CASE r.role WHEN 'kam' THEN p.kam_manager_id
                   ELSE reg.manager_id END,
       COALESCE(p.kam_since, p.create_date::date), r.interval_days,
       r.warning_days, max(v.visit_date)
  FROM res_partner p
  JOIN kam_visit_rule r ON r.active
  LEFT JOIN kam_region reg ON reg.id = p.kam_region_id
  LEFT JOIN kam_visit v
    ON v.partner_id = p.id
   AND v.user_id = CASE r.role WHEN 'kam' THEN p.kam_manager_id
                               ELSE reg.manager_id END
   AND v.state IN ('done', 'submitted', 'reviewed')
   AND (r.id NOT IN (SELECT rule_id FROM kam_visit_rule_kind_rel)
        OR v.kind IN (SELECT k.code FROM kam_visit_rule_kind_rel rk
                        JOIN kam_visit_kind k ON k.id = rk.kind_id
                       WHERE rk.rule_id = r.id))
   AND (r.require_check_in IS NOT TRUE
        OR v.check_in_distance_m <= r.check_in_radius_m
        OR (v.check_in_account_no_position AND v.state = 'reviewed'))
 WHERE p.kam_is_key_account AND p.active
 GROUP BY p.id, r.id, reg.manager_id
"""


def expected_rows(cr, today, tz_name):
    """{(account, rule): (responsible, due date, state)} as of ``today``."""
    import pytz
    tz = pytz.timezone(tz_name)
    day = datetime.strptime(today, "%Y-%m-%d").date()
    cr.execute(EXPECTED_SQL)
    rows = {}
    for partner_id, rule_id, responsible_id, since, interval, warning, \
            last in cr.fetchall():
        start = datetime.strptime(since, "%Y-%m-%d").date()
        if last:
            start = pytz.utc.localize(datetime.strptime(
                last, "%Y-%m-%d %H:%M:%S")).astimezone(tz).date()
        due = start + timedelta(days=interval)
        if due < day:
            state = "overdue"
        elif due - timedelta(days=warning) <= day:
            state = "due_soon"
        else:
            state = "ok"
        rows[partner_id, rule_id] = (responsible_id, str(due), state)
    return rows


def compare_rows(cr, today, tz_name):
    """Rows of kam_visit_compliance that differ from ``expected_rows``:
    (differing, missing, extra, compared)."""
    expected = expected_rows(cr, today, tz_name)
    cr.execute("SELECT partner_id, rule_id, responsible_id, due_date, state "
               "FROM kam_visit_compliance")
    actual = {(p, r): (u, d, st) for p, r, u, d, st in cr.fetchall()}
    differ = sum(1 for key, row in actual.items()
                 if key in expected and expected[key] != row)
    return (differ, len(set(expected) - set(actual)),
            len(set(actual) - set(expected)), len(expected))


def plain_activity_cost(env, count=200):
    """Seconds per plain ``mail.activity.create`` (a visit-due activity on
    an account, for its KAM); the caller rolls them back."""
    cr = env.cr
    cr.execute("SELECT id, kam_manager_id FROM res_partner "
               "WHERE kam_is_key_account ORDER BY id LIMIT %s",
               (count + 20,))
    pairs = cr.fetchall()
    Activity = env["mail.activity"]
    vals = {
        "res_model_id": env["ir.model"]._get("res.partner").id,
        "activity_type_id": env.ref(
            "kam_management.mail_activity_type_kam_visit").id,
        "summary": "Key-account visit due",
        "date_deadline": TODAY,
    }
    for partner_id, user_id in pairs[:20]:  # warm the caches
        Activity.create(dict(vals, res_id=partner_id, user_id=user_id))
    start = time.time()
    for partner_id, user_id in pairs[20:]:
        Activity.create(dict(vals, res_id=partner_id, user_id=user_id))
    return (time.time() - start) / len(pairs[20:])


ACTIVITY_WRITES_SQL = """
SELECT (SELECT count(*) FROM mail_activity WHERE id > %(max_id)s),
       (SELECT count(*) FROM mail_activity
         WHERE id <= %(max_id)s AND write_date >= %(start)s),
       %(before)s - (SELECT count(*) FROM mail_activity
                      WHERE id <= %(max_id)s)
"""


def measure(accounts, visits=True):
    import odoo
    drop_db(DB)
    subprocess.run(["createdb", "-T", BASE_DB, DB], check=True)
    odoo.modules.registry.Registry.delete(DB)
    registry = odoo.registry(DB)
    result = {"accounts": accounts}
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        generate(cr, accounts, visits)
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
        result["plain_activity"] = plain_activity_cost(env)
        cr.rollback()
        env.clear()
        Compliance = env["kam.visit.compliance"]
        tz_name = env.user.tz or "UTC"
        # the first run fills every row; then a normal day (states move on,
        # some activities and escalations); then the same day again
        runs = (("fill", TODAY), ("daily", NEXT_DAY), ("again", NEXT_DAY))
        for run, today in runs if visits else runs[:1]:
            cr.execute("SELECT count(*), COALESCE(max(id), 0), "
                       "now() AT TIME ZONE 'UTC' FROM mail_activity")
            before, max_id, started_at = cr.fetchone()
            queries = cr.sql_log_count
            start = time.time()
            stats = Compliance._cron_visit_compliance(today=today)
            result[run] = time.time() - start  # raw: activities included
            result[run + "_queries"] = cr.sql_log_count - queries
            result[run + "_refresh"] = stats["refresh_seconds"]
            result[run + "_activities"] = stats["activity_seconds"]
            cr.execute(ACTIVITY_WRITES_SQL, {
                "max_id": max_id, "start": started_at, "before": before})
            created, updated, removed = cr.fetchone()
            result[run + "_new_activities"] = created
            result[run + "_activity_writes"] = created + updated + removed
            cr.commit()
            if run == "daily":
                result["compare"] = compare_rows(cr, today, tz_name)
        cr.execute("SELECT count(*) FROM kam_visit_compliance")
        result["rows"] = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM mail_activity")
        result["activity_count"] = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM res_users WHERE login LIKE "
                   "'bench_user_%%'")
        result["users"] = cr.fetchone()[0]
    odoo.sql_db.close_db(DB)
    odoo.modules.registry.Registry.delete(DB)
    return result


def main():
    import odoo
    build_base()
    odoo.tools.config.parse_config(["--addons-path=%s" % addons_path()])
    small = measure(1000)
    large = measure(10000)
    fresh = measure(10000, visits=False)
    limit = 20  # kam_management.visit_activity_digest_limit, by default
    print()
    print("Visit compliance: the daily action (ir_cron_visit_compliance)")
    print("each run: raw seconds (activities included) / SQL queries / new "
          "activities")
    print("%-9s %-7s %-7s %-9s | %-22s | %-22s | %-22s" % (
        "accounts", "visits", "rows", "floor (s)",
        "first run", "daily run", "same day again"))
    for r in (small, large, fresh):
        cells = ["%.3f / %d / %d" % (r[run], r[run + "_queries"],
                                     r[run + "_new_activities"])
                 if run in r else "-"
                 for run in ("fill", "daily", "again")]
        print("%-9d %-7d %-7d %-9.3f | %-22s | %-22s | %-22s" % (
            r["accounts"], r["visits"], r["rows"], r["floor"], *cells))
    print("floor: one SQL query computing the last qualifying visit per "
          "account and rule.")
    for r in (small, large):
        print("%d accounts, daily run: %.3f s = refresh %.3f s + activities "
              "%.3f s + snapshot; %.1fx the floor raw." % (
                  r["accounts"], r["daily"], r["daily_refresh"],
                  r["daily_activities"], r["daily"] / r["floor"]))
    per_activity = small["fill_activities"] / max(
        small["fill_activity_writes"], 1)
    print("activities: first run at 1,000 accounts: %d written in %.3f s, "
          "%.2f ms each; a plain mail.activity.create: %.2f ms." % (
              small["fill_activity_writes"], small["fill_activities"],
              1000 * per_activity, 1000 * small["plain_activity"]))
    print("compliance rows compared with the independent computation "
          "(10,000 accounts, daily run): %d differ, %d missing, %d extra "
          "of %d." % large["compare"])
    print()
    differ, missing, extra, _total = large["compare"]
    daily_budget = 10 * large["floor"] + 1.2 * large["plain_activity"] * \
        large["daily_new_activities"]
    checks = [
        ("refresh_vs_floor_10k",
         "%.2fx" % (large["daily_refresh"] / large["floor"]), "<= 3x floor",
         large["daily_refresh"] <= 3 * large["floor"]),
        # every activity is a mail.activity.create of ~40 ms, hundreds of
        # times the floor: the run may spend what its new activities cost
        # at 1.2x a plain create, on top of 10x the floor
        ("daily_run_raw_vs_floor_10k",
         "%.2fx (%.3f s, %d new activities)" % (
             large["daily"] / large["floor"], large["daily"],
             large["daily_new_activities"]),
         "<= 10x floor + 1.2 x plain create per new activity = %.3f s"
         % daily_budget, large["daily"] <= daily_budget),
        ("activity_cost_vs_plain_create",
         "%.2fx" % (per_activity / small["plain_activity"]),
         "<= 1.2x", per_activity <= 1.2 * small["plain_activity"]),
        ("first_run_never_visited_10k", "%.1f s" % fresh["fill"], "<= 60 s",
         fresh["fill"] <= 60),
        ("first_run_activities_never_visited_10k",
         "%d" % fresh["fill_new_activities"],
         "<= %d (people x digest limit)" % (fresh["users"] * limit),
         fresh["fill_new_activities"] <= fresh["users"] * limit),
        ("rows_match_independent_query_10k",
         "%d differ, %d missing, %d extra" % (differ, missing, extra), "0",
         differ + missing + extra == 0),
        ("rerun_new_activities_10k",
         "%d" % large["again_new_activities"], "0",
         large["again_new_activities"] == 0),
    ]
    return report(checks)


if __name__ == "__main__":
    sys.exit(main())
