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
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import xmlrpc.client
import zipfile
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import psutil
import psycopg2
import requests

from conftest import (FAULTS_DB, ROOT, STATE, Server, drop_db, log_problems,
                      odoo_env, odoo_server, psql)

DUE_KAM_CRONS_SQL = """
SELECT coalesce(string_agg(d.name, ',' ORDER BY d.name), '') FROM ir_cron c
  JOIN ir_model_data d ON d.res_id = c.id AND d.model = 'ir.cron'
                      AND d.module = 'kam_management'
 WHERE c.active AND c.nextcall <= now() AT TIME ZONE 'UTC'"""

# Every scheduled action of the addon is due and has work to do (``now``:
# the same moment for the two databases of a test): no activity of the
# addon, no compliance row and no snapshot (the next run rebuilds them), no
# report of last month, no escalation marked, no satisfaction request.
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
-- the visit compliance action first (Odoo takes due actions by priority,
-- then in the table's physical order, which differs between databases):
-- the scorecards' action also writes compliance snapshots, and taken first
-- it would be the one stopped by the test's lock
UPDATE ir_cron SET priority = 4
 WHERE id = (SELECT res_id FROM ir_model_data
              WHERE module = 'kam_management'
                AND name = 'ir_cron_visit_compliance');
"""

# What the scheduled actions write, compared row by row between two
# databases: (table, columns left out). Ids, and the times a row was
# written, differ between two runs, and so do the moment a run noted in a
# row (the agenda of a report, an information's second escalation); so do
# the ids of mail messages (a run rolled back has used some).
RATING_TOKEN = re.compile(r"/rating/[^/\\\"]+/")
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
    ("kam_satisfaction_request", ("date_sent",)),
    ("kam_complaint", ()),
    ("kam_info", ("re_escalated_date",)),
]
ALWAYS_LEFT_OUT = ("id", "create_date", "write_date")


def new_db(name):
    """A fresh copy of the fault tests' template."""
    drop_db(name)
    subprocess.run(["createdb", "-T", FAULTS_DB, name], check=True)
    return name


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
        # a satisfaction e-mail's links carry a random token per request
        result[table] = Counter(RATING_TOKEN.sub("/rating/TOKEN/", row)
                                for (row,) in rows)
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
    name, display_name, is_company, customer, supplier, active, type, lang,
    company_id, invoice_warn, sale_warn, color, kam_is_key_account,
    create_uid, write_uid, create_date, write_date)
SELECT 'Fault Customer ' || g, 'Fault Customer ' || g, TRUE, TRUE, FALSE,
       TRUE, 'contact', 'en_US', 1, 'no-message', 'no-message', 0, FALSE, 1,
       1, NOW(), NOW()
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


# ---------------------------------------------------------------------------
# 3. The cron worker stopped for three days
# ---------------------------------------------------------------------------
# The worker stops on 29 March at 09:00 and starts again on 1 April at 09:00
# (UTC) of a year long past, so that no demo record and no other test uses
# that month (the scheduled actions take the day from the clock, faked here
# by libfaketime): three days missed, the end of March among them.
CATCH_UP_YEAR = date.today().year - 2
STOPPED = datetime(CATCH_UP_YEAR, 3, 29, 9, 0)
RESTARTED = datetime(CATCH_UP_YEAR, 4, 1, 9, 0)
INTERVALS = {"minutes": timedelta(minutes=1), "hours": timedelta(hours=1),
             "days": timedelta(days=1), "weeks": timedelta(weeks=1)}


def timestamp(value):
    """A timestamp read from PostgreSQL (a string once Odoo is imported)."""
    if isinstance(value, datetime):
        return value
    return datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S")


def next_slot(after, nextcall, number, unit):
    """The first call of a schedule (``nextcall`` every ``number`` ``unit``)
    after ``after``."""
    if unit == "months":
        year, month = nextcall.year, nextcall.month
        while nextcall <= after:
            month += number
            year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
            nextcall = nextcall.replace(year=year, month=month)
        return nextcall
    step = INTERVALS[unit] * number
    while nextcall <= after:
        nextcall += step
    return nextcall


def test_cron_worker_stopped_for_three_days(install_log):
    """Every action's next call was due while the worker was stopped; the
    daily ones three times. At the restart each runs once (``doall`` off:
    Odoo moves ``nextcall`` past the missed calls), the month-end reports
    of March are drafted once, each with one "complete" activity, and a
    second poll runs nothing again."""
    db = "%s_fault_cron" % FAULTS_DB
    with databases(db):
        crons = query(db, """
            SELECT d.name, c.cron_name, c.interval_number, c.interval_type,
                   c.nextcall, c.doall, c.numbercall
              FROM ir_cron c JOIN ir_model_data d
                ON d.res_id = c.id AND d.model = 'ir.cron'
               AND d.module = 'kam_management'
             WHERE c.active""")
        assert len(crons) >= 8
        # the addon's actions must not run once per missed call
        assert [row[0] for row in crons if row[5]] == []
        schedules = {}
        for xmlid, name, number, unit, nextcall, _doall, numbercall in crons:
            assert numbercall == -1, xmlid
            nextcall = timestamp(nextcall)
            # the call that was due first after the stop: the same time of
            # day (of month) as the action's own schedule
            if unit == "months":
                # the monthly and quarterly actions: on the 1st
                first = next_slot(STOPPED, STOPPED.replace(
                    day=1, hour=nextcall.hour, minute=nextcall.minute,
                    second=0), 1, unit)
            else:
                first = STOPPED.replace(hour=nextcall.hour,
                                        minute=nextcall.minute, second=0)
                if unit in ("minutes", "hours"):
                    first = STOPPED
                first = next_slot(STOPPED, first, number, unit)
            schedules[xmlid] = (name, number, unit, first)
            query(db, "UPDATE ir_cron SET nextcall = %s WHERE id = ("
                      "SELECT res_id FROM ir_model_data WHERE module = "
                      "'kam_management' AND name = %s)", (first, xmlid))
        missed = {xmlid: first for xmlid, (_n, _i, unit, first)
                  in schedules.items() if first < RESTARTED}
        assert len(missed) == len(schedules), "not all due: %s" % schedules
        # the daily actions missed three calls each
        daily = [xmlid for xmlid, (_n, number, unit, _f) in schedules.items()
                 if (unit, number) == ("days", 1)]
        assert len(daily) >= 4
        for xmlid in daily:
            assert schedules[xmlid][3] + timedelta(days=2) < RESTARTED
        march = "%d-03-01" % CATCH_UP_YEAR
        query(db, "DELETE FROM kam_report WHERE period_start = %s", (march,))
        offset = int((RESTARTED - datetime.utcnow()).total_seconds())
        with cron_poller(db, "test-faults-cron.log",
                         clock="%+ds" % offset) as poller:
            poller.poll()
            first_poll = poller.text()
            poller.poll()
            text = poller.text()
        problems = log_problems(text)
        assert not problems, "\n".join(problems)
        for xmlid, (name, number, unit, first) in sorted(schedules.items()):
            assert callbacks(first_poll, name) == 1, xmlid
            assert callbacks(text, name) == 1, xmlid
            nextcall = query(db, """
                SELECT nextcall FROM ir_cron WHERE id = (
                    SELECT res_id FROM ir_model_data
                     WHERE module = 'kam_management' AND name = %s)""",
                             (xmlid,))[0][0]
            nextcall = timestamp(nextcall)
            # the next call after the restart, on the action's schedule
            assert nextcall == next_slot(RESTARTED, first, number, unit), \
                (xmlid, nextcall)
        # the month-end reports of March: drafted once, by the restart
        authors = query(db, """
            SELECT (SELECT count(DISTINCT kam_manager_id) FROM res_partner
                     WHERE kam_is_key_account AND active
                       AND kam_manager_id IS NOT NULL),
                   (SELECT count(*) FROM kam_region
                     WHERE active AND manager_id IS NOT NULL)""")[0]
        assert authors[0] > 0 and authors[1] > 0
        reports = query(db, """
            SELECT report_type, count(*), count(DISTINCT (user_id, region_id))
              FROM kam_report WHERE period_start = %s
             GROUP BY report_type ORDER BY report_type""", (march,))
        assert reports == [("kam_monthly", authors[0], authors[0]),
                           ("region_monthly", authors[1], authors[1])]
        activities = query(db, """
            SELECT count(*), count(DISTINCT a.res_id) FROM mail_activity a
              JOIN kam_report r ON r.id = a.res_id
             WHERE a.res_model = 'kam.report' AND r.period_start = %s""",
                           (march,))
        assert activities == [(sum(authors), sum(authors))]


# ---------------------------------------------------------------------------
# 4. A backup restored
# ---------------------------------------------------------------------------
# the smallest PNG there is (a 1x1 pixel); each photo gets its own bytes
# after it, so that a photo read back is that photo
PNG = base64.b64decode(
    b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB"
    b"0C8AAAAASUVORK5CYII=")

KAM_TABLES_SQL = """
SELECT table_name FROM information_schema.tables
 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
   AND table_name LIKE 'kam\\_%' ORDER BY table_name"""

CRONS_SQL = """
SELECT d.name, c.cron_name, c.interval_number, c.interval_type, c.active,
       c.doall, c.numbercall, c.nextcall, s.code
  FROM ir_cron c
  JOIN ir_act_server s ON s.id = c.ir_actions_server_id
  JOIN ir_model_data d ON d.res_id = c.id AND d.model = 'ir.cron'
                      AND d.module = 'kam_management'
 ORDER BY d.name"""


def table_counts(db):
    tables = [name for (name,) in query(db, KAM_TABLES_SQL)]
    return {name: query(db, 'SELECT count(*) FROM "%s"' % name)[0][0]
            for name in tables}


def manager_post(srv, route, password, files=None, **data):
    """A form of Odoo's database manager (``/web/database/...``)."""
    response = requests.post(srv.url + "/web/database/" + route,
                             data=dict(data, master_pwd=password),
                             files=files, timeout=600, stream=True)
    response.raise_for_status()
    return response


def test_backup_restored_under_another_name(install_log, tmp_path):
    """A database with visit photos is backed up through Odoo's database
    manager (zip, with the filestore) and restored under another name:
    every ``kam_*`` table has its rows, the photos their bytes, the
    scheduled actions are there and run. The restored database is dropped
    through the manager again."""
    db = "%s_fault_backup" % FAULTS_DB
    restored = "%s_fault_restored" % FAULTS_DB
    password = base64.b32encode(os.urandom(10)).decode()
    data_dir = str(tmp_path / "data")
    config = tmp_path / "odoo.conf"
    config.write_text("[options]\nadmin_passwd = %s\nlist_db = True\n"
                      "data_dir = %s\n" % (password, data_dir))
    try:
        backup_and_restore(db, restored, password, config, data_dir,
                           tmp_path)
    finally:
        # the filestores and the backup
        shutil.rmtree(str(tmp_path), ignore_errors=True)


def backup_and_restore(db, restored, password, config, data_dir, tmp_path):
    with databases(db, restored):
        drop_db(restored)
        with odoo_server(db, "test-faults-backup.log", "-c", str(config),
                         "--db-filter=^%s$|^%s$" % (db, restored),
                         "--max-cron-threads=0") as srv:
            visitor = srv.uid("kam_manager_1")
            visits = srv.call("kam_manager_1", "kam.visit", "search",
                              [("user_id", "=", visitor),
                               ("state", "in", ["planned", "done"])],
                              limit=2, order="id")
            assert len(visits) == 2
            photos = {}
            for n, visit in enumerate(visits * 2):
                data = PNG + os.urandom(1000 + n)
                att = srv.call("kam_manager_1", "kam.visit",
                               "action_add_photo", [visit], "photo%d.png" % n,
                               base64.b64encode(data).decode())
                photos[att] = data
            stored = dict(query(db, """
                SELECT id, store_fname FROM ir_attachment
                 WHERE id = ANY(%s) AND store_fname IS NOT NULL""",
                                (list(photos),)))
            assert sorted(stored) == sorted(photos), "photos not in files"
            counts = table_counts(db)
            assert len(counts) > 30 and counts["kam_visit"] > 0
            crons = query(db, CRONS_SQL)
            assert len(crons) >= 8

            backup = tmp_path / "backup.zip"
            response = manager_post(srv, "backup", password, name=db,
                                    backup_format="zip")
            with open(str(backup), "wb") as out:
                shutil.copyfileobj(response.raw, out)
            assert zipfile.is_zipfile(str(backup)), backup.read_bytes()[:500]
            with zipfile.ZipFile(str(backup)) as archive:
                names = set(archive.namelist())
                manifest = json.loads(archive.read("manifest.json").decode())
            assert "dump.sql" in names
            assert manifest["db_name"] == db
            assert "kam_management" in manifest["modules"]
            for fname in stored.values():
                assert "filestore/" + fname in names, fname

            with open(str(backup), "rb") as dump:
                manager_post(srv, "restore", password, name=restored,
                             copy="true", files={"backup_file": dump})
            assert query("postgres", "SELECT 1 FROM pg_database "
                                     "WHERE datname = %s", (restored,))
            assert table_counts(restored) == counts
            assert query(restored, CRONS_SQL) == crons
            again = Server(srv.url, restored, srv.log_path)
            for att, data in photos.items():
                read = again.call("kam_manager_1", "ir.attachment", "read",
                                  [att], ["datas", "res_model", "res_id"])[0]
                assert base64.b64decode(read["datas"]) == data, att
                assert read["res_model"] == "kam.visit"
            assert os.path.isdir(os.path.join(data_dir, "filestore",
                                              restored))

            # a scheduled action runs on the restored database, as on the
            # original: the compliance rows it rebuilds are the same
            cron = again.ref("kam_management.ir_cron_visit_compliance")
            for name in (db, restored):
                query(name, "DELETE FROM kam_visit_compliance")
            for server in (srv, again):
                server.call("admin", "ir.cron", "method_direct_trigger",
                            [cron])
            rows = "SELECT partner_id, rule_id, state, due_date " \
                   "FROM kam_visit_compliance ORDER BY 1, 2"
            assert query(restored, rows) == query(db, rows)
            assert query(restored, rows)

            manager_post(srv, "drop", password, name=restored)
            assert not query("postgres", "SELECT 1 FROM pg_database "
                                         "WHERE datname = %s", (restored,))
            assert not os.path.exists(os.path.join(data_dir, "filestore",
                                                   restored))
            problems = log_problems(srv.log_since(0))
            assert not problems, "\n".join(problems)
