# klaster — the two set-up commands are `make run` and `make test` (see README).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
export KLASTER_DATA_DIR ?= $(CURDIR)/var
# The local mirror of the official data sources, used when it exists (development checkout, CI).
MIRROR ?= $(CURDIR)/../shared/data
export KLASTER_DATA_MIRROR ?= $(if $(wildcard $(MIRROR)),$(MIRROR),)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv data setup demo serve bench bench-load clean lock

$(BIN)/klaster: pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (klaster needs Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/uv pip install --python $(BIN)/python --quiet -r requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps -e .
	@touch $(BIN)/klaster

venv: $(BIN)/klaster

data: venv
	$(BIN)/klaster data fetch

setup: data
	$(BIN)/klaster setup

demo: setup
	$(BIN)/klaster demo

## make run: install, migrate the embedded SQLite database, load the reference and demo data, serve on http://127.0.0.1:8000
## (gunicorn, 2 × cores + 1 worker processes; docs/performance.md) and the task runner beside it (klaster worker: schedules,
## e-mail outbox, mapping runs; docs/operations.md), which ends with the server
run: demo
	$(BIN)/klaster serve --host $(HOST) --port $(PORT) --with-worker

## make serve: serve the existing database (migrated first), as in production
serve: setup
	$(BIN)/klaster serve --host $(HOST) --port $(PORT)

## make test: the whole test suite (uses DATABASE_URL when set, else SQLite)
test: data
	$(BIN)/python -c "from klaster.web.i18n import compile_messages; compile_messages()"
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv
	$(BIN)/python benchmarks/observatory.py
	$(BIN)/python benchmarks/io.py

## make bench-load: the web under load on PostgreSQL, against the previous serving setup (benchmarks/README.md; ~12 min)
bench-load: data
	$(BIN)/python benchmarks/load.py $(BENCH_ARGS)

## make lock: re-resolve the locked dependency set after editing pyproject.toml
lock: venv
	$(BIN)/uv pip compile pyproject.toml --extra test --extra bench --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) build dist src/*.egg-info
