#!/usr/bin/env bash
# The browser tests' own Python 3.11 venv with Playwright, driving Debian's Chromium
# (Playwright's own browser downloads are never used).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# chromium, and a CJK font so that Chinese names render in screenshots
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -d /usr/share/fonts/truetype/wqy ] || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
    echo "[browser] installing ${need[*]} with apt-get"
    as_root apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "${need[@]}" >/dev/null
fi
want=$(sha1sum requirements-browser.txt | cut -c1-40)
if [ ! -x .venv-browser/bin/python ] || [ "$(cat .venv-browser/.kam-requirements 2>/dev/null)" != "$want" ]; then
    PY311=""
    if command -v pyenv >/dev/null 2>&1; then
        for c in "$(pyenv root)"/versions/3.1[1-3]*/bin/python3.1[1-3]; do
            [ -x "$c" ] && { PY311=$c; break; }
        done
    fi
    [ -n "$PY311" ] || PY311=$(command -v python3.11 || command -v python3)
    echo "[browser] creating .venv-browser with $PY311"
    "$PY311" -m venv .venv-browser
    .venv-browser/bin/pip install -q -r requirements-browser.txt
    echo "$want" > .venv-browser/.kam-requirements
fi
