# fieldapp: `make run` to serve with demo data, `make test` to check everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PORT ?= 5000
WORKERS ?= 2
# make bench runs once per count, each printing its table (benchmarks/README.md).
BENCH_WORKER_COUNTS ?= 2 4
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: help run serve install install-dev assets screenshots db library demo test lint typecheck openapi-lint pytest format openapi connector bench bench-render bench-console cluster lock clean
VENDOR := fieldapp/console/vendor

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed ## Create the virtual environment and install runtime dependencies

install-dev: $(VENV)/.installed-dev ## Install runtime and development dependencies

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

$(VENDOR)/.copied: node_modules/.package-lock.json
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/govuk $(VENDOR)/moj
	cp -R node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css \
		node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js \
		node_modules/govuk-frontend/dist/govuk/assets $(VENDOR)/govuk/
	cp -R node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.css \
		node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js \
		node_modules/@ministryofjustice/frontend/moj/assets $(VENDOR)/moj/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	@touch $@

assets: $(VENDOR)/.copied ## Install the console's front-end packages from npm (lock file) and copy what it serves

db: install assets ## Migrate the database (embedded SQLite unless FIELDAPP_DATABASE_URL is set)
	$(FLASK) db upgrade

library: db ## Import the built-in message templates (message_templates/) where absent
	$(FLASK) templates import

demo: library ## Load demo data on first run and print how to sign in
	$(FLASK) demo load
	@$(FLASK) demo show --base-url http://127.0.0.1:$(PORT)

run: demo ## Set up everything and serve with gunicorn on 127.0.0.1:PORT (default 5000)
	@echo "Serving fieldapp on http://127.0.0.1:$(PORT) (Ctrl-C stops)"
	exec $(BIN)/gunicorn --workers $(WORKERS) --bind 127.0.0.1:$(PORT) wsgi:app

lint: install-dev ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev ## mypy (strict) on fieldapp/
	$(BIN)/mypy

pytest: install-dev assets ## The test suite on SQLite, then on PostgreSQL if FIELDAPP_TEST_DATABASE_URL is set
	FIELDAPP_TEST_BACKEND=sqlite $(BIN)/pytest
	@if [ -n "$$FIELDAPP_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: $$FIELDAPP_TEST_DATABASE_URL"; \
		FIELDAPP_TEST_BACKEND=postgres $(BIN)/pytest; \
	else echo "FIELDAPP_TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

openapi-lint: install-dev node_modules/.package-lock.json ## Validate openapi.yaml (openapi-spec-validator) and lint it (Redocly, offline)
	$(BIN)/openapi-spec-validator openapi.yaml
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true node_modules/.bin/redocly lint openapi.yaml

test: lint typecheck openapi-lint pytest ## Lint, type check, the OpenAPI lint and the whole suite (SQLite, and PostgreSQL when configured)

format: install-dev ## Format and autofix the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

openapi: install ## Regenerate the committed openapi.yaml from the code
	$(FLASK) openapi write --output openapi.yaml

connector: install ## Regenerate the committed Power Platform connector files in connector/
	$(FLASK) connector write --output-dir connector

screenshots: install-dev assets ## The README's console screenshots (docs/screenshots/), taken by the browser journey test
	FIELDAPP_SCREENSHOTS=docs/screenshots FIELDAPP_TEST_BACKEND=sqlite $(BIN)/pytest -q -p no:randomly \
		tests/console/browser/test_journey.py -k officers_message

bench: install-dev ## Benchmark under gunicorn with wrk (BENCH_DB=sqlite|postgres), at 2 then 4 workers (BENCH_WORKER_COUNTS)
	@for workers in $(BENCH_WORKER_COUNTS); do \
		echo "== $$workers gunicorn workers"; \
		BENCH_WORKERS=$$workers $(BIN)/python -m benchmarks.run || exit 1; \
	done

bench-render: install-dev ## Time fieldapp's template render path against a bare sandboxed Jinja loop (in-process)
	$(BIN)/python -m benchmarks.render

bench-console: install-dev ## Median and p95 of 50 loads of each console page under gunicorn (demo data + 1,000 duties)
	$(BIN)/python -m benchmarks.console_pages

CLUSTER_SECONDS ?= 60
CLUSTER_INSTANCES ?= 3
CLUSTER_FAULTS ?= all
cluster: install-dev ## HAProxy, 3 app machines, PostgreSQL + standby, Redis on 57xxx: locust load, kills, faults, report (deploy/README.md)
	CLUSTER_SECONDS=$(CLUSTER_SECONDS) CLUSTER_INSTANCES=$(CLUSTER_INSTANCES) CLUSTER_FAULTS=$(CLUSTER_FAULTS) \
		$(BIN)/python -m deploy.cluster

lock: ## Re-pin requirements*.txt from requirements*.in (needs network)
	rm -rf /tmp/fieldapp-lock && $(PYTHON) -m venv /tmp/fieldapp-lock
	/tmp/fieldapp-lock/bin/pip install --quiet -r requirements.in
	{ echo "# Pinned runtime dependencies, generated from requirements.in by 'make lock'."; \
	  /tmp/fieldapp-lock/bin/pip freeze | sort -f; } > requirements.txt
	/tmp/fieldapp-lock/bin/pip install --quiet -r requirements-dev.in
	{ echo "# Pinned development and test tools, generated from requirements-dev.in by 'make lock'."; \
	  echo "-r requirements.txt"; \
	  /tmp/fieldapp-lock/bin/pip freeze | sort -f | grep -vixFf <(grep -v '^#' requirements.txt); \
	} > requirements-dev.txt

clean: ## Remove the virtual environment and caches (keeps instance/ data)
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
