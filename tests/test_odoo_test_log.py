"""The check of Odoo's runner log (scripts/odoo_test_log.py) catches the
traps of Odoo 11's runner: it exits 0 when the tests package fails to
import, and when no test ran."""
import os
import subprocess
import sys

from conftest import ROOT

SCRIPT = os.path.join(ROOT, "scripts", "odoo_test_log.py")
PREFIX = "2026-12-01 10:00:00,000 42 %s kam_test "
RAN = (PREFIX % "INFO") + \
    "odoo.addons.kam_management.tests.test_visit: Ran 18 tests in 7.8s"
OK = (PREFIX % "INFO") + "odoo.addons.kam_management.tests.test_visit: OK"
UNMET = (PREFIX % "ERROR") + \
    "odoo.modules.graph: module purchase_mrp: Unmet dependencies: purchase"


def check(tmp_path, *lines):
    log = tmp_path / "odoo.log"
    log.write_text("\n".join(lines) + "\n")
    proc = subprocess.run([sys.executable, SCRIPT, str(log)],
                          stdout=subprocess.PIPE, universal_newlines=True)
    return proc.returncode, proc.stdout.strip().splitlines()[-1]


def test_clean_run_passes_and_counts(tmp_path):
    assert check(tmp_path, UNMET, RAN, OK) == (
        0, "odoo: 18 passed, 0 failed")


def test_import_error_of_the_tests_fails(tmp_path):
    code, last = check(tmp_path, RAN, (PREFIX % "ERROR") + "odoo.modules."
                       "module: Can not `import kam_management.tests`.")
    assert code == 1 and last == "odoo: 18 passed, 0 failed"


def test_no_test_ran_fails(tmp_path):
    assert check(tmp_path, UNMET) == (1, "odoo: 0 passed, 0 failed")


def test_failures_fail(tmp_path):
    code, last = check(
        tmp_path, RAN,
        (PREFIX % "ERROR") + "odoo.addons.kam_management.tests.test_visit: "
        "FAIL: test_x (odoo.addons.kam_management.tests.test_visit.T)",
        (PREFIX % "INFO") + "odoo.addons.kam_management.tests.test_visit: "
        "FAILED (failures=1, errors=2)")
    assert (code, last) == (1, "odoo: 15 passed, 3 failed")


def test_other_error_lines_fail(tmp_path):
    code, _last = check(tmp_path, RAN, OK, (PREFIX % "ERROR") +
                        "odoo.sql_db: bad query: INSERT INTO kam_visit")
    assert code == 1
