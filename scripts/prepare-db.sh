#!/usr/bin/env bash
# Install kam_management with demo data into database $1, or upgrade it there when
# the addon's files changed since the last install/upgrade. Quick when nothing changed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=env.sh
. "$ROOT/scripts/env.sh"
DB=$1
mkdir -p "$ROOT/.state"
STAMP="$ROOT/.state/$DB.hash"
want=$(cd "$ROOT" && find kam_management -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -c1-40)
state=$(psql -d "$DB" -tAc "select state from ir_module_module where name = 'kam_management'" 2>/dev/null || true)
if [ "$state" = installed ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; then
    echo "[db] $DB is up to date"
    exit 0
fi
LOG="$ROOT/.state/$DB.log"
# Chinese first (the default language of the new database and its users),
# English active too: anyone can switch in Preferences. Odoo activates
# only the languages named here when it creates the database (en_US too).
LANGS=zh_CN,en_US
if [ "$state" = installed ]; then
    echo "[db] upgrading kam_management in $DB (log: $LOG)"
    args=(-u kam_management)
    # a database made when only zh_CN was loaded: English back on
    if [ "$(psql -d "$DB" -tAc "select active from res_lang where code = 'en_US'")" != t ]; then
        args+=(--load-language=en_US)
    fi
else
    # The dependencies first, in their own run, as the test database is
    # built (scripts/odoo-tests.sh): their chart of accounts
    # (l10n_generic_coa, auto-installed after account) must exist before
    # the addon's demo data, which makes the company's currency the yuan;
    # installed in the same run it would come after and set US dollars.
    deps=$("$PY" -c 'import ast, sys; print(",".join(ast.literal_eval(open(sys.argv[1]).read())["depends"]))' \
           "$ROOT/kam_management/__manifest__.py")
    echo "[db] installing the dependencies ($deps) into $DB (log: $LOG.deps)"
    if ! odoo_bin --addons-path="$ADDONS_PATH" -d "$DB" --db-filter="^$DB\$" -i "$deps" \
            --load-language="$LANGS" --stop-after-init --log-level=info >"$LOG.deps" 2>&1; then
        tail -40 "$LOG.deps" >&2
        echo "[db] failed, see $LOG.deps" >&2
        exit 1
    fi
    echo "[db] installing kam_management with demo data into $DB (log: $LOG)"
    args=(-i kam_management --load-language="$LANGS")
fi
if ! odoo_bin --addons-path="$ADDONS_PATH" -d "$DB" --db-filter="^$DB\$" "${args[@]}" \
        --stop-after-init --log-level=info >"$LOG" 2>&1; then
    tail -40 "$LOG" >&2
    echo "[db] failed, see $LOG" >&2
    exit 1
fi
if grep -E ' (ERROR|CRITICAL) ' "$LOG" | grep -v 'Unmet dependencies' | grep -q .; then
    grep -E ' (ERROR|CRITICAL) ' "$LOG" | grep -v 'Unmet dependencies' | head -20 >&2
    echo "[db] errors while loading, see $LOG" >&2
    exit 1
fi
echo "$want" > "$STAMP"
echo "[db] $DB ready"
