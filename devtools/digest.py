"""Digests of a published DuckDB warehouse: equal digests mean identical marts.

Used to compare the release of one way of running the refresh (Celery workers, a soak of
many refreshes with faults and kills) with the release a clean run of the same inputs
publishes. Every table and view of the ``marts`` schema is hashed over its rows, sorted,
so the order rows were written in does not matter.
"""

from __future__ import annotations

from pathlib import Path

import duckdb


def marts_digest(path: Path | str) -> dict[str, str]:
    """``{mart: md5 of its sorted rows}`` for every relation of the ``marts`` schema."""
    with duckdb.connect(str(path), read_only=True) as con:
        return con_marts_digest(con)


def con_marts_digest(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    marts = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by table_name"
        ).fetchall()
    ]
    digest = {}
    for mart in marts:
        digest[mart] = con.execute(
            "select coalesce(md5(string_agg(r, '|' order by r)), 'empty') "
            f'from (select cast(t as varchar) as r from marts."{mart}" t)'
        ).fetchall()[0][0]
    return digest


def release_ids(path: Path | str) -> list[str]:
    """Release ids recorded in the published file, oldest first."""
    with duckdb.connect(str(path), read_only=True) as con:
        return [
            row[0]
            for row in con.execute(
                "select release_id from meta.releases order by published_at"
            ).fetchall()
        ]
