"""Load on the PostgreSQL target: the raw tables into a fresh set of build schemas.

The landed Parquet is read by the same code as on the DuckDB target
(``warehouse.targets.duckdb.load.load_raw`` builds a DuckDB file with the ``raw`` and ``meta``
schemas), and every table and view of that file is then copied into PostgreSQL with
``COPY ... FROM STDIN``: ``raw`` to ``raw__build_<key>``, ``meta`` to
``meta__build_<key>``. So both targets start dbt from identical raw tables, and nothing
needs a DuckDB extension (the DuckDB file is only read).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg
from psycopg import sql

from warehouse.targets.postgres.connection import (
    PostgresSettings,
    build_key,
    build_schema,
    drop_leftover_builds,
)

log = logging.getLogger(__name__)

BATCH_ROWS = 20_000
# DuckDB schemas that are never copied
SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "main"}
_SIMPLE_TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric(39,0)",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20,0)",
    "UHUGEINT": "numeric(39,0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "VARCHAR": "varchar",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "BLOB": "bytea",
    "UUID": "uuid",
    "JSON": "jsonb",
}
_DECIMAL = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")


def postgres_type(duckdb_type: str) -> tuple[str, bool]:
    """The PostgreSQL column type for a DuckDB type, and whether values go as JSON text.

    Lists, structs, maps and unions become ``jsonb`` (DuckDB's ``to_json``); enums text.
    """
    upper = duckdb_type.upper()
    if upper in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[upper], upper == "JSON"
    if match := _DECIMAL.match(upper):
        return f"numeric({match.group(1)},{match.group(2)})", False
    if upper.startswith("ENUM("):
        return "varchar", False
    if upper.endswith("]") or upper.startswith(("STRUCT(", "MAP(", "UNION(")):
        return "jsonb", True
    raise ValueError(f"no PostgreSQL type for the DuckDB type {duckdb_type}")


def _relations(duck: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    rows = duck.execute(
        """
        select schema_name, table_name from duckdb_tables()
        where database_name = current_database() and not internal
        union all
        select schema_name, view_name from duckdb_views()
        where database_name = current_database() and not internal
        order by 1, 2
        """
    ).fetchall()
    return [(schema, table) for schema, table in rows if schema not in SYSTEM_SCHEMAS]


def _schemas(duck: duckdb.DuckDBPyConnection) -> list[str]:
    rows = duck.execute(
        "select schema_name from duckdb_schemas() where database_name = current_database()"
        " and not internal"
    ).fetchall()
    return sorted({row[0] for row in rows} - SYSTEM_SCHEMAS)


def _columns(duck: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return duck.execute(
        """
        select column_name, data_type from duckdb_columns()
        where database_name = current_database() and schema_name = ? and table_name = ?
        order by column_index
        """,
        [schema, table],
    ).fetchall()


def _rows(duck: duckdb.DuckDBPyConnection, query: str) -> Iterator[tuple]:
    result = duck.execute(query)
    while batch := result.fetchmany(BATCH_ROWS):
        yield from batch


def copy_table(
    duck: duckdb.DuckDBPyConnection,
    conn: psycopg.Connection,
    source: tuple[str, str],
    target: tuple[str, str],
) -> int:
    """Create ``target`` in PostgreSQL with the columns of the DuckDB relation ``source``
    and copy its rows; returns the number of rows."""
    columns = _columns(duck, *source)
    if not columns:
        raise ValueError(f"{source[0]}.{source[1]} has no columns")
    definitions, selects = [], []
    for name, duck_type in columns:
        pg_type, as_json = postgres_type(duck_type)
        definitions.append(sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(pg_type)))
        quoted = '"' + name.replace('"', '""') + '"'
        selects.append(
            f"to_json({quoted})::varchar" if as_json and duck_type.upper() != "JSON" else quoted
        )
    target_name = sql.Identifier(*target)
    conn.execute(
        sql.SQL("create table {} ({})").format(target_name, sql.SQL(", ").join(definitions))
    )
    source_name = f'"{source[0]}"."{source[1]}"'
    query = f"select {', '.join(selects)} from {source_name}"
    copied = 0
    names = sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
    with conn.cursor() as cur:
        with cur.copy(sql.SQL("copy {} ({}) from stdin").format(target_name, names)) as copy:
            for row in _rows(duck, query):
                copy.write_row(row)
                copied += 1
    return copied


def load_build_file(build_file: Path, settings: PostgresSettings, run_id: str) -> dict[str, int]:
    """Copy every schema of the DuckDB ``build_file`` into the build schemas of ``run_id``.

    The schemas of earlier unpublished builds (this run's earlier attempt, failed runs)
    are dropped first, and everything is copied in one transaction. Returns rows per copied table (``schema.table`` of the DuckDB file).
    """
    key = build_key(run_id)
    counts: dict[str, int] = {}
    with duckdb.connect(str(build_file), read_only=True) as duck, settings.connect() as conn:
        relations = _relations(duck)
        dropped = drop_leftover_builds(conn)  # this run's earlier attempt and failed runs
        if dropped:
            log.info("dropped the schemas of unpublished builds: %s", ", ".join(dropped))
        # meta always: dbt's run results and the gate's results are written there
        for schema in sorted({*_schemas(duck), *(s for s, _ in relations), "meta"}):
            conn.execute(
                sql.SQL("create schema {}").format(sql.Identifier(build_schema(schema, key)))
            )
            conn.execute(
                sql.SQL("comment on schema {} is {}").format(
                    sql.Identifier(build_schema(schema, key)),
                    sql.Literal(f"smartcity build of run {run_id}"),
                )
            )
        for schema, table in relations:
            counts[f"{schema}.{table}"] = copy_table(
                duck, conn, (schema, table), (build_schema(schema, key), table)
            )
        conn.commit()
    log.info(
        "loaded %d tables into the build schemas *__build_%s of %s",
        len(counts),
        key,
        settings.describe(),
    )
    return counts
