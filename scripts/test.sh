#!/usr/bin/env bash
# make test: the whole suite.
#  1. Odoo's own runner: a fresh database with the addon and its demo data,
#     installed with --test-enable, runs the in-process tests of
#     kam_management/tests (scripts/odoo-tests.sh checks its log).
#  2. pytest on that database: the XML-RPC, browser, worker, upgrade and
#     packaging tests of tests/. pytest exits non-zero on any failure and
#     when no test ran (exit 5).
# Arguments of scripts/test.sh go to pytest; KAM_SKIP_ODOO_TESTS=1 skips
# step 1 and reuses the database of the last run (for development).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/setup-browser.sh"
DB=${KAM_TEST_DB:-kam_test}
export KAM_TEST_DB=$DB
if [ "${KAM_SKIP_ODOO_TESTS:-0}" != 1 ]; then
    "$ROOT/scripts/odoo-tests.sh" "$DB"
fi
# the fault tests (about 4 minutes) run in `make test-faults`, which
# .ci/run calls after this on the same database: make test stays within
# CI's 25 minutes
KAM_TEST_INSTALLED=1 exec .venv/bin/python -m pytest tests \
    --ignore=tests/test_faults.py "$@"
