"""pytest fixtures running the suite on a real Odoo 11 registry and PostgreSQL.

The session installs ``kam_management`` with its demo data (and zh_CN) into a
fresh database once, checks the install log for the traps of Odoo 11's runner
(an addon that fails to import is only a log line), then hands tests either an
in-process environment whose transaction is rolled back after each test, or a
real HTTP server for XML-RPC and browser tests.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import time
import xmlrpc.client
from contextlib import contextmanager

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _configure_addons_path():
    """Make ``odoo.addons.kam_management`` importable when the test modules
    are collected: they share the demo-user helpers of the addon's tests."""
    import odoo
    odoo.tools.config.parse_config([
        "--addons-path=%s,%s" % (
            os.path.join(os.path.dirname(odoo.__file__), "addons"), ROOT)])


_configure_addons_path()
from odoo.addons.kam_management.tests.common import demo_password  # noqa: E402

STATE = os.path.join(ROOT, ".state")
DB = os.environ.get("KAM_TEST_DB", "kam_test")
UPGRADE_DB = DB + "_upgrade"
WORKERS_DB = DB + "_workers"
UNINSTALL_DB = DB + "_uninstall"
# the template of the fault tests' databases (tests/test_faults.py): nothing
# ever connects to it, so each test copies it again
FAULTS_DB = DB + "_faults"
# copies of the freshly installed database for the tests that commit: the
# upgrade, the multi-process server, the uninstall and the faults
COPIES = (UPGRADE_DB, WORKERS_DB, UNINSTALL_DB, FAULTS_DB)


def addons_path():
    import odoo
    return "%s,%s" % (os.path.join(os.path.dirname(odoo.__file__), "addons"),
                      ROOT)


def odoo_command(*args):
    return [sys.executable, os.path.join(ROOT, "scripts", "odoo-bin"),
            "--addons-path=%s" % addons_path()] + list(args)


def odoo_env():
    env = dict(os.environ, ODOO_PRELOAD_ADDONS="no",
               NODE_PATH="/usr/share/nodejs")
    return env


def run_odoo(log_name, *args, timeout=900):
    """Run Odoo to completion; return (exit code, log text)."""
    os.makedirs(STATE, exist_ok=True)
    log_path = os.path.join(STATE, log_name)
    with open(log_path, "w") as log:
        proc = subprocess.run(odoo_command(*args), stdout=log,
                              stderr=subprocess.STDOUT, env=odoo_env(),
                              timeout=timeout)
    with open(log_path) as log:
        return proc.returncode, log.read()


def log_problems(text):
    """Lines of an Odoo log that mean the run went wrong."""
    bad = []
    for line in text.splitlines():
        if "Can not `import" in line:
            bad.append(line)
        elif (" ERROR " in line or " CRITICAL " in line) \
                and "Unmet dependencies" not in line:
            bad.append(line)
        elif " FAIL: " in line:
            bad.append(line)
    return bad


def psql(db, sql):
    return subprocess.run(["psql", "-d", db, "-tAc", sql], check=True,
                          stdout=subprocess.PIPE,
                          universal_newlines=True).stdout.strip()


def drop_db(name):
    subprocess.run(["dropdb", "--if-exists", name], check=True)


def copy_db():
    """Copy the test database for the tests that commit (before anything
    else connects to it: a template database must have no connections)."""
    for name in COPIES:
        drop_db(name)
        subprocess.run(["createdb", "-T", DB, name], check=True)


@pytest.fixture(scope="session", autouse=True)
def drop_faults_template():
    """The fault tests' template copy is not kept after the session."""
    yield
    drop_db(FAULTS_DB)


@pytest.fixture(scope="session")
def install_log():
    """Fresh install of kam_management with demo data and zh_CN.

    ``make test`` has built it already (scripts/odoo-tests.sh, Odoo's
    runner with the in-process tests) and says so with KAM_TEST_INSTALLED=1:
    its log is checked here again and the database is used as it is.
    KAM_TEST_REUSE=1 (for development only) upgrades the addon in the
    existing test database instead of building it again.
    """
    if os.environ.get("KAM_TEST_INSTALLED") == "1":
        with open(os.path.join(STATE, DB + "-odoo-tests.log")) as log:
            text = log.read()
        assert psql(DB, "select state from ir_module_module "
                        "where name = 'kam_management'") == "installed"
        problems = log_problems(text)
        assert not problems, "install log has errors:\n" + "\n".join(
            problems)
        copy_db()
        return text
    if os.environ.get("KAM_TEST_REUSE") == "1" and psql(
            "postgres", "select 1 from pg_database where datname = '%s'"
            % DB):
        code, text = run_odoo(
            "test-install.log", "-d", DB, "--db-filter=^%s$" % DB,
            "-u", "kam_management", "--test-enable", "--stop-after-init",
            "--log-level=test")
        assert code == 0, text[-3000:]
        assert not log_problems(text), log_problems(text)
        copy_db()
        return text
    drop_db(DB)
    for name in COPIES:
        drop_db(name)
    # the dependencies first, without their own (slow) tests ...
    code, text = run_odoo(
        "test-install-deps.log", "-d", DB, "--db-filter=^%s$" % DB,
        "-i", "contacts,mail,calendar,sale_management,sale_margin,"
        "base_geolocalize,rating,portal",
        "--stop-after-init")
    assert code == 0, "installing the dependencies failed:\n" + text[-3000:]
    # ... then the addon, running its Odoo-internal tests at install time
    code, text = run_odoo(
        "test-install.log", "-d", DB, "--db-filter=^%s$" % DB,
        "-i", "kam_management", "--load-language=zh_CN", "--test-enable",
        "--stop-after-init", "--log-level=test")
    assert code == 0, "install failed:\n" + text[-3000:]
    problems = log_problems(text)
    assert not problems, "install log has errors:\n" + "\n".join(problems)
    assert "odoo.addons.kam_management.tests" in text, \
        "the addon's own tests did not run"
    copy_db()
    return text


@pytest.fixture(scope="session")
def registry(install_log):
    import odoo
    odoo.tools.config.parse_config([
        "--addons-path=%s" % addons_path(), "-d", DB,
        "--db-filter=^%s$" % DB])
    with odoo.api.Environment.manage():
        reg = odoo.registry(DB)
    return reg


@contextmanager
def environment(reg):
    """A superuser environment on a cursor that is rolled back at the end."""
    import odoo
    with odoo.api.Environment.manage():
        cr = reg.cursor()
        try:
            yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        finally:
            cr.rollback()
            cr.close()
            reg.clear_caches()


@pytest.fixture
def env(registry):
    with environment(registry) as e:
        yield e


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server(object):
    """A running Odoo server on the test database, spoken to over XML-RPC."""

    def __init__(self, url, db, log_path=None):
        self.url = url
        self.db = db
        self.log_path = log_path
        self._uids = {}

    def log_size(self):
        return os.path.getsize(self.log_path)

    def log_since(self, offset):
        """What the server logged since ``offset`` (a ``log_size()``)."""
        with open(self.log_path, errors="replace") as log:
            log.seek(offset)
            return log.read()

    def uid(self, login):
        if login not in self._uids:
            common = xmlrpc.client.ServerProxy(self.url + "/xmlrpc/2/common")
            uid = common.authenticate(self.db, login, demo_password(login),
                                      {})
            assert uid, "cannot log in as %s" % login
            self._uids[login] = uid
        return self._uids[login]

    def call(self, login, model, method, *args, **kwargs):
        """Call ``model.method`` as the demo user ``login`` (password = login)."""
        models = xmlrpc.client.ServerProxy(self.url + "/xmlrpc/2/object",
                                           allow_none=True)
        return models.execute_kw(self.db, self.uid(login),
                                 demo_password(login), model,
                                 method, list(args), kwargs)

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self.call("admin", "ir.model.data", "search_read",
                         [("module", "=", module), ("name", "=", name)],
                         fields=["res_id"])
        return rows[0]["res_id"]


@contextmanager
def odoo_server(db, log_name, *args):
    """Run an Odoo server on ``db`` until the block ends; yield a Server.

    ``args`` are extra command-line options (``--workers=2`` ...)."""
    port = free_port()
    log_path = os.path.join(STATE, log_name)
    log = open(log_path, "w")
    proc = subprocess.Popen(
        odoo_command("-d", db, "--db-filter=^%s$" % db,
                     "--http-interface=127.0.0.1", "--http-port=%d" % port,
                     "--longpolling-port=%d" % free_port(), *args),
        stdout=log, stderr=subprocess.STDOUT, env=odoo_env(),
        start_new_session=True)
    url = "http://127.0.0.1:%d" % port
    deadline = time.time() + 120
    try:
        while True:
            try:
                xmlrpc.client.ServerProxy(url + "/xmlrpc/2/common").version()
                break
            except (OSError, xmlrpc.client.Error):
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("the Odoo server did not start")
                time.sleep(0.5)
        srv = Server(url, db, log_path)
        srv.pid = proc.pid  # the master process (its workers are children)
        log.flush()
        problems = log_problems(srv.log_since(0))
        assert not problems, "the server logged errors while starting:\n" \
            + "\n".join(problems)
        yield srv
    finally:
        stop_process_group(proc)
        log.close()


def stop_process_group(proc):
    """Stop a server and every worker it forked (a worker stuck in a query
    would outlive its master and keep the database busy)."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # the master is gone; its workers are stopped with the group
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return


@pytest.fixture
def expect_server_error(request):
    """``expect_server_error(regex)``: this case expects the server to log
    an ERROR line matching ``regex`` (for one case of a parametrized test,
    where a marker would cover them all)."""
    expected = request.node.kam_expected_server_errors = []
    return expected.append


@pytest.fixture(autouse=True)
def server_log_is_clean(request):
    """Any ERROR or CRITICAL line that the shared test server logs while a
    test runs fails that test (issue 11), unless the test declares it with
    ``@pytest.mark.server_errors(regex, ...)``."""
    if "server" not in request.fixturenames:
        yield
        return
    srv = request.getfixturevalue("server")
    start = srv.log_size()
    yield
    expected = [pattern for mark in request.node.iter_markers(
        "server_errors") for pattern in mark.args]
    expected += getattr(request.node, "kam_expected_server_errors", [])
    problems = [line for line in log_problems(srv.log_since(start))
                if not any(re.search(p, line) for p in expected)]
    assert not problems, "the server logged errors during the test:\n" + \
        "\n".join(problems)


@pytest.fixture(scope="session")
def server(install_log):
    with odoo_server(DB, "test-server.log", "--max-cron-threads=0") as srv:
        yield srv
