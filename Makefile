# kam_management — the project's commands. See README.md.
KAM_DB ?= kam_demo
KAM_PORT ?= 8069
export KAM_DB KAM_PORT

.PHONY: run setup test lint bench clean

## make run: set up everything and serve Odoo with the demo database
run:
	@bash scripts/run.sh

setup:
	@bash scripts/setup.sh

## make test: the whole suite (pytest over a real Odoo registry and PostgreSQL)
test:
	@bash scripts/test.sh

## make lint: flake8 and pylint-odoo (11.0 rules) on the addon
lint: setup
	@bash scripts/lint.sh

## make bench: performance benchmarks (bench/bench_*.py), each on its own database
bench:
	@bash scripts/bench.sh

clean:
	rm -rf .state .pytest_cache
