"""PostgreSQL readers across a swap of releases, on a real server.

Releases here are small hand-made builds (a ``marts`` table, the ``meta`` tables and the
pin function the publisher writes) swapped in by the publisher's own ``swap``; what is
proven is the server's behaviour for each reader:

- ``REPEATABLE READ`` with a snapshot older than the build: the new tables look empty
  (the hazard docs/operations.md describes);
- ``REPEATABLE READ`` starting with ``select meta.pin_release()``: the reader keeps the
  release it pinned through a swap (the swap waits for it), and a snapshot too old for
  the published release is refused with SQLSTATE 40001 - a retry reads the new release;
- ``READ COMMITTED`` (the default): every statement sees a whole release.
"""

from __future__ import annotations

import datetime as dt
import threading

import psycopg
import pytest
from psycopg import sql

from tests.postgres_server import find_bindir, running_server
from warehouse import meta
from warehouse.targets.postgres.connection import build_schema
from warehouse.targets.postgres.publish import PublishBlockedError, create_pin_function, swap

BINDIR = find_bindir()
pytestmark = pytest.mark.skipif(BINDIR is None, reason="PostgreSQL server programs not found")
READER, READER_PASSWORD = "planning_reader", "reader-secret"
DB = "planning"


@pytest.fixture(scope="module")
def server():
    with running_server(BINDIR) as pg:
        with psycopg.connect(pg.conninfo(), autocommit=True) as con:
            con.execute(f"create database {DB}")
            con.execute(f"create role {READER} login password '{READER_PASSWORD}'")
        yield pg


@pytest.fixture
def pipeline(server):
    with psycopg.connect(server.conninfo(dbname=DB)) as con:
        for (schema,) in con.execute(
            "select nspname from pg_namespace where nspname like 'marts%' or nspname like 'meta%'"
        ).fetchall():
            con.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))
        con.commit()
        yield con


def reader(server, isolation: psycopg.IsolationLevel) -> psycopg.Connection:
    con = psycopg.connect(server.conninfo(READER, READER_PASSWORD, DB))
    con.isolation_level = isolation
    return con


def build(con: psycopg.Connection, key: str, rows: int) -> str:
    """A build ``key`` with ``rows`` rows in ``marts.population``; returns its release id."""
    marts, metas = build_schema("marts", key), build_schema("meta", key)
    con.execute(sql.SQL("create schema {}").format(sql.Identifier(marts)))
    con.execute(sql.SQL("create schema {}").format(sql.Identifier(metas)))
    con.execute(
        sql.SQL("create table {} as select g as area, g * 10 as people from generate_series(1, %s) g")
        .format(sql.Identifier(marts, "population")),
        [rows],
    )
    release = meta.new_release(f"run_{key}", {}, {}, {})
    release["published_at"] += dt.timedelta(seconds=rows)  # ordered as built
    con.execute(meta.create_table(meta.RELEASES, "postgres", schema=metas, replace=True))
    con.execute(meta.insert_values(meta.RELEASES, schema=metas, placeholder="%s"), meta.release_row(release))
    create_pin_function(con, metas)
    con.commit()
    return release["release_id"]


def publish(con: psycopg.Connection, key: str, timeout_s: float = 5.0) -> None:
    swap(con, key, reader_role=READER, timeout_s=timeout_s)


def count(con: psycopg.Connection) -> int:
    return con.execute("select count(*) from marts.population").fetchone()[0]


def test_repeatable_read_with_an_older_snapshot_sees_the_new_tables_empty(server, pipeline):
    build(pipeline, "k1", 3)
    publish(pipeline, "k1")
    with reader(server, psycopg.IsolationLevel.REPEATABLE_READ) as con:
        con.execute("select 1")  # the transaction's snapshot: before the next build
        build(pipeline, "k2", 5)
        publish(pipeline, "k2")
        assert count(con) == 0  # the hazard: names resolve to the new, invisible rows


def test_a_pinned_reader_keeps_its_release_through_a_swap(server, pipeline):
    first = build(pipeline, "k1", 3)
    publish(pipeline, "k1")
    build(pipeline, "k2", 5)
    with reader(server, psycopg.IsolationLevel.REPEATABLE_READ) as con:
        assert con.execute("select meta.pin_release()").fetchone()[0] == first
        with pytest.raises(PublishBlockedError):
            publish(pipeline, "k2", timeout_s=0.5)  # the reader holds the release
        pipeline.rollback()
        done = threading.Event()
        publisher = threading.Thread(target=lambda: (publish(pipeline, "k2", 30), done.set()))
        publisher.start()
        assert not done.wait(1.0)  # the swap waits for the pinned reader...
        assert count(con) == 3  # ...which reads its whole release
        assert con.execute("select release_id from meta.releases").fetchall() == [(first,)]
        con.commit()
        publisher.join(30)
        assert done.is_set()
        assert con.execute("select meta.pin_release()").fetchone()[0] != first
        assert count(con) == 5
        con.commit()


def test_pinning_a_snapshot_older_than_the_release_asks_for_a_retry(server, pipeline):
    build(pipeline, "k1", 3)
    publish(pipeline, "k1")
    with reader(server, psycopg.IsolationLevel.REPEATABLE_READ) as con:
        con.execute("select 1")  # a snapshot older than the next build
        latest = build(pipeline, "k2", 5)
        publish(pipeline, "k2")
        with pytest.raises(psycopg.errors.SerializationFailure):
            con.execute("select meta.pin_release()")
        con.rollback()
        assert con.execute("select meta.pin_release()").fetchone()[0] == latest
        assert count(con) == 5
        con.commit()


def test_read_committed_statements_each_see_a_whole_release(server, pipeline):
    build(pipeline, "k1", 3)
    publish(pipeline, "k1")
    with reader(server, psycopg.IsolationLevel.READ_COMMITTED) as con:
        con.execute("select 1")
        assert count(con) == 3
        con.commit()  # a statement's lock is held to the end of its transaction
        con.execute("select 1")
        build(pipeline, "k2", 5)
        publish(pipeline, "k2")
        assert count(con) == 5  # the same transaction, the next statement: the new release
        con.commit()
