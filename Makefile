# Two commands on a fresh machine: make demo, make test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
DEMO_ENV := DEBUG=True
# The checks load settings, which want a SECRET_KEY outside debug.
CHECK_ENV := SECRET_KEY=$${SECRET_KEY:-make-test-only-secret-key-not-for-production-7d2e9a4b6c}

.PHONY: demo test lint serve worker beat clean bench bench-load bench-flows bench-pages bench-import

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

demo: $(VENV)/.installed
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py load_demo
	$(DEMO_ENV) $(PY) manage.py create_demo_users
	$(DEMO_ENV) $(PY) manage.py demo_reports --out out
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(CHECK_ENV) $(BIN)/mypy .
	$(CHECK_ENV) $(PY) manage.py makemigrations --check --dry-run

test: lint
	$(BIN)/pytest -n auto --durations=25

# Production (README "Running at scale"): load the environment first
# (set -a; . ./.env; set +a); run migrations once per release, not here.
BIND ?= 127.0.0.1:8000
# Sync workers, two per core of the measured 2-core machine: 1.4-2.2x runserver's
# requests a second, idle or shared; threads did no better (README, "Load benchmark").
WEB_WORKERS ?= 4
WEB_THREADS ?= 1
# A sync worker busy this long is restarted. Without a broker, reports and imports
# run inside the request (a 50,000-row import took 105-158 s), so not gunicorn's 30.
WEB_TIMEOUT ?= 300
CONCURRENCY ?= 2
BEAT_SCHEDULE ?= celerybeat-schedule

serve: $(VENV)/.installed
	$(PY) manage.py collectstatic --noinput -v 0
	$(BIN)/gunicorn kbinventory.wsgi --bind $(BIND) --workers $(WEB_WORKERS) --threads $(WEB_THREADS) \
	  --timeout $(WEB_TIMEOUT) --access-logfile - --capture-output

worker: $(VENV)/.installed
	$(BIN)/celery -A kbinventory worker --loglevel INFO --concurrency $(CONCURRENCY)

beat: $(VENV)/.installed
	$(BIN)/celery -A kbinventory beat --loglevel INFO --schedule $(BEAT_SCHEDULE)

# The workbook benchmark at 10,000 activities (minutes): prints a Markdown table for the README.
bench: $(VENV)/.installed
	$(CHECK_ENV) $(PY) -m bench.reports

# The data map's flows at 10,000 activities: time and query count (minutes).
bench-flows: $(VENV)/.installed
	$(CHECK_ENV) $(PY) -m bench.flows

# The admin pages and API calls a DPO uses, timed in-process at 10,000
# activities with 10 edits each, with their query counts (minutes).
bench-pages: $(VENV)/.installed
	$(CHECK_ENV) $(PY) -m bench.pages

# import_ropa on 2,000 rows of the export layout: seconds, CPU seconds and queries
# (minutes); python -m bench.imports --memory 10000 50000 for memory at scale.
bench-import: $(VENV)/.installed
	$(CHECK_ENV) $(PY) -m bench.imports

# The load benchmark (~4 min): gunicorn vs runserver on a throwaway
# PostgreSQL database, driven by wrk on 127.0.0.1; prints Markdown tables.
bench-load: $(VENV)/.installed
	$(PY) -m bench.load

clean:
	rm -rf $(VENV) db.sqlite3 out media
