#!/usr/bin/env bash
# The addon's in-process tests under Odoo's own runner, as integrators run
# them: a fresh database DB ($1), the dependencies, then
#   odoo -d DB -i kam_management --test-enable --stop-after-init
# with the demo data and zh_CN. The log is checked by scripts/odoo_test_log.py
# (fails on any failure, the runner's import trap, an ERROR line, no test).
#
# KAM_FAKE_TIME="2028-02-29 10:00:00" runs everything (the dependencies, the
# demo install and the tests) with the clock faked by libfaketime: the date
# the addon reads is then that day (see README "Dates").
# The database is left installed for the pytest suite (scripts/test.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=env.sh
. "$ROOT/scripts/env.sh"
DB=${1:?usage: odoo-tests.sh DB}
export PGOPTIONS="--client-min-messages=warning"   # no NOTICE from dropdb
mkdir -p "$ROOT/.state"
LOG="$ROOT/.state/$DB-odoo-tests.log"
clock=()
if [ -n "${KAM_FAKE_TIME:-}" ]; then
    command -v faketime >/dev/null || { echo "faketime is missing (make setup installs it)" >&2; exit 1; }
    # One offset for every process of the run: the clock starts at
    # KAM_FAKE_TIME and runs on, across the dependencies' install, the
    # addon's and its tests (an absolute "@time" would restart the clock in
    # each process, and records made by one would lie in the next's future).
    offset=$(( $(date -u -d "$KAM_FAKE_TIME" +%s) - $(date +%s) ))
    clock=(faketime -f "$( [ "$offset" -ge 0 ] && echo "+" )${offset}s")
fi
run() { "${clock[@]}" "$PY" "$ROOT/scripts/odoo-bin" --addons-path="$ADDONS_PATH" \
          -d "$DB" --db-filter="^$DB\$" "$@"; }
t0=$(date +%s)
dropdb --if-exists "$DB"
for copy in "${DB}_upgrade" "${DB}_workers" "${DB}_uninstall"; do dropdb --if-exists "$copy"; done
echo "[odoo-tests] $DB: installing the dependencies${KAM_FAKE_TIME:+ (clock: $KAM_FAKE_TIME)}"
if ! run -i contacts,mail,calendar,sale_management,sale_margin,base_geolocalize,rating,portal --stop-after-init >"$LOG.deps" 2>&1; then
    tail -30 "$LOG.deps" >&2; echo "[odoo-tests] installing the dependencies failed" >&2; exit 1
fi
echo "[odoo-tests] $DB: kam_management with demo data, --test-enable (log: $LOG)"
set +e
run -i kam_management --load-language=zh_CN --test-enable --stop-after-init \
    --log-level=test >"$LOG" 2>&1
code=$?
set -e
if "$PY" "$ROOT/scripts/odoo_test_log.py" "$LOG" && [ "$code" = 0 ]; then
    echo "[odoo-tests] $DB passed in $(( $(date +%s) - t0 )) s${KAM_FAKE_TIME:+ at $KAM_FAKE_TIME}"
else
    [ "$code" = 0 ] || echo "[odoo-tests] Odoo exited with $code" >&2
    grep -E ' (ERROR|CRITICAL) ' "$LOG" | grep -v 'Unmet dependencies' | head -60 >&2 || true
    echo "[odoo-tests] $DB FAILED${KAM_FAKE_TIME:+ at $KAM_FAKE_TIME} (log: $LOG)" >&2
    exit 1
fi
