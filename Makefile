# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# gunicorn's workers: two a core and one more, as its documentation advises; one worker
# would queue every reader behind the slowest page (benchmarks/load_benchmark.py).
WEB_CONCURRENCY ?= $(shell echo $$(( $$(nproc) * 2 + 1 )))
PRODUCTION_ENV := DEBUG=0 SECRET_KEY=check-deploy-only-$(shell date +%s)-abcdefghijklmnopqrstuvwxyz0123456789 ALLOWED_HOSTS=investigations.example.org

.PHONY: install browser run serve backup test lint checks pytest format benchmarks clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The browser tests drive Debian's Chromium; browsers cannot be downloaded by Playwright here.
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

# Migrate, load the demo data, print new one-time passwords for the demo accounts, then serve,
# with the task worker that runs large imports beside the server (stopped when it stops).
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo_data
	$(BIN)/python manage.py demo_accounts --base-url http://$(HOST):$(PORT)
	$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production (README "Production"): DEBUG off and every setting from the environment. Migrate,
# collect the static files for whitenoise, then run gunicorn and the task worker, stopped
# together. Logs go to stdout.
serve: install
	@test -n "$$SECRET_KEY" -a -n "$$ALLOWED_HOSTS" || { echo "make serve: set SECRET_KEY and ALLOWED_HOSTS (README, Production)" >&2; exit 1; }
	DEBUG=0 $(BIN)/python manage.py migrate --no-input
	DEBUG=0 $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	DEBUG=0 $(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	DEBUG=0 WEB_CONCURRENCY=$(WEB_CONCURRENCY) $(BIN)/gunicorn investigations.wsgi --bind $(HOST):$(PORT) \
		--access-logfile - --error-logfile /dev/stdout

# A consistent copy of the database and the uploaded files, taken while the site runs, into
# var/backups/<UTC time>/. README "Backups" says how to restore one.
backup: install
	$(BIN)/python manage.py backup

test: install lint checks pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

checks: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(PRODUCTION_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

pytest: install browser
	$(BIN)/pytest

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Each prints its figures as ratios to a baseline measured in the same run.
benchmarks: install
	$(BIN)/python benchmarks/page_benchmark.py
	$(BIN)/python benchmarks/cache_hit_benchmark.py
	$(BIN)/python benchmarks/import_benchmark.py --rows 100000 --per-row-sample 1000
	$(BIN)/python benchmarks/download_benchmark.py
	$(BIN)/python benchmarks/matching_benchmark.py --orgs 10000 --rows 10000
	$(BIN)/python benchmarks/ocds_import_benchmark.py
	$(BIN)/python benchmarks/admin_benchmark.py
	$(BIN)/python benchmarks/load_benchmark.py

clean:
	rm -rf $(VENV) var
