#!/usr/bin/env bash
# make test-dates: the in-process suite and a demo install with the clock
# faked by libfaketime at the days where date code breaks. Each day gets a
# fresh database on which the dependencies, the demo data and Odoo's runner
# all see that day (scripts/odoo-tests.sh with KAM_FAKE_TIME).
#
#   make test-dates                               # the five days below
#   KAM_TEST_DATES="2027-01-31 2027-03-01" make test-dates
#
# Days (computed from today, so they stay meaningful): the last day of this
# month (of January when this is December), the first day of next month, 31 December of this year, 29 February
# 2028, and today + 400 days. 10:00 UTC: the same calendar day in UTC and
# in China (UTC+8).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
"$ROOT/scripts/setup.sh"
first_of_month=$(date -u +%Y-%m-01)
month_end=$(date -u -d "$first_of_month +1 month -1 day" +%F)
new_year_eve=$(date -u +%Y)-12-31
if [ "$month_end" = "$new_year_eve" ]; then   # in December: take January's
    month_end=$(date -u -d "$first_of_month +2 month -1 day" +%F)
fi
default_dates="$month_end \
$(date -u -d "$first_of_month +1 month" +%F) \
$new_year_eve \
2028-02-29 \
$(date -u -d "+400 days" +%F)"
DATES=${KAM_TEST_DATES:-$default_dates}
TIME=${KAM_TEST_TIME:-10:00:00}
failed=()
summary=()
for day in $DATES; do
    db="kam_dates_${day//-/}"
    t0=$(date +%s)
    if KAM_FAKE_TIME="$day $TIME" "$ROOT/scripts/odoo-tests.sh" "$db"; then
        result=$(tail -1 <("$ROOT/.venv/bin/python" "$ROOT/scripts/odoo_test_log.py" "$ROOT/.state/$db-odoo-tests.log"))
        summary+=("$day  passed  $(( $(date +%s) - t0 )) s  ($result)")
        dropdb --if-exists "$db"
    else
        summary+=("$day  FAILED  see .state/$db-odoo-tests.log")
        failed+=("$day")
    fi
done
echo "[test-dates] the suite at faked dates:"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "[test-dates] failed at: ${failed[*]}" >&2
    exit 1
fi
