"""The PostgreSQL warehouse target on a real PostgreSQL server.

A throw-away server (``tests/postgres_server.py``) gets the warehouse database and its
two roles with generated passwords. The refresh steps run without Airflow on a small
slice of the bundled snapshot (served by the loopback mirror): once on DuckDB and once
on PostgreSQL from the same landed files, and every mart must match row for row. Then
the reader role is shown to be read-only and blind to build schemas, and a reader in a
REPEATABLE READ transaction keeps one release while a second build is swapped in.
"""

from __future__ import annotations

import math
import os
import secrets
import threading
import time
from pathlib import Path

import duckdb
import pytest

from devtools.mirror import Mirror
from tests.postgres_server import find_bindir, running_server
from warehouse import refresh

psycopg = pytest.importorskip("psycopg")

pytestmark = pytest.mark.slow

DATABASE = "planning"
PIPELINE = "smartcity_pipeline"
READER = "planning_reader"
# Two runs: the first release (every catalogue source at its default periods, provinces
# 90 and 91, so every mart has rows), then a second build that adds Bangkok's December
# 2020, so the two releases differ.
CONF_FIRST = {"provinces": ["90", "91"]}
CONF_SECOND = {"sources": ["dopa_population"], "provinces": ["10"], "periods": ["2020-12"]}
# the marts of docs/DESIGN.md: never empty for this slice
CORE_MARTS = {"dim_area", "fct_population_by_age", "mart_area_ageing", "mart_area_indicators"}
FLOAT_TOLERANCE = 1e-9
PG_ENV = ("SMARTCITY_WAREHOUSE", "SMARTCITY_PG_DSN", "SMARTCITY_PG_SWAP_TIMEOUT")


@pytest.fixture(scope="module")
def server():
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found via "
            "`pg_config --bindir` or PATH; .ci/run installs them (apt-get install postgresql)"
        )
    with running_server(bindir) as pg:
        from warehouse.targets.postgres.roles import setup_roles

        pg.passwords = {PIPELINE: secrets.token_hex(16), READER: secrets.token_hex(16)}
        with psycopg.connect(pg.conninfo(), autocommit=True) as admin:
            admin.execute(f"create database {DATABASE}")
        with psycopg.connect(pg.conninfo(dbname=DATABASE)) as admin:
            setup_roles(
                admin,
                database=DATABASE,
                pipeline_role=PIPELINE,
                reader_role=READER,
                pipeline_password=pg.passwords[PIPELINE],
                reader_password=pg.passwords[READER],
            )
        yield pg


def connect_as(server, role: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(
        server.conninfo(user=role, password=server.passwords[role], dbname=DATABASE), **kwargs
    )


class Target:
    """Switches the refresh steps between the DuckDB and the PostgreSQL target."""

    def __init__(self, server) -> None:
        self.dsn = server.conninfo(user=PIPELINE, password=server.passwords[PIPELINE], dbname=DATABASE)

    def duckdb(self) -> None:
        os.environ["SMARTCITY_WAREHOUSE"] = "duckdb"

    def postgres(self) -> None:
        os.environ["SMARTCITY_WAREHOUSE"] = "postgres"
        os.environ["SMARTCITY_PG_DSN"] = self.dsn


def publisher_variables() -> list[str]:
    from extract import catalogue

    listed = getattr(catalogue, "base_url_variables", None)
    return sorted({"DOPA_BASE_URL", *(listed() if listed else [])})


def extract(conf: dict, data_dir: Path) -> list[list[dict]]:
    with Mirror() as mirror:
        for variable in publisher_variables():  # every publisher is the snapshot mirror
            os.environ[variable] = mirror.base_url
        return [refresh.extract(batch, data_dir) for batch in refresh.plan(conf)]


def run_until_gate(run_id: str, batches: list[list[dict]], data_dir: Path) -> dict:
    refresh.record(run_id, batches, data_dir)
    return refresh.gate(refresh.build(refresh.load(run_id, data_dir)), data_dir)


@pytest.fixture(scope="module")
def warehouse(server, tmp_path_factory):
    """The first release on both targets from the same landed files, and a second
    PostgreSQL build that passed the gate but is not published yet."""
    names = (*PG_ENV, "SMARTCITY_DATA_DIR", *publisher_variables())
    saved = {name: os.environ.get(name) for name in names}
    data_dir = tmp_path_factory.mktemp("data")
    os.environ["SMARTCITY_DATA_DIR"] = str(data_dir)
    target = Target(server)
    timings = {}
    try:
        batches = extract(CONF_FIRST, data_dir)
        target.duckdb()
        started = time.monotonic()
        duck_release = refresh.publish(run_until_gate("duckdb_run", batches, data_dir), data_dir)
        timings["duckdb"] = time.monotonic() - started

        target.postgres()
        started = time.monotonic()
        first = refresh.publish(run_until_gate("postgres_run_1", batches, data_dir), data_dir)
        timings["postgres"] = time.monotonic() - started

        second_batches = extract(CONF_SECOND, data_dir)
        second = run_until_gate("postgres_run_2", second_batches, data_dir)
        yield {
            "data_dir": data_dir,
            "duckdb_file": Path(duck_release["path"]),
            "first": first,
            "second": second,
            "timings": timings,
        }
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# --- the same marts on both targets ----------------------------------------------------


def _sort_key(row: tuple) -> tuple:
    return tuple(
        (0, "") if v is None else (1, round(v, 6)) if isinstance(v, float) else (1, v) for v in row
    )


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    return a == b and type(a) is type(b)


def test_every_mart_matches_the_duckdb_build_row_for_row(warehouse, server):
    with duckdb.connect(str(warehouse["duckdb_file"]), read_only=True) as duck:
        marts = [
            row[0]
            for row in duck.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        expected = {}
        for mart in marts:
            result = duck.execute(f"select * from marts.{mart}")
            expected[mart] = ([d[0] for d in result.description], result.fetchall())
    assert CORE_MARTS <= set(marts)
    empty = sorted(mart for mart, (_, rows) in expected.items() if not rows)
    assert not CORE_MARTS & set(empty), f"marts without rows for this slice: {empty}"

    with connect_as(server, READER) as reader:
        published = [
            row[0]
            for row in reader.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        assert published == marts
        for mart, (columns, duck_rows) in expected.items():
            cur = reader.execute(f"select * from marts.{mart}")
            assert [d.name for d in cur.description] == columns, mart
            pg_rows = cur.fetchall()
            assert len(pg_rows) == len(duck_rows), mart
            for pg_row, duck_row in zip(
                sorted(pg_rows, key=_sort_key), sorted(duck_rows, key=_sort_key), strict=True
            ):
                assert all(_same(p, d) for p, d in zip(pg_row, duck_row, strict=True)), (
                    f"{mart}: {pg_row} != {duck_row}"
                )


def test_release_provenance_and_gate_results_are_in_meta(warehouse, server):
    first = warehouse["first"]
    with connect_as(server, READER) as reader:
        releases = reader.execute("select release_id, run_id, sources from meta.releases").fetchall()
        results = reader.execute(
            "select count(*), bool_and(success or severity = 'warning') from meta.quality_results "
            "where run_id = 'postgres_run_1'"
        ).fetchone()
        dbt_nodes = reader.execute(
            "select count(*) from meta.dbt_run_results where run_id = 'postgres_run_1'"
        ).fetchone()[0]
        vintages = reader.execute(
            "select distinct source_id, vintage from meta.release_sources order by 2"
        ).fetchall()
    assert releases == [(first["release_id"], "postgres_run_1", first["sources"])]
    assert results[0] > 0 and results[1]
    assert dbt_nodes > 0
    assert {("dopa_population", "2020-12"), ("dopa_population", "2021-06")} <= set(vintages)
    assert not list((warehouse["data_dir"] / "build").glob("*.duckdb"))  # staging copy removed
    print(f"\nrefresh timings (s): {warehouse['timings']}")


# --- the reader role --------------------------------------------------------------------

FORBIDDEN = {
    "create table in marts": "create table marts.scratch (a int)",
    "create view in marts": "create view marts.scratch as select 1 as a",
    "create schema": "create schema scratch",
    "create temporary table": "create temporary table scratch (a int)",
    "create table in public": "create table public.scratch (a int)",
    "insert": "insert into marts.dim_area (area_code, area_level) values ('XX', 'country')",
    "update": "update marts.mart_area_ageing set population_total = 0",
    "delete": "delete from marts.fct_population_by_age",
    "truncate": "truncate marts.mart_area_indicators",
    "drop table": "drop table marts.dim_area",
    "drop schema": "drop schema marts cascade",
    "alter table": "alter table marts.dim_area add column scratch int",
    "alter schema": "alter schema marts rename to scratch",
    "write meta": "delete from meta.releases",
    "read raw": "select count(*) from raw.landing_manifests",
    "read staging": "select count(*) from staging.stg_dopa__population",
}


@pytest.mark.parametrize("statement", list(FORBIDDEN.values()), ids=list(FORBIDDEN))
def test_reader_cannot_write_create_or_leave_marts_and_meta(warehouse, server, statement):
    with connect_as(server, READER) as reader:
        assert reader.execute("select count(*) from marts.mart_area_ageing").fetchone()[0] > 0
        assert reader.execute("select count(*) from meta.releases").fetchone()[0] == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            reader.execute(statement)


def test_reader_cannot_read_the_build_schemas(warehouse, server):
    key = warehouse["second"]["build_key"]
    with connect_as(server, PIPELINE) as pipeline:
        relations = pipeline.execute(
            """
            select distinct on (n.nspname) n.nspname, c.relname
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname like %s and c.relkind in ('r', 'v')
            order by n.nspname, c.relname
            """,
            [f"%\\_\\_build\\_{key}"],
        ).fetchall()
    schemas = {schema for schema, _ in relations}
    assert {f"marts__build_{key}", f"meta__build_{key}", f"raw__build_{key}"} <= schemas
    for schema, relation in [*relations, (f"marts__build_{key}", "mart_area_ageing")]:
        with connect_as(server, READER) as reader:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
                reader.execute(f'select count(*) from "{schema}"."{relation}"')


# --- the swap ---------------------------------------------------------------------------


def _release_state(conn) -> tuple:
    return (
        conn.execute("select max(release_id) from meta.releases").fetchone()[0],
        conn.execute("select count(*) from marts.mart_area_ageing").fetchone()[0],
        conn.execute("select count(*) from marts.fct_population_by_age").fetchone()[0],
        conn.execute("select count(*) from marts.mart_area_indicators").fetchone()[0],
    )


def test_repeatable_read_reader_sees_one_release_during_the_swap(warehouse, server):
    from warehouse.targets.postgres.publish import PublishBlockedError

    first_id, second = warehouse["first"]["release_id"], warehouse["second"]
    reader = connect_as(server, READER)
    try:
        reader.execute("begin isolation level repeatable read")
        release_id, ageing_rows = (
            reader.execute("select max(release_id) from meta.releases").fetchone()[0],
            reader.execute("select count(*) from marts.mart_area_ageing").fetchone()[0],
        )
        assert release_id == first_id

        # A publish with a short timeout gives up while the reader holds the old release,
        # and leaves both the release and the build in place.
        os.environ["SMARTCITY_PG_SWAP_TIMEOUT"] = "1"
        with pytest.raises(PublishBlockedError, match="readers kept the published release busy"):
            refresh.publish(second, warehouse["data_dir"])

        # A patient publish waits for the reader ...
        os.environ["SMARTCITY_PG_SWAP_TIMEOUT"] = "120"
        published: dict = {}
        failed: list[BaseException] = []

        def publish() -> None:
            try:
                published.update(refresh.publish(second, warehouse["data_dir"]))
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                failed.append(exc)

        publisher = threading.Thread(target=publish, daemon=True)
        publisher.start()
        time.sleep(2.0)
        assert publisher.is_alive() and not failed, failed

        # ... while the reader keeps seeing the first release, also in tables it reads
        # for the first time now, and so does a new reader.
        state = _release_state(reader)
        assert state[:2] == (first_id, ageing_rows)
        with connect_as(server, READER, autocommit=True) as other:
            assert _release_state(other) == state

        reader.execute("commit")  # the reader is done: the swap goes through
        publisher.join(timeout=120)
        assert not publisher.is_alive() and not failed, failed

        with connect_as(server, READER, autocommit=True) as after:
            new_state = _release_state(after)
        assert new_state[0] == published["release_id"] != first_id
        assert all(new > old for new, old in zip(new_state[1:], state[1:], strict=True))
        with connect_as(server, PIPELINE) as pipeline:
            leftovers = pipeline.execute(
                "select nspname from pg_namespace where nspname ~ '__(build|old)_'"
            ).fetchall()
            history = pipeline.execute("select release_id from meta.releases order by 1").fetchall()
        assert leftovers == []
        assert [r[0] for r in history] == [first_id, published["release_id"]]
    finally:
        reader.close()


def test_next_load_drops_unpublished_builds_and_unchanged_data_is_not_rebuilt(warehouse, server):
    """Runs after the swap: the second release is published and holds every landed slice."""
    from warehouse import changes

    data_dir = warehouse["data_dir"]
    assert changes.rebuild_reason(data_dir, []) is None  # compared with PostgreSQL's release

    refresh.record("postgres_run_failed", [], data_dir)
    failed = refresh.load("postgres_run_failed", data_dir)  # e.g. killed after its load
    refresh.record("postgres_run_next", [], data_dir)
    following = refresh.load("postgres_run_next", data_dir)
    with connect_as(server, PIPELINE) as pipeline:
        builds = {
            row[0]
            for row in pipeline.execute(
                "select nspname from pg_namespace where nspname ~ '__build_'"
            ).fetchall()
        }
    assert not any(name.endswith(failed["build_key"]) for name in builds)
    assert {f"raw__build_{following['build_key']}", f"meta__build_{following['build_key']}"} <= builds
