"""Where the gate reads marts from: any warehouse that implements :class:`MartReader`
(``warehouse.targets.duckdb.gate`` for a DuckDB file, ``warehouse.targets.postgres.gate``
for PostgreSQL schemas; the target gives the gate its readers).

A reader answers three questions by schema and table name: which columns a table has
(an empty set when it does not exist), the distinct values of a column (the partitions a
large mart is validated by), and a pandas frame of some of its columns, optionally of one
partition, with the dtypes DuckDB gives them (``.df()``), so every check and suite sees
the same frame whichever warehouse it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

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


# The DuckDB file reader lives with the DuckDB target; ``expectations.checks`` (which
# also accepts a release file) finds it here.
_DUCKDB_READER = {"DuckDBFileReader", "connection_columns"}


def __getattr__(name: str) -> Any:
    if name in _DUCKDB_READER:
        from warehouse.targets.duckdb import gate

        return getattr(gate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
