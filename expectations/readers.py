"""Where the gate reads marts from: a DuckDB build file, or any other warehouse that
implements :class:`MartReader` (``warehouse.postgres_gate`` for PostgreSQL).

A reader answers two questions by schema and table name: which columns a table has
(an empty set when it does not exist), and a pandas frame of some of its columns, with
the dtypes DuckDB gives them (``.df()``), so every check and suite sees the same frame
whichever warehouse it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import duckdb
import pandas as pd


@runtime_checkable
class MartReader(Protocol):
    """Read-only access to the tables of one build or release."""

    def columns(self, schema: str, table: str) -> set[str]:
        """Column names of ``schema.table``; empty when the table does not exist."""
        ...

    def frame(self, schema: str, table: str, columns: Sequence[str]) -> pd.DataFrame:
        """``select <columns> from schema.table`` as a pandas frame."""
        ...


def select_list(columns: Sequence[str]) -> str:
    return ", ".join('"' + c.replace('"', '""') + '"' for c in columns)


class DuckDBFileReader:
    """A DuckDB file, opened read-only for each read and closed again."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"DuckDBFileReader({str(self.path)!r})"

    def columns(self, schema: str, table: str) -> set[str]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return connection_columns(con, schema, table)

    def frame(self, schema: str, table: str, columns: Sequence[str]) -> pd.DataFrame:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.sql(f'select {select_list(columns)} from "{schema}"."{table}"').df()


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
