"""One settings module, the typed run state, the meta definitions and the target
interface: unit tests (no dbt, no server)."""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from smartcity import settings
from tests.conftest import REPO
from warehouse import meta, state
from warehouse.targets import WarehouseTarget, target_from_settings

PRODUCT = ("extract", "warehouse", "expectations", "dags")
def _product_files() -> list[Path]:
    files = []
    for package in PRODUCT:
        for path in sorted((REPO / package).rglob("*.py")):
            files.append(path)
    return files


def test_every_variable_the_product_names_is_defined_in_settings():
    defined = {
        value
        for name, value in vars(settings).items()
        if name.isupper() and isinstance(value, str) and value.startswith("SMARTCITY_")
    } | set(settings.PG_FIELDS.values())
    named = set()
    for path in _product_files():
        named |= set(re.findall(r"SMARTCITY_[A-Z_]*[A-Z]", path.read_text(encoding="utf-8")))
    named.discard("SMARTCITY_PG")  # "SMARTCITY_PG_*" in prose
    assert named <= defined, sorted(named - defined)
    assert len(defined) >= 24


def test_product_modules_read_no_environment_variable_themselves():
    offenders = []
    for path in _product_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
                line = ast.get_source_segment(path.read_text(encoding="utf-8"), node.value)
                if line == "os":
                    offenders.append(path.relative_to(REPO).as_posix())
    # The gate tells GX (a library) not to send analytics, and dbt_build hands dbt's
    # child process the environment it needs: neither reads a setting.
    assert set(offenders) == {"expectations/gate.py", "warehouse/dbt_build.py"}, offenders


def test_settings_are_read_when_called(monkeypatch, tmp_path):
    for variable in ("SMARTCITY_HTTP_RETRIES", "SMARTCITY_KEEP_RELEASES", "SMARTCITY_DATA_DIR"):
        monkeypatch.delenv(variable, raising=False)
    assert settings.http_retries() == 4 and settings.keep_releases() == 5
    assert settings.data_dir() == (settings.project_dir() / "data").resolve()
    monkeypatch.setenv("SMARTCITY_HTTP_RETRIES", "0")
    monkeypatch.setenv("SMARTCITY_KEEP_RELEASES", "")  # empty counts as unset
    monkeypatch.setenv("SMARTCITY_DATA_DIR", str(tmp_path))
    assert settings.http_retries() == 0 and settings.keep_releases() == 5
    assert settings.data_dir() == tmp_path.resolve()
    monkeypatch.setenv("SMARTCITY_HTTP_BACKOFF", "fast")
    with pytest.raises(ValueError, match="SMARTCITY_HTTP_BACKOFF='fast' is not a float"):
        settings.http_backoff()


def test_settings_defaults_from_a_mapping():
    empty: dict[str, str] = {}
    assert settings.http_backoff(empty) == 1.0
    assert (settings.http_connect_timeout(empty), settings.http_read_timeout(empty)) == (10, 60)
    assert settings.http_concurrency(empty) == 4
    assert settings.duckdb_memory_limit(empty) == "2GB"
    assert settings.warehouse_target(empty) == "duckdb"
    assert settings.pg_dsn(empty) is None and settings.pg_fields(empty) == {}
    assert settings.pg_reader_role(empty) == "planning_reader"
    assert settings.pg_swap_timeout(empty) == 600.0
    assert settings.alert_email({"SMARTCITY_ALERT_EMAIL": "a@x.th, b@x.th"}) == ["a@x.th", "b@x.th"]
    assert settings.publisher_base_url("DOPA_BASE_URL", "https://x.th/", empty) == "https://x.th"
    assert settings.publisher_base_url("DOPA_BASE_URL", "d", {"DOPA_BASE_URL": "http://m/"}) == "http://m"


def _load_result(target: str) -> state.LoadResult:
    return state.LoadResult(
        run_id="manual__2026-11-29T02:35:00+00:00",
        target=target,
        build_key="k",
        build_path="/data/build/k.duckdb" if target == "duckdb" else None,
        location="somewhere",
        dbt_dir="/data/build/k.dbt",
        raw_rows={"dopa_population": 3},
        requested=[("91", "2026-09")],
        no_data=[("90", "2026-09")],
    )


@pytest.mark.parametrize("target", ["duckdb", "postgres"])
def test_run_state_round_trips_through_json_with_the_same_keys(target):
    load = _load_result(target)
    built = state.BuildResult(load=load, dbt={"success": True, "counts": {"pass": 2}})
    gated = state.GatedBuild(build=built, quality_gate={"passed": True})
    for value, kind in ((load, state.LoadResult), (built, state.BuildResult), (gated, state.GatedBuild)):
        as_json = json.loads(json.dumps(value.to_dict()))  # XCom's round trip: tuples become lists
        assert kind.from_dict(as_json) == value
    assert load.to_dict()["requested"] == [("91", "2026-09")]
    keys = {t: set(state.GatedBuild(
        state.BuildResult(_load_result(t), {}), {}).to_dict()) for t in ("duckdb", "postgres")}
    assert keys["duckdb"] == keys["postgres"]
    release = state.Release("r", "run", "2026-11-29T00:00:00+00:00", "p", {"s": {}})
    assert state.Release.from_dict({**release.to_dict(), "extra": 1}) == release


def test_meta_tables_render_for_both_dialects_and_duckdb_accepts_them():
    with duckdb.connect() as con:
        con.execute("create schema meta")
        for table in meta.TABLES:
            con.execute(meta.create_table(table, "duckdb"))
            columns = [r[0] for r in con.execute(f"describe meta.{table.name}").fetchall()]
            assert columns == table.names
    pg = meta.create_table(meta.RELEASES, "postgres", schema="meta__build_k", replace=True)
    assert pg.startswith('drop table if exists "meta__build_k"."releases"; create table')
    assert '"sources" jsonb' in pg and '"release_id" varchar primary key' in pg
    assert '"execution_time" double precision' in meta.create_table(meta.DBT_RUN_RESULTS, "postgres")


def test_release_id_format():
    import datetime as dt

    when = dt.datetime(2026, 11, 29, 2, 35, tzinfo=dt.UTC)
    assert meta.release_id(when, "manual__2026-11-29T02:35:00+00:00") == (
        "20261129T023500Z-manual__2026-11-29T02_35_00_00_00"
    )


def test_code_version_hashes_the_dbt_project_where_settings_say(monkeypatch, tmp_path):
    meta.code_version.cache_clear()
    try:
        here = meta.code_version()
        copy = tmp_path / "dbt_project"
        shutil.copytree(
            REPO / "dbt_project", copy, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
        )
        monkeypatch.setenv("SMARTCITY_DBT_PROJECT_DIR", str(copy))
        meta.code_version.cache_clear()
        assert meta.code_version() == here  # the same project elsewhere: the same version
        (copy / "models" / "extra.sql").write_text("select 1 as a\n")
        meta.code_version.cache_clear()
        assert meta.code_version() != here
        monkeypatch.setenv("SMARTCITY_DBT_PROJECT_DIR", str(tmp_path / "absent"))
        meta.code_version.cache_clear()
        with pytest.raises(FileNotFoundError, match="SMARTCITY_DBT_PROJECT_DIR"):
            meta.code_version()
    finally:
        meta.code_version.cache_clear()


def test_the_target_is_chosen_from_settings_and_implements_the_protocol(monkeypatch):
    monkeypatch.delenv("SMARTCITY_WAREHOUSE", raising=False)
    duck = target_from_settings()
    monkeypatch.setenv("SMARTCITY_WAREHOUSE", "postgres")
    monkeypatch.setenv("SMARTCITY_PG_DSN", "postgresql://u@db.internal/planning")
    pg = target_from_settings()
    assert (duck.name, pg.name) == ("duckdb", "postgres")
    assert isinstance(duck, WarehouseTarget) and isinstance(pg, WarehouseTarget)
    assert pg.describe() == "postgresql://u@db.internal:5432/planning"


@pytest.mark.parametrize("module", ["refresh.py", "changes.py", "cli.py", "dbt_build.py"])
def test_pipeline_code_never_asks_which_target_it_has(module):
    text = (REPO / "warehouse" / module).read_text(encoding="utf-8")
    assert not re.search(r"""[=!]=\s*["'](duckdb|postgres)["']|["'](duckdb|postgres)["']\s*[=!]=""", text)
    assert "postgres" not in text.lower().replace("postgresql", "")


def test_dbt_gets_the_build_in_a_profile_of_its_own_not_the_environment(monkeypatch, tmp_path):
    import os

    from warehouse.dbt_build import write_profile

    monkeypatch.delenv("SMARTCITY_BUILD_PATH", raising=False)
    before = dict(os.environ)
    path = write_profile("duckdb", tmp_path / "run.dbt", {"path": "/data/build/k.duckdb"})
    profile = yaml.safe_load(path.read_text(encoding="utf-8"))["smartcity"]
    assert profile["target"] == "duckdb"
    assert profile["outputs"]["duckdb"]["path"] == "/data/build/k.duckdb"
    assert profile["outputs"]["duckdb"]["keep_open"] is False  # the rest from the project's profile
    assert dict(os.environ) == before
    project = yaml.safe_load((REPO / "dbt_project" / "profiles.yml").read_text(encoding="utf-8"))
    assert "SMARTCITY_BUILD_PATH" in project["smartcity"]["outputs"]["duckdb"]["path"]
