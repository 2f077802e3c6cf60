"""The ``meta`` schema, the release id and the code version: defined once, for every target.

A table is a list of columns with a portable type; ``create_table`` renders it for
DuckDB or PostgreSQL. ``releases`` and ``release_sources`` are written by publish,
``dbt_run_results`` after the one ``dbt build``, ``quality_results`` by the gate. The
rows of ``release_sources`` come from ``raw.landing_manifests`` with ``RELEASE_SOURCES_SELECT``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from smartcity import settings
from warehouse.paths import run_key

SCHEMA = "meta"
DIALECTS = ("duckdb", "postgres")
# portable type -> (DuckDB, PostgreSQL)
TYPES = {
    "varchar": ("varchar", "varchar"),
    "boolean": ("boolean", "boolean"),
    "bigint": ("bigint", "bigint"),
    "double": ("double", "double precision"),
    "date": ("date", "date"),
    "timestamp": ("timestamp", "timestamp"),
    "timestamptz": ("timestamptz", "timestamptz"),
    "json": ("json", "jsonb"),
}


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    type: str
    not_null: bool = False
    primary_key: bool = False
    doc: str = ""


@dataclasses.dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    doc: str = ""

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


RELEASES = Table(
    "releases",
    (
        Column("release_id", "varchar", primary_key=True, doc="see release_id()"),
        Column("run_id", "varchar", doc="the run that built it"),
        Column("published_at", "timestamptz"),
        Column("code_version", "varchar", doc="see code_version()"),
        Column("sources", "json", doc="per source: vintages, slices, sha256, any_modelled"),
        Column("dbt", "json", doc="the dbt build's outcome"),
        Column("quality_gate", "json", doc="the gate's result"),
    ),
    "one row per release: the published one and its history",
)
RELEASE_SOURCES = Table(
    "release_sources",
    (
        Column("release_id", "varchar"),
        Column("source_id", "varchar"),
        Column("vintage", "varchar", doc="the landed period, YYYY-MM"),
        Column("slice_key", "varchar"),
        Column("sha256", "varchar"),
        Column("is_modelled", "boolean"),
        Column("population_scope", "varchar"),
        Column("url", "varchar"),
        Column("fetched_at", "timestamptz"),
        Column("licence", "varchar"),
    ),
    "sources and vintages of the release, one row per landed slice",
)
DBT_RUN_RESULTS = Table(
    "dbt_run_results",
    (
        Column("run_id", "varchar"),
        Column("unique_id", "varchar"),
        Column("status", "varchar"),
        Column("execution_time", "double"),
        Column("failures", "bigint"),
        Column("message", "varchar"),
    ),
    "dbt's run_results.json: one row per model, seed and test of the build",
)
# One row per check outcome. A check that passed has one row for the whole table
# (area_code and period null), or one per period for a mart validated period by period
# (``MartSpec.partition_by``). A row-level check that failed has one row per failing
# (area_code, period) slice, with the number of failing rows in that slice.
QUALITY_RESULTS = Table(
    "quality_results",
    (
        Column("run_id", "varchar", not_null=True, doc="the run that built the file"),
        Column("suite", "varchar", not_null=True, doc="the mart (GX suite name)"),
        Column("check_name", "varchar", not_null=True, doc="short name, unique within the suite"),
        Column(
            "expectation",
            "varchar",
            not_null=True,
            doc="GX expectation type, or the gate check's id",
        ),
        Column("columns", "varchar", doc="column(s) checked, comma-separated"),
        Column("severity", "varchar", not_null=True, doc="blocking | warning"),
        Column("success", "boolean", not_null=True),
        Column("element_count", "bigint", doc="rows (or slices) the check looked at"),
        Column("unexpected_count", "bigint", doc="failing rows in this row's scope"),
        Column("observed", "varchar", doc="observed value / what failed"),
        Column("area_code", "varchar", doc="the failing slice, null = whole table"),
        Column("period", "date", doc="month end of the failing slice"),
        Column("population_scope", "varchar", doc="of the failing slice, where the mart has one"),
        Column("checked_at", "timestamp", not_null=True, doc="UTC"),
        Column("engine", "varchar", doc="gx (the quality gate) | dbt (a dbt data test)"),
    ),
    "the gate's outcomes and the run's dbt data tests",
)
TABLES = (RELEASES, RELEASE_SOURCES, DBT_RUN_RESULTS, QUALITY_RESULTS)

# The rows of release_sources, from the build's landing manifests ({raw}: its raw schema).
RELEASE_SOURCES_SELECT = (
    "select {release_id} as release_id, source_id, period as vintage, slice_key, sha256, "
    "is_modelled, population_scope, url, fetched_at, licence "
    "from {raw}.landing_manifests where status = 'downloaded'"
)
# The dbt data tests of a run ({meta}: its meta schema, {p}: the driver's placeholder).
DBT_TESTS_OF_RUN_SQL = (
    "select unique_id, status, failures, message from {meta}.dbt_run_results "
    "where run_id = {p} and unique_id like 'test.%' order by unique_id"
)
# The published release's fingerprint (warehouse.changes), in the published meta schema.
PUBLISHED_SLICES_SQL = "select source_id, vintage, slice_key, sha256 from meta.release_sources"
LATEST_RELEASE_SQL = (
    "select release_id, run_id, published_at, code_version from meta.releases "
    "order by published_at desc limit 1"
)


def quote(identifier: str) -> str:
    """A quoted SQL identifier (the same rule in DuckDB and PostgreSQL)."""
    return '"' + identifier.replace('"', '""') + '"'


def sql_type(type_name: str, dialect: str) -> str:
    return TYPES[type_name][DIALECTS.index(dialect)]


def create_table(table: Table, dialect: str, *, schema: str = SCHEMA, replace: bool = False) -> str:
    """``create table`` for ``table`` in ``schema`` (``if not exists`` unless ``replace``,
    which drops it first on PostgreSQL and uses ``create or replace`` on DuckDB)."""
    columns = ", ".join(
        f"{quote(c.name)} {sql_type(c.type, dialect)}"
        + (" primary key" if c.primary_key else "")
        + (" not null" if c.not_null else "")
        for c in table.columns
    )
    name = f"{quote(schema)}.{quote(table.name)}"
    if not replace:
        return f"create table if not exists {name} ({columns})"
    if dialect == "duckdb":
        return f"create or replace table {name} ({columns})"
    return f"drop table if exists {name}; create table {name} ({columns})"


def insert_values(table: Table, *, schema: str = SCHEMA, placeholder: str = "?") -> str:
    """``insert into schema.table values (...)`` with one placeholder a column."""
    marks = ", ".join([placeholder] * len(table.columns))
    return f"insert into {quote(schema)}.{quote(table.name)} values ({marks})"


# --- releases --------------------------------------------------------------------------


def release_id(published_at: dt.datetime, run_id: str) -> str:
    """``<UTC time>-<run key>``: sorts by time, names the run, safe in a file name."""
    return f"{published_at:%Y%m%dT%H%M%SZ}-{run_key(run_id)[-40:]}"


def new_release(
    run_id: str, sources: dict[str, Any], dbt: dict[str, Any], quality_gate: dict[str, Any]
) -> dict[str, Any]:
    """The release record of a build published now (a row of ``meta.releases``)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return {
        "release_id": release_id(now, run_id),
        "run_id": run_id,
        "published_at": now,
        "code_version": code_version(),
        "sources": sources,
        "dbt": dbt,
        "quality_gate": quality_gate,
    }


def release_row(release: dict[str, Any]) -> list[Any]:
    """The values of ``release`` in the column order of ``meta.releases``, JSON as text."""
    return [
        json.dumps(release[c.name]) if c.type == "json" else release[c.name]
        for c in RELEASES.columns
    ]


def summarise_sources(rows: list[tuple]) -> dict[str, Any]:
    """Per source: vintages, slices, sha256 over the slices' hashes, any modelled, from
    rows ``(source_id, vintages, slices, sha256, any_modelled)``."""
    return {
        sid: {"vintages": list(periods), "slices": n, "sha256": digest, "any_modelled": modelled}
        for sid, periods, n, digest, modelled in rows
    }


# --- code version ----------------------------------------------------------------------

CODE_PACKAGES = ("smartcity", "extract", "warehouse", "expectations")
DBT_CODE_DIRS = ("models", "seeds", "macros", "tests")
CODE_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".csv"}


def _package_dir(name: str) -> Path:
    module = __import__(name)
    return Path(module.__file__).resolve().parent


def _hash_tree(digest: Any, root: Path, label: str) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts:
            digest.update(f"{label}/{path.relative_to(root).as_posix()}".encode())
            digest.update(path.read_bytes())


@functools.cache
def code_version() -> str:
    """Package version, git commit when known, and a hash of the code that shapes the marts.

    The hash covers the installed packages (found through their ``__file__``) and the dbt
    project where ``settings.dbt_project_dir()`` says, so it is the same whether the code
    runs from a checkout or from a non-editable install. It changes with any edit,
    committed or not, so a release built by other code is never mistaken for a current one.
    """
    try:
        package = version("smartcity-warehouse")
    except PackageNotFoundError:
        package = "0+unknown"
    digest = hashlib.sha256()
    for name in CODE_PACKAGES:
        _hash_tree(digest, _package_dir(name), name)
    project = settings.dbt_project_dir()
    project_file = project / "dbt_project.yml"
    if not project_file.is_file():
        raise FileNotFoundError(f"no dbt project at {project} (set {settings.DBT_PROJECT_DIR})")
    for directory in DBT_CODE_DIRS:
        _hash_tree(digest, project / directory, f"dbt_project/{directory}")
    digest.update(project_file.read_bytes())
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=_package_dir("warehouse"),
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = "nogit"
    return f"{package}+g{commit or 'nogit'}.tree{digest.hexdigest()[:12]}"
