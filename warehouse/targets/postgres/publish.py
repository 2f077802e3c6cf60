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

import logging
import time
from typing import Any

import psycopg
from psycopg import sql

from warehouse import meta
from warehouse.targets import Fingerprint, ReleaseSummary
from warehouse.targets.postgres.connection import (
    READER_SCHEMAS,
    PostgresSettings,
    build_schema,
    build_suffix,
    old_schema,
    schema_exists,
    schemas_with_suffix,
)
from warehouse.targets.postgres.roles import grant_reader

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key: one publisher at a time per database
PUBLISH_LOCK_ID = 0x736D6172  # "smar"
RETRY_PAUSE_S = 0.2


class PublishBlockedError(RuntimeError):
    """Readers kept the published release busy for longer than the swap timeout."""


# --- release rows ----------------------------------------------------------------------


def source_summary(conn: psycopg.Connection, raw_schema: str) -> dict[str, Any]:
    """Per source: vintages (periods), slices, and a sha256 over the slices' hashes
    (the same figures as ``warehouse.targets.duckdb.publish.source_summary``)."""
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
    return meta.summarise_sources(rows)


def _write_release_rows(conn: psycopg.Connection, key: str, release: dict[str, Any]) -> None:
    schema, raw = build_schema("meta", key), build_schema("raw", key)
    conn.execute(meta.create_table(meta.RELEASES, "postgres", schema=schema, replace=True))
    history = (
        schema_exists(conn, "meta")
        and conn.execute("select to_regclass('meta.releases') is not null").fetchone()[0]
    )
    if history:
        conn.execute(
            sql.SQL("insert into {} select {} from meta.releases where release_id <> %s").format(
                sql.Identifier(schema, meta.RELEASES.name),
                sql.SQL(", ").join(sql.Identifier(name) for name in meta.RELEASES.names),
            ),
            [release["release_id"]],
        )
    conn.execute(
        meta.insert_values(meta.RELEASES, schema=schema, placeholder="%s"),
        meta.release_row(release),
    )
    conn.execute(meta.create_table(meta.RELEASE_SOURCES, "postgres", schema=schema, replace=True))
    conn.execute(
        f"insert into {meta.quote(schema)}.{meta.quote(meta.RELEASE_SOURCES.name)} "
        + meta.RELEASE_SOURCES_SELECT.format(release_id="cast(%s as varchar)", raw=meta.quote(raw)),
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
                        "(python -m warehouse.targets.postgres.roles creates it)",
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
    with settings.connect() as conn:
        release = meta.new_release(
            run_id, source_summary(conn, build_schema("raw", key)), dbt, quality_gate
        )
        _write_release_rows(conn, key, release)
        conn.commit()
        _analyze(conn, key)
        schemas = swap(
            conn, key, reader_role=settings.reader_role, timeout_s=settings.swap_timeout_s
        )
    log.info(
        "published release %s to %s (schemas %s)",
        release["release_id"],
        settings.describe(),
        schemas,
    )
    return {
        **release,
        "published_at": release["published_at"].isoformat(),
        "path": f"{settings.describe()}#marts",
        "schemas": schemas,
    }


def _published(conn: psycopg.Connection) -> bool:
    return conn.execute("select to_regclass('meta.release_sources') is not null").fetchone()[0]


def published_fingerprint(settings: PostgresSettings) -> Fingerprint | None:
    """The slices and code version of the published release (``warehouse.changes``), or
    None when nothing is published yet."""
    with settings.connect() as conn:
        if not _published(conn):
            return None
        slices = conn.execute(meta.PUBLISHED_SLICES_SQL).fetchall()
        latest = conn.execute(meta.LATEST_RELEASE_SQL).fetchone()
    return {tuple(row) for row in slices}, (latest[3] if latest else None)


def summary(settings: PostgresSettings, example_query: str) -> ReleaseSummary | None:
    """The published release of the PostgreSQL warehouse (``make run``)."""
    with settings.connect() as conn:
        if not _published(conn):
            return None
        latest = conn.execute(meta.LATEST_RELEASE_SQL).fetchone()
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
    location = f"{settings.describe()} (schemas marts, meta)"
    hint = f"psql as {settings.reader_role}"
    return ReleaseSummary(location, *latest[:3], counts, hint, example)
