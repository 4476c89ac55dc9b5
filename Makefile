# The two set-up commands of the README are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test lint format install services bench

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "需要 Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Run the app on the embedded default (SQLite + filesystem broker) with demo data:
# web, Celery worker and Celery beat, in one terminal.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py load_holidays
	$(BIN)/python manage.py setup_schedules
	@echo ""
	@echo "PMIS 已启动：$${PMIS_BASE_URL:-http://127.0.0.1:$${PMIS_PORT:-8000}}/  （按 Ctrl+C 停止）"
	@echo ""
	$(BIN)/honcho start -f Procfile.dev

# Install what the tests need (apt packages, PostgreSQL and Redis running, Python packages)
# and run the whole suite against PostgreSQL and Redis.
test: install
	bash scripts/ensure_services.sh
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every daily page at a tenth of the data and at full scale (BENCH_SCALE, default 1), under
# gunicorn on loopback, driven by wrk, beside the floor page and a bare view; prints the table and
# writes test-artifacts/bench.md and bench.json (BENCH_DB, BENCH_REDIS_DB, BENCH_PORT: see scripts/bench.py).
bench: install
	bash scripts/ensure_services.sh
	command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python scripts/bench.py
