"""The quality gate's reads and writes on the PostgreSQL target, and dbt's run results.

The same gate as on DuckDB (``expectations.gate.validate_marts``: GX suites on pandas
frames, the cross-mart and cross-release checks, Data Docs) reads the marts of the build
schemas and the previous release from the published ``marts`` schema, and writes its
outcomes to ``meta__build_<key>.quality_results``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import psycopg
import pyarrow as pa
from psycopg import sql

from expectations.readers import Partition
from expectations.results import (
    RESULTS_SCHEMA,
    CheckOutcome,
    dbt_outcomes_of_run,
    quality_results_table,
)
from warehouse import meta
from warehouse.targets import GateIO
from warehouse.targets.postgres.connection import PostgresSettings, build_schema, schema_exists

# PostgreSQL type name -> Arrow type of the frame column (then DuckDB's pandas dtypes)
_ARROW_TYPES = {
    "bool": pa.bool_(),
    "int2": pa.int16(),
    "int4": pa.int32(),
    "int8": pa.int64(),
    "float4": pa.float32(),
    "float8": pa.float64(),
    "numeric": pa.float64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "timestamptz": pa.timestamp("us", tz="UTC"),
}


class PostgresMartReader:
    """Reads tables through an open connection; ``schemas`` maps a schema name to the one
    actually read (``{"marts": "marts__build_<key>"}`` for a build)."""

    def __init__(self, conn: psycopg.Connection, schemas: Mapping[str, str] | None = None) -> None:
        self.conn = conn
        self.schemas = dict(schemas or {})

    def _schema(self, schema: str) -> str:
        return self.schemas.get(schema, schema)

    def columns(self, schema: str, table: str) -> set[str]:
        rows = self.conn.execute(
            """
            select a.attname
            from pg_attribute a
            join pg_class c on c.oid = a.attrelid
            join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = %s and c.relname = %s and a.attnum > 0 and not a.attisdropped
            """,
            [self._schema(schema), table],
        ).fetchall()
        return {row[0] for row in rows}

    def distinct(self, schema: str, table: str, column: str) -> list[Any]:
        query = sql.SQL("select distinct {col} from {table} order by 1 nulls last")
        rows = self.conn.execute(
            query.format(
                col=sql.Identifier(column), table=sql.Identifier(self._schema(schema), table)
            )
        ).fetchall()
        return [row[0] for row in rows]

    def frame(
        self, schema: str, table: str, columns: Sequence[str], where: Partition | None = None
    ) -> pd.DataFrame:
        query = sql.SQL("select {} from {}").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in columns),
            sql.Identifier(self._schema(schema), table),
        )
        params: list[Any] = []
        if where is not None and where[1] is None:
            query += sql.SQL(" where {} is null").format(sql.Identifier(where[0]))
        elif where is not None:
            query += sql.SQL(" where {} = %s").format(sql.Identifier(where[0]))
            params.append(where[1])
        with self.conn.cursor() as cur:
            cur.execute(query, params)
            rows = cur.fetchall()
            types = [self._type_name(d.type_code) for d in cur.description]
        return frame_from_rows(list(columns), types, rows)

    def _type_name(self, oid: int) -> str:
        info = self.conn.adapters.types.get(oid)
        return info.name if info else "unknown"


def _arrow_column(values: list[Any], type_name: str) -> pa.Array:
    arrow_type = _ARROW_TYPES.get(type_name)
    if arrow_type is None:  # text, varchar, json, ...: as text
        return pa.array(
            [
                None if v is None else v if isinstance(v, str) else json.dumps(v, default=str)
                for v in values
            ],
            type=pa.string(),
        )
    if type_name == "numeric":
        values = [None if v is None else float(v) for v in values]
    return pa.array(values, type=arrow_type)


def frame_from_rows(columns: list[str], types: list[str], rows: list[tuple]) -> pd.DataFrame:
    """A frame with the dtypes DuckDB's ``.df()`` gives the same columns, so the suites
    and checks see identical frames on both targets."""
    table = pa.table(
        {
            name: _arrow_column([row[i] for row in rows], type_name)
            for i, (name, type_name) in enumerate(zip(columns, types, strict=True))
        }
    )
    with duckdb.connect() as con:
        return con.from_arrow(table).df()


# --- meta.quality_results and meta.dbt_run_results ----------------------------------


def write_quality_results(
    conn: psycopg.Connection,
    meta_schema: str,
    *,
    run_id: str,
    checked_at: dt.datetime,
    outcomes: Sequence[CheckOutcome],
    dbt_dir: Path | None = None,
) -> int:
    """Replace the rows of ``run_id`` in ``<meta_schema>.quality_results`` (the gate's
    outcomes and the run's dbt data tests) and commit."""
    target = sql.Identifier(meta_schema, meta.QUALITY_RESULTS.name)
    conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(meta_schema)))
    conn.execute(meta.create_table(meta.DBT_RUN_RESULTS, "postgres", schema=meta_schema))
    dbt_rows = conn.execute(
        meta.DBT_TESTS_OF_RUN_SQL.format(meta=meta.quote(meta_schema), p="%s"), [run_id]
    ).fetchall()
    outcomes = [*outcomes, *dbt_outcomes_of_run(dbt_rows, dbt_dir)]
    table = quality_results_table(run_id=run_id, checked_at=checked_at, outcomes=outcomes)
    conn.execute(meta.create_table(meta.QUALITY_RESULTS, "postgres", schema=meta_schema))
    conn.execute(sql.SQL("delete from {} where run_id = %s").format(target), [run_id])
    names = sql.SQL(", ").join(sql.Identifier(name) for name in RESULTS_SCHEMA.names)
    with conn.cursor() as cur:
        with cur.copy(sql.SQL("copy {} ({}) from stdin").format(target, names)) as copy:
            for row in table.to_pylist():
                copy.write_row([row[name] for name in RESULTS_SCHEMA.names])
    conn.commit()
    return table.num_rows


def record_run_results(
    settings: PostgresSettings, key: str, run_results: dict, run_id: str
) -> None:
    """dbt's results into ``meta__build_<key>.dbt_run_results``."""
    from warehouse.dbt_build import run_results_rows

    schema = build_schema("meta", key)
    with settings.connect() as conn:
        conn.execute(meta.create_table(meta.DBT_RUN_RESULTS, "postgres", schema=schema))
        table = sql.Identifier(schema, meta.DBT_RUN_RESULTS.name)
        conn.execute(sql.SQL("delete from {} where run_id = %s").format(table), [run_id])
        rows = run_results_rows(run_results, run_id)
        if rows:
            with conn.cursor() as cur:
                cur.executemany(
                    meta.insert_values(meta.DBT_RUN_RESULTS, schema=schema, placeholder="%s"),
                    rows,
                )
        conn.commit()


def gate_io(conn: psycopg.Connection, key: str, dbt_dir: Path | None = None) -> GateIO:
    """The gate's readers of build ``key`` and of the published release (None when
    nothing is published), and the writer of the build's quality results."""
    marts = PostgresMartReader(conn, {name: build_schema(name, key) for name in ("marts", "meta")})
    previous = PostgresMartReader(conn) if schema_exists(conn, "marts") else None

    def write(run_id: str, checked_at: dt.datetime, outcomes: Sequence[CheckOutcome]) -> int:
        return write_quality_results(
            conn,
            build_schema("meta", key),
            run_id=run_id,
            checked_at=checked_at,
            outcomes=outcomes,
            dbt_dir=dbt_dir,
        )

    return GateIO(marts=marts, previous=previous, write_results=write)
