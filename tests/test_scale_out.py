"""Scale-out: the addon under Odoo's multi-process server, and scheduled
actions run twice at the same time.

Everything here commits, so it runs on ``<db>_workers``, a copy of the
freshly installed test database. Duplicates are looked for in
``mail_activity`` (the tables of compliance rows, snapshots, reports and
scorecards have unique constraints, so the database itself refuses theirs).
"""
import threading
import time
import xmlrpc.client
from datetime import date

import odoo
import pytest

from conftest import STATE, WORKERS_DB, log_problems, odoo_server, psql

# The monthly actions run for a March two years back (they take the day as an
# argument): a month no demo record or other test uses, whatever today is.
YEAR = date.today().year - 2
MID_MARCH = "%d-03-15" % YEAR

# (model, method, keyword arguments) of every scheduled action of the addon
CRONS = {
    "ir_cron_visit_compliance": (
        "kam.visit.compliance", "_cron_visit_compliance", {}),
    "ir_cron_complaint_breach": ("kam.complaint", "_cron_check_breaches", {}),
    "ir_cron_info_escalation": ("kam.info", "_cron_info_escalation", {}),
    "ir_cron_rfm_refresh": ("res.partner", "_cron_kam_rfm_refresh", {}),
    "ir_cron_monthly_reports": (
        "kam.report", "_cron_monthly_reports", {"today": MID_MARCH}),
    "ir_cron_month_end_information": (
        "kam.report", "_cron_month_end_information",
        {"today": "%d-03-30" % YEAR}),
    "ir_cron_scorecard": ("kam.scorecard", "_cron_scorecard",
                          {"today": MID_MARCH}),
    "ir_cron_satisfaction_request": (
        "kam.satisfaction.request", "_cron_satisfaction_request", {}),
}

# Put back the conditions under which each action has work to do, so that a
# second run *would* write duplicates if nothing stopped it.
RESET_SQL = {
    "ir_cron_visit_compliance": """
        DELETE FROM mail_activity WHERE activity_type_id IN (
            SELECT res_id FROM ir_model_data WHERE module = 'kam_management'
               AND name IN ('mail_activity_type_kam_visit',
                            'mail_activity_type_kam_visit_escalation'));
        UPDATE kam_visit_compliance SET escalated_date = NULL;""",
    "ir_cron_complaint_breach": """
        DELETE FROM mail_activity WHERE activity_type_id = (
            SELECT res_id FROM ir_model_data WHERE module = 'kam_management'
               AND name = 'mail_activity_type_kam_complaint_breach');
        UPDATE kam_complaint
           SET response_breached = false, resolution_breached = false,
               response_deadline = now() AT TIME ZONE 'UTC' - interval '2 days',
               resolution_deadline = now() AT TIME ZONE 'UTC' - interval '1 day'
         WHERE state <> 'cancelled';""",
    "ir_cron_info_escalation": """
        DELETE FROM mail_activity WHERE activity_type_id = (
            SELECT res_id FROM ir_model_data WHERE module = 'kam_management'
               AND name = 'mail_activity_type_kam_info_escalation');
        UPDATE kam_info
           SET re_escalated_date = NULL,
               ack_deadline = now() AT TIME ZONE 'UTC' - interval '1 day'
         WHERE state = 'new';""",
    "ir_cron_rfm_refresh": """
        DELETE FROM mail_activity WHERE activity_type_id = (
            SELECT res_id FROM ir_model_data WHERE module = 'kam_management'
               AND name = 'mail_activity_type_kam_churn_risk');
        DELETE FROM kam_rfm_snapshot;""",
    "ir_cron_monthly_reports": """
        DELETE FROM mail_activity WHERE res_model = 'kam.report';
        DELETE FROM kam_report WHERE period_start = '%d-02-01';""" % YEAR,
    # (issue 13) it drafts the month's hand-ins
    "ir_cron_month_end_information": """
        DELETE FROM mail_activity WHERE res_model = 'kam.month.handin';
        DELETE FROM kam_month_handin WHERE period_start = '%d-03-01';""" % YEAR,
    "ir_cron_scorecard": """
        DELETE FROM kam_scorecard WHERE period_start >= '%d-02-01'
                                    AND period_start < '%d-04-01';""" % (
        YEAR, YEAR),
    # nobody asked yet: the demo recipient contact is asked again
    "ir_cron_satisfaction_request": """
        DELETE FROM mail_message WHERE model = 'kam.satisfaction.request';
        DELETE FROM rating_rating WHERE res_model = 'kam.satisfaction.request';
        DELETE FROM kam_satisfaction_request;""",
}

# actions whose reset above guarantees that a run writes activities
WRITES_ACTIVITIES = ("ir_cron_visit_compliance", "ir_cron_complaint_breach",
                     "ir_cron_info_escalation", "ir_cron_monthly_reports",
                     "ir_cron_month_end_information")

DUPLICATE_ACTIVITIES_SQL = """
SELECT count(*) FROM (
    SELECT 1 FROM mail_activity
     GROUP BY res_model, res_id, user_id, activity_type_id, summary
    HAVING count(*) > 1) d"""
# a contact asked twice (the tests run within one period of the action)
DUPLICATE_REQUESTS_SQL = """
SELECT count(*) FROM (
    SELECT 1 FROM kam_satisfaction_request
     GROUP BY partner_id, contact_id HAVING count(*) > 1) d"""


def activity_count():
    return int(psql(WORKERS_DB, "SELECT count(*) FROM mail_activity"))


def duplicates():
    return int(psql(WORKERS_DB, DUPLICATE_ACTIVITIES_SQL)) + \
        int(psql(WORKERS_DB, DUPLICATE_REQUESTS_SQL))


def reset(name):
    psql(WORKERS_DB, RESET_SQL[name])


@pytest.fixture(scope="module")
def workers_registry(registry):
    odoo.modules.registry.Registry.delete(WORKERS_DB)
    with odoo.api.Environment.manage():
        yield odoo.registry(WORKERS_DB)
    odoo.sql_db.close_db(WORKERS_DB)
    odoo.modules.registry.Registry.delete(WORKERS_DB)


def run_cron(cr, name):
    model, method, kwargs = CRONS[name]
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    return getattr(env[model], method)(**kwargs)


@pytest.mark.parametrize("name", sorted(CRONS))
def test_second_run_during_a_run_skips(workers_registry, name):
    """Run A has not committed yet when run B starts: B skips, and A's
    work is there once."""
    reset(name)
    before = activity_count()
    with workers_registry.cursor() as cr_a:
        result_a = run_cron(cr_a, name)
        with workers_registry.cursor() as cr_b:
            cr_b.execute("SET LOCAL lock_timeout = '20s'")
            result_b = run_cron(cr_b, name)
        assert not result_b, "run B did not skip: %r" % (result_b,)
    assert result_a or name in ("ir_cron_rfm_refresh",), result_a
    if name in WRITES_ACTIVITIES:
        assert activity_count() > before, "the first run wrote nothing"
    assert duplicates() == 0


@pytest.mark.parametrize("name", sorted(CRONS))
def test_run_with_a_snapshot_older_than_the_last_run_skips(
        workers_registry, name):
    """Run B's transaction began before run A committed, so B does not
    see A's rows (REPEATABLE READ): B must not do the work again."""
    reset(name)
    before = activity_count()
    with workers_registry.cursor() as cr_b:
        cr_b.execute("SET LOCAL lock_timeout = '20s'")
        cr_b.execute("SELECT count(*) FROM mail_activity")  # B's snapshot
        with workers_registry.cursor() as cr_a:
            run_cron(cr_a, name)
        after_a = activity_count()
        result_b = run_cron(cr_b, name)
        assert not result_b, "run B did not skip: %r" % (result_b,)
    if name in WRITES_ACTIVITIES:
        assert after_a > before, "the first run wrote nothing"
    assert activity_count() == after_a
    assert duplicates() == 0


def parallel(calls):
    """Run the callables at the same moment in threads; return their
    results or exceptions."""
    results = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def worker(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # pylint: disable=broad-except
            results[i] = exc
    threads = [threading.Thread(target=worker, args=(i, call))
               for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    return results


@pytest.fixture(scope="module")
def prefork(workers_registry):
    """Odoo's multi-process server, as larger deployments run it: two HTTP
    workers and two cron workers over one PostgreSQL. Every scheduled
    action of the addon is due when it starts, with work to do."""
    for name in CRONS:
        reset(name)
    psql(WORKERS_DB, """
        UPDATE ir_cron SET nextcall = now() AT TIME ZONE 'UTC'
                                      - interval '1 minute', active = true
         WHERE id IN (SELECT res_id FROM ir_model_data
                       WHERE module = 'kam_management'
                         AND model = 'ir.cron')""")
    started = activity_count()
    with odoo_server(WORKERS_DB, "test-prefork.log", "--workers=2",
                     "--max-cron-threads=2", "--limit-time-real=600",
                     "--limit-time-cpu=600") as srv:
        srv.activities_at_start = started
        yield srv


def test_cron_workers_run_every_action_once(prefork):
    """Both cron workers pick the due actions; each runs once."""
    deadline = time.time() + 240
    due = None
    while time.time() < deadline:
        due = psql(WORKERS_DB, """
            SELECT string_agg(d.name, ', ') FROM ir_cron c
              JOIN ir_model_data d ON d.res_id = c.id
                                  AND d.model = 'ir.cron'
                                  AND d.module = 'kam_management'
             WHERE c.nextcall <= now() AT TIME ZONE 'UTC'""")
        if not due:
            break
        time.sleep(2)
    assert not due, "not run by the cron workers: %s" % due
    assert activity_count() > prefork.activities_at_start
    assert duplicates() == 0
    with open("%s/test-prefork.log" % STATE) as log:
        problems = log_problems(log.read())
    assert not problems, "\n".join(problems)


def test_rpc_across_workers_gives_every_user_their_scope(prefork):
    """The same calls, many at once over two HTTP workers, answer what they
    answer one at a time."""
    logins = ["kam_director", "kam_regional", "kam_manager_1",
              "kam_manager_2", "kam_support", "kam_secretary"]
    domain = [("kam_is_key_account", "=", True)]
    expected = {login: sorted(prefork.call(login, "res.partner", "search",
                                           domain)) for login in logins}
    assert len(set(map(tuple, expected.values()))) > 3
    results = parallel([
        (lambda login=login: (login, sorted(prefork.call(
            login, "res.partner", "search", domain))))
        for login in logins * 4])
    for result in results:
        assert not isinstance(result, Exception), result
        login, ids = result
        assert ids == expected[login], login


def test_group_change_reaches_every_worker(prefork):
    """Record rules depend on the user's groups; Odoo caches them per
    process. A change made through one worker holds in the other."""
    secretary = prefork.ref("kam_management.group_kam_secretary")
    user = prefork.ref("kam_management.user_kam_manager_2")
    every = prefork.call("admin", "kam.info", "search_count", [])
    own = prefork.call("kam_manager_2", "kam.info", "search_count", [])
    assert own < every
    prefork.call("admin", "res.groups", "write", [secretary],
                 {"users": [(4, user)]})
    try:
        seen = {prefork.call("kam_manager_2", "kam.info", "search_count", [])
                for _i in range(8)}
        assert seen == {every}
    finally:
        prefork.call("admin", "res.groups", "write", [secretary],
                     {"users": [(3, user)]})
    seen = {prefork.call("kam_manager_2", "kam.info", "search_count", [])
            for _i in range(8)}
    assert seen == {own}


@pytest.mark.parametrize("name", sorted(CRONS))
def test_run_manually_twice_at_once(prefork, name):
    """Two directors press "Run Manually" on the same action at the same
    moment (two HTTP workers): no error, no duplicate."""
    cron = prefork.ref("kam_management.%s" % name)
    reset(name)
    before = activity_count()
    results = parallel([
        lambda: prefork.call("admin", "ir.cron", "method_direct_trigger",
                             [cron])] * 2)
    for result in results:
        assert not isinstance(result, (Exception, xmlrpc.client.Fault)), \
            result
    if name in WRITES_ACTIVITIES and name != "ir_cron_monthly_reports" \
            and name != "ir_cron_month_end_information":
        assert activity_count() > before, "nothing was run"
    assert duplicates() == 0
