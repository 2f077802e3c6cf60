"""Publish: only a build that passed the gate replaces planning.duckdb; the last good
release stays in place and readable when a later run fails."""

from __future__ import annotations

import os

import duckdb
import pytest

from devtools.mirror import Mirror
from warehouse import refresh
from warehouse.dbt_build import DbtBuildError
from warehouse.targets.duckdb import publish

pytestmark = pytest.mark.slow
CONF = {"sources": ["dopa_population_thai"], "provinces": ["91"], "periods": ["2026-09"]}


def _run_until_gate(run_id: str, data_dir, corrupt: bool = False) -> dict:
    with Mirror() as mirror:
        os.environ["DOPA_BASE_URL"] = mirror.base_url
        batches = [refresh.extract(batch, data_dir) for batch in refresh.plan(CONF)]
    refresh.record(run_id, batches, data_dir)
    info = refresh.load(run_id, data_dir)
    if corrupt:  # a row defect: the row-level rules are dbt data tests, the build stops
        with duckdb.connect(info["build_path"]) as con:
            con.execute("update raw.dopa_population_thai set population = -7 where area_code = '91' and sex = 'male' and age = 40")
    return refresh.gate(refresh.build(info), data_dir)


@pytest.fixture(scope="module")
def first_release(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    os.environ["SMARTCITY_DATA_DIR"] = str(data_dir)
    try:
        release = refresh.publish(_run_until_gate("run_one", data_dir), data_dir)
        yield data_dir, release
    finally:
        os.environ.pop("SMARTCITY_DATA_DIR", None)
        os.environ.pop("DOPA_BASE_URL", None)


def _release_id(data_dir) -> str:
    with duckdb.connect(str(data_dir / "planning.duckdb"), read_only=True) as con:
        return con.execute("select release_id from meta.releases order by published_at desc limit 1").fetchall()[0][0]


def test_first_release_is_published_with_provenance(first_release):
    data_dir, release = first_release
    with duckdb.connect(str(data_dir / "planning.duckdb"), read_only=True) as con:
        rows = con.execute("select release_id, run_id, code_version, dbt, quality_gate from meta.releases").fetchall()
        vintages = con.execute("select source_id, vintage, sha256, is_modelled from meta.release_sources").fetchall()
        results = con.execute("select count(*), bool_and(success or severity = 'warning') from meta.quality_results").fetchall()
    assert [r[0] for r in rows] == [release["release_id"]]
    assert rows[0][1] == "run_one" and rows[0][2]
    assert vintages and vintages[0][:2] == ("dopa_population_thai", "2026-09") and len(vintages[0][2]) == 64
    assert results[0][0] > 0 and results[0][1]
    assert (data_dir / "releases" / f"{release['release_id']}.duckdb").exists()
    assert not list((data_dir / "build").glob("*.duckdb"))


def test_failed_build_keeps_the_previous_release_served(first_release):
    data_dir, release = first_release
    before = _release_id(data_dir)
    with pytest.raises(DbtBuildError, match=r"test\.smartcity\.accepted_range_stg_dopa__population_thai_population__0\.\w+: fail"):
        _run_until_gate("run_two", data_dir, corrupt=True)
    assert _release_id(data_dir) == before == release["release_id"]
    with duckdb.connect(str(data_dir / "planning.duckdb"), read_only=True) as con:
        total = con.execute("select population_total from marts.mart_area_ageing where area_code = '91'").fetchall()
    assert total == [(322_634,)]
    # The failed build stays for inspection, with its dbt test results recorded in it.
    with duckdb.connect(str(data_dir / "build" / "run_two.duckdb"), read_only=True) as con:
        failed = con.execute("select count(*) from meta.dbt_run_results where status = 'fail'").fetchall()
    assert failed[0][0] >= 1


def test_old_releases_are_pruned_to_the_configured_count(tmp_path):
    releases = tmp_path / "releases"
    releases.mkdir()
    for n in range(7):
        (releases / f"2026110{n}T000000Z-run.duckdb").write_bytes(b"x")
    doomed = publish.prune_releases(tmp_path, keep=3)
    assert len(doomed) == 4
    assert sorted(p.name for p in releases.iterdir()) == [f"2026110{n}T000000Z-run.duckdb" for n in (4, 5, 6)]
