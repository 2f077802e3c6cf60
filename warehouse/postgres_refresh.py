"""The refresh steps on the PostgreSQL target (``SMARTCITY_WAREHOUSE=postgres``).

``warehouse.refresh`` hands over to these functions when the target is PostgreSQL; they
take and return the same plain dicts, so the DAG is the same for both targets:

- ``load``: the DuckDB load has read the landed Parquet into a build file; its ``raw``
  and ``meta`` schemas are copied into the run's build schemas and the file is deleted.
- ``build``: one ``dbt build --target postgres`` into the run's build schemas.
- ``gate``: the Great Expectations gate on the build's marts.
- ``publish``: the release rows, then the swap of schemas in one transaction.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any

from warehouse import paths
from warehouse.postgres_target import PostgresSettings, build_key, build_suffix

log = logging.getLogger(__name__)
TARGET = "postgres"


def load(info: dict[str, Any]) -> dict[str, Any]:
    """Copy the loaded build file into PostgreSQL; ``info`` is what the DuckDB load returned."""
    from warehouse.postgres_load import load_build_file

    settings = PostgresSettings.from_env()
    build_file = Path(info["build_path"])
    key = build_key(info["run_id"])
    counts = load_build_file(build_file, settings, info["run_id"])
    for leftover in (build_file, build_file.with_suffix(".duckdb.wal")):
        leftover.unlink(missing_ok=True)  # a staging copy only: the build lives in PostgreSQL
    return {
        **info,
        "warehouse": TARGET,
        "build_path": None,
        "build_key": key,
        "build_schemas": f"*{build_suffix(key)}",
        "dbt_dir": str(build_file.with_suffix(".dbt")),
        "postgres": settings.describe(),
        "copied_rows": counts,
    }


def _record_run_results(
    settings: PostgresSettings, key: str, run_results: dict, run_id: str
) -> None:
    from psycopg import sql

    from warehouse.dbt_build import run_results_rows
    from warehouse.postgres_target import build_schema

    table = sql.Identifier(build_schema("meta", key), "dbt_run_results")
    with settings.connect() as conn:
        conn.execute(
            sql.SQL(
                """
                create table if not exists {} (
                    run_id varchar, unique_id varchar, status varchar,
                    execution_time double precision, failures bigint, message varchar)
                """
            ).format(table)
        )
        conn.execute(sql.SQL("delete from {} where run_id = %s").format(table), [run_id])
        rows = run_results_rows(run_results, run_id)
        if rows:
            with conn.cursor() as cur:
                cur.executemany(
                    sql.SQL("insert into {} values (%s, %s, %s, %s, %s, %s)").format(table), rows
                )
        conn.commit()


def build(info: dict[str, Any]) -> dict[str, Any]:
    from warehouse.dbt_build import check_outcome, invoke_dbt_build

    settings = PostgresSettings.from_env()
    os.environ.update(settings.dbt_env())  # the dbt profile's `postgres` target reads these
    key = info["build_key"]
    run_results, result = invoke_dbt_build(
        target=TARGET,
        target_dir=Path(info["dbt_dir"]),
        dbt_vars={"build_schema_suffix": build_suffix(key)},
    )
    _record_run_results(settings, key, run_results, info["run_id"])
    return {**info, "dbt": check_outcome(run_results, result).as_dict()}


def gate(info: dict[str, Any], data_dir: Path | None = None) -> dict[str, Any]:
    from warehouse.postgres_gate import run_gate

    root = data_dir or paths.data_dir()
    result = run_gate(
        PostgresSettings.from_env(),
        info["build_key"],
        run_id=info["run_id"],
        requested=[tuple(p) for p in info["requested"]],
        no_data=[tuple(p) for p in info["no_data"]],
        docs_dir=root / "docs",
    )
    return {**info, "quality_gate": result.as_dict()}


def publish(info: dict[str, Any], data_dir: Path | None = None) -> dict[str, Any]:
    from warehouse.postgres_publish import publish as publish_release

    release = publish_release(
        PostgresSettings.from_env(),
        info["build_key"],
        run_id=info["run_id"],
        dbt=info["dbt"],
        quality_gate=info["quality_gate"],
    )
    shutil.rmtree(info["dbt_dir"], ignore_errors=True)
    return {k: release[k] for k in ("release_id", "run_id", "published_at", "path", "sources")}
