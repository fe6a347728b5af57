# GridGov developer commands. Needs only Python 3.11+, git, make and PyPI (see README.md).
#   make run    set up .venv, SQLite, demo city; serve on http://127.0.0.1:8000 with a worker
#   make test   lint, format check, Django checks, migrations check, translations, pytest
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BOOTSTRAP := $(PYTHON) scripts/bootstrap.py --venv $(VENV)

# pytest-xdist workers: "auto" is one per CPU core (PYTEST_WORKERS=0 runs serially).
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=
# The Django commands make test runs outside pytest need a key (pytest's come from pyproject).
TEST_SECRET_KEY ?= make-test-only-secret-key-never-deploy-5b0d8e27c1a94f36
CHECK_ENV := SECRET_KEY=$(TEST_SECRET_KEY) DEBUG=0

.PHONY: help install install-dev run test pytest nightly lint fmt bench bench-smoke messages load

help:
	@echo "make run       start GridGov with a Celery worker on http://127.0.0.1:$${PORT:-8000}"
	@echo "make test      ruff, Django checks, migrations check, translations, pytest"
	@echo "make nightly   the property tests and the schema fuzz with many more examples (slow)"
	@echo "make lint      ruff check and ruff format --check"
	@echo "make fmt       ruff format and ruff check --fix"
	@echo "make messages  update locale/zh_Hans (needs xgettext) and compile translations"
	@echo "make bench     run bench/run.py (results in bench/results/latest.json; docs/scaling.md)"
	@echo "make bench-smoke  every bench at a tiny scale (2,000 tickets), SQLite, about 2 minutes; in CI"
	@echo "make load     the locust load scenario against LOAD_HOST (README: Load test)"

install:
	@$(BOOTSTRAP) requirements/base.txt

install-dev:
	@$(BOOTSTRAP) requirements/dev.txt

run: install
	@$(PY) scripts/run.py

test: install-dev lint
	$(CHECK_ENV) $(PY) manage.py check
	$(CHECK_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(CHECK_ENV) $(PY) manage.py compile_translations
	@$(MAKE) --no-print-directory pytest

# One parallel pass, browser tests included (each xdist worker has its own live server and
# Chromium). Any failure fails make, and so does exit code 5: no tests collected.
pytest: install-dev
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The long runs for a nightly job: the Hypothesis "nightly" profile (tests/conftest.py: many
# more examples and longer walks) over the workflow and ledger state machines and the points
# property, and the schema fuzz with its coverage phase. Tens of minutes on two cores.
NIGHTLY_TESTS := tests/incidents/test_workflow_properties.py \
	tests/participation/test_points.py::test_the_balance_is_the_sum_of_entries_and_never_negative \
	tests/funding/test_ledger_properties.py \
	tests/gridgov/test_schema_fuzz.py
nightly: install-dev
	HYPOTHESIS_PROFILE=nightly GRIDGOV_FUZZ_COVERAGE=1 \
		$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS) $(NIGHTLY_TESTS)

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

fmt: install-dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: install-dev
	@if [ -f bench/run.py ]; then \
		$(PY) bench/run.py; \
	else \
		echo "bench/run.py does not exist yet: nothing to run"; \
	fi

# Every bench at a tiny scale on a scratch SQLite database (DATABASE_URL for PostgreSQL):
# that they all still run, not how fast (docs/scaling.md has the figures at scale).
SMOKE_RESULTS ?= bench/results/smoke.json

bench-smoke: install-dev
	BENCH_TICKETS=2000 BENCH_DAYS=14 BENCH_LEGS=20000 BENCH_FORECAST_TICKETS=300 \
		BENCH_API_SECONDS=1 BENCH_BACKLOG=200 \
		$(PY) bench/run.py --results $(SMOKE_RESULTS)

messages: install
	@if command -v xgettext >/dev/null 2>&1; then \
		DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --no-obsolete \
			--ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'var/*' --ignore 'tests/*'; \
	else \
		echo "xgettext (GNU gettext) is not installed: only compiling the existing catalogues"; \
	fi
	DEBUG=1 $(PY) manage.py compile_translations

# The locust scenario, headless, against a running GridGov with the demo city (README).
LOAD_HOST ?= http://127.0.0.1:8000
LOAD_USERS ?= 24
LOAD_TIME ?= 2m
load: install-dev
	@mkdir -p var/load
	$(VENV)/bin/locust -f load/locustfile.py --headless --only-summary \
		--users $(LOAD_USERS) --spawn-rate 4 --run-time $(LOAD_TIME) \
		--host $(LOAD_HOST) --csv var/load/gridgov
