# Smart City Planning Warehouse - `make run` and `make test` work on a fresh machine
# with Python 3.11: they create the virtual environment and the Airflow home first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)

export AIRFLOW_HOME := $(CURDIR)/airflow_home
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__PARALLELISM := 4
export AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG := 4
export AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT := 120
export SMARTCITY_DATA_DIR ?= $(CURDIR)/data
export SMARTCITY_DBT_PROJECT_DIR := $(CURDIR)/dbt_project
export GX_ANALYTICS_ENABLED := False
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

CONF ?= {}
LIVE ?=

.PHONY: help setup run test lint bench soak clean sql site exports

help:
	@echo "make run    set up, then refresh and publish the warehouse from the bundled snapshot (LIVE=1: live publishers; CONF='<json>')"
	@echo "make test   set up, then run the whole test suite"
	@echo "make lint   ruff (with the Airflow AIR rules) and sqlfluff"
	@echo "make sql    an interactive SQL shell (DuckDB CLI, read-only) on the current release"
	@echo "make site   rebuild the area-profile site (and dbt docs) of the current release; make exports: its exports"
	@echo "make soak   SOAK=<count> consecutive refreshes with random faults, bad answers and kills, and a reader (SOAK_SEED=<seed>)"
	@echo "make bench  benchmarks on synthetic national data (BENCH='--scale subdistrict --periods 10 --growth 1'; see docs/benchmarks.md)"

.tools/bin/uv:
	$(PYTHON) -m venv .tools && .tools/bin/pip install --quiet 'uv>=0.5'

# Bytecode compiled on install: this halves the import time of Airflow.
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	UV_PYTHON=$(PYTHON) $(UV) sync --frozen --compile-bytecode
	@touch $@

$(AIRFLOW_HOME)/.ready: $(VENV)/.synced
	@mkdir -p $(AIRFLOW_HOME)
	$(BIN)/airflow db migrate > $(AIRFLOW_HOME)/db-migrate.log 2>&1 || (cat $(AIRFLOW_HOME)/db-migrate.log; exit 1)
	$(BIN)/airflow pools set warehouse_writer 1 "One writer of warehouse files at a time" > /dev/null
	@touch $@

setup: $(VENV)/.synced $(AIRFLOW_HOME)/.ready

run: setup
	@LIVE="$(LIVE)" CONF='$(CONF)' PATH="$(CURDIR)/$(BIN):$$PATH" scripts/run_refresh.sh

# The pinned DuckDB CLI (duckdb-cli, dev group) on the published file, read-only.
sql: setup
	@test -f "$(SMARTCITY_DATA_DIR)/planning.duckdb" || { echo "No published warehouse yet: make run"; exit 1; }
	$(BIN)/duckdb -readonly "$(SMARTCITY_DATA_DIR)/planning.duckdb"

site: setup
	$(BIN)/python -m warehouse.outputs site

exports: setup
	$(BIN)/python -m warehouse.outputs exports

# Two workers, whole files each (a file's fixtures are built once): the slow tests are
# single-process runs of Airflow, dbt and PostgreSQL that leave a core idle.
test: setup
	$(BIN)/pytest -q -n 2 --dist loadfile

lint: setup
	$(BIN)/ruff check .
	$(BIN)/sqlfluff lint dbt_project/models

# Options of bench/run_all.py, e.g. BENCH='--scale tiny' for a quick run.
BENCH ?=
bench: setup
	$(BIN)/python -m bench.run_all $(BENCH)

# Many consecutive refreshes against the loopback mirror (devtools/soak.py; docs/operations.md).
SOAK ?= 20
SOAK_SEED ?= 16
soak: setup
	$(BIN)/python -m devtools.soak --count $(SOAK) --seed $(SOAK_SEED) --report $(AIRFLOW_HOME)/soak.json

clean:
	rm -rf $(AIRFLOW_HOME) data dbt_project/target dbt_project/logs
