#!/usr/bin/env bash
# Idempotent set-up: system packages, PostgreSQL running with a role for this OS user,
# the Python 3.7 virtualenv with the pinned Odoo 11 wheels and libraries.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

log() { printf '[setup] %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- system packages (lessc, PostgreSQL 15, faketime, wkhtmltopdf and fonts) ------
need_apt=()
command -v lessc >/dev/null 2>&1 || need_apt+=(node-less)
command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql)
# libfaketime: `make test-dates` runs the suite with the clock faked
command -v faketime >/dev/null 2>&1 || need_apt+=(faketime)
# PDF reports: Odoo 11 prints with wkhtmltopdf (Debian's 0.12.6) and falls back
# to HTML without it; a CJK font for the Chinese text; poppler-utils
# (pdftotext, pdftoppm) for the test that reads the printed pages
command -v wkhtmltopdf >/dev/null 2>&1 || need_apt+=(wkhtmltopdf)
if ! fc-list :lang=zh family 2>/dev/null | grep -q .; then
    need_apt+=(fonts-wqy-microhei)
fi
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
if [ "${KAM_WITH_BROWSER:-0}" = 1 ] && [ ! -x /usr/bin/chromium ]; then need_apt+=(chromium); fi
if [ ${#need_apt[@]} -gt 0 ]; then
    log "installing ${need_apt[*]} with apt-get"
    as_root apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "${need_apt[@]}" >/dev/null
fi

# --- PostgreSQL ---------------------------------------------------------------------
PGVER=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1{print $1}')
PGCLUSTER=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1{print $2}')
if [ -z "$PGVER" ]; then
    log "creating a PostgreSQL cluster"
    as_root pg_createcluster 15 main >/dev/null
    PGVER=15; PGCLUSTER=main
fi
if ! pg_lsclusters -h | awk -v v="$PGVER" -v c="$PGCLUSTER" '$1==v && $2==c' | grep -q online; then
    log "starting PostgreSQL $PGVER/$PGCLUSTER"
    as_root pg_ctlcluster --skip-systemctl-redirect "$PGVER" "$PGCLUSTER" start
fi
ME=$(id -un)
if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    log "creating the PostgreSQL role $ME"
    as_root su postgres -c "createuser -s $ME"
fi

# --- Python 3.7 virtualenv ---------------------------------------------------------
find_python37() {
    local c
    if command -v pyenv >/dev/null 2>&1; then
        c="$(pyenv root)/versions/3.7.16/bin/python3.7"
        [ -x "$c" ] && { echo "$c"; return; }
        for c in "$(pyenv root)"/versions/3.7*/bin/python3.7; do
            [ -x "$c" ] && { echo "$c"; return; }
        done
    fi
    for c in python3.7 /usr/bin/python3.7 /usr/local/bin/python3.7; do
        if "$c" -c 'import sys; assert sys.version_info[:2] == (3, 7)' >/dev/null 2>&1; then
            command -v "$c"; return
        fi
    done
    return 1
}
STAMP=.venv/.kam-requirements
want=$(cat requirements.txt requirements-libs.txt | sha1sum | cut -c1-40)
if [ ! -x .venv/bin/python ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
    PY37=$(find_python37) || {
        echo "Python 3.7 is required (Odoo 11 runs on 3.5-3.7) and none was found:" >&2
        echo "install it with pyenv (pyenv install 3.7.16) or your distribution." >&2
        exit 1
    }
    [ -x .venv/bin/python ] || { log "creating .venv with $PY37"; "$PY37" -m venv .venv; }
    log "installing the pinned packages into .venv"
    # --no-deps: the wheels' own requirements would pull psycopg2 from source and
    # unpinned libraries that break Odoo 11 (see shared/odoo11-runtime.md).
    .venv/bin/pip install -q --no-deps -r requirements.txt
    .venv/bin/pip install -q -r requirements-libs.txt
    echo "$want" > "$STAMP"
fi
log "ready"
