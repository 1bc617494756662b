# Shared settings for the project's scripts (sourced, not run).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
KAM_DB=${KAM_DB:-kam_demo}
KAM_PORT=${KAM_PORT:-8069}
SITE=$("$PY" -c 'import odoo, os; print(os.path.dirname(odoo.__file__))' 2>/dev/null || true)
ADDONS_PATH="$SITE/addons,$ROOT"
export ODOO_PRELOAD_ADDONS=no
export NODE_PATH=/usr/share/nodejs
# Odoo's launcher (scripts/odoo-bin: the wheels ship none).
odoo_bin() {
    "$PY" "$ROOT/scripts/odoo-bin" "$@"
}
