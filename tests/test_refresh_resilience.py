"""A refresh over real loopback HTTP: incremental, idempotent, survives a publisher that
is down for the whole run, and never disturbs readers of the published warehouse."""

from __future__ import annotations

import multiprocessing
import os
import time

import duckdb
import pytest

from devtools.mirror import Fault, Mirror
from warehouse import refresh

pytestmark = pytest.mark.slow
# full checks: every run asks about every slice, whatever the revision windows settle
CONF_THAI = {"sources": ["dopa_population_thai"], "provinces": ["91"], "periods": ["2026-09"],
             "full_check": True}
CONF_ALL = {"sources": ["dopa_population"], "provinces": ["91"], "periods": ["2021-06"],
            "full_check": True}
MARTS = ("dim_area", "fct_population_by_age", "mart_area_ageing", "mart_area_indicators")


def extract_and_record(run_id, data_dir, faults=()):
    with Mirror() as mirror:
        for fault in faults:
            mirror.inject(fault)
        os.environ["DOPA_BASE_URL"] = mirror.base_url
        batches = [refresh.extract(b, data_dir) for conf in (CONF_THAI, CONF_ALL) for b in refresh.plan(conf)]
        sent = mirror.requests()
    return refresh.record(run_id, batches, data_dir), batches, sent


def build_gate_publish(run_id, data_dir):
    info = refresh.gate(refresh.build(refresh.load(run_id, data_dir)), data_dir)
    return refresh.publish(info, data_dir)


def marts_digest(path) -> dict[str, str]:
    """A hash of every mart's rows, sorted: equal digests mean identical marts."""
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            mart: con.execute(
                f"select md5(string_agg(r, '|' order by r)) from (select cast(t as varchar) as r from marts.{mart} t)"
            ).fetchall()[0][0]
            for mart in MARTS
        }


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    os.environ["SMARTCITY_DATA_DIR"] = str(data_dir)
    decision, _, _ = extract_and_record("run_a", data_dir)
    release = build_gate_publish("run_a", data_dir)
    yield data_dir, decision, release
    os.environ.pop("SMARTCITY_DATA_DIR", None)
    os.environ.pop("DOPA_BASE_URL", None)


def test_first_run_downloads_and_publishes(first):
    data_dir, decision, release = first
    assert decision["changed"] and decision["downloaded"] == 2 and decision["bytes"] > 0
    assert release["release_id"]


def test_second_run_finds_everything_unchanged_and_publishes_nothing(first):
    data_dir, _, release = first
    decision, batches, sent = extract_and_record("run_b", data_dir)
    statuses = {o["status"] for batch in batches for o in batch}
    assert statuses == {"not_modified"} and decision["bytes"] == 0
    assert all("If-None-Match" in r["headers"] for r in sent)  # conditional GET, no body sent
    assert decision["changed"] is False and "no new release" in decision["reason"]
    with duckdb.connect(str(data_dir / "planning.duckdb"), read_only=True) as con:
        releases = con.execute("select release_id from meta.releases").fetchall()
        log = con.execute("select run_id, status, count(*) from meta.fetch_log group by all order by 1, 2").fetchall()
    assert releases == [(release["release_id"],)]
    assert log == [("run_a", "downloaded", 2), ("run_b", "not_modified", 2)]


def test_rebuild_from_the_same_inputs_gives_identical_marts(first):
    data_dir, _, _ = first
    info = refresh.build(refresh.load("run_c", data_dir))
    assert marts_digest(info["build_path"]) == marts_digest(data_dir / "planning.duckdb")


def _reader(path: str, stop, out) -> None:
    seen, errors = [], []
    while not stop.is_set():
        try:
            with duckdb.connect(path, read_only=True) as con:
                release = con.execute(
                    "select release_id from meta.releases order by published_at desc limit 1").fetchall()[0][0]
                total = con.execute(
                    "select sum(population_total) from marts.mart_area_ageing").fetchall()[0][0]
                status = con.execute(
                    "select string_agg(distinct status, ',' order by status) from raw.source_status").fetchall()[0][0]
            seen.append((release, int(total), status))
        except Exception as exc:  # noqa: BLE001 - any error is a failure of the promise
            errors.append(repr(exc))
        time.sleep(0.01)
    out.put((seen, errors))


def test_publisher_down_goes_stale_while_readers_never_fail_or_mix(first):
    data_dir, _, first_release = first
    published = str(data_dir / "planning.duckdb")
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    stop = ctx.Event()
    readers = [ctx.Process(target=_reader, args=(published, stop, queue)) for _ in range(3)]
    for reader in readers:
        reader.start()
    time.sleep(2)
    # The DOPA endpoint for Thai nationals answers 503 to every attempt of this run.
    down = Fault("status", status=503, times=None, params={"nat": "99"})
    os.environ["SMARTCITY_HTTP_BACKOFF"] = "0.01"
    try:
        decision, batches, _ = extract_and_record("run_d", data_dir, faults=[down])
    finally:
        os.environ.pop("SMARTCITY_HTTP_BACKOFF")
    statuses = {o["source_id"]: o["status"] for batch in batches for o in batch}
    assert statuses == {"dopa_population_thai": "stale", "dopa_population": "not_modified"}
    assert decision["changed"] and decision["stale_sources"] == ["dopa_population_thai"]
    release = build_gate_publish("run_d", data_dir)
    time.sleep(1)  # let every reader see the new release too
    stop.set()
    results = [queue.get(timeout=120) for _ in readers]
    for reader in readers:
        reader.join(timeout=30)
    seen = [s for r, _ in results for s in r]
    errors = [e for _, e in results for e in e]
    assert errors == []
    # Each observation is one whole release: its id with its own contents, never a mix.
    by_release = {}
    for release_id, total, status in seen:
        by_release.setdefault(release_id, set()).add((total, status))
    assert set(by_release) == {first_release["release_id"], release["release_id"]}
    assert all(len(v) == 1 for v in by_release.values())
    (old_total, old_status), = by_release[first_release["release_id"]]
    (new_total, new_status), = by_release[release["release_id"]]
    assert "stale" not in old_status and "stale" in new_status
    assert new_total == old_total  # the stale source keeps its last landed vintage
    with duckdb.connect(published, read_only=True) as con:
        source_status = dict(con.execute("select source_id, status from raw.source_status").fetchall())
        log = con.execute("select status from meta.fetch_log where run_id = 'run_d' order by source_id").fetchall()
    assert source_status["dopa_population_thai"] == "stale" and source_status["dopa_population"] == "fresh"
    assert log == [("not_modified",), ("stale",)]
