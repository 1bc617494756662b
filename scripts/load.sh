#!/usr/bin/env bash
# make load: many users at once on the prefork server (issue 16, part 1).
# Sets up the load client's own venv (.venv-load, Python 3.9+, the pinned
# bench/requirements-load.txt), then runs bench/load_run.py with the
# project's Python: it builds or reuses the load database, starts Odoo with
# --workers=4 --max-cron-threads=1 on 127.0.0.1 and drives it with
# bench/load_client.py. LOAD_USERS (50), LOAD_SECONDS (120), LOAD_THINK
# (10), LOAD_SEED (1), LOAD_REBUILD=1: see bench/load_run.py.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ -x .venv/bin/python ] || bash scripts/setup.sh
REQ=bench/requirements-load.txt
VENV=.venv-load
if ! cmp -s "$REQ" "$VENV/requirements.txt" 2>/dev/null; then
    PY=""
    for candidate in python3.12 python3.11 python3.10 python3.9 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c \
            'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
            PY=$candidate
            break
        fi
    done
    if [ -z "$PY" ]; then
        echo "make load needs Python 3.9 or later for its client" >&2
        exit 1
    fi
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQ"
    cp "$REQ" "$VENV/requirements.txt"
fi
exec .venv/bin/python bench/load_run.py "$@"
