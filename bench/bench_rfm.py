"""make bench: the RFM refresh (issue 5, R13) at scale.

Builds its own database (``kam_bench_rfm``: kam_management without demo data),
generates with SQL 10,000 key accounts (2,000 of them with a contact person
who also orders), 500,000 confirmed sale orders over three years in four
currencies with weekly rates (a few large customers and a long tail, 2% of
the orders refunds, 2% of the accounts stopped ordering; each order with a
margin of 15-35%), 50,000 cancelled orders and 20,000 quotations, then
measures:

* the PostgreSQL floor: one parameterised GROUP BY returning the three RFM
  figures and the margin of every account, with the same currency
  conversion;
* the refresh action (``kam.rfm.snapshot._kam_rfm_refresh``): scores,
  segments, churn flags, snapshots and warnings written, on consecutive days
  (so every account's figures change and are written);
* its query count at 2,000 and at 10,000 accounts, apart from write batches
  and from the warnings it creates (per event, not per account);
* a naive per-account ORM loop (``search`` + sum per account, what typical
  RFM add-ons do) on a 200-account sample, whose figures (margin included)
  must agree.

Usage: .venv/bin/python bench/bench_rfm.py [--keep]  (--keep reuses the
database and data of a previous run). Ends with one line per target:
``<name>: <measured> (target <target>) PASS|FAIL``; exits 1 if any fails.
"""
import os
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta

from targets import report

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DB = "kam_bench_rfm"
CUSTOMERS = 10000
CONTACTS = 2000
ORDERS = 500000
CANCELLED = 50000
QUOTATIONS = 20000
DAYS = 3 * 365
SAMPLE = 200  # the naive loop takes ~0.45 s per account on 2 cores
SMALL = 2000
KAMS = 20
REGIONS = 4
FOREIGN = (("EUR", 0.9), ("CNY", 7.1), ("JPY", 150.0))


def addons_path():
    import odoo
    return "%s,%s" % (os.path.join(os.path.dirname(odoo.__file__), "addons"),
                      ROOT)


def install():
    """A fresh database with kam_management and no demo data."""
    subprocess.run(["dropdb", "--if-exists", DB], check=True)
    os.makedirs(os.path.join(ROOT, ".state"), exist_ok=True)
    log_path = os.path.join(ROOT, ".state", "bench-rfm-install.log")
    env = dict(os.environ, ODOO_PRELOAD_ADDONS="no")
    with open(log_path, "w") as log:
        code = subprocess.run(
            [sys.executable, os.path.join(ROOT, "scripts", "odoo-bin"),
             "--addons-path=" + addons_path(), "-d", DB,
             "--db-filter=^%s$" % DB, "-i", "kam_management",
             "--without-demo=all", "--stop-after-init", "--log-level=warn"],
            stdout=log, stderr=subprocess.STDOUT, env=env).returncode
    if code:
        sys.exit("installing kam_management into %s failed, see %s"
                 % (DB, log_path))


def open_registry():
    import odoo
    odoo.tools.config.parse_config([
        "--addons-path=" + addons_path(), "-d", DB, "--db-filter=^%s$" % DB,
        "--log-level=warn"])
    return odoo.registry(DB)


def generate(env, today, customers=CUSTOMERS, contacts=CONTACTS,
             orders=ORDERS, cancelled=CANCELLED, quotations=QUOTATIONS):
    """Users, regions, currencies and rates with the ORM; partners and
    orders with SQL. The sizes default to this benchmark's; bench_scale.py
    passes larger ones (100,000 accounts, 5,000,000 orders)."""
    n_customers, n_contacts, n_orders = customers, contacts, orders
    n_cancelled, n_quotations = cancelled, quotations
    cr = env.cr
    company = env.user.company_id
    level = env.ref("kam_management.relationship_level_vendor")
    Users = env["res.users"].with_context(no_reset_password=True)
    managers = [Users.create({
        "name": "Bench Regional %d" % r, "login": "bench_regional_%d" % r,
        "groups_id": [(6, 0, [env.ref(
            "kam_management.group_kam_regional_manager").id])]})
        for r in range(REGIONS)]
    kams = [Users.create({
        "name": "Bench KAM %d" % k, "login": "bench_kam_%d" % k,
        "groups_id": [(6, 0, [env.ref("kam_management.group_kam_user").id])]})
        for k in range(KAMS)]
    regions = []
    for r in range(REGIONS):
        members = [k.id for i, k in enumerate(kams) if i % REGIONS == r]
        regions.append(env["kam.region"].create({
            "name": "Bench Region %d" % r, "manager_id": managers[r].id,
            "member_ids": [(6, 0, members)]}))
    pricelists = [env.ref("product.list0").id]
    for name, base in FOREIGN:
        currency = env["res.currency"].with_context(
            active_test=False).search([("name", "=", name)])
        currency.active = True
        pricelists.append(env["product.pricelist"].create({
            "name": "Bench " + name, "currency_id": currency.id}).id)
        # weekly rates, units per unit of the base currency
        cr.execute("""
            INSERT INTO res_currency_rate (name, rate, currency_id,
                                           company_id)
            SELECT %s::date - 7 * w,
                   round((%s * (1 + 0.1 * sin(w / 8.0)))::numeric, 6),
                   %s, %s
              FROM generate_series(0, %s) w
            ON CONFLICT DO NOTHING""",
                   (today, base, currency.id, company.id, DAYS // 7 + 60))
    cr.execute("""
        INSERT INTO res_partner (
            name, display_name, is_company, customer, supplier, active,
            type, lang, company_id, invoice_warn, sale_warn, color,
            kam_is_key_account, kam_account_type, kam_manager_id,
            kam_region_id, kam_relationship_level_id, kam_since,
            create_uid, write_uid, create_date, write_date)
        SELECT 'Bench Customer ' || g, 'Bench Customer ' || g, TRUE, TRUE,
               FALSE, TRUE, 'contact', 'en_US', %(company)s, 'no-message',
               'no-message', 0, TRUE, 'key',
               (%(kams)s::int[])[1 + g %% %(nkams)s],
               (%(regions)s::int[])[1 + (g %% %(nkams)s) %% %(nregions)s],
               %(level)s, %(today)s, 1, 1, NOW(), NOW()
          FROM generate_series(1, %(n)s) g
        RETURNING id""", {
        "company": company.id, "kams": [k.id for k in kams],
        "nkams": KAMS, "regions": [r.id for r in regions],
        "nregions": REGIONS, "level": level.id, "today": today,
        "n": n_customers})
    customers = sorted(row[0] for row in cr.fetchall())
    cr.execute("UPDATE res_partner SET commercial_partner_id = id "
               "WHERE id = ANY(%s)", (customers,))
    cr.execute("""
        INSERT INTO res_partner (
            name, display_name, parent_id, commercial_partner_id,
            is_company, customer, supplier, active, type, lang, company_id,
            invoice_warn, sale_warn, color, create_uid, write_uid,
            create_date, write_date)
        SELECT 'Bench Contact ' || c.n, 'Bench Contact ' || c.n, c.id, c.id,
               FALSE, TRUE, FALSE, TRUE, 'contact', 'en_US', %s,
               'no-message', 'no-message', 0, 1, 1, NOW(), NOW()
          FROM unnest(%s::int[]) WITH ORDINALITY AS c(id, n)
        RETURNING id""", (company.id, customers[:n_contacts]))
    contacts = sorted(row[0] for row in cr.fetchall())
    # Confirmed orders: customer i (in id order) places orders in proportion
    # to 1/sqrt(i) (from about 2,500 orders down to 25 in three years), of
    # its own typical size, spread evenly over the three years with jitter;
    # its contact places 30% of them when it has one. One customer in 50
    # stopped ordering 200-350 days ago. 2% are refunds, 30% in one of
    # three foreign currencies, 10% locked ("done").
    weights = [1.0 / (i + 1) ** 0.5 for i in range(n_customers)]
    total = sum(weights)
    counts = [int(n_orders * w / total) for w in weights]
    for i in range(n_orders - sum(counts)):
        counts[i] += 1
    cr.execute("SELECT setseed(0.42)")
    cr.execute("""
        INSERT INTO sale_order (
            name, partner_id, partner_invoice_id, partner_shipping_id,
            pricelist_id, date_order, state, company_id, amount_untaxed,
            amount_tax, amount_total, margin, create_uid, write_uid,
            create_date, write_date)
        SELECT 'BENCH/' || ci || '/' || k, buyer, buyer, buyer, pricelist,
               %(now)s::timestamp - (age * INTERVAL '1 day'), state,
               %(company)s, amount, 0, amount, margin, 1, 1, NOW(), NOW()
          FROM (
            SELECT ci, k,
                   CASE WHEN ci <= %(ncontacts)s AND r1 < 0.3
                        THEN (%(contacts)s::int[])[ci]
                        ELSE (%(customers)s::int[])[ci] END AS buyer,
                   (%(pricelists)s::int[])[
                       CASE WHEN r2 < 0.7 THEN 1
                            ELSE 2 + floor((r2 - 0.7) / 0.1)::int END]
                       AS pricelist,
                   CASE WHEN ci %% 50 = 0
                        THEN 200 + (ci %% 200)
                             + (k + r3) * (%(days)s - 200 - (ci %% 200))
                               / cnt
                        ELSE (k + r3) * %(days)s / cnt END AS age,
                   CASE WHEN r4 < 0.1 THEN 'done' ELSE 'sale' END AS state,
                   round((CASE WHEN r4 < 0.02 THEN -0.5 * size * r5
                               ELSE size * (0.8 + 0.4 * r5) END)::numeric,
                         2) AS amount,
                   round((CASE WHEN r4 < 0.02 THEN -0.5 * size * r5
                               ELSE size * (0.8 + 0.4 * r5) END
                          * (0.15 + 0.2 * r6))::numeric, 2) AS margin
              FROM (SELECT c.ci, k, c.cnt, c.size, random() AS r1,
                           random() AS r2, random() AS r3, random() AS r4,
                           random() AS r5, random() AS r6
                      FROM unnest(%(counts)s::int[],
                                  %(sizes)s::float8[])
                           WITH ORDINALITY AS c(cnt, size, ci),
                           generate_series(0, c.cnt - 1) k) x
          ) s""", {
        "now": today + " 12:00:00", "company": company.id,
        "ncontacts": n_contacts, "contacts": contacts,
        "customers": customers, "pricelists": pricelists,
        "days": float(DAYS), "counts": counts,
        "sizes": [5000.0 + 95000.0 * ((i * 7919) % 1000) / 1000.0
                  for i in range(n_customers)]})
    # cancelled orders and quotations, at random: never counted
    cr.execute("""
        INSERT INTO sale_order (
            name, partner_id, partner_invoice_id, partner_shipping_id,
            pricelist_id, date_order, state, company_id, amount_untaxed,
            amount_tax, amount_total, margin, create_uid, write_uid,
            create_date, write_date)
        SELECT 'BENCH/X/' || g, p, p, p, %(pricelist)s,
               %(now)s::timestamp - (random() * %(days)s * INTERVAL '1 day'),
               CASE WHEN g <= %(cancelled)s THEN 'cancel' ELSE 'draft' END,
               %(company)s, 50000, 0, 50000, 20000, 1, 1, NOW(), NOW()
          FROM (SELECT g, (%(customers)s::int[])[
                           1 + floor(random() * %(n)s)::int] AS p
                  FROM generate_series(1, %(total)s) g) x""", {
        "pricelist": pricelists[0], "now": today + " 12:00:00",
        "days": DAYS, "cancelled": n_cancelled, "company": company.id,
        "customers": customers, "n": n_customers,
        "total": n_cancelled + n_quotations})
    # the tables written, not the whole database: a database-wide ANALYZE
    # locks the shared catalogs until commit, blocking every other database
    cr.execute("ANALYZE res_partner, sale_order, sale_order_line, "
               "res_currency_rate")


def floor_query(env, as_of, window_days):
    """The floor: one GROUP BY returning last order, frequency, amount and
    margin of every key account, with the refresh's currency
    conversion."""
    from odoo.addons.kam_management.models.kam_sales import (
        CONFIRMED_SALES_CTE, sales_params)
    query = CONFIRMED_SALES_CTE + """
        SELECT partner_id,
               MAX(sale_date) FILTER (WHERE amount > 0) AS last_order,
               COUNT(*) FILTER (WHERE amount > 0
                                  AND sale_date >= %(window_from)s),
               SUM(amount) FILTER (WHERE sale_date >= %(window_from)s),
               SUM(margin) FILTER (WHERE sale_date >= %(window_from)s)
          FROM converted
         GROUP BY partner_id"""
    date_to = as_of + timedelta(days=1)
    window_from = date_to - timedelta(days=window_days)
    env.cr.execute("SELECT id FROM res_partner WHERE kam_is_key_account")
    ids = [row[0] for row in env.cr.fetchall()]
    start = time.time()
    params = sales_params(None, str(date_to), ids,
                          convert_from=str(window_from))
    params["window_from"] = str(window_from)
    env.cr.execute(query, params)
    rows = env.cr.fetchall()
    return time.time() - start, len(rows)


def timed_refresh(registry, as_of):
    """One refresh in its own transaction, committed like the cron's."""
    import odoo
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        before = cr.sql_log_count
        start = time.time()
        stats = env["kam.rfm.snapshot"]._kam_rfm_refresh(as_of=str(as_of))
        elapsed = time.time() - start
        stats["queries"] = cr.sql_log_count - before
        stats["seconds"] = elapsed
        cr.commit()
    return stats


def naive_loop(env, partner_ids, as_of, window_days):
    """What typical RFM add-ons do: per account, search its orders and sum
    them in Python, converting each order's amount at its date."""
    SaleOrder = env["sale.order"]
    company_currency = env.user.company_id.currency_id
    date_to = str(as_of + timedelta(days=1))
    window_from = str(as_of + timedelta(days=1 - window_days))
    figures = {}
    start = time.time()
    for partner in env["res.partner"].browse(partner_ids):
        orders = SaleOrder.search([
            ("partner_id", "child_of", partner.id),
            ("state", "in", ("sale", "done"))])
        last, frequency, monetary, margin = None, 0, 0.0, 0.0
        for order in orders:
            # the one definition: placed by the confirmation date
            day = order.confirmation_date or order.date_order
            if day >= date_to:
                continue
            amount, order_margin = order.amount_untaxed, order.margin
            if order.currency_id != company_currency:
                currency = order.currency_id.with_context(date=day)
                amount = currency.compute(amount, company_currency,
                                          round=False)
                order_margin = currency.compute(order_margin,
                                                company_currency, round=False)
            if amount > 0:
                last = max(last or day, day)
            if day >= window_from:
                monetary += amount
                margin += order_margin
                frequency += amount > 0
        figures[partner.id] = (last and last[:10], frequency, monetary,
                               margin)
    return time.time() - start, figures


def main():
    import odoo
    keep = "--keep" in sys.argv
    today = date.today()
    t0 = time.time()
    if not keep:
        install()
    registry = open_registry()
    if not keep:
        with odoo.api.Environment.manage(), registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            generate(env, str(today))
            cr.commit()
    t_setup = time.time() - t0

    with odoo.api.Environment.manage(), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute("UPDATE res_partner SET kam_is_key_account = TRUE "
                   "WHERE name LIKE 'Bench Customer %%'")
        cr.commit()
        window = env["kam.rfm.snapshot"]._kam_rfm_settings()["window_days"]
        cr.execute("SELECT count(*) FILTER (WHERE state IN ('sale', 'done')),"
                   " count(*) FILTER (WHERE state = 'cancel'),"
                   " count(*) FILTER (WHERE state IN ('draft', 'sent'))"
                   " FROM sale_order")
        counts = cr.fetchone()

    # first refresh: every account is new, churn-risk ones get warnings
    first = timed_refresh(registry, today - timedelta(days=5))
    # nightly runs on consecutive days: every account's figures change
    runs = [timed_refresh(registry, today - timedelta(days=d))
            for d in (4, 3, 2)]
    refresh_s = statistics.median(r["seconds"] for r in runs)
    big = runs[-1]

    with odoo.api.Environment.manage(), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        floors = [floor_query(env, today - timedelta(days=2), window)
                  for _i in range(3)]
        floor_s = statistics.median(f[0] for f in floors)

    # query count at fewer accounts: 2,000 key accounts, same data. Scores
    # are relative, so changing the population changes them: the stored
    # scores are forgotten first, lest every shift raise a warning.
    forget = "UPDATE res_partner SET kam_rfm_score = NULL " \
        "WHERE name LIKE 'Bench Customer %%'"
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        cr.execute("""
            UPDATE res_partner SET kam_is_key_account = FALSE
             WHERE name LIKE 'Bench Customer %%'
               AND id NOT IN (SELECT id FROM res_partner
                               WHERE name LIKE 'Bench Customer %%'
                               ORDER BY id LIMIT %s)""", (SMALL,))
        cr.execute(forget)
        cr.commit()
    timed_refresh(registry, today - timedelta(days=1))  # settle
    small = timed_refresh(registry, today)
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        cr.execute("UPDATE res_partner SET kam_is_key_account = TRUE "
                   "WHERE name LIKE 'Bench Customer %%'")
        cr.execute(forget)
        cr.commit()
    final = timed_refresh(registry, today - timedelta(days=2))

    # the naive loop on a sample, checked against the refresh's figures
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute("SELECT id FROM res_partner WHERE kam_is_key_account "
                   "ORDER BY id")
        ids = [row[0] for row in cr.fetchall()]
        sample = ids[::len(ids) // SAMPLE][:SAMPLE]
        naive_s, naive = naive_loop(env, sample, today - timedelta(days=2),
                                    window)
        cr.execute("SELECT id, kam_rfm_last_order_date, kam_rfm_frequency,"
                   " kam_rfm_monetary, kam_rfm_margin FROM res_partner"
                   " WHERE id = ANY(%s)", (sample,))
        agree = 0
        for pid, last, frequency, monetary, margin in cr.fetchall():
            n_last, n_frequency, n_monetary, n_margin = naive[pid]
            if (last or None, frequency) == (n_last, n_frequency) and \
                    abs((monetary or 0.0) - n_monetary) < 0.01 and \
                    abs((margin or 0.0) - n_margin) < 0.01:
                agree += 1
        cr.rollback()

    per_account_refresh = refresh_s / big["accounts"]
    per_account_naive = naive_s / len(sample)
    speedup = per_account_naive / per_account_refresh
    ratio = refresh_s / floor_s
    # warnings are per event (an account turning at risk), not per account
    fixed_big = big["queries"] - big["batches"] - big["warning_queries"]
    fixed_small = small["queries"] - small["batches"] - \
        small["warning_queries"]

    print("RFM benchmark on %s: %d key accounts, %d confirmed orders "
          "(+%d cancelled, +%d quotations), %d currencies, window %d days"
          % (DB, big["accounts"], counts[0], counts[1], counts[2],
             len(FOREIGN) + 1, window))
    rows = [
        ("set-up (install + data)", "%.0f s" % t_setup),
        ("whole benchmark", "%.0f s" % (time.time() - t0)),
        ("PostgreSQL floor (1 GROUP BY, RFM and margin)",
         "%.3f s  (%d accounts)" % (floor_s, floors[0][1])),
        ("refresh, first run",
         "%.3f s  (%d queries, %d warnings in %d queries)" % (
             first["seconds"], first["queries"], first["warnings"],
             first["warning_queries"])),
        ("refresh, nightly (median of 3 days)",
         "%.3f s  (%s)" % (refresh_s, ", ".join(
             "%.3f" % r["seconds"] for r in runs))),
        ("refresh queries at %d accounts" % big["accounts"],
         "%d  (%d write batches, %d warnings in %d queries)" % (
             big["queries"], big["batches"], big["warnings"],
             big["warning_queries"])),
        ("refresh queries at %d accounts" % small["accounts"],
         "%d  (%d write batches, %d warnings in %d queries)" % (
             small["queries"], small["batches"], small["warnings"],
             small["warning_queries"])),
        ("refresh after growing back", "%.3f s  (%d queries)" % (
            final["seconds"], final["queries"])),
        ("naive ORM loop, %d accounts" % len(sample),
         "%.1f s  (%.2f ms per account)" % (naive_s,
                                            1000 * per_account_naive)),
        ("refresh per account", "%.4f ms" % (1000 * per_account_refresh)),
        ("naive and refresh figures agree",
         "%d / %d" % (agree, len(sample))),
    ]
    width = max(len(name) for name, _value in rows)
    for name, value in rows:
        print("  %s  %s" % (name.ljust(width), value))
    print()
    results = [
        ("refresh_vs_floor", "%.2fx" % ratio, "<= 3x", ratio <= 3.0),
        ("speedup_per_account_vs_naive", "%.0fx" % speedup, ">= 20x",
         speedup >= 20.0),
        ("queries_besides_write_batches",
         "%d at %d accounts, %d at %d accounts" % (
             fixed_small, small["accounts"], fixed_big, big["accounts"]),
         "equal", fixed_small == fixed_big),
        ("figures_agree_with_naive_loop", "%d/%d" % (agree, len(sample)),
         "%d/%d" % (len(sample), len(sample)), agree == len(sample)),
    ]
    return report(results)


if __name__ == "__main__":
    sys.exit(main())
