#!/usr/bin/env bash
# make lint: flake8 and pylint-odoo with its Odoo 11.0 rules.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
.venv/bin/flake8 kam_management tests bench setup.py
.venv/bin/pylint --rcfile=.pylintrc kam_management
