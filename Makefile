# kam_management — the project's commands. See README.md.
KAM_DB ?= kam_demo
KAM_PORT ?= 8069
export KAM_DB KAM_PORT

.PHONY: run setup test test-faults test-dates lint bench load clean

## make run: set up everything and serve Odoo with the demo database
run:
	@bash scripts/run.sh

setup:
	@bash scripts/setup.sh

## make test: the whole suite: Odoo's own runner for the in-process tests,
## then pytest for the server, browser, worker and upgrade tests
test:
	@bash scripts/test.sh

## make test-faults: the fault tests (tests/test_faults.py, not in make
## test; .ci/run runs them after it): a database restart during a scheduled action, a worker
## killed during an RPC call, the cron worker stopped for three days, a
## backup restored
test-faults:
	@bash scripts/test-faults.sh

## make test-dates: the in-process suite and a demo install at faked dates
## (libfaketime); KAM_TEST_DATES="YYYY-MM-DD ..." chooses the days
test-dates:
	@bash scripts/test-dates.sh

## make lint: flake8 and pylint-odoo (11.0 rules) on the addon
lint: setup
	@bash scripts/lint.sh

## make bench: performance benchmarks (bench/bench_*.py), each on its own database
## (BENCH_SCALE=100k: the scale benchmark at its full size, see README)
bench:
	@BENCH_SCALE="$(BENCH_SCALE)" bash scripts/bench.sh

## make load: LOAD_USERS (50) users for LOAD_SECONDS (120) s on the prefork
## server (--workers=4), 10,000 key accounts; see README "Load (make load)"
load:
	@bash scripts/load.sh

clean:
	rm -rf .state .pytest_cache
