# Modellregionen — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install frontend migrate data figures run proxy test lint check-migrations worker beat bench scale backup restore clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed frontend ## Create .venv and install Python and front-end packages

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend: $(if $(wildcard package.json),node_modules/.installed) ## Install front-end packages from the lock file

migrate: install ## Apply database migrations
	$(MANAGE) migrate --noinput

data: migrate ## Load the programme data (safe to repeat: nothing is duplicated)
	$(MANAGE) load_programme_data

figures: data ## Recompute the stored figures from the ledger
	$(MANAGE) recompute_figures

run: figures ## Set up everything, create the demo logins (DEBUG only) and serve http://127.0.0.1:8000
	$(MANAGE) create_demo_accounts
	$(MANAGE) runserver $(HOST):$(PORT)

PROXY_PORT ?= 8080
proxy: install ## nginx (Debian's) with deploy/nginx on PROXY_PORT in front of the app on HOST:PORT
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(BIN)/python deploy/nginx/render.py --out var/nginx --listen $(HOST):$(PROXY_PORT) --app $(HOST):$(PORT) --static var/static
	nginx -p var/nginx -c $(CURDIR)/var/nginx/nginx.conf -g 'daemon off;$(if $(filter 0,$(shell id -u)), user root;)'

# One pytest process per core (pytest-xdist), a test file stays on one process (its module fixtures run once).
TEST_WORKERS ?= auto
test: install ## Run the whole test suite (TEST_WORKERS=1 for one process)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

lint: install ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-migrations: install ## Fail if a model change has no migration
	$(MANAGE) makemigrations --check --dry-run

worker: install ## Start a Celery worker (needs REDIS_URL)
	$(BIN)/celery -A modellregionen worker --loglevel=INFO

beat: install ## Start Celery beat, the nightly recompute and verify (needs REDIS_URL)
	$(BIN)/celery -A modellregionen beat --loglevel=INFO --schedule var/celerybeat-schedule

bench: install ## Benchmarks on PostgreSQL (needs DATABASE_URL); writes docs/benchmarks.md
	$(BIN)/python -m bench

scale: install ## Scale-out trial: 2 servers, 3 workers, beat, writers on one project, a Redis restart (needs DATABASE_URL, redis-server)
	$(BIN)/python -m bench.scale

BACKUP ?= var/backups/modellregionen-$(shell date +%Y-%m-%dT%H%M%S).dump
backup: install ## Back up the database to BACKUP (default var/backups/<time>.dump)
	$(MANAGE) backup_database $(BACKUP)

restore: install ## Restore BACKUP=<file> into an empty database, then verify the figures
	@test -n "$(BACKUP)" || (echo "usage: make restore BACKUP=<file>" && exit 2)
	$(MANAGE) restore_database $(BACKUP)

clean: ## Remove the virtualenv, the local database and caches
	rm -rf $(VENV) var node_modules .pytest_cache .ruff_cache .hypothesis
