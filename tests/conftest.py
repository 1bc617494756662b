"""pytest fixtures running the suite on a real Odoo 11 registry and PostgreSQL.

The session installs ``kam_management`` with its demo data (and zh_CN) into a
fresh database once, checks the install log for the traps of Odoo 11's runner
(an addon that fails to import is only a log line), then hands tests either an
in-process environment whose transaction is rolled back after each test, or a
real HTTP server for XML-RPC and browser tests.
"""
import os
import socket
import subprocess
import sys
import time
import xmlrpc.client
from contextlib import contextmanager

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATE = os.path.join(ROOT, ".state")
DB = os.environ.get("KAM_TEST_DB", "kam_test")
UPGRADE_DB = DB + "_upgrade"


def addons_path():
    import odoo
    return "%s,%s" % (os.path.join(os.path.dirname(odoo.__file__), "addons"),
                      ROOT)


def odoo_command(*args):
    return [sys.executable, "-c", "import odoo; odoo.cli.main()",
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


@pytest.fixture(scope="session")
def install_log():
    """Fresh install of kam_management with demo data and zh_CN.

    KAM_TEST_REUSE=1 (for development only) upgrades the addon in the
    existing test database instead of building it again.
    """
    if os.environ.get("KAM_TEST_REUSE") == "1" and psql(
            "postgres", "select 1 from pg_database where datname = '%s'"
            % DB):
        drop_db(UPGRADE_DB)
        code, text = run_odoo(
            "test-install.log", "-d", DB, "--db-filter=^%s$" % DB,
            "-u", "kam_management", "--test-enable", "--stop-after-init",
            "--log-level=test")
        assert code == 0, text[-3000:]
        assert not log_problems(text), log_problems(text)
        subprocess.run(["createdb", "-T", DB, UPGRADE_DB], check=True)
        return text
    drop_db(DB)
    drop_db(UPGRADE_DB)
    # the dependencies first, without their own (slow) tests ...
    code, text = run_odoo(
        "test-install-deps.log", "-d", DB, "--db-filter=^%s$" % DB,
        "-i", "contacts,mail,calendar,sale_management", "--stop-after-init")
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
    # a copy for the upgrade test, taken before anything connects to DB
    subprocess.run(["createdb", "-T", DB, UPGRADE_DB], check=True)
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

    def __init__(self, url, db):
        self.url = url
        self.db = db
        self._uids = {}

    def uid(self, login):
        if login not in self._uids:
            common = xmlrpc.client.ServerProxy(self.url + "/xmlrpc/2/common")
            uid = common.authenticate(self.db, login, login if login != "admin"
                                      else "admin", {})
            assert uid, "cannot log in as %s" % login
            self._uids[login] = uid
        return self._uids[login]

    def call(self, login, model, method, *args, **kwargs):
        """Call ``model.method`` as the demo user ``login`` (password = login)."""
        models = xmlrpc.client.ServerProxy(self.url + "/xmlrpc/2/object",
                                           allow_none=True)
        return models.execute_kw(self.db, self.uid(login), login, model,
                                 method, list(args), kwargs)

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self.call("admin", "ir.model.data", "search_read",
                         [("module", "=", module), ("name", "=", name)],
                         fields=["res_id"])
        return rows[0]["res_id"]


@pytest.fixture(scope="session")
def server(install_log):
    port = free_port()
    log = open(os.path.join(STATE, "test-server.log"), "w")
    proc = subprocess.Popen(
        odoo_command("-d", DB, "--db-filter=^%s$" % DB,
                     "--http-interface=127.0.0.1", "--http-port=%d" % port,
                     "--longpolling-port=%d" % free_port(),
                     "--max-cron-threads=0"),
        stdout=log, stderr=subprocess.STDOUT, env=odoo_env())
    url = "http://127.0.0.1:%d" % port
    deadline = time.time() + 120
    while True:
        try:
            xmlrpc.client.ServerProxy(url + "/xmlrpc/2/common").version()
            break
        except (OSError, xmlrpc.client.Error):
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("the Odoo server did not start")
            time.sleep(0.5)
    yield Server(url, DB)
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
