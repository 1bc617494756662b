"""make load: many users at once on the prefork server (issue 16, part 1).

Builds (or reuses) a database with the benchmark's data generator
(``bench_visits.generate``: 10,000 key accounts, 100 KAMs, 10 regions,
200,000 visits), adds what a load run needs (passwords, groups, sales
directors, sale orders for Odoo's own screens, draft month-end reports),
copies it, starts Odoo on the copy (``--workers=4 --max-cron-threads=1``, on
127.0.0.1), and runs ``bench/load_client.py`` (asyncio + aiohttp, in
``.venv-load``) with LOAD_USERS concurrent users for LOAD_SECONDS seconds.
Then it prints the latency per action (p50/p95/p99), the throughput, the
errors, the serialization failures Odoo retried (server log), compares the
database with what the client recorded, and ends with
``<name>: <measured> (target <target>) PASS|FAIL`` lines; exits 1 on a FAIL.

Usage: .venv/bin/python bench/load_run.py  (scripts/load.sh sets up the
client's venv first). Environment: LOAD_USERS (50), LOAD_SECONDS (120),
LOAD_THINK (mean think time between two steps of a user, s, 10),
LOAD_SEED (1), LOAD_REBUILD=1 (build the database again).
"""
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import bench_visits  # noqa: E402
from conftest import STATE, drop_db, odoo_server, psql  # noqa: E402
from targets import report as report_targets  # noqa: E402

TEMPLATE = "kam_bench_load_tpl"
DB = "kam_bench_load"
ACCOUNTS = 10000
DIRECTORS = 5
ORDERS_PER_ACCOUNT = 3
REPORT_MONTHS = 6
# bump when what ``prepare`` adds changes: the template is built again
GENERATOR_VERSION = "load-1"
VERSION_PARAM = "kam_management.bench_load_generator"
CLIENT_PYTHON = os.path.join(ROOT, ".venv-load", "bin", "python")

# each KAM action and the call on Odoo's own screens it is compared with
# (both are made by the same virtual user in the same step, see the client)
PAIRS = [
    ("kam_kanban", "contacts_kanban"),
    ("kam_form", "contact_form"),
    ("visit_create", "so_create"),
    ("visit_done", "so_confirm"),
    ("report_form", "so_form"),
    ("report_write", "so_write"),
    ("report_submit", "so_confirm"),
    ("report_list", "so_list"),
    ("report_review", "so_confirm"),
    ("cockpit", "sales_dashboard"),
    ("compliance_list", "so_list"),
]
RATIO = 1.5


def template_is_current():
    """The template exists, was made by this generator, and upgrades
    cleanly with the current code (``bench_visits.upgraded``)."""
    if os.environ.get("LOAD_REBUILD") == "1" or \
            not bench_visits.db_exists(TEMPLATE):
        return False
    try:
        version = psql(TEMPLATE, "SELECT value FROM ir_config_parameter "
                                 "WHERE key = '%s'" % VERSION_PARAM)
    except subprocess.CalledProcessError:
        return False
    if version != GENERATOR_VERSION:
        return False
    return bench_visits.upgraded(TEMPLATE, "load-template-update.log")


def add_orders(cr, company):
    """Sale orders of the key accounts for Odoo's own sale-order screens:
    ORDERS_PER_ACCOUNT per account, by its KAM, mostly confirmed."""
    cr.execute("SELECT id FROM product_pricelist ORDER BY id LIMIT 1")
    pricelist = cr.fetchone()[0]
    cr.execute("""
        INSERT INTO sale_order (
            name, partner_id, partner_invoice_id, partner_shipping_id,
            pricelist_id, date_order, state, company_id, user_id,
            amount_untaxed, amount_tax, amount_total, margin, create_uid,
            write_uid, create_date, write_date)
        SELECT 'LOADSO/' || p.id || '/' || k, p.id, p.id, p.id, %(pl)s,
               now() - ((p.id * 7 + k * 131) %% 700) * INTERVAL '1 day',
               CASE WHEN k = 1 THEN 'draft' ELSE 'sale' END, %(c)s,
               p.kam_manager_id, 1000 + (p.id %% 97) * 100, 0,
               1000 + (p.id %% 97) * 100, 200, 1, 1, now(), now()
          FROM res_partner p
          CROSS JOIN generate_series(1, %(n)s) AS k
         WHERE p.kam_is_key_account""",
               {"pl": pricelist, "c": company, "n": ORDERS_PER_ACCOUNT})


def prepare(env):
    """What the load run adds to the generator's data: logins and
    passwords (password = login), the users' groups (their implied groups
    too, which the generator's SQL does not give), sales directors, sale
    orders, draft month-end reports of REPORT_MONTHS past months for every
    KAM, and the compliance rows."""
    from datetime import date
    cr = env.cr
    ref = env.ref
    company = env.user.company_id.id
    Users = env["res.users"].with_context(no_reset_password=True)
    cr.execute("SELECT u.id, u.login, r.id IS NOT NULL FROM res_users u "
               "LEFT JOIN kam_region r ON r.manager_id = u.id "
               "WHERE u.login LIKE 'bench_user_%%' ORDER BY u.id")
    for uid, login, manager in cr.fetchall():
        groups = [ref("kam_management.group_kam_regional_manager").id,
                  ref("sales_team.group_sale_salesman_all_leads").id] \
            if manager else [ref("kam_management.group_kam_user").id,
                             ref("sales_team.group_sale_salesman").id]
        # the generator's SQL gives no company access and no email (the
        # chatter of a sale order needs the author's)
        user = Users.browse(uid)
        user.write({"password": login, "company_ids": [(6, 0, [company])],
                    "groups_id": [(4, g) for g in groups]})
        user.partner_id.email = "%s@bench.example.com" % login
    for i in range(1, DIRECTORS + 1):
        login = "bench_director_%d" % i
        Users.create({
            "name": "Bench Director %d" % i, "login": login,
            "password": login, "email": "%s@bench.example.com" % login,
            "groups_id": [(6, 0, [
                ref("kam_management.group_kam_director").id,
                ref("sales_team.group_sale_salesman_all_leads").id])]})
    # their support teams, as an upgrade would make them (R5)
    env["kam.support.team"]._kam_create_missing_teams()
    add_orders(cr, company)
    today = date.today()
    Report = env["kam.report"]
    for back in range(1, REPORT_MONTHS + 1):
        year, month = today.year, today.month - back
        while month < 1:
            year, month = year - 1, month + 12
        Report._kam_ensure_reports(date(year, month, 1).isoformat(),
                                   kinds=("kam",))
    env["kam.visit.compliance"]._cron_visit_compliance()
    env["ir.config_parameter"].set_param(VERSION_PARAM, GENERATOR_VERSION)
    cr.execute("ANALYZE")


def build_template():
    import odoo
    bench_visits.build_base()
    drop_db(TEMPLATE)
    subprocess.run(["createdb", "-T", bench_visits.BASE_DB, TEMPLATE],
                   check=True)
    registry = odoo.registry(TEMPLATE)
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        bench_visits.generate(cr, ACCOUNTS)
        prepare(env)
        cr.commit()
    odoo.sql_db.close_db(TEMPLATE)
    odoo.modules.registry.Registry.delete(TEMPLATE)


def ensure_database():
    """A fresh copy of the template for this run."""
    import odoo
    from conftest import addons_path
    odoo.tools.config.parse_config(["--addons-path=%s" % addons_path(),
                                    "--log-level=warn"])
    start = time.time()
    if not template_is_current():
        print("building %s (generator %s) ..."
              % (TEMPLATE, GENERATOR_VERSION))
        build_template()
    drop_db(DB)
    subprocess.run(["createdb", "-T", TEMPLATE, DB], check=True)
    print("database %s ready in %.0f s" % (DB, time.time() - start))


def users_config(count):
    """The virtual users: 10% sales directors, 20% regional managers (at
    most one virtual user per region: reviews are not shared), the rest
    KAMs; each with the ids it works on."""
    directors = max(1, count // 10)
    managers = min(10, max(1, count // 5))
    kams = count - directors - managers
    users = []
    rows = psql(DB, """
        SELECT u.id, u.login FROM res_users u
          JOIN kam_region r ON r.manager_id = u.id
         WHERE u.login LIKE 'bench_user_%' ORDER BY u.id""")
    for line in rows.splitlines()[:managers]:
        uid, login = line.split("|")
        users.append({"login": login, "role": "regional", "uid": int(uid)})
    rows = psql(DB, """
        SELECT u.id, u.login, array_to_string((SELECT array_agg(r.id
                  ORDER BY r.period_start) FROM kam_report r
                 WHERE r.user_id = u.id AND r.state = 'draft'
                   AND r.report_type = 'kam_monthly'), ',')
          FROM res_users u
         WHERE u.login LIKE 'bench_user_%'
           AND NOT EXISTS (SELECT 1 FROM kam_region r
                            WHERE r.manager_id = u.id)
         ORDER BY u.id""")
    # the KAMs whose reports go to the regional managers chosen first,
    # round-robin over the regions (so that small runs review too)
    regions = {int(line.split("|")[0]): int(line.split("|")[1])
               for line in psql(DB, """
        SELECT DISTINCT ON (r.user_id) r.user_id, g.manager_id
          FROM kam_report r JOIN kam_region g ON g.id = r.region_id
         WHERE r.report_type = 'kam_monthly'
         ORDER BY r.user_id, r.period_start DESC""").splitlines()}
    chosen = [u["uid"] for u in users]
    rank, seen = {}, {}
    for line in rows.splitlines():
        uid = int(line.split("|")[0])
        manager = regions.get(uid)
        seen[manager] = seen.get(manager, -1) + 1
        rank[line] = (manager not in chosen, seen[manager], uid)
    for line in sorted(rank, key=rank.get)[:kams]:
        uid, login, reports = line.split("|")
        users.append({"login": login, "role": "kam", "uid": int(uid),
                      "reports": [int(r) for r in reports.split(",") if r]})
    for i in range(1, directors + 1):
        users.append({"login": "bench_director_%d" % i,
                      "role": "director"})
    for index, user in enumerate(users):
        user["password"] = user["login"]
        # the accounts it plans visits and sale orders for
        where = {
            "kam": "kam_manager_id = %d" % user.get("uid", 0),
            "regional": "kam_region_id IN (SELECT id FROM kam_region WHERE "
                        "manager_id = %d)" % user.get("uid", 0),
            "director": "id %% %d = %d" % (len(users), index)}[user["role"]]
        user["accounts"] = [int(x) for x in psql(DB, (
            "SELECT id FROM res_partner WHERE %s AND kam_is_key_account "
            "ORDER BY id LIMIT 60") % where).split()]
    return users


def percentile(values, pct):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, int(round(
        pct / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[index]


RETRY_RE = re.compile(r"(\w+), retry (\d+)/(\d+) in")


def serialization_retries(log_text):
    """{error code: count} of the retries Odoo's RPC layer logged
    (odoo/service/model.py: "<CODE>, retry n/5 in x sec...")."""
    counts = {}
    for match in RETRY_RE.finditer(log_text):
        counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    return counts


def verify(record, marker):
    """Compare the database with what the client recorded."""

    def rows(sql):
        text = psql(DB, sql)
        return [line.split("|") for line in text.splitlines() if line]

    # visits: one row per sent create, by its unique purpose
    sent = {v["purpose"]: v for v in record["visits"]}
    found = {}
    for vid, purpose, state in rows(
            "SELECT id, purpose, state FROM kam_visit WHERE purpose LIKE "
            "'%s%%'" % marker):
        found.setdefault(purpose, []).append((int(vid), state))
    lost = [p for p, v in sent.items() if v.get("id") and p not in found]
    dup = [p for p, r in found.items() if len(r) > 1]
    unacked = [p for p in found if p not in sent or not sent[p].get("id")]
    wrong = [p for p, v in sent.items()
             if v.get("done") and p in found and found[p][0][1] != "done"]
    # sale orders (the same for Odoo's own writes)
    so_sent = {o["ref"]: o for o in record["orders"]}
    so_found = {}
    for oid, ref, state, note in rows(
            "SELECT id, client_order_ref, state, coalesce(note, '') FROM "
            "sale_order WHERE client_order_ref LIKE '%s%%'" % marker):
        so_found.setdefault(ref, []).append((int(oid), state, note))
    lost += [r for r, o in so_sent.items() if o.get("id")
             and r not in so_found]
    dup += [r for r, f in so_found.items() if len(f) > 1]
    unacked += [r for r in so_found
                if r not in so_sent or not so_sent[r].get("id")]
    wrong += [r for r, o in so_sent.items() if r in so_found and (
        (o.get("confirmed") and so_found[r][0][1] != "sale")
        or (o.get("note") and so_found[r][0][2] != o["note"]))]
    # reports: comments written, submitted, acknowledged
    reports = {int(i): (state, comments) for i, state, comments in rows(
        "SELECT id, state, coalesce(comments, '') FROM kam_report")}
    for rep in record["reports"]:
        state, comments = reports.get(rep["id"], (None, None))
        if rep.get("comments") and comments != rep["comments"]:
            wrong.append("report %s comments" % rep["id"])
        if rep.get("submitted") and state not in ("submitted",
                                                  "acknowledged"):
            wrong.append("report %s not submitted (%s)" % (rep["id"], state))
    for rid in record["acknowledged"]:
        if reports.get(rid, (None,))[0] != "acknowledged":
            wrong.append("report %s not acknowledged" % rid)
    # a report acknowledged twice would have failed its transition
    # (submitted -> acknowledged) and been an error; rows stored without an
    # acknowledged create (a create that failed or timed out on the client's
    # side but was stored) are shown, not counted as lost or duplicated
    return {"lost": lost, "duplicated": dup, "wrong": wrong,
            "unacked": unacked, "visits": len(found),
            "orders": len(so_found)}


def main():
    users_count = int(os.environ.get("LOAD_USERS", "50"))
    seconds = float(os.environ.get("LOAD_SECONDS", "120"))
    think = float(os.environ.get("LOAD_THINK", "10"))
    seed = int(os.environ.get("LOAD_SEED", "1"))
    if not os.path.exists(CLIENT_PYTHON):
        sys.exit("no %s: run scripts/load.sh (make load)" % CLIENT_PYTHON)
    ensure_database()
    marker = "LOAD-%d-" % int(time.time())
    users = users_config(users_count)
    os.makedirs(STATE, exist_ok=True)
    config_path = os.path.join(STATE, "load-config.json")
    record_path = os.path.join(STATE, "load-record.json")
    with odoo_server(DB, "load-server.log", "--workers=4",
                     "--max-cron-threads=1", "--log-level=info",
                     "--limit-time-real=600", "--limit-time-cpu=300") as srv:
        config = {"url": srv.url, "db": DB, "users": users,
                  "seconds": seconds, "think": think, "seed": seed,
                  "marker": marker}
        with open(config_path, "w") as out:
            json.dump(config, out)
        offset = srv.log_size()
        code = subprocess.run([CLIENT_PYTHON,
                               os.path.join(ROOT, "bench", "load_client.py"),
                               config_path, record_path]).returncode
        time.sleep(2)  # the last log lines
        log_text = srv.log_since(offset)
    if code:
        sys.exit("the load client failed (exit %d)" % code)
    with open(record_path) as inp:
        record = json.load(inp)
    check = verify(record, marker)
    retries = serialization_retries(log_text)
    server_errors = [line for line in log_text.splitlines()
                     if " ERROR " in line or " CRITICAL " in line]
    return report(record, check, retries, server_errors, users_count,
                  seconds)


def report(record, check, retries, server_errors, users_count, seconds):
    samples = record["samples"]
    errors = record["errors"]
    elapsed = record["elapsed"]
    total = sum(len(v) for v in samples.values())
    print()
    print("Load: %d users, %.0f s (%.1f s measured), %d calls, %.1f calls/s, "
          "%d errors" % (users_count, seconds, elapsed, total,
                         total / elapsed, sum(len(v)
                                              for v in errors.values())))
    solo = record.get("solo", {})
    print("%-17s %6s %7s %7s %7s %7s %6s | %s" % (
        "action", "calls", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors",
        "alone: calls, median ms"))
    names = [n for pair in PAIRS for n in pair]
    names += sorted(set(samples) - set(names))
    seen = set()
    for name in names:
        if name in seen:
            continue
        seen.add(name)
        vals = samples.get(name, [])
        alone = solo.get(name, [])
        print("%-17s %6d %7.0f %7.0f %7.0f %7.0f %6d | %3d %7.0f" % (
            name, len(vals), 1000 * percentile(vals, 50),
            1000 * percentile(vals, 95), 1000 * percentile(vals, 99),
            1000 * max(vals or [float("nan")]), len(errors.get(name, [])),
            len(alone), 1000 * percentile(alone, 50)))
    print("alone, KAM action / Odoo's call (medians): " + ", ".join(
        "%s %.2fx" % (kam, percentile(solo[kam], 50)
                      / percentile(solo[odoo_call], 50))
        for kam, odoo_call in PAIRS
        if solo.get(kam) and solo.get(odoo_call)))
    for name, msgs in sorted(errors.items()):
        print("errors of %s, first: %s" % (name, msgs[0][:300]))
    print("serialization failures retried by Odoo: %s" % (
        ", ".join("%s %d" % kv for kv in sorted(retries.items()))
        or "none"))
    print("server log: %d ERROR/CRITICAL lines%s" % (
        len(server_errors), (", first: " + server_errors[0][:300])
        if server_errors else ""))
    print("database vs client: %d visits, %d sale orders created; %d lost, "
          "%d duplicated, %d not as acknowledged, %d stored without an "
          "acknowledged create" % (
              check["visits"], check["orders"], len(check["lost"]),
              len(check["duplicated"]), len(check["wrong"]),
              len(check["unacked"])))
    for what in ("lost", "duplicated", "wrong"):
        if check[what]:
            print("%s, first: %s" % (what, check[what][:5]))
    print()
    n_errors = sum(len(v) for v in errors.values())
    checks = [
        ("load_errors", "%d" % n_errors, "0", n_errors == 0),
        ("load_lost_or_duplicated_writes",
         "%d lost, %d duplicated, %d not as acknowledged" % (
             len(check["lost"]), len(check["duplicated"]),
             len(check["wrong"])), "0",
         not (check["lost"] or check["duplicated"] or check["wrong"])),
    ]
    for kam, odoo_call in PAIRS:
        a, b = samples.get(kam, []), samples.get(odoo_call, [])
        if not a or not b:
            checks.append(("load_p95_%s_vs_%s" % (kam, odoo_call),
                           "no samples (%d / %d)" % (len(a), len(b)),
                           "<= %.1fx" % RATIO, False))
            continue
        pa, pb = percentile(a, 95), percentile(b, 95)
        checks.append((
            "load_p95_%s_vs_%s" % (kam, odoo_call),
            "%.2fx (%.0f ms / %.0f ms)" % (pa / pb, 1000 * pa, 1000 * pb),
            "<= %.1fx" % RATIO, pa <= RATIO * pb))
    retried = sum(retries.values())
    checks.append(("load_serialization_retries", "%d" % retried,
                   "counted", True))
    return report_targets(checks)


if __name__ == "__main__":
    sys.exit(main())
