#!/usr/bin/env bash
# make test: the whole suite. pytest exits non-zero on any failure, on an import
# error of the addon (checked in tests/conftest.py) and when no test ran (exit 5).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/setup-browser.sh"
exec .venv/bin/python -m pytest tests "$@"
