# Clientela — `make demo` to try it, `make test` to check it. `make help` lists every target.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
PG_TEST_PORT ?= 54329
PG_TEST_URL := postgresql://postgres@127.0.0.1:$(PG_TEST_PORT)/clientela
PYTEST_ARGS ?=
# Test processes (pytest-xdist): the machines here have two cores; 0 runs in one process.
PYTEST_WORKERS ?= 2
# Debian packages the tests need, checked by a file each one installs.
TEST_PACKAGES := chromium:/usr/bin/chromium chromium-driver:/usr/bin/chromedriver \
	postgresql:/usr/lib/postgresql/15/bin/initdb gettext:/usr/bin/msgfmt

# Benchmarks: each peer (what a benchmark compares against) in its own virtualenv under .bench/,
# pinned in benchmarks/peers/NAME.txt; BENCH_ARGS go to benchmarks/_run.py (e.g. --only clv_fit).
BENCH_DIR := .bench
BENCH_PEERS := lifetimes duckdb
BENCH_ARGS ?=
PG_BENCH_PORT ?= 54339
PG_BENCH_DIR ?= /tmp/clientela-pg-bench
PG_BENCH_URL := postgresql://postgres@127.0.0.1:$(PG_BENCH_PORT)/clientela

export CI ?=
export DEBIAN_FRONTEND := noninteractive

.PHONY: help install demo test check lint migrations-check ruff-check format-check mypy \
	imports-check test-sqlite test-postgres system-packages messages audit lock clean \
	bench bench-peers bench-postgres screenshots

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Clientela needs Python 3.11 or newer (found $$($(PYTHON) --version))" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "Could not create $(VENV): on Debian or \
		Ubuntu install the venv module first (apt-get install python3-venv)" >&2; exit 1; }

$(INSTALLED): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $@

install: $(INSTALLED) ## create .venv and install Clientela with the locked dependencies

demo: install ## build a demo company and serve it at http://127.0.0.1:8000
	$(BIN)/clientela demo

screenshots: install messages ## screenshots of the main pages in en and pt, wide and phone, in docs/screenshots/
	$(BIN)/python scripts/screenshots.py

system-packages: ## apt-get install what the tests need (chromium, postgresql, gettext), if missing
	@missing=""; for entry in $(TEST_PACKAGES); do \
		[ -e "$${entry#*:}" ] || missing="$$missing $${entry%%:*}"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo -n"; fi; \
		$$sudo apt-get update -q && \
		$$sudo apt-get install -y -q --no-install-recommends $$missing </dev/null; \
	fi

messages: install ## compile the translations (.po -> .mo)
	cd src/clientela && ../../$(BIN)/django-admin compilemessages --ignore '__pycache__' -v 0

lint: migrations-check imports-check ruff-check format-check mypy ## makemigrations --check, import contracts, ruff, ruff format --check, mypy

migrations-check: install
	@echo "clientela makemigrations --check --dry-run"; home=$$(mktemp -d); \
		CLIENTELA_HOME=$$home $(BIN)/clientela makemigrations --check --dry-run; \
		status=$$?; rm -rf "$$home"; exit $$status

imports-check: install ## the floors of DESIGN.md, as import-linter contracts (pyproject.toml)
	$(BIN)/lint-imports --no-cache

ruff-check: install
	$(BIN)/ruff check

format-check: install
	$(BIN)/ruff format --check

mypy: install
	@echo "mypy --strict src tests"; home=$$(mktemp -d); CLIENTELA_HOME=$$home $(BIN)/mypy src tests; \
		status=$$?; rm -rf "$$home"; exit $$status

test-sqlite: install messages ## the whole suite on SQLite
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-postgres: install messages ## the whole suite on the PostgreSQL server that `make test` starts
	CLIENTELA_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: install system-packages ## install what the tests need, then run every check on SQLite and PostgreSQL
	@start=$$(date +%s); status=0; \
	PG_TEST_PORT=$(PG_TEST_PORT) scripts/pg-test.sh start || exit 1; \
	$(MAKE) --no-print-directory -k lint test-sqlite test-postgres || status=$$?; \
	PG_TEST_PORT=$(PG_TEST_PORT) scripts/pg-test.sh stop; \
	echo "make test: $$([ $$status = 0 ] && echo passed || echo FAILED) in $$(( $$(date +%s) - start )) s"; \
	exit $$status

check: test ## what CI runs (.ci/run): the same as `make test`

audit: install ## pip-audit of requirements.lock (when a vulnerability database answers) and bandit over src
	@BIN=$(BIN) scripts/audit.sh

lock: $(BIN)/python ## upgrade .venv to the newest versions pyproject.toml allows; freeze them
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[dev]'
	$(BIN)/python -m pip freeze --exclude-editable --exclude clientela > requirements.lock
	@touch $(INSTALLED)

clean: ## remove caches (keeps .venv and var/)
	rm -rf .mypy_cache .ruff_cache .pytest_cache .hypothesis build src/*.egg-info
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +

$(BENCH_DIR)/%/.installed: benchmarks/peers/%.txt
	rm -rf $(BENCH_DIR)/$*
	$(PYTHON) -m venv $(BENCH_DIR)/$*
	$(BENCH_DIR)/$*/bin/python -m pip install --quiet -r $<
	@touch $@

bench-peers: $(foreach peer,$(BENCH_PEERS),$(BENCH_DIR)/$(peer)/.installed) ## set up what the benchmarks compare against (.bench/*, wrk)
	@command -v wrk >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo -n"; fi; \
		$$sudo apt-get update -q && $$sudo apt-get install -y -q --no-install-recommends wrk </dev/null; }

bench: install messages bench-peers ## run every benchmark at its quick size; one JSON line each
	$(BIN)/python benchmarks/_run.py $(BENCH_ARGS)

bench-postgres: install messages bench-peers ## the same on a PostgreSQL server of its own (port PG_BENCH_PORT)
	@PG_TEST_PORT=$(PG_BENCH_PORT) PG_TEST_DIR=$(PG_BENCH_DIR) scripts/pg-test.sh start || exit 1; \
	status=0; CLIENTELA_DATABASE_URL=$(PG_BENCH_URL) $(BIN)/python benchmarks/_run.py $(BENCH_ARGS) \
		|| status=$$?; \
	PG_TEST_PORT=$(PG_BENCH_PORT) PG_TEST_DIR=$(PG_BENCH_DIR) scripts/pg-test.sh stop; exit $$status
