"""Publish on the PostgreSQL target: the build's schemas replace the published ones in
one transaction.

A run builds into ``<name>__build_<key>`` schemas (``raw``, ``staging``, ``intermediate``,
``marts``, ``reference``, ``meta``, whatever the build made). Publishing

1. records the release in the build's ``meta`` (``meta.releases`` with the history of
   the published release plus this one, ``meta.release_sources``), then
2. in one transaction: takes an ``ACCESS EXCLUSIVE`` lock on every relation of the
   published schemas it replaces (``NOWAIT``; retried until ``swap_timeout_s``), renames
   each published schema ``<name>`` to ``<name>__old_<key>`` and ``<name>__build_<key>``
   to ``<name>``, grants the reader role ``USAGE`` and ``SELECT`` on ``marts`` and
   ``meta``, drops the old schemas, and commits.

Readers therefore see the old release or the new one, never a mix: a reader transaction
that has read any published table holds a lock on it until it ends, so the swap waits for
it (it keeps seeing the old release to its end); a transaction that reads the warehouse
for the first time after the commit sees only the new release. The locks are only ever
requested with ``NOWAIT``, so a waiting publisher never blocks readers or deadlocks with
them. Objects defined elsewhere on top of published tables (views in other schemas) are
dropped with the old release: define them in the reader's queries instead.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from typing import Any

import psycopg
from psycopg import sql

from warehouse.paths import run_key
from warehouse.postgres_roles import grant_reader
from warehouse.postgres_target import (
    READER_SCHEMAS,
    PostgresSettings,
    build_schema,
    build_suffix,
    old_schema,
    schema_exists,
    schemas_with_suffix,
)

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key: one publisher at a time per database
PUBLISH_LOCK_ID = 0x736D6172  # "smar"
RETRY_PAUSE_S = 0.2


class PublishBlockedError(RuntimeError):
    """Readers kept the published release busy for longer than the swap timeout."""


# --- release rows ----------------------------------------------------------------------


def source_summary(conn: psycopg.Connection, raw_schema: str) -> dict[str, Any]:
    """Per source: vintages (periods), slices, and a sha256 over the slices' hashes
    (the same figures as ``warehouse.publish.source_summary`` on DuckDB)."""
    rows = conn.execute(
        sql.SQL(
            """
            select source_id,
                   array_agg(distinct period order by period),
                   count(*),
                   encode(sha256(convert_to(string_agg(sha256, ','
                       order by period collate "C", slice_key collate "C"), 'UTF8')), 'hex'),
                   bool_or(is_modelled)
            from {} where status = 'downloaded'
            group by source_id order by source_id
            """
        ).format(sql.Identifier(raw_schema, "landing_manifests"))
    ).fetchall()
    return {
        sid: {"vintages": list(periods), "slices": n, "sha256": digest, "any_modelled": modelled}
        for sid, periods, n, digest, modelled in rows
    }


def _write_release_rows(conn: psycopg.Connection, key: str, release: dict[str, Any]) -> None:
    meta, raw = build_schema("meta", key), build_schema("raw", key)
    releases = sql.Identifier(meta, "releases")
    conn.execute(sql.SQL("drop table if exists {}").format(releases))
    conn.execute(
        sql.SQL(
            """
            create table {} (
                release_id varchar primary key, run_id varchar, published_at timestamptz,
                code_version varchar, sources jsonb, dbt jsonb, quality_gate jsonb)
            """
        ).format(releases)
    )
    if (
        schema_exists(conn, "meta")
        and conn.execute("select to_regclass('meta.releases') is not null").fetchone()[0]
    ):
        conn.execute(
            sql.SQL(
                "insert into {} select release_id, run_id, published_at, code_version, "
                "sources, dbt, quality_gate from meta.releases where release_id <> %s"
            ).format(releases),
            [release["release_id"]],
        )
    conn.execute(
        sql.SQL("insert into {} values (%s, %s, %s, %s, %s, %s, %s)").format(releases),
        [
            release["release_id"],
            release["run_id"],
            release["published_at"],
            release["code_version"],
            json.dumps(release["sources"]),
            json.dumps(release["dbt"]),
            json.dumps(release["quality_gate"]),
        ],
    )
    # Sources and vintages of this release, one row per landed slice.
    sources = sql.Identifier(meta, "release_sources")
    conn.execute(sql.SQL("drop table if exists {}").format(sources))
    conn.execute(
        sql.SQL(
            """
            create table {} as
            select cast(%s as varchar) as release_id, source_id, period as vintage, slice_key,
                   sha256, is_modelled, population_scope, url, fetched_at, licence
            from {} where status = 'downloaded'
            """
        ).format(sources, sql.Identifier(raw, "landing_manifests")),
        [release["release_id"]],
    )


# --- the swap --------------------------------------------------------------------------


def _published_relations(conn: psycopg.Connection, schemas: list[str]) -> list[tuple[str, str]]:
    return conn.execute(
        """
        select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any(%s) and c.relkind in ('r', 'p', 'v', 'm', 'f')
        order by 1, 2
        """,
        [schemas],
    ).fetchall()


def _holders(conn: psycopg.Connection, schemas: list[str]) -> list[str]:
    """Connections holding locks on the published release (for the error message)."""
    rows = conn.execute(
        """
        select distinct a.pid, a.usename, a.application_name, a.state, a.xact_start
        from pg_locks l
        join pg_class c on c.oid = l.relation
        join pg_namespace n on n.oid = c.relnamespace
        join pg_stat_activity a on a.pid = l.pid
        where n.nspname = any(%s) and l.granted and a.pid <> pg_backend_pid()
        order by a.xact_start
        """,
        [schemas],
    ).fetchall()
    return [
        f"pid {pid} ({user}, {app or 'no application name'}, {state}, in a transaction since {start})"
        for pid, user, app, state, start in rows
    ]


def swap(conn: psycopg.Connection, key: str, *, reader_role: str, timeout_s: float) -> list[str]:
    """Replace the published schemas by the build ``key``'s in one transaction; returns
    the published schema names. Raises ``PublishBlockedError`` after ``timeout_s``."""
    suffix = build_suffix(key)
    conn.rollback()
    built = [name[: -len(suffix)] for name in schemas_with_suffix(conn, suffix)]
    conn.rollback()
    if "marts" not in built:
        raise RuntimeError(f"build {key} has no marts schema: nothing to publish")
    deadline = time.monotonic() + timeout_s
    attempts = 0
    while True:
        attempts += 1
        try:
            with conn.transaction():
                conn.execute("select pg_advisory_xact_lock(%s)", [PUBLISH_LOCK_ID])
                replaced = [name for name in built if schema_exists(conn, name)]
                relations = _published_relations(conn, replaced)
                if relations:
                    conn.execute(
                        sql.SQL("lock table {} in access exclusive mode nowait").format(
                            sql.SQL(", ").join(sql.Identifier(s, r) for s, r in relations)
                        )
                    )
                for name in replaced:
                    conn.execute(
                        sql.SQL("alter schema {} rename to {}").format(
                            sql.Identifier(name), sql.Identifier(old_schema(name, key))
                        )
                    )
                for name in built:
                    conn.execute(
                        sql.SQL("alter schema {} rename to {}").format(
                            sql.Identifier(build_schema(name, key)), sql.Identifier(name)
                        )
                    )
                    conn.execute(
                        sql.SQL("comment on schema {} is {}").format(
                            sql.Identifier(name), sql.Literal("smartcity published release")
                        )
                    )
                readable = [name for name in READER_SCHEMAS if name in built]
                if not grant_reader(conn, reader_role, readable):
                    log.warning(
                        "reader role %s does not exist: nothing granted "
                        "(python -m warehouse.postgres_roles creates it)",
                        reader_role,
                    )
                for name in replaced:
                    conn.execute(
                        sql.SQL("drop schema {} cascade").format(
                            sql.Identifier(old_schema(name, key))
                        )
                    )
            break
        except psycopg.errors.LockNotAvailable as exc:
            if time.monotonic() >= deadline:
                holders = _holders(conn, built)
                conn.rollback()
                raise PublishBlockedError(
                    f"readers kept the published release busy for {timeout_s:g} s "
                    f"({attempts} attempts); still open: {'; '.join(holders) or 'unknown'}. "
                    "The build stays in its schemas; retry the publish task."
                ) from exc
            time.sleep(RETRY_PAUSE_S)
    if attempts > 1:
        log.info("swap waited for readers of the old release: %d attempts", attempts)
    return built


def _analyze(conn: psycopg.Connection, key: str) -> None:
    """Planner statistics for the new release's tables before readers get them."""
    tables = conn.execute(
        """
        select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where right(n.nspname, length(%s)) = %s and c.relkind in ('r', 'p', 'm')
        """,
        [build_suffix(key), build_suffix(key)],
    ).fetchall()
    conn.commit()
    conn.autocommit = True  # ANALYZE of many tables without one long transaction
    try:
        for schema, table in tables:
            conn.execute(sql.SQL("analyze {}").format(sql.Identifier(schema, table)))
    finally:
        conn.autocommit = False


def publish(
    settings: PostgresSettings, key: str, *, run_id: str, dbt: dict, quality_gate: dict
) -> dict[str, Any]:
    """Record the release in the build's ``meta`` and swap the build in."""
    from warehouse.publish import code_version

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    release_id = f"{now:%Y%m%dT%H%M%SZ}-{run_key(run_id)[-40:]}"
    with settings.connect() as conn:
        release = {
            "release_id": release_id,
            "run_id": run_id,
            "published_at": now,
            "code_version": code_version(),
            "sources": source_summary(conn, build_schema("raw", key)),
            "dbt": dbt,
            "quality_gate": quality_gate,
        }
        _write_release_rows(conn, key, release)
        conn.commit()
        _analyze(conn, key)
        schemas = swap(
            conn, key, reader_role=settings.reader_role, timeout_s=settings.swap_timeout_s
        )
    log.info("published release %s to %s (schemas %s)", release_id, settings.describe(), schemas)
    return {
        **release,
        "published_at": now.isoformat(),
        "path": f"{settings.describe()}#marts",
        "schemas": schemas,
    }


def published_fingerprint(
    settings: PostgresSettings | None = None,
) -> tuple[set[tuple[str, str, str, str]], str | None] | None:
    """The slices and code version of the published release (``warehouse.changes``), or
    None when nothing is published yet."""
    settings = settings or PostgresSettings.from_env()
    with settings.connect() as conn:
        if not conn.execute("select to_regclass('meta.release_sources') is not null").fetchone()[0]:
            return None
        slices = conn.execute(
            "select source_id, vintage, slice_key, sha256 from meta.release_sources"
        ).fetchall()
        version = conn.execute(
            "select code_version from meta.releases order by published_at desc limit 1"
        ).fetchone()
    return {tuple(row) for row in slices}, (version[0] if version else None)


def summary(example_query: str) -> int:
    """Print the published release of the PostgreSQL warehouse (``make run``)."""
    import sys

    settings = PostgresSettings.from_env()
    with settings.connect() as conn:
        if not conn.execute("select to_regclass('meta.releases') is not null").fetchone()[0]:
            print(f"No published warehouse in {settings.describe()}", file=sys.stderr)
            return 1
        release_id, run_id, published_at = conn.execute(
            "select release_id, run_id, published_at from meta.releases "
            "order by published_at desc limit 1"
        ).fetchone()
        tables = conn.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by 1"
        ).fetchall()
        counts = [
            (
                table,
                conn.execute(
                    sql.SQL("select count(*) from {}").format(sql.Identifier("marts", table))
                ).fetchone()[0],
            )
            for (table,) in tables
        ]
        example = conn.execute(example_query).fetchall()
    print(f"\nPublished warehouse: {settings.describe()} (schemas marts, meta)")
    print(f"Release {release_id} (run {run_id}, {published_at:%Y-%m-%d %H:%M:%S %Z})")
    for table, rows in counts:
        print(f"  marts.{table}: {rows} rows")
    print(f"\nExample query (psql as {settings.reader_role}):\n{example_query};")
    for row in example:
        print("  ", row)
    return 0
