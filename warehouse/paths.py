"""Where things live: the data directory layout and the dbt project."""

from __future__ import annotations

import os
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PUBLISHED_NAME = "planning.duckdb"
WAREHOUSE_ENV = "SMARTCITY_WAREHOUSE"
WAREHOUSE_TARGETS = ("duckdb", "postgres")  # the first is the default
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"
# DuckDB 1.4 is DuckDB's long-term-support line: the oldest reader a release must open.
DEFAULT_DUCKDB_STORAGE_VERSION = "v1.4.0"


def data_dir() -> Path:
    return Path(os.environ.get("SMARTCITY_DATA_DIR") or REPO_ROOT / "data").resolve()


def warehouse_target() -> str:
    """Where a run builds and publishes: ``duckdb`` (files under the data directory, the
    default) or ``postgres`` (a PostgreSQL database, see ``warehouse.postgres_target``)."""
    value = (os.environ.get(WAREHOUSE_ENV) or WAREHOUSE_TARGETS[0]).strip().lower()
    if value not in WAREHOUSE_TARGETS:
        raise ValueError(
            f"{WAREHOUSE_ENV}={value!r}: expected one of {', '.join(WAREHOUSE_TARGETS)}"
        )
    return value


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit for the pipeline's writers (``load``, ``dbt build``). DuckDB
    spills to temporary files beyond it; its own default (80% of RAM) is not for a worker
    shared with other tasks."""
    return os.environ.get("SMARTCITY_DUCKDB_MEMORY_LIMIT") or DEFAULT_DUCKDB_MEMORY_LIMIT


def duckdb_storage_version() -> str:
    """Storage format of the build file, hence of every release (``SMARTCITY_DUCKDB_STORAGE_VERSION``,
    default ``v1.4.0``): DuckDB writes a file readable by that version and later ones. The
    build file is created in it by the load step; dbt, the gate and publish reopen the
    file, which keeps the format it was created with."""
    return os.environ.get("SMARTCITY_DUCKDB_STORAGE_VERSION") or DEFAULT_DUCKDB_STORAGE_VERSION


OUTPUTS = ("exports", "site", "dbt_docs")


def outputs() -> tuple[str, ...]:
    """Outputs written after a release is published (``SMARTCITY_OUTPUTS``, a comma-separated
    subset of ``exports,site,dbt_docs``, default all; ``none`` for none)."""
    value = os.environ.get("SMARTCITY_OUTPUTS")
    if value is None or not value.strip():
        return OUTPUTS
    chosen = tuple(v.strip() for v in value.split(",") if v.strip() and v.strip() != "none")
    unknown = set(chosen) - set(OUTPUTS)
    if unknown:
        raise ValueError(f"SMARTCITY_OUTPUTS: unknown {sorted(unknown)}; expected {OUTPUTS} or none")
    return chosen


def dbt_project_dir() -> Path:
    return Path(os.environ.get("SMARTCITY_DBT_PROJECT_DIR") or REPO_ROOT / "dbt_project").resolve()


def published_path(root: Path | None = None) -> Path:
    return (root or data_dir()) / PUBLISHED_NAME


def releases_dir(root: Path | None = None) -> Path:
    return (root or data_dir()) / "releases"


def run_key(run_id: str) -> str:
    """A file-name-safe key for an Airflow run id (which holds ':' and '+')."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).strip("_")[:120] or "run"


def build_path(run_id: str, root: Path | None = None) -> Path:
    return (root or data_dir()) / "build" / f"{run_key(run_id)}.duckdb"
