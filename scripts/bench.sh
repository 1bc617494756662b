#!/usr/bin/env bash
# make bench: every benchmark in bench/, each printing its table and its
# "<name>: <measured> (target <target>) PASS|FAIL" lines. Exits 1 on a FAIL.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
"$ROOT/scripts/setup.sh" || exit 1
export ODOO_PRELOAD_ADDONS=no
status=0
for bench in bench/bench_*.py; do
    echo "== $bench"
    .venv/bin/python "$bench" || status=1
done
exit $status
