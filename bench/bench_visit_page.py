"""Benchmark of the phone page of the day's visits, ``/kam/visits``
(issue 14), run by ``make bench``.

In a database of its own (a copy of ``bench_visits``' base: the addon
without demo data), two KAMs with 50 planned visits each (today's and
overdue, each with a contact to meet): one with 10 key accounts, one with
300. Measures, through the real server:

* the SQL queries of one page load (the server's ``odoo.sql_db`` debug log),
  at 10 and at 300 accounts: the page must answer in a constant number of
  queries;
* with the browser (Playwright, a phone's viewport), the bytes a cold load
  of the page transfers (the page, its stylesheet and script) against a
  cold load of the back-office web client (``/web``) by the same user: less
  than a tenth.

Ends with one line per target: ``<name>: <measured> (target <target>)
PASS|FAIL``; exits 1 on a FAIL. ``KAM_BENCH_BASE`` names another base
database (with the addon installed) to copy.
"""
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from conftest import drop_db, odoo_server, psql  # noqa: E402
from targets import report  # noqa: E402

DB = "kam_bench_visit_page"
VISITS = 50
SIZES = (10, 300)
BROWSER_PY = os.path.join(ROOT, ".venv-browser", "bin", "python")
# Playwright: the bytes of a cold load of a URL with a session cookie
BYTES_SCRIPT = r"""
import json, sys
from playwright.sync_api import sync_playwright
url, path, cookie, ready = sys.argv[1:5]
with sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                 args=["--headless", "--no-sandbox"])
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True,
        has_touch=True)
    context.add_cookies([{"name": "session_id", "value": cookie,
                          "url": url}])
    page = context.new_page()
    sizes = []
    def count(response):
        try:
            sizes.append(len(response.body()))
        except Exception:
            pass
    page.on("response", count)
    page.goto(url + path)
    page.wait_for_selector(ready, timeout=120000)
    # not "networkidle": the web client keeps a long-polling request open
    page.wait_for_load_state("load")
    page.wait_for_timeout(3000)
    browser.close()
print(json.dumps({"bytes": sum(sizes), "requests": len(sizes)}))
"""


def base_db():
    base = os.environ.get("KAM_BENCH_BASE")
    if base:
        return base
    from bench_visits import BASE_DB, build_base
    build_base()
    return BASE_DB


def sql(query):
    return psql(DB, query)


def generate(server):
    """Two KAMs (10 and 300 key accounts), each with 50 planned visits."""
    admin = lambda *a, **k: server.call("admin", *a, **k)  # noqa: E731
    group = server.ref("kam_management.group_kam_user")
    region = admin("kam.region", "create", {"name": "Bench Page Region"})
    level = server.ref("kam_management.relationship_level_vendor")
    logins = {}
    for size in SIZES:
        login = "bench_page_%d" % size
        admin("res.users", "create", {
            "name": "Bench Page KAM %d" % size, "login": login,
            "password": login, "email": login + "@example.com",
            "groups_id": [(4, group)]},
            context={"no_reset_password": True})
        uid = server.uid(login)
        logins[size] = login
        company = sql("SELECT company_id FROM res_users WHERE id = %d" % uid)
        since = (datetime.now() - timedelta(days=400)).strftime("%Y-%m-%d")
        sql("""
            INSERT INTO res_partner
                   (name, display_name, active, company_id, is_company,
                    customer, type, sale_warn, invoice_warn, street, city,
                    partner_latitude, partner_longitude, kam_is_key_account,
                    kam_account_type, kam_manager_id, kam_region_id,
                    kam_relationship_level_id, kam_since)
            SELECT 'Bench Page %(size)s-' || i, 'Bench Page %(size)s-' || i,
                   true, %(company)s, true, true, 'contact', 'no-message',
                   'no-message', 'Road ' || i, 'Shanghai', 31.2 + i / 1000.0,
                   121.4, true, 'key', %(uid)s, %(region)s, %(level)s,
                   '%(since)s'
              FROM generate_series(1, %(size)s) i;
            INSERT INTO res_partner
                   (name, display_name, active, company_id, is_company,
                    customer, type, sale_warn, invoice_warn, parent_id,
                    commercial_partner_id, phone)
            SELECT 'Buyer of ' || p.name, 'Buyer of ' || p.name, true,
                   p.company_id, false, true, 'contact', 'no-message',
                   'no-message', p.id, p.id, '+86 21 5555 ' || p.id
              FROM res_partner p WHERE p.kam_manager_id = %(uid)s;
            UPDATE res_partner SET commercial_partner_id = id
             WHERE kam_manager_id = %(uid)s;
        """ % {"size": size, "company": company, "uid": uid,
               "region": region, "level": level, "since": since})
        accounts = [int(i) for i in sql(
            "SELECT id FROM res_partner WHERE kam_manager_id = %d "
            "ORDER BY id" % uid).split()]
        for n in range(VISITS):
            when = datetime.utcnow() - timedelta(days=n % 5, hours=1)
            vid = server.call(login, "kam.visit", "create", {
                "partner_id": accounts[n % len(accounts)],
                "purpose": "Bench visit %d" % n,
                "visit_date": when.strftime("%Y-%m-%d %H:%M:%S")})
            sql("INSERT INTO kam_visit_contact_rel (visit_id, partner_id) "
                "SELECT %d, id FROM res_partner WHERE parent_id = %d"
                % (vid, accounts[n % len(accounts)]))
    return logins


def session(server, login):
    s = requests.Session()
    answer = s.post(server.url + "/web/session/authenticate", json={
        "jsonrpc": "2.0", "method": "call",
        "params": {"db": server.db, "login": login, "password": login}},
        timeout=120)
    assert answer.json()["result"]["uid"], answer.text
    return s


def queries(server, s):
    """The SQL queries the server ran for one load of the page (warm: the
    second load)."""
    s.get(server.url + "/kam/visits", timeout=120)
    start = server.log_size()
    answer = s.get(server.url + "/kam/visits", timeout=120)
    assert answer.status_code == 200, answer.status_code
    assert answer.text.count('class="kv_card"') == VISITS
    return server.log_since(start).count("odoo.sql_db: query:")


def cold_bytes(server, s, path, ready):
    out = subprocess.run(
        [BROWSER_PY, "-c", BYTES_SCRIPT, server.url, path,
         s.cookies.get("session_id"), ready],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600,
        universal_newlines=True)
    if out.returncode:
        sys.exit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])["bytes"]


def main():
    base = base_db()
    drop_db(DB)
    subprocess.run(["createdb", "-T", base, DB], check=True)
    results = []
    try:
        with odoo_server(DB, "bench-visit-page.log", "--max-cron-threads=0",
                         "--log-handler=odoo.sql_db:DEBUG") as server:
            logins = generate(server)
            counts = {}
            for size in SIZES:
                counts[size] = queries(server, session(server, logins[size]))
                print("page /kam/visits, %d accounts, %d visits: %d SQL "
                      "queries" % (size, VISITS, counts[size]))
            results.append((
                "visit page queries at 300 vs 10 accounts",
                "%d vs %d" % (counts[300], counts[10]), "the same",
                counts[300] == counts[10]))
            s = session(server, logins[300])
            page = cold_bytes(server, s, "/kam/visits", ".kv_card")
            web = cold_bytes(server, s, "/web", ".o_web_client")
            print("cold load: /kam/visits %d bytes, /web %d bytes"
                  % (page, web))
            results.append((
                "visit page bytes vs web client",
                "%d / %d = %.3f" % (page, web, page / float(web)),
                "< 0.1", page < web / 10.0))
    finally:
        drop_db(DB)
    sys.exit(report(results))


if __name__ == "__main__":
    main()
