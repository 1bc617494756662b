#!/usr/bin/env bash
# make bench: run every benchmark bench/bench_*.py with the project's Python.
# Each one prints its measures and ends with "<name>: <measured> (target
# <target>) PASS|FAIL" lines; this script fails when any benchmark fails.
# BENCH_SCALE (e.g. 100k, from `make bench BENCH_SCALE=100k`) is passed in
# the environment to bench/bench_scale.py, which reads it.
export BENCH_SCALE=${BENCH_SCALE:-}
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
"$ROOT/scripts/setup.sh"
status=0
for bench in bench/bench_*.py; do
    echo "== $bench"
    if ! .venv/bin/python "$bench" "$@"; then
        echo "== $bench FAILED"
        status=1
    fi
done
exit $status
