# Talkmall: `make run` serves the embedded default; `make test` runs lint and the whole suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	&& { echo $$p; break; }; done)
HOST ?= 127.0.0.1
PORT ?= 8000
SERVICES_DATABASE_URL ?= mysql://root@127.0.0.1:3306/talkmall
SERVICES_REDIS_URL ?= redis://127.0.0.1:6379/0
SERVICES_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/talkmall
CHROMIUM ?= /usr/bin/chromium

.PHONY: run setup test lint format pytest test-services test-postgres check-chromium messages clean serve-prod bench

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then echo "Talkmall needs Python 3.11 or newer on PATH (python3.11, python3.12 or python3)."; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

$(VENV)/.mysql: requirements-mysql.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-mysql.txt
	@touch $@

setup: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --noinput -v 0

## make run: venv, install, migrate, demo data, static files, then daphne on http://127.0.0.1:8000
run: setup
	@echo "Talkmall on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(BIN)/daphne -b $(HOST) -p $(PORT) marketplace.asgi:application

## make serve-prod: WORKERS daphne processes (default 2) on ports PORT..PORT+WORKERS-1, sharing
## one database (DATABASE_URL) and one Redis (REDIS_URL, required for more than one). Put nginx
## or Caddy in front (docs/operations.md section 5). Ctrl-C stops them all.
WORKERS ?= 2
serve-prod: $(VENV)/.runtime
	@if [ "$(WORKERS)" -gt 1 ] && [ -z "$$REDIS_URL" ]; then \
		echo "WORKERS=$(WORKERS) needs REDIS_URL: the processes share conversations through Redis."; exit 1; fi
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py collectstatic --noinput -v 0
	@pids=""; trap 'kill $$pids 2>/dev/null; wait' INT TERM EXIT; \
	for i in $$(seq 0 $$(($(WORKERS) - 1))); do \
		port=$$(($(PORT) + i)); echo "daphne $$((i + 1))/$(WORKERS) on http://$(HOST):$$port/"; \
		$(BIN)/daphne -b $(HOST) -p $$port --proxy-headers marketplace.asgi:application & pids="$$pids $$!"; \
	done; wait

## make bench: every figure of issue 9 on this machine, each beside the reference of its own
## run, with each run's verdicts: SQLite, MariaDB + Redis with one and two processes, then four
## talks on one and two processes unpinned (docs/performance.md, Realtime). Scratch databases
## only; a few minutes; let nothing else run meanwhile.
BENCH_MYSQL ?= mysql://root@127.0.0.1:3306/tm_rtbench
BENCH_REDIS ?= redis://127.0.0.1:6379/0
bench: $(VENV)/.dev $(VENV)/.mysql
	rm -f /tmp/talkmall-rtbench.sqlite3*
	$(BIN)/python bench/realtime.py --database sqlite:////tmp/talkmall-rtbench.sqlite3 --scale 0.5
	$(BIN)/python bench/realtime.py --database $(BENCH_MYSQL) --redis $(BENCH_REDIS) --procs 1,2 --scale 0.5
	$(BIN)/python bench/realtime.py --database $(BENCH_MYSQL) --redis $(BENCH_REDIS) --procs 1,2 \
		--channels 4 --no-pin --profiles persist --idle 0

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's chromium for the browser tests..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "The browser tests need Debian's Chromium. Run: sudo apt-get install -y chromium"; exit 1; \
		fi; \
	fi

pytest: $(VENV)/.dev check-chromium
	env -u TALKMALL_SERVICES -u DATABASE_URL -u REDIS_URL $(BIN)/pytest $(PYTEST_ARGS)

## make test: lint, then the whole suite on SQLite + in-memory layer; with TALKMALL_SERVICES=1
## it runs the suite a second time on MariaDB + Redis, and a third time (without the browser
## tests) on PostgreSQL.
test: lint messages pytest
	@if [ "$(TALKMALL_SERVICES)" = "1" ]; then $(MAKE) --no-print-directory test-services test-postgres; fi

test-services: $(VENV)/.dev $(VENV)/.mysql check-chromium
	DATABASE_URL=$(SERVICES_DATABASE_URL) REDIS_URL=$(SERVICES_REDIS_URL) TALKMALL_SERVICES=1 \
		$(BIN)/pytest $(PYTEST_ARGS)

## make test-postgres: the suite on PostgreSQL + in-memory layer, without the browser tests
## (they drive the same views; the database's own differences live in the services and queries).
test-postgres: $(VENV)/.dev $(VENV)/.mysql
	env -u TALKMALL_SERVICES -u REDIS_URL DATABASE_URL=$(SERVICES_POSTGRES_URL) \
		$(BIN)/pytest --ignore=tests/e2e $(PYTEST_ARGS)

## make messages: extract user-facing strings, fill Korean from locale/ko/translations/*.json,
## compile. Fails listing any string without a Korean translation (needs gettext's msgfmt).
messages: $(VENV)/.runtime
	@command -v msgfmt >/dev/null || { echo "make messages needs gettext: apt-get install -y gettext"; exit 1; }
	$(BIN)/python manage.py makemessages -l ko --no-obsolete --no-location -i '.venv/*' -i 'staticfiles/*' -i 'var/*' -v 0
	$(BIN)/python scripts/po_fill.py locale/ko/LC_MESSAGES/django.po locale/ko/translations/
	$(BIN)/python manage.py compilemessages -l ko -i .venv -v 0

clean:
	rm -rf $(VENV) staticfiles var
