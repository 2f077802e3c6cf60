"""Every setting the product code reads from the environment, with its default.

Product modules read configuration only through this module. Each function reads the
environment when it is called (never at import), so a test that changes a variable sees
the change at once. Every function takes an optional ``env`` mapping instead of
``os.environ``. An empty variable counts as unset.

Paths: ``project_dir()`` is the folder holding the packages when they run from a source
checkout; the defaults of ``data_dir()`` and ``dbt_project_dir()`` are inside it. After a
non-editable install (the container image) the project folder is ``site-packages``, so a
deployment sets ``SMARTCITY_DATA_DIR`` and ``SMARTCITY_DBT_PROJECT_DIR``.

Variables named by the catalogue (``extract/sources.yml``: one ``*_BASE_URL`` per
publisher and the portal key variables) are read through ``publisher_base_url`` and
``publisher_api_key``. ``SMARTCITY_BUILD_PATH`` is read by the dbt profile only
(``dbt_project/profiles.yml``), for people who run dbt by hand; the pipeline hands dbt
the build path in a profile of its own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

# --- names and defaults ----------------------------------------------------------------

DATA_DIR = "SMARTCITY_DATA_DIR"
DBT_PROJECT_DIR = "SMARTCITY_DBT_PROJECT_DIR"
BUILD_PATH = "SMARTCITY_BUILD_PATH"  # read by the dbt profile only
WAREHOUSE = "SMARTCITY_WAREHOUSE"
WAREHOUSE_TARGETS = ("duckdb", "postgres")  # the first is the default
DUCKDB_MEMORY_LIMIT = "SMARTCITY_DUCKDB_MEMORY_LIMIT"
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"
KEEP_RELEASES = "SMARTCITY_KEEP_RELEASES"
DEFAULT_KEEP_RELEASES = 5
DUCKDB_STORAGE_VERSION = "SMARTCITY_DUCKDB_STORAGE_VERSION"
# DuckDB 1.4 is DuckDB's long-term-support line: the oldest reader a release must open.
DEFAULT_DUCKDB_STORAGE_VERSION = "v1.4.0"
OUTPUTS = "SMARTCITY_OUTPUTS"
OUTPUT_KINDS = ("exports", "site", "dbt_docs")  # the default: all
PROGRESS_INTERVAL = "SMARTCITY_PROGRESS_INTERVAL"
DEFAULT_PROGRESS_INTERVAL_S = 5.0

HTTP_RETRIES = "SMARTCITY_HTTP_RETRIES"
DEFAULT_HTTP_RETRIES = 4
HTTP_BACKOFF = "SMARTCITY_HTTP_BACKOFF"
DEFAULT_HTTP_BACKOFF = 1.0
HTTP_CONNECT_TIMEOUT = "SMARTCITY_HTTP_CONNECT_TIMEOUT"
DEFAULT_HTTP_CONNECT_TIMEOUT = 10.0
HTTP_READ_TIMEOUT = "SMARTCITY_HTTP_READ_TIMEOUT"
DEFAULT_HTTP_READ_TIMEOUT = 60.0
HTTP_CONCURRENCY = "SMARTCITY_HTTP_CONCURRENCY"
DEFAULT_HTTP_CONCURRENCY = 4
CA_BUNDLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")  # requests' own variables

PG_DSN = "SMARTCITY_PG_DSN"
# connection field -> variable (also what the dbt profile's `postgres` target reads)
PG_FIELDS = {
    "host": "SMARTCITY_PG_HOST",
    "port": "SMARTCITY_PG_PORT",
    "dbname": "SMARTCITY_PG_DATABASE",
    "user": "SMARTCITY_PG_USER",
    "password": "SMARTCITY_PG_PASSWORD",
    "sslmode": "SMARTCITY_PG_SSLMODE",
}
PG_DEFAULTS = {
    "host": "localhost",
    "port": "5432",
    "dbname": "planning",
    "user": "smartcity_pipeline",
    "password": "",
    "sslmode": "prefer",
}
PG_READER_ROLE = "SMARTCITY_PG_READER_ROLE"
DEFAULT_PG_READER_ROLE = "planning_reader"
PG_READER_PASSWORD = "SMARTCITY_PG_READER_PASSWORD"
PG_ADMIN_DSN = "SMARTCITY_PG_ADMIN_DSN"
PG_SWAP_TIMEOUT = "SMARTCITY_PG_SWAP_TIMEOUT"
DEFAULT_PG_SWAP_TIMEOUT_S = 600.0

ALERT_EMAIL = "SMARTCITY_ALERT_EMAIL"
ALERT_SLACK_CONN = "SMARTCITY_ALERT_SLACK_CONN"

MODELLED_BODIES = "SMARTCITY_MODELLED_BODIES"
PLAN_TARGETS = "SMARTCITY_PLAN_TARGETS"
DEFAULT_PLAN_TARGETS_NAME = "plan_targets.yml"  # in the data directory
SUBDISTRICTS_PATH = "SMARTCITY_SUBDISTRICTS_PATH"
TARGET_AREAS = "SMARTCITY_TARGET_AREAS"


def _get(name: str, env: Mapping[str, str] | None) -> str | None:
    value = (os.environ if env is None else env).get(name)
    return value if value not in (None, "") else None


def _number(name: str, default: float, kind: type, env: Mapping[str, str] | None):
    value = _get(name, env)
    if value is None:
        return kind(default)
    try:
        return kind(value)
    except ValueError as exc:
        raise ValueError(f"{name}={value!r} is not a {kind.__name__}") from exc


# --- paths -----------------------------------------------------------------------------


def project_dir() -> Path:
    """The folder that holds the packages (the checkout when run from source)."""
    return Path(__file__).resolve().parents[1]


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """``SMARTCITY_DATA_DIR``: landed slices, builds, releases, Data Docs and the
    published ``planning.duckdb``. Default ``data/`` in the project folder."""
    return Path(_get(DATA_DIR, env) or project_dir() / "data").resolve()


def dbt_project_dir(env: Mapping[str, str] | None = None) -> Path:
    """``SMARTCITY_DBT_PROJECT_DIR``: the dbt project (models, seeds, ``profiles.yml``).
    Default ``dbt_project/`` in the project folder; set it after a non-editable install."""
    return Path(_get(DBT_PROJECT_DIR, env) or project_dir() / "dbt_project").resolve()


# --- the warehouse ---------------------------------------------------------------------


def warehouse_target(env: Mapping[str, str] | None = None) -> str:
    """``SMARTCITY_WAREHOUSE``: where a run builds and publishes: ``duckdb`` (files under
    the data directory, the default) or ``postgres`` (a PostgreSQL database)."""
    value = (_get(WAREHOUSE, env) or WAREHOUSE_TARGETS[0]).strip().lower()
    if value not in WAREHOUSE_TARGETS:
        raise ValueError(f"{WAREHOUSE}={value!r}: expected one of {', '.join(WAREHOUSE_TARGETS)}")
    return value


def duckdb_memory_limit(env: Mapping[str, str] | None = None) -> str:
    """``SMARTCITY_DUCKDB_MEMORY_LIMIT`` (default ``2GB``): DuckDB's memory limit for the
    pipeline's writers (load, ``dbt build``). DuckDB spills to temporary files beyond it;
    its own default (80% of RAM) is not for a worker shared with other tasks."""
    return _get(DUCKDB_MEMORY_LIMIT, env) or DEFAULT_DUCKDB_MEMORY_LIMIT


def duckdb_storage_version(env: Mapping[str, str] | None = None) -> str:
    """``SMARTCITY_DUCKDB_STORAGE_VERSION`` (default ``v1.4.0``): the DuckDB storage format
    of the build file, hence of every release; DuckDB writes a file that this version and
    later ones read. The load step creates the build file in it; dbt, the gate and publish
    reopen the file, which keeps the format it was created with."""
    return _get(DUCKDB_STORAGE_VERSION, env) or DEFAULT_DUCKDB_STORAGE_VERSION


def outputs(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """``SMARTCITY_OUTPUTS`` (default ``exports,site,dbt_docs``; ``none`` for none): what
    publish writes for planners after a DuckDB release is swapped in (``warehouse.outputs``)."""
    value = _get(OUTPUTS, env)
    if value is None:
        return OUTPUT_KINDS
    chosen = tuple(v.strip() for v in value.split(",") if v.strip() and v.strip() != "none")
    unknown = set(chosen) - set(OUTPUT_KINDS)
    if unknown:
        raise ValueError(f"{OUTPUTS}: unknown {sorted(unknown)}; expected {OUTPUT_KINDS} or none")
    return chosen


def progress_interval(env: Mapping[str, str] | None = None) -> float:
    """``SMARTCITY_PROGRESS_INTERVAL`` (default 5): seconds between progress lines of a
    stage in the task logs (``warehouse.progress``)."""
    return _number(PROGRESS_INTERVAL, DEFAULT_PROGRESS_INTERVAL_S, float, env)


def keep_releases(env: Mapping[str, str] | None = None) -> int:
    """``SMARTCITY_KEEP_RELEASES`` (default 5): DuckDB release files kept in ``releases/``."""
    return _number(KEEP_RELEASES, DEFAULT_KEEP_RELEASES, int, env)


# --- HTTP ------------------------------------------------------------------------------


def http_retries(env: Mapping[str, str] | None = None) -> int:
    """``SMARTCITY_HTTP_RETRIES`` (default 4): retries of a request (connection errors,
    read errors, 429 and 5xx), with exponential backoff."""
    return _number(HTTP_RETRIES, DEFAULT_HTTP_RETRIES, int, env)


def http_backoff(env: Mapping[str, str] | None = None) -> float:
    """``SMARTCITY_HTTP_BACKOFF`` (default 1.0): urllib3's backoff factor, in seconds."""
    return _number(HTTP_BACKOFF, DEFAULT_HTTP_BACKOFF, float, env)


def http_connect_timeout(env: Mapping[str, str] | None = None) -> float:
    """``SMARTCITY_HTTP_CONNECT_TIMEOUT`` (default 10): seconds to connect to a publisher."""
    return _number(HTTP_CONNECT_TIMEOUT, DEFAULT_HTTP_CONNECT_TIMEOUT, float, env)


def http_read_timeout(env: Mapping[str, str] | None = None) -> float:
    """``SMARTCITY_HTTP_READ_TIMEOUT`` (default 60): seconds between bytes of an answer."""
    return _number(HTTP_READ_TIMEOUT, DEFAULT_HTTP_READ_TIMEOUT, float, env)


def http_concurrency(env: Mapping[str, str] | None = None) -> int:
    """``SMARTCITY_HTTP_CONCURRENCY`` (default 4): requests an extract task has in flight."""
    return _number(HTTP_CONCURRENCY, DEFAULT_HTTP_CONCURRENCY, int, env)


def modelled_bodies(env: Mapping[str, str] | None = None) -> Path | None:
    """``SMARTCITY_MODELLED_BODIES`` (default none): a provenance-labels file listing the
    sha256 of bodies known to be modelled rather than published (JSON, see
    ``extract.landing``). Unset in production: every landed body counts as published."""
    value = _get(MODELLED_BODIES, env)
    return Path(value.strip()) if value and value.strip() else None


def plan_targets_file(env: Mapping[str, str] | None = None) -> Path | None:
    """``SMARTCITY_PLAN_TARGETS`` (default none): the plan targets file (YAML, see
    ``warehouse.plan_targets``); unset, ``plan_targets.yml`` in the data directory is
    used when it exists (absent: no local targets)."""
    value = _get(PLAN_TARGETS, env)
    return Path(value.strip()).expanduser() if value and value.strip() else None


def subdistricts_path(env: Mapping[str, str] | None = None) -> Path:
    """``SMARTCITY_SUBDISTRICTS_PATH`` (default the project's sub-district seed
    ``dbt_project/seeds/ref_subdistricts.csv``): the sub-district reference table
    (``area_code,district_code,name_th``) the names of DOPA's single-age files are mapped
    through; a missing file maps no sub-district."""
    value = _get(SUBDISTRICTS_PATH, env)
    if value and value.strip():
        return Path(value.strip())
    return project_dir() / "dbt_project" / "seeds" / "ref_subdistricts.csv"


def target_areas_path(env: Mapping[str, str] | None = None) -> Path:
    """The smart-city target-area file (``SMARTCITY_TARGET_AREAS``); default the shipped
    ``extract/reference/target_areas.yml`` (docs/target_areas.md)."""
    value = _get(TARGET_AREAS, env)
    return Path(value) if value else project_dir() / "extract" / "reference" / "target_areas.yml"


def ca_bundle(env: Mapping[str, str] | None = None) -> str | None:
    """``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE`` (requests' own variables): the CA
    certificates to verify publishers with; None for requests' default."""
    for name in CA_BUNDLES:
        if value := _get(name, env):
            return value
    return None


def publisher_base_url(variable: str, default: str, env: Mapping[str, str] | None = None) -> str:
    """A publisher's base URL from the variable the catalogue names (``DOPA_BASE_URL``,
    ...), without a trailing slash; the catalogue's default when unset."""
    return (_get(variable, env) or default).rstrip("/")


def publisher_api_key(variable: str, env: Mapping[str, str] | None = None) -> str | None:
    """A portal API key from the variable the catalogue names (``DATAGOTH_API_KEY``)."""
    return _get(variable, env)


# --- PostgreSQL ------------------------------------------------------------------------


def pg_dsn(env: Mapping[str, str] | None = None) -> str | None:
    """``SMARTCITY_PG_DSN``: a libpq connection string or ``postgresql://`` URL for the
    pipeline role. The ``SMARTCITY_PG_*`` fields below override it field by field."""
    value = _get(PG_DSN, env)
    return value.strip() or None if value else None


def pg_fields(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The connection fields set one by one (only those set): ``SMARTCITY_PG_HOST``
    (default ``localhost``), ``SMARTCITY_PG_PORT`` (5432), ``SMARTCITY_PG_DATABASE``
    (``planning``), ``SMARTCITY_PG_USER`` (``smartcity_pipeline``),
    ``SMARTCITY_PG_PASSWORD`` (none: libpq's ``PGPASSFILE`` / ``~/.pgpass`` then apply),
    ``SMARTCITY_PG_SSLMODE`` (``prefer``). Defaults in ``PG_DEFAULTS``."""
    return {
        field: value
        for field, variable in PG_FIELDS.items()
        if (value := _get(variable, env)) is not None
    }


def pg_reader_role(env: Mapping[str, str] | None = None) -> str:
    """``SMARTCITY_PG_READER_ROLE`` (default ``planning_reader``): the read-only role each
    publish grants the published ``marts`` and ``meta`` schemas to."""
    return _get(PG_READER_ROLE, env) or DEFAULT_PG_READER_ROLE


def pg_reader_password(env: Mapping[str, str] | None = None) -> str | None:
    """``SMARTCITY_PG_READER_PASSWORD``: the reader's password, set by the roles command."""
    return _get(PG_READER_PASSWORD, env)


def pg_admin_dsn(env: Mapping[str, str] | None = None) -> str | None:
    """``SMARTCITY_PG_ADMIN_DSN``: an administrator's connection, for the roles command only."""
    return _get(PG_ADMIN_DSN, env)


def pg_swap_timeout(env: Mapping[str, str] | None = None) -> float:
    """``SMARTCITY_PG_SWAP_TIMEOUT`` (default 600): seconds publish waits for readers of
    the old release before it gives up."""
    return _number(PG_SWAP_TIMEOUT, DEFAULT_PG_SWAP_TIMEOUT_S, float, env)


# --- alerts ----------------------------------------------------------------------------


def alert_email(env: Mapping[str, str] | None = None) -> list[str]:
    """``SMARTCITY_ALERT_EMAIL``: comma-separated alert recipients (SMTP provider, the
    ``smtp_default`` connection); none by default."""
    value = _get(ALERT_EMAIL, env)
    return [r.strip() for r in value.split(",") if r.strip()] if value else []


def alert_slack_conn(env: Mapping[str, str] | None = None) -> str | None:
    """``SMARTCITY_ALERT_SLACK_CONN``: an Airflow connection id for Slack's webhook
    notifier; none by default."""
    return _get(ALERT_SLACK_CONN, env)
