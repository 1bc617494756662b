#!/usr/bin/env bash
# make run: set everything up, install or upgrade the demo database, serve Odoo.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$ROOT/scripts/setup.sh"
# shellcheck source=env.sh
. "$ROOT/scripts/env.sh"
"$ROOT/scripts/prepare-db.sh" "$KAM_DB"
echo "[run] serving Odoo on http://127.0.0.1:$KAM_PORT (database $KAM_DB, login admin/admin)"
exec "$PY" "$ROOT/scripts/odoo-bin" \
    --addons-path="$ADDONS_PATH" -d "$KAM_DB" --db-filter="^$KAM_DB\$" \
    --http-interface=127.0.0.1 --http-port="$KAM_PORT" ${KAM_ODOO_ARGS:-}
