# Newsroom: `make run` serves the site with demo content; `make test` runs the suite.
# Without DATABASE_URL both use the embedded PostgreSQL under .data/postgres.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# The newest Python 3.12+ on this machine, preferring the pinned 3.13.
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	echo $$p; break; fi; done)
VENV := .venv
PY := $(VENV)/bin/python
WITH_DB := $(PY) -m newsroom.embedded_db run --
DEMO_STORY := articles/demo/kim-dialogue-and-confrontation.txt
PYTEST_ARGS ?=

# Settings fail closed (debug off unless asked for); these targets are for
# local work, so they ask for it. A deployment runs gunicorn directly.
export DJANGO_DEBUG ?= true

.PHONY: help install browser-deps run serve setup test check bench soak differential screenshots db-start db-stop clean

help:
	@echo "make run      set everything up and serve the site on http://127.0.0.1:8000"
	@echo "make test     set everything up and run the whole test suite"
	@echo "make check    migrations in step, deploy checks"
	@echo "make bench    benchmarks, written to bench/results.json"
	@echo "make soak     mixed load from 32 clients, then integrity checks"
	@echo "make differential  a long random run of the cache differential tests"
	@echo "make screenshots  story page screenshots into test-artifacts/"
	@echo "make db-stop  stop the embedded PostgreSQL"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.12 or newer is needed (3.13 preferred)." >&2; exit 1; fi
	@echo "==> creating virtual environment in $(VENV) with $$($(PYTHON) --version)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "==> installing pinned requirements"
	@$(PY) -m pip install --disable-pip-version-check --progress-bar off -q --upgrade pip
	@$(PY) -m pip install --disable-pip-version-check --progress-bar off -r requirements-dev.txt | grep -v '^Requirement already satisfied' || true
	@$(PY) -c 'import django, mptt, bleach, psycopg2, PIL, pytest' 
	@touch $@

install: $(VENV)/.installed

run: install
	@$(WITH_DB) $(MAKE) --no-print-directory serve

# The steps of `make run` once the database is up (called by `run`).
serve: setup
	@echo "==> collecting static files"
	@$(PY) manage.py collectstatic --noinput -v 0
	@echo "==> serving on http://$${GUNICORN_BIND:-127.0.0.1:8000} (Ctrl-C stops)"
	@$(VENV)/bin/gunicorn -c gunicorn.conf.py

setup:
	@echo "==> applying migrations"
	@$(PY) manage.py migrate --noinput -v 1
	@$(PY) manage.py createcachetable
	@$(PY) manage.py configure_site
	@echo "==> importing the demo story"
	@$(PY) manage.py import_article $(DEMO_STORY) --source BBC --published 2021-06-18T09:00:00+00:00
	@echo "==> ensuring an editor account"
	@$(PY) manage.py ensure_editor

# Browser tests drive Debian's Chromium (Playwright cannot download its own
# browser here) and inject axe-core from npm for the accessibility checks.
browser-deps: node_modules/axe-core/axe.min.js
	@if [ ! -x /usr/lib/chromium/chromium ] && ! command -v chromium >/dev/null 2>&1; then \
	  echo "==> installing Chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; \
	fi

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@echo "==> installing axe-core (accessibility checks) with npm"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test: install browser-deps
	@echo "==> running the test suite"
	@$(WITH_DB) $(PY) -m pytest $(PYTEST_ARGS)

screenshots: install browser-deps
	@$(WITH_DB) $(PY) -m tests.browser.screenshots

bench: install
	@echo "==> benchmarks (a throwaway database; see bench/run.py)"
	@$(WITH_DB) $(PY) -m bench.run $(BENCH_ARGS)

soak: install
	@echo "==> soak: 32+ concurrent clients against gunicorn (a throwaway database; see bench/soak/)"
	@$(WITH_DB) $(PY) -m bench.soak $(SOAK_ARGS)

# The cache differential tests, long and with fresh random examples each run
# (CI runs a bounded, repeatable version as part of `make test`).
differential: install
	@NEWSROOM_DIFFERENTIAL_RANDOM=1 NEWSROOM_DIFFERENTIAL_EXAMPLES=$${NEWSROOM_DIFFERENTIAL_EXAMPLES:-200} \
	  NEWSROOM_DIFFERENTIAL_STEPS=$${NEWSROOM_DIFFERENTIAL_STEPS:-50} NEWSROOM_DIFFERENTIAL_SEED=$$RANDOM \
	  $(WITH_DB) $(PY) -m pytest -p no:cacheprovider tests/storypage/test_differential.py \
	  tests/newsroom/test_scale_out.py -k uncached

check: install
	@$(WITH_DB) $(MAKE) --no-print-directory _check

_check:
	@echo "==> makemigrations --check"
	@$(PY) manage.py makemigrations --check --dry-run
	@echo "==> check --deploy with production-like settings"
	@DJANGO_DEBUG=false DJANGO_SECRET_KEY=check-$$(date +%s)-a-long-random-production-like-secret-key-value \
	  DJANGO_ALLOWED_HOSTS=news.example.com DATABASE_URL=$${DATABASE_URL:-$$($(PY) -m newsroom.embedded_db url)} \
	  $(PY) manage.py check --deploy --fail-level WARNING

db-start: install
	@$(PY) -m newsroom.embedded_db start

db-stop:
	@test -x $(PY) && $(PY) -m newsroom.embedded_db stop || true

clean: db-stop
	rm -rf $(VENV) staticfiles .pytest_cache
