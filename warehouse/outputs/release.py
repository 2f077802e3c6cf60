"""A published release, read-only, whatever marts it has.

Every output (exports, the area-profile site) reads the release file through this class:
the marts are found in ``information_schema`` and a section that needs a mart the release
does not have is left out, so the outputs follow the marts the warehouse gains.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import duckdb


class ReleaseNotFound(FileNotFoundError):
    """No published release to build outputs from."""


class Release:
    def __init__(self, path: Path) -> None:
        if not Path(path).exists():
            raise ReleaseNotFound(f"no published release at {path}")
        self.path = Path(path)
        self.con = duckdb.connect(str(path), read_only=True)
        latest = self.rows(
            "select release_id, run_id, published_at, code_version from meta.releases "
            "order by published_at desc limit 1"
        )
        if not latest:
            raise ReleaseNotFound(f"{path} has no row in meta.releases")
        self.info = latest[0]
        self.release_id: str = self.info["release_id"]

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Release:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def rows(self, sql: str, params: list | dict | None = None) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    @functools.cache  # noqa: B019 - one Release per build of the outputs
    def tables(self, schema: str = "marts") -> tuple[str, ...]:
        """Base tables of ``schema``, by name."""
        return tuple(
            r["table_name"]
            for r in self.rows(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
                [schema],
            )
        )

    def has(self, table: str, schema: str = "marts") -> bool:
        return table in self.tables(schema)

    @functools.cache  # noqa: B019
    def columns(self, table: str, schema: str = "marts") -> tuple[str, ...]:
        return tuple(
            r["column_name"]
            for r in self.rows(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            )
        )

    def has_columns(self, table: str, *names: str, schema: str = "marts") -> bool:
        return self.has(table, schema) and set(names) <= set(self.columns(table, schema))

    def marts(self) -> tuple[str, ...]:
        return self.tables("marts")
