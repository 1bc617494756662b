"""Faults (issue 16): the database connection dropped in the middle of a
scheduled action, a worker killed in the middle of an RPC call, the cron
worker stopped for three days, a backup restored.

Each test works on its own copy of ``<db>_faults`` (a copy of the freshly
installed test database that nothing connects to) and drops it at the end.
The moment of the fault is never left to chance: the test holds a lock
that the action or the call needs, waits until PostgreSQL shows the
server's backend waiting for it (having written part of its work), and
strikes then.

* The scheduled actions are run by ``tests/cron_poller.py``: one process,
  each poll a call of ``ir.cron._acquire_job``, as Odoo's cron workers run
  them once a minute (without waiting a minute between two polls).
* A PostgreSQL restart is a ``pg_terminate_backend`` of every connection to
  the test's own database (the cluster is shared: never restarted). For
  Odoo a restart is exactly that: the server closes every connection.
"""
import base64
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import xmlrpc.client
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import psutil
import psycopg2
import pytest

from conftest import (FAULTS_DB, ROOT, STATE, Server, drop_db, log_problems,
                      odoo_env, odoo_server, psql)

KAM_CRONS_SQL = """
SELECT d.name, c.id FROM ir_cron c
  JOIN ir_model_data d ON d.res_id = c.id AND d.model = 'ir.cron'
                      AND d.module = 'kam_management'"""

DUE_KAM_CRONS_SQL = """
SELECT coalesce(string_agg(d.name, ',' ORDER BY d.name), '') FROM ir_cron c
  JOIN ir_model_data d ON d.res_id = c.id AND d.model = 'ir.cron'
                      AND d.module = 'kam_management'
 WHERE c.active AND c.nextcall <= now() AT TIME ZONE 'UTC'"""

# Every scheduled action of the addon has work to do (``now``: the same
# moment for the two databases of a test): no activity of the
# addon, no compliance row and no snapshot (the next run rebuilds them),
# no report of last month, no escalation marked, no satisfaction request.
RESET_SQL = """
DELETE FROM mail_activity WHERE activity_type_id IN (
    SELECT res_id FROM ir_model_data WHERE module = 'kam_management'
       AND model = 'mail.activity.type')
    OR res_model IN ('kam.report', 'kam.month.handin');
DELETE FROM kam_visit_compliance_snapshot;
DELETE FROM kam_visit_compliance;
DELETE FROM kam_rfm_snapshot;
DELETE FROM kam_report
 WHERE period_start = date_trunc('month', (now() AT TIME ZONE 'UTC')::date
                                          - interval '1 month')::date;
UPDATE kam_complaint
   SET response_breached = false, resolution_breached = false,
       response_deadline = %(now)s::timestamp - interval '2 days',
       resolution_deadline = %(now)s::timestamp - interval '1 day'
 WHERE state <> 'cancelled';
UPDATE kam_info
   SET re_escalated_date = NULL,
       ack_deadline = %(now)s::timestamp - interval '1 day'
 WHERE state = 'new';
DELETE FROM mail_message WHERE model = 'kam.satisfaction.request';
DELETE FROM rating_rating WHERE res_model = 'kam.satisfaction.request';
DELETE FROM kam_satisfaction_request;
UPDATE ir_cron SET nextcall = now() AT TIME ZONE 'UTC' - interval '1 minute',
                   active = true
 WHERE id IN (SELECT res_id FROM ir_model_data
               WHERE module = 'kam_management' AND model = 'ir.cron');
"""

# What the scheduled actions write, compared row by row between two
# databases: (table, columns left out). Ids, and the times a row was
# written, differ between two runs, and so do the moment a run noted in a
# row (the agenda of a report, an information's second escalation); so do
# the ids of mail messages (a run rolled back has used some).
COMPARED_TABLES = [
    ("kam_visit_compliance", ()),
    ("kam_visit_compliance_snapshot", ()),
    ("mail_activity", ()),
    ("mail_followers", ()),
    ("mail_message", ("date", "message_id", "parent_id")),
    ("kam_rfm_snapshot", ()),
    ("res_partner", ()),
    ("kam_report", ("figures_date", "submit_escalated_date",
                    "meeting_agenda_date", "meeting_agenda_data")),
    ("kam_month_handin", ()),
    ("kam_month_handin_line", ()),
    ("kam_scorecard", ()),
    ("kam_satisfaction_request", ()),
    ("kam_complaint", ()),
    ("kam_info", ("re_escalated_date",)),
]
ALWAYS_LEFT_OUT = ("id", "create_date", "write_date")


def new_db(name):
    """A fresh copy of the fault tests' template."""
    drop_db(name)
    subprocess.run(["createdb", "-T", FAULTS_DB, name], check=True)
    return name


@pytest.fixture(scope="module", autouse=True)
def faults_template(install_log):
    """``<db>_faults`` is made by the session (``copy_db``); dropped after
    the last test of this module."""
    yield
    drop_db(FAULTS_DB)


@contextmanager
def databases(*names):
    """Copies of the template for one test, dropped at its end."""
    try:
        yield [new_db(name) for name in names]
    finally:
        for name in names:
            terminate(name)
            drop_db(name)


def connect(db):
    cnx = psycopg2.connect(dbname=db)
    cnx.autocommit = True
    return cnx


def query(db, sql, params=None):
    cnx = connect(db)
    try:
        with cnx.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall() if cr.description else None
    finally:
        cnx.close()


def terminate(db, first=None):
    """What a PostgreSQL restart does to the connections of ``db`` (and
    only of ``db``): end them; the backend ``first`` first (before its
    lock is freed by the end of another). Returns the ended backends'
    pids."""
    ended = []
    if first:
        ended += [pid for pid, done in query("postgres", """
            SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = %s AND pid = %s""", (db, first)) if done]
        wait_for("backend %s to end" % first, lambda: not query(
            "postgres", "SELECT 1 FROM pg_stat_activity WHERE pid = %s",
            (first,)), timeout=30)
    rows = query("postgres", """
        SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = %s AND pid <> pg_backend_pid()""", (db,))
    return sorted(ended + [pid for pid, done in rows if done])


def wait_for(what, check, timeout=120, step=0.2):
    deadline = time.time() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(step)


def lock_waiter(db, relation):
    """The backend of ``db`` waiting for a lock on ``relation``, with the
    tables it has written in its open transaction: (pid, {table})."""
    rows = query(db, """
        SELECT w.pid FROM pg_locks w
          JOIN pg_stat_activity a ON a.pid = w.pid
         WHERE NOT w.granted AND w.relation = %s::regclass
           AND a.datname = current_database()""", (relation,))
    if not rows:
        return None
    pid = rows[0][0]
    written = query(db, """
        SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
         WHERE l.pid = %s AND l.granted AND l.mode = 'RowExclusiveLock'
           AND c.relkind = 'r'""", (pid,))
    return pid, {name for (name,) in written}


def fingerprint(db):
    """{table: Counter of its rows as JSON, without the left-out columns}"""
    result = {}
    for table, left_out in COMPARED_TABLES:
        keys = ALWAYS_LEFT_OUT + tuple(left_out)
        rows = query(db, "SELECT (to_jsonb(t) - %%s::text[])::text FROM %s t"
                     % table, (list(keys),))
        result[table] = Counter(row for (row,) in rows)
    return result


def differences(expected, got):
    """What differs between two fingerprints, for the assertion message."""
    out = []
    for table in expected:
        missing = expected[table] - got[table]
        extra = got[table] - expected[table]
        if missing or extra:
            out.append("%s: %d rows missing, %d extra; e.g. missing %.400s, "
                       "extra %.400s" % (table, sum(missing.values()),
                                         sum(extra.values()),
                                         list(missing)[:1], list(extra)[:1]))
    return out


class CronPoller(object):
    """``tests/cron_poller.py`` on a database: ``poll()`` runs every due
    action once, as a cron worker's poll does."""

    def __init__(self, db, log_name, clock=None):
        self.log_path = os.path.join(STATE, log_name)
        self.log = open(self.log_path, "w")
        command = [sys.executable, os.path.join(ROOT, "tests",
                                                "cron_poller.py"), db]
        if clock:
            command = ["faketime", "-f", clock] + command
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.log, env=odoo_env(), universal_newlines=True)

    def start_poll(self):
        self.proc.stdin.write("poll\n")
        self.proc.stdin.flush()

    def wait_poll(self, timeout=300):
        result = []
        reader = threading.Thread(
            target=lambda: result.append(self.proc.stdout.readline()))
        reader.start()
        reader.join(timeout)
        assert result == ["polled\n"], "the cron poller did not answer: %s" \
            % self.text()[-3000:]

    def poll(self):
        self.start_poll()
        self.wait_poll()

    def text(self):
        self.log.flush()
        with open(self.log_path, errors="replace") as log:
            return log.read()

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(60)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@contextmanager
def cron_poller(db, log_name, clock=None):
    poller = CronPoller(db, log_name, clock)
    try:
        yield poller
    finally:
        poller.close()


def callbacks(text, cron_name):
    """How many times a poller's log shows ``cron_name`` run to its end."""
    return len(re.findall(r"\(cron %s, server action" % re.escape(cron_name),
                          text))


# ---------------------------------------------------------------------------
# 1. PostgreSQL restarted in the middle of a scheduled action
# ---------------------------------------------------------------------------
def test_database_restart_during_a_scheduled_action(install_log):
    """Every action of the addon is due. The visit compliance run has
    rebuilt the compliance rows and written its activities when the test's
    lock stops it before the monthly snapshot; then every connection to the
    database is ended. Odoo rolls the run back and does not count it as
    done; the next poll runs it again to its end, and the database is then
    row for row what an undisturbed run gave on another copy: nothing lost,
    nothing twice."""
    ref, db = "%s_fault_pg_ref" % FAULTS_DB, "%s_fault_pg" % FAULTS_DB
    with databases(ref, db):
        now = datetime.utcnow().replace(microsecond=0)
        for name in (ref, db):
            query(name, RESET_SQL, {"now": now})
        with cron_poller(ref, "test-faults-pg-ref.log") as poller:
            poller.poll()
            assert psql(ref, DUE_KAM_CRONS_SQL) == ""
            assert not log_problems(poller.text()), log_problems(
                poller.text())
        expected = fingerprint(ref)
        assert sum(expected["kam_visit_compliance"].values()) > 0
        assert sum(expected["kam_visit_compliance_snapshot"].values()) > 0
        assert sum(expected["mail_activity"].values()) > 0

        with cron_poller(db, "test-faults-pg.log") as poller:
            holder = connect(db)
            holder.autocommit = False
            with holder.cursor() as cr:
                cr.execute("LOCK TABLE kam_visit_compliance_snapshot "
                           "IN SHARE MODE")
            poller.start_poll()
            pid, written = wait_for("the run to wait for the snapshot lock",
                                    lambda: lock_waiter(
                                        db, "kam_visit_compliance_snapshot"))
            # the run is half-way: compliance rows and activities written,
            # not committed
            assert {"kam_visit_compliance", "mail_activity"} <= written, \
                written
            ended = terminate(db, first=pid)
            assert pid in ended and len(ended) >= 2, ended
            poller.wait_poll()
            holder.close()
            # rolled back, and not counted as run
            assert psql(db, "SELECT count(*) FROM kam_visit_compliance") \
                == "0"
            assert "ir_cron_visit_compliance" in psql(db, DUE_KAM_CRONS_SQL)
            failed = poller.text()
            assert re.search("terminating connection due to administrator "
                             "command|server closed the connection", failed), \
                failed[-3000:]
            start = len(failed)
            for _poll in range(3):
                if not psql(db, DUE_KAM_CRONS_SQL):
                    break
                poller.poll()
            assert psql(db, DUE_KAM_CRONS_SQL) == ""
            problems = log_problems(poller.text()[start:])
            assert not problems, "\n".join(problems)
        got = fingerprint(db)
        diff = differences(expected, got)
        assert not diff, "\n".join(diff)


# ---------------------------------------------------------------------------
# 2. A worker killed in the middle of a long RPC call
# ---------------------------------------------------------------------------
PROMOTED = 50
# 50 companies, none a key account, each with one confirmed order of 2014
# (a year no demo order is in): the 80/20 finder's candidates of 2014
CUSTOMERS_SQL = """
INSERT INTO res_partner (
        name, display_name, is_company, customer, supplier, active, type,
        lang, company_id, invoice_warn, sale_warn, color,
        kam_is_key_account, create_uid, write_uid, create_date, write_date)
    SELECT 'Fault Customer ' || g, 'Fault Customer ' || g, TRUE, TRUE, FALSE,
           TRUE, 'contact', 'en_US', 1, 'no-message', 'no-message', 0,
           FALSE, 1, 1, NOW(), NOW()
      FROM generate_series(1, %(n)s) g
RETURNING id
"""
ORDERS_SQL = """
INSERT INTO sale_order (
    name, partner_id, partner_invoice_id, partner_shipping_id, pricelist_id,
    date_order, confirmation_date, state, company_id, amount_untaxed,
    amount_tax, amount_total, margin, create_uid, write_uid, create_date,
    write_date)
SELECT 'FAULT/' || p.n, p.id, p.id, p.id,
       (SELECT res_id FROM ir_model_data
         WHERE module = 'product' AND name = 'list0'),
       '2014-06-01 10:00:00', '2014-06-01 10:00:00', 'sale', 1,
       1000 + p.n, 0, 1000 + p.n, 100, 1, 1, NOW(), NOW()
  FROM unnest(%(ids)s::int[]) WITH ORDINALITY AS p(id, n);
"""


class PortTransport(xmlrpc.client.Transport):
    """XML-RPC over a connection whose local port the test can read (the
    server's worker holding the other end is the one to kill), sent once:
    Python's transport sends a request again when the connection drops
    (as a browser does not for the web client's POST)."""

    def request(self, host, handler, request_body, verbose=False):
        return self.single_request(host, handler, request_body, verbose)

    def make_connection(self, host):
        self.connection = super(PortTransport, self).make_connection(host)
        return self.connection

    def local_port(self):
        sock = getattr(getattr(self, "connection", None), "sock", None)
        return sock.getsockname()[1] if sock else None


def serving_worker(master_pid, server_port, client_port):
    """The pid of the server's process holding our request's connection."""
    for child in psutil.Process(master_pid).children(recursive=True):
        try:
            connections = child.connections(kind="tcp")
        except psutil.Error:
            continue
        for conn in connections:
            if conn.laddr and conn.raddr and \
                    conn.laddr[1] == server_port and \
                    conn.raddr[1] == client_port:
                return child.pid
    return None


def test_worker_killed_during_a_promotion(install_log):
    """A director promotes 50 customers with the 80/20 finder over a
    two-worker server. The test's lock stops the call after the accounts
    are written (not committed); the worker serving it is killed with
    SIGKILL. None of the promotion is stored, the server answers the next
    calls through its other (and a new) worker, and the same promotion
    then stores all 50 accounts."""
    db = "%s_fault_rpc" % FAULTS_DB
    with databases(db):
        ids = [row[0] for row in query(db, CUSTOMERS_SQL,
                                       {"n": PROMOTED})]
        assert len(ids) == PROMOTED
        query(db, "UPDATE res_partner SET commercial_partner_id = id "
                  "WHERE id = ANY(%s)", (ids,))
        query(db, ORDERS_SQL, {"ids": ids})
        with odoo_server(db, "test-faults-rpc.log", "--workers=2",
                         "--max-cron-threads=0") as srv:
            kam = srv.uid("kam_manager_1")
            region = srv.call("admin", "kam.region", "search",
                              [("member_ids", "in", [kam])], limit=1)
            wizard = srv.call("kam_director", "kam.pareto.wizard", "create", {
                "date_from": "2014-01-01", "date_to": "2014-12-31",
                "share_target": 100.0, "kam_manager_id": kam,
                "kam_region_id": region[0]})
            srv.call("kam_director", "kam.pareto.wizard", "action_rank",
                     [wizard])
            srv.call("kam_director", "kam.pareto.wizard",
                     "action_select_candidates", [wizard])
            lines = srv.call("kam_director", "kam.pareto.wizard.line",
                             "search_read", [("wizard_id", "=", wizard),
                                             ("selected", "=", True)],
                             fields=["partner_id"])
            assert sorted(line["partner_id"][0] for line in lines) == ids

            holder = connect(db)
            holder.autocommit = False
            with holder.cursor() as cr:
                cr.execute("LOCK TABLE kam_pareto_wizard_line IN SHARE MODE")
            transport = PortTransport()
            proxy = xmlrpc.client.ServerProxy(srv.url + "/xmlrpc/2/object",
                                              transport=transport,
                                              allow_none=True)
            outcome = []

            def promote():
                try:
                    outcome.append(proxy.execute_kw(
                        db, srv.uid("kam_director"), "kam_director",
                        "kam.pareto.wizard", "action_promote", [[wizard]]))
                except Exception as exc:  # pylint: disable=broad-except
                    outcome.append(exc)
            caller = threading.Thread(target=promote)
            caller.start()
            pid, written = wait_for("the promotion to wait for the lock",
                                    lambda: lock_waiter(
                                        db, "kam_pareto_wizard_line"))
            # the 50 accounts are written, not committed
            assert "res_partner" in written, written
            port = int(srv.url.rsplit(":", 1)[1])
            worker = wait_for("the worker serving the call", lambda:
                              serving_worker(srv.pid, port,
                                             transport.local_port()),
                              timeout=30)
            assert worker != srv.pid
            os.kill(worker, 9)
            caller.join(60)
            assert len(outcome) == 1 and isinstance(outcome[0], Exception), \
                outcome
            # PostgreSQL notices the lost client only when it answers it:
            # the backend waits for the test's lock, then ends, rolled back
            holder.rollback()
            holder.close()
            wait_for("the killed worker's transaction to end", lambda: not
                     query(db, "SELECT 1 FROM pg_stat_activity "
                               "WHERE pid = %s", (pid,)), timeout=60)
            assert query(db, """
                SELECT count(*) FROM res_partner
                 WHERE id = ANY(%s) AND kam_is_key_account""", (ids,)) \
                == [(0,)]
            assert query(db, """
                SELECT count(*) FROM kam_relationship_history
                 WHERE partner_id = ANY(%s)""", (ids,)) == [(0,)]
            assert query(db, """
                SELECT count(*) FROM mail_message
                 WHERE model = 'res.partner' AND res_id = ANY(%s)""",
                         (ids,)) == [(0,)]

            # the server goes on serving, through any of its workers
            assert srv.call("kam_director", "res.partner", "search_count",
                            [("id", "in", ids)]) == PROMOTED
            srv.call("kam_director", "kam.pareto.wizard", "action_promote",
                     [wizard])
            assert query(db, """
                SELECT count(*) FROM res_partner
                 WHERE id = ANY(%s) AND kam_is_key_account
                   AND kam_manager_id = %s""", (ids, kam)) == [(PROMOTED,)]
            assert query(db, """
                SELECT count(DISTINCT partner_id) FROM kam_relationship_history
                 WHERE partner_id = ANY(%s)""", (ids,)) == [(PROMOTED,)]
            problems = log_problems(srv.log_since(0))
            assert not problems, "\n".join(problems)
