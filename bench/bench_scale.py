"""make bench: the addon at scale (issue 16, section 2).

In databases of its own (copies of ``kam_bench_scale_base``: the addon
without demo data), with the data generators of ``bench_visits.py`` and
``bench_rfm.py`` (SQL, parametrised by size), measures:

* the screens, as a sales director (``bench_director``, group
  ``group_kam_director``), on 10,000 key accounts with 200,000 visits and
  20,000 compliance rows: the key-account kanban and list, the visit
  compliance list and Odoo's own contacts kanban on the same database, each
  read like the web client reads a page (``search_read`` with the view's
  fields, ``bin_size``, a fresh cache each time: best of 5), at page sizes
  80 and 200, with their SQL queries (no N+1: the same count at both sizes);
* the growth of the two nightly jobs from 10,000 key accounts to the big
  size: the visit compliance run (``_cron_visit_compliance``, 20 visits per
  account) and the RFM refresh (``_kam_rfm_refresh``, 50 confirmed orders
  per account), time and queries.

Sizes (``BENCH_SCALE``, or ``--scale=``): ``10k`` (default) compares 10,000
with 30,000 key accounts (1,500,000 confirmed orders, 600,000 visits), the
growth target scaled linearly (1.2 x the size ratio: 3.6x); ``100k`` is the
issue's full size: 100,000 key accounts, 5,000,000 confirmed orders and
2,000,000 visits, target 12x. ``A:B`` (e.g. ``2000:6000``) for a quick try.
On the 2-core development machine, shared (load average 7-8), the default
took 30 minutes; the full size, about 3.3 times the data of the big size,
did not fit the issue's 20 minutes there (see the README).

Ends with one line per target: ``<name>: <measured> (target <target>)
PASS|FAIL``; exits 1 if any fails.
"""
import os
import subprocess
import sys
import time
from datetime import date, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from conftest import addons_path, drop_db  # noqa: E402

import bench_rfm  # noqa: E402
import bench_visits  # noqa: E402
from targets import report  # noqa: E402

BASE_DB = "kam_bench_scale_base"
VISITS_DB = "kam_bench_scale_visits"
RFM_DB = "kam_bench_scale_rfm"
SMALL = 10000
BIG = {"10k": 30000, "100k": 100000}
PAGES = (80, 200)
REPEAT = 5
READ_RATIO = 1.5  # a key-account screen's page against the contacts kanban
GROWTH = 1.2      # time may grow 1.2x as fast as the size: 12x at 10x
# per key account, as in bench_rfm.py: 50 confirmed orders, 5 cancelled,
# 2 quotations; one account in 5 with a contact who also orders
ORDERS_PER_ACCOUNT = bench_rfm.ORDERS // bench_rfm.CUSTOMERS

# (name, model, view xml id or None for the model's default, domain)
SCREENS = [
    ("contacts_kanban", "res.partner", "base.res_partner_kanban_view", []),
    ("kam_kanban", "res.partner",
     "kam_management.res_partner_view_kanban_kam",
     [("kam_is_key_account", "=", True)]),
    ("kam_list", "res.partner", "kam_management.res_partner_view_tree_kam",
     [("kam_is_key_account", "=", True)]),
    ("compliance_list", "kam.visit.compliance",
     "kam_management.kam_visit_compliance_view_tree", []),
]


def sizes():
    scale = os.environ.get("BENCH_SCALE") or "10k"
    for arg in sys.argv[1:]:
        if arg.startswith("--scale="):
            scale = arg.split("=", 1)[1]
    if scale in BIG:
        return SMALL, BIG[scale], scale
    small, big = scale.split(":")
    return int(small), int(big), scale


def machine():
    with open("/proc/meminfo") as meminfo:
        kib = int(meminfo.readline().split()[1])
    return "%d cores, %.0f GB RAM, load average %.1f at the start" % (
        os.cpu_count(), kib / 1024.0 / 1024.0, os.getloadavg()[0])


def fresh_db(name):
    """A copy of the base database, and its registry."""
    import odoo
    drop_db(name)
    subprocess.run(["createdb", "-T", BASE_DB, name], check=True)
    odoo.modules.registry.Registry.delete(name)
    return odoo.registry(name)


def close_db(name):
    import odoo
    odoo.sql_db.close_db(name)
    odoo.modules.registry.Registry.delete(name)


def make_director(env):
    return env["res.users"].with_context(no_reset_password=True).create({
        "name": "Bench Director", "login": "bench_director",
        "groups_id": [(6, 0, [env.ref(
            "kam_management.group_kam_director").id])]}).id


def read_screens(env):
    """{(screen, page size): (best seconds, queries, rows)}, read as the
    web client reads a page: search_read with the view's fields."""
    cr = env.cr
    result = {}
    for name, model, xmlid, domain in SCREENS:
        view = env.ref(xmlid)
        fnames = list(env[model].fields_view_get(
            view_id=view.id, view_type=view.type)["fields"])
        for limit in PAGES:
            times, cpu, queries = [], [], []
            for _i in range(REPEAT + 1):  # the first one warms the caches
                env.clear()  # a new request: an empty record cache
                before = cr.sql_log_count
                start, start_cpu = time.time(), time.process_time()
                rows = env[model].search_read(domain, fnames, limit=limit)
                times.append(time.time() - start)
                cpu.append(time.process_time() - start_cpu)
                queries.append(cr.sql_log_count - before)
            # the first read also fills Odoo's caches (rules, groups, views)
            result[name, limit] = (min(times[1:]), max(queries[1:]),
                                   len(rows), min(cpu[1:]))
    return result


def visits(accounts, director):
    """Compliance runs (and, with ``director``, the screens) on
    ``accounts`` key accounts with 20 visits each."""
    import odoo
    registry = fresh_db(VISITS_DB)
    result = {"accounts": accounts}
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        start = time.time()
        bench_visits.generate(cr, accounts)
        uid = make_director(env) if director else None
        cr.commit()
        result["generate"] = time.time() - start
        cr.execute("SELECT count(*) FROM kam_visit")
        result["visits"] = cr.fetchone()[0]
        Compliance = env["kam.visit.compliance"]
        # the first run fills every row (and writes the activities); the
        # next day is the nightly run measured; then that day again
        for run, today in (("fill", bench_visits.TODAY),
                           ("daily", bench_visits.NEXT_DAY),
                           ("again", bench_visits.NEXT_DAY)):
            env.clear()
            before = cr.sql_log_count
            start = time.time()
            Compliance._cron_visit_compliance(today=today)
            result[run] = time.time() - start
            result[run + "_queries"] = cr.sql_log_count - before
            cr.commit()
        cr.execute("SELECT count(*) FROM kam_visit_compliance")
        result["rows"] = cr.fetchone()[0]
        if director:
            env = odoo.api.Environment(cr, uid, {
                "lang": "en_US", "tz": "UTC", "bin_size": True})
            result["screens"] = read_screens(env)
    close_db(VISITS_DB)
    return result


def rfm(accounts):
    """RFM refreshes on ``accounts`` key accounts, 50 orders each."""
    import odoo
    registry = fresh_db(RFM_DB)
    today = date.today()
    result = {"accounts": accounts}
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        start = time.time()
        factor = float(accounts) / bench_rfm.CUSTOMERS
        bench_rfm.generate(
            env, str(today), customers=accounts,
            contacts=int(bench_rfm.CONTACTS * factor),
            orders=accounts * ORDERS_PER_ACCOUNT,
            cancelled=int(bench_rfm.CANCELLED * factor),
            quotations=int(bench_rfm.QUOTATIONS * factor))
        cr.commit()
        result["generate"] = time.time() - start
        cr.execute("SELECT count(*) FROM sale_order")
        result["orders"] = cr.fetchone()[0]
    # the first refresh scores every account (and warns of the ones at
    # risk); the nightly ones, on consecutive days, change every account's
    # figures and are measured (best of 2)
    result["first"] = bench_rfm.timed_refresh(registry,
                                              today - timedelta(days=3))
    nightly = [bench_rfm.timed_refresh(registry, today - timedelta(days=d))
               for d in (2, 1)]
    best = min(nightly, key=lambda stats: stats["seconds"])
    result["nightly"] = best["seconds"]
    # apart from write batches (2,000 rows a statement) and warnings (per
    # event), as in bench_rfm.py
    result["nightly_queries"] = best["queries"] - best["batches"] - \
        best["warning_queries"]
    result["nightly_batches"] = best["batches"]
    close_db(RFM_DB)
    return result


def main():
    import odoo
    small, big, scale = sizes()
    t0 = time.time()
    print("Scale benchmark (BENCH_SCALE=%s): %d and %d key accounts; %s"
          % (scale, small, big, machine()))
    sys.stdout.flush()
    bench_visits.build_base(BASE_DB)
    odoo.tools.config.parse_config(["--addons-path=%s" % addons_path()])
    v_small = visits(small, director=True)
    v_big = visits(big, director=False)
    r_small = rfm(small)
    r_big = rfm(big)
    ratio = float(big) / small
    growth_target = GROWTH * ratio

    print()
    print("Screens, as a sales director, %d key accounts, %d visits, %d "
          "compliance rows (best of %d, a fresh cache each time):"
          % (small, v_small["visits"], v_small["rows"], REPEAT))
    screens = v_small["screens"]
    print("wall time (CPU time of the Odoo process) / SQL queries")
    print("%-18s | %-30s | %-30s" % ("screen", "80 rows", "200 rows"))
    for name, _model, _xmlid, _domain in SCREENS:
        cells = ["%.3f s (%.3f s) / %d queries" % (
            screens[name, limit][0], screens[name, limit][3],
            screens[name, limit][1]) for limit in PAGES]
        print("%-18s | %-30s | %-30s" % (name, cells[0], cells[1]))
    print()
    print("Nightly jobs (time / SQL queries):")
    print("%-9s | %-9s | %-8s | %-30s | %-9s | %-30s" % (
        "accounts", "visits", "rows", "visit compliance, next day",
        "orders", "RFM refresh, next day"))
    for v, r in ((v_small, r_small), (v_big, r_big)):
        print("%-9d | %-9d | %-8d | %-30s | %-9d | %-30s" % (
            v["accounts"], v["visits"], v["rows"],
            "%.3f s / %d" % (v["daily"], v["daily_queries"]), r["orders"],
            "%.3f s / %d (+%d write batches)" % (
                r["nightly"], r["nightly_queries"], r["nightly_batches"])))
    for v, r in ((v_small, r_small), (v_big, r_big)):
        print("%d accounts: generated in %.0f s (visits) and %.0f s "
              "(orders); compliance first run %.1f s, same day again "
              "%.3f s / %d queries; RFM first refresh %.1f s / %d queries "
              "(%d warnings)" % (
                  v["accounts"], v["generate"], r["generate"], v["fill"],
                  v["again"], v["again_queries"], r["first"]["seconds"],
                  r["first"]["queries"], r["first"]["warnings"]))
    print("whole benchmark: %.0f s" % (time.time() - t0))
    print()

    contacts = screens["contacts_kanban", PAGES[0]][0]
    checks = []
    for name in ("kam_kanban", "compliance_list"):
        seconds = screens[name, PAGES[0]][0]
        checks.append((
            "%s_first_page_vs_contacts_kanban" % name,
            "%.2fx (%.3f s against %.3f s)" % (seconds / contacts, seconds,
                                               contacts),
            "<= %.1fx" % READ_RATIO, seconds <= READ_RATIO * contacts))
    for name, _model, _xmlid, _domain in SCREENS:
        counts = [screens[name, limit][1] for limit in PAGES]
        checks.append((
            "%s_queries_at_80_and_200" % name,
            "%d and %d" % tuple(counts), "equal (no N+1)",
            counts[0] == counts[1]))
    scaled = "" if scale == "100k" else \
        " (12x at 10x the size, scaled linearly to %.0fx)" % ratio
    # the compliance run's queries: the same day again (no new activity);
    # the next day's grow with its new activities (one by one through
    # mail.activity, per event like the RFM warnings)
    for name, s_time, b_time, s_queries, b_queries in (
            ("visit_compliance_run", v_small["daily"], v_big["daily"],
             v_small["again_queries"], v_big["again_queries"]),
            ("rfm_refresh", r_small["nightly"], r_big["nightly"],
             r_small["nightly_queries"], r_big["nightly_queries"])):
        checks.append((
            "%s_growth_%d_to_%d" % (name, small, big),
            "%.2fx (%.3f s to %.3f s)" % (b_time / s_time, s_time, b_time),
            "<= %.1fx%s" % (growth_target, scaled),
            b_time <= growth_target * s_time))
        checks.append((
            "%s_queries_%d_and_%d" % (name, small, big),
            "%d and %d" % (s_queries, b_queries), "equal",
            s_queries == b_queries))
    return report(checks)


if __name__ == "__main__":
    sys.exit(main())
