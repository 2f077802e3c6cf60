"""The quality gate's reads and writes on the DuckDB target: marts read from a DuckDB
file (the build, or the published release), outcomes written to the build's
``meta.quality_results``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from expectations.readers import Partition, quote, select_list
from expectations.results import CheckOutcome, dbt_outcomes_of_run, quality_results_table
from warehouse import meta


class DuckDBFileReader:
    """A DuckDB file, opened read-only for each read and closed again."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"DuckDBFileReader({str(self.path)!r})"

    def columns(self, schema: str, table: str) -> set[str]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return connection_columns(con, schema, table)

    def distinct(self, schema: str, table: str, column: str) -> list[Any]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return [
                row[0]
                for row in con.execute(
                    f"select distinct {quote(column)} from {quote(schema)}.{quote(table)} "
                    "order by 1 nulls last"
                ).fetchall()
            ]

    def frame(
        self, schema: str, table: str, columns: Sequence[str], where: Partition | None = None
    ) -> pd.DataFrame:
        query = f"select {select_list(columns)} from {quote(schema)}.{quote(table)}"
        with duckdb.connect(str(self.path), read_only=True) as con:
            if where is None:
                return con.execute(query).df()
            column, value = where
            if value is None:
                return con.execute(f"{query} where {quote(column)} is null").df()
            return con.execute(f"{query} where {quote(column)} = $value", {"value": value}).df()


def connection_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    """Column names of ``schema.table`` in an open DuckDB connection."""
    return {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    }


def write_quality_results(
    build_path: Path,
    *,
    run_id: str,
    checked_at: dt.datetime,
    outcomes: Sequence[CheckOutcome],
) -> int:
    """Append the outcomes, and the dbt data tests of the same run, to
    ``meta.quality_results`` of the build file.

    The file is opened read-write only for this write and closed again. Rows of an
    earlier attempt with the same ``run_id`` are replaced, so a retried gate task does
    not duplicate them. Returns the number of rows written.
    """
    con = duckdb.connect(str(build_path))
    try:
        con.execute(f"create schema if not exists {meta.SCHEMA}")
        con.execute(meta.create_table(meta.DBT_RUN_RESULTS, "duckdb"))
        dbt_rows = con.execute(
            meta.DBT_TESTS_OF_RUN_SQL.format(meta=meta.SCHEMA, p="?"), [run_id]
        ).fetchall()
        outcomes = [*outcomes, *dbt_outcomes_of_run(dbt_rows, Path(build_path).with_suffix(".dbt"))]
        rows = quality_results_table(run_id=run_id, checked_at=checked_at, outcomes=outcomes)
        con.execute(meta.create_table(meta.QUALITY_RESULTS, "duckdb"))
        # releases published before the engine column existed
        con.execute("alter table meta.quality_results add column if not exists engine varchar")
        con.execute("begin transaction")
        con.execute("delete from meta.quality_results where run_id = ?", [run_id])
        con.register("quality_results_batch", rows)
        con.execute("insert into meta.quality_results by name select * from quality_results_batch")
        con.execute("commit")
    except BaseException:
        try:
            con.execute("rollback")
        except duckdb.Error:
            pass
        raise
    finally:
        con.close()
    return rows.num_rows
