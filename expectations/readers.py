"""Where the gate reads marts from: a DuckDB build file, or any other warehouse that
implements :class:`MartReader` (``warehouse.postgres_gate`` for PostgreSQL).

A reader answers three questions by schema and table name: which columns a table has
(an empty set when it does not exist), the distinct values of a column (the partitions a
large mart is validated by), and a pandas frame of some of its columns, optionally of one
partition, with the dtypes DuckDB gives them (``.df()``), so every check and suite sees
the same frame whichever warehouse it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import duckdb
import pandas as pd

# (column, value): the rows of one partition of a table
Partition = tuple[str, Any]


@runtime_checkable
class MartReader(Protocol):
    """Read-only access to the tables of one build or release."""

    def columns(self, schema: str, table: str) -> set[str]:
        """Column names of ``schema.table``; empty when the table does not exist."""
        ...

    def distinct(self, schema: str, table: str, column: str) -> list[Any]:
        """The distinct values of ``column`` in order, null (None) last when present."""
        ...

    def frame(
        self, schema: str, table: str, columns: Sequence[str], where: Partition | None = None
    ) -> pd.DataFrame:
        """``select <columns> from schema.table [where <column> = <value>]`` as a frame
        (``<column> is null`` for the value None)."""
        ...


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def select_list(columns: Sequence[str]) -> str:
    return ", ".join(quote(c) for c in columns)


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
