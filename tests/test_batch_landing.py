"""Batch landing: a source x period lands as one Parquet file and one manifest of answers.

Real HTTP over loopback (the bundled snapshot's DOPA statpop answers), real parsers and
the real DuckDB loader; the earlier per-answer layout is still read and is migrated.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from devtools.mirror import Fault, Mirror
from extract import landing
from extract.errors import ParseError
from warehouse import refresh
from warehouse.paths import landed_manifests
from warehouse.targets.duckdb.load import load_raw

SOURCE, PERIOD = "dopa_population", "2020-12"
PROVINCES = ["10", "83", "91"]
# a full check: 2020-12 is older than the revision window, and these tests are about asking
CONF = {"sources": [SOURCE], "provinces": PROVINCES, "periods": [PERIOD], "full_check": True}


def _files(directory: Path) -> dict[str, str]:
    return {
        p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _extract(data_dir: Path, mirror: Mirror, conf=CONF) -> list[dict]:
    outcomes = [o for b in refresh.plan(conf) for o in refresh.extract(b, data_dir)]
    refresh.record("batch_landing", [outcomes], data_dir)  # the fetch log the load reads
    return outcomes


@pytest.fixture
def dopa(monkeypatch):
    with Mirror() as mirror:
        monkeypatch.setenv("DOPA_BASE_URL", mirror.base_url)
        yield mirror


def test_a_batch_lands_as_one_file_and_one_manifest_of_every_answer(data_dir, dopa):
    outcomes = _extract(data_dir, dopa)
    assert [o["status"] for o in outcomes] == ["downloaded"] * 3
    directory = landing.batch_dir(data_dir, SOURCE, PERIOD)
    document = landing.read_batch_manifest(directory)
    assert sorted(_files(directory)) == ["_batch_manifest.json", document["parquet"]]
    answers = document["answers"]
    assert [a["slice_key"] for a in answers] == ["cc=10", "cc=83", "cc=91"]
    table = pq.read_table(directory / document["parquet"])
    assert table.num_rows == document["rows"] == sum(a["rows"] for a in answers)
    for answer, outcome in zip(answers, outcomes, strict=True):
        assert (
            answer["url"] == outcome["url"]
            and "cc=" + answer["url"].rsplit("cc=", 1)[1] == answer["slice_key"]
        )
        assert answer["sha256"] == outcome["sha256"] and len(answer["sha256"]) == 64
        assert answer["bytes"] == outcome["bytes"] > 0
        assert answer["last_modified"]  # the snapshot's Last-Modified, sent back next time
        rows = table.slice(answer["row_offset"], answer["rows"])
        assert set(rows.column("area_code").to_pylist()) == {answer["slice_key"][3:]}
        assert set(rows.column("source_sha256").to_pylist()) == {answer["sha256"]}


def test_landing_the_same_answers_again_asks_only_if_changed_and_touches_nothing(data_dir, dopa):
    _extract(data_dir, dopa)
    directory = landing.batch_dir(data_dir, SOURCE, PERIOD)
    before = _files(directory)
    stamps = {p: p.stat().st_mtime_ns for p in directory.iterdir()}
    answers = landing.read_batch_manifest(directory)["answers"]
    dopa.requests(clear=True)
    again = _extract(data_dir, dopa)
    assert [o["status"] for o in again] == ["not_modified"] * 3
    sent = dopa.requests()
    assert len(sent) == 3
    assert sorted(r["headers"].get("If-Modified-Since") for r in sent) == sorted(
        a["last_modified"] for a in answers
    )
    assert _files(directory) == before
    assert {p: p.stat().st_mtime_ns for p in directory.iterdir()} == stamps


def test_a_new_answer_rewrites_the_batch_keeping_the_others(data_dir, dopa):
    _extract(data_dir, dopa, {**CONF, "provinces": ["10", "91"]})
    directory = landing.batch_dir(data_dir, SOURCE, PERIOD)
    first = landing.read_batch_manifest(directory)
    _extract(data_dir, dopa, {**CONF, "provinces": ["83"]})
    second = landing.read_batch_manifest(directory)
    assert [a["slice_key"] for a in second["answers"]] == ["cc=10", "cc=83", "cc=91"]
    assert second["parquet"] != first["parquet"]
    assert sorted(_files(directory)) == ["_batch_manifest.json", second["parquet"]]  # old file gone
    kept = {a["slice_key"]: a["sha256"] for a in first["answers"]}
    assert {
        a["slice_key"]: a["sha256"] for a in second["answers"] if a["slice_key"] in kept
    } == kept


def test_bad_content_names_the_answer_and_the_landed_batch_stays(data_dir, dopa):
    _extract(data_dir, dopa)
    directory = landing.batch_dir(data_dir, SOURCE, PERIOD)
    before = _files(directory)
    (entry,) = [
        e
        for e in dopa.server.snapshot.entries.values()
        if (e.query.get("cc"), e.query.get("yymm"), e.query.get("nat")) == ("83", "6312", "999")
    ]
    bad = json.loads(entry.body)
    bad[0]["lsSumTotTot"] = int(bad[0]["lsSumTotTot"]) + 1
    dopa.inject(Fault("body", body=json.dumps(bad), times=None, params={"cc": "83"}))
    with pytest.raises(ParseError) as caught:
        _extract(data_dir, dopa, {**CONF, "periods": [PERIOD]})
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: field 'lsSumTotTot' in row 0")
    assert f"[answer {SOURCE} {PERIOD} cc=83 <" in message and "cc=83>" in message
    assert _files(directory) == before  # nothing of the batch landed


def _land_previous_version(data_dir: Path, dopa: Mirror) -> dict[str, dict]:
    """The per-answer layout the previous version wrote: land a batch, then split it."""
    _extract(data_dir, dopa)
    directory = landing.batch_dir(data_dir, SOURCE, PERIOD)
    document = landing.read_batch_manifest(directory)
    table = pq.read_table(directory / document["parquet"])
    legacy = {}
    for answer in document["answers"]:
        manifest = {k: v for k, v in answer.items() if k not in {"row_offset", "parquet", "rows"}}
        rows = table.slice(answer["row_offset"], answer["rows"])
        legacy[answer["slice_key"]] = landing.land(
            landing.slice_dir(data_dir, SOURCE, PERIOD, answer["slice_key"]), rows, manifest
        )
    (directory / document["parquet"]).unlink()
    (directory / landing.BATCH_MANIFEST_NAME).unlink()
    return legacy


def test_a_data_dir_of_the_previous_layout_loads_and_is_migrated(data_dir, dopa):
    legacy = _land_previous_version(data_dir, dopa)
    directory = landing.batch_dir(data_dir, SOURCE, PERIOD)
    assert sorted(_files(directory)) == [
        f"{k}/{n}" for k in legacy for n in ("_manifest.json", "part.parquet")
    ]
    counts = load_raw(data_dir / "build" / "old.duckdb", data_dir)
    assert counts[SOURCE] == sum(m["rows"] for m in legacy.values()) > 0
    assert {m["slice_key"] for m in landed_manifests(data_dir, [SOURCE])} == set(legacy)
    dopa.requests(clear=True)
    outcomes = _extract(data_dir, dopa)
    # the previous version's validators are used: one conditional request per answer
    assert [o["status"] for o in outcomes] == ["not_modified"] * 3
    assert all(r["headers"].get("If-Modified-Since") for r in dopa.requests())
    document = landing.read_batch_manifest(directory)
    assert sorted(_files(directory)) == ["_batch_manifest.json", document["parquet"]]
    assert {a["slice_key"]: a["sha256"] for a in document["answers"]} == {
        k: m["sha256"] for k, m in legacy.items()
    }
    counts = load_raw(data_dir / "build" / "new.duckdb", data_dir)
    assert counts[SOURCE] == document["rows"] == sum(m["rows"] for m in legacy.values())
    with duckdb.connect(str(data_dir / "build" / "new.duckdb"), read_only=True) as con:
        keys = con.execute(
            "select slice_key, rows from raw.landing_manifests order by slice_key"
        ).fetchall()
    assert keys == [(k, m["rows"]) for k, m in sorted(legacy.items())]


def test_a_crash_between_the_file_and_the_manifest_leaves_the_previous_batch(
    data_dir, dopa, monkeypatch
):
    _extract(data_dir, dopa, {**CONF, "provinces": ["10"]})
    directory = landing.batch_dir(data_dir, SOURCE, PERIOD)
    before = landing.read_batch_manifest(directory)
    real = landing.atomic_write

    def dies_at_the_manifest(path, write, **kwargs):
        if path.name == landing.BATCH_MANIFEST_NAME:
            raise KeyboardInterrupt  # killed after the new Parquet file was renamed
        return real(path, write, **kwargs)

    monkeypatch.setattr(landing, "atomic_write", dies_at_the_manifest)
    with pytest.raises(KeyboardInterrupt):
        _extract(data_dir, dopa)
    monkeypatch.setattr(landing, "atomic_write", real)
    assert landing.read_batch_manifest(directory) == before
    counts = load_raw(data_dir / "build" / "b.duckdb", data_dir)  # reads only the named file
    assert counts[SOURCE] == before["rows"]
    _extract(data_dir, dopa)
    after = landing.read_batch_manifest(directory)
    assert [a["slice_key"] for a in after["answers"]] == ["cc=10", "cc=83", "cc=91"]
    assert sorted(_files(directory)) == ["_batch_manifest.json", after["parquet"]]


def test_a_slice_of_several_answers_asks_each_answer_if_it_changed(tmp_path, data_dir, monkeypatch):
    from tests.test_households_extract import one_province_snapshot

    folder = one_province_snapshot(tmp_path)
    conf = {"sources": ["dopa_households"], "provinces": ["83"], "periods": ["2021-12"],
            "full_check": True}  # fmt: skip
    with Mirror([folder]) as mirror:
        monkeypatch.setenv("DOPA_BASE_URL", mirror.base_url)
        (first,) = _extract(data_dir, mirror, conf)
        directory = landing.batch_dir(data_dir, "dopa_households", "2021-12")
        before = _files(directory)
        landed = landing.read_answer(data_dir, "dopa_households", "2021-12", "cc=83")
        mirror.requests(clear=True)
        (again,) = _extract(data_dir, mirror, conf)
        sent = mirror.requests()
    assert first["status"] == "downloaded" and first["requests"] == len(landed["requests"]) > 2
    assert all(r["etag"] and r["last_modified"] for r in landed["requests"])
    assert (again["status"], again["bytes"], again["rows"]) == ("not_modified", 0, first["rows"])
    assert len(sent) == len(landed["requests"])  # one conditional request per answer
    assert [r["headers"].get("If-None-Match") for r in sent] == [r["etag"] for r in landed["requests"]]
    assert _files(directory) == before


def test_one_answer_of_a_slice_answered_in_full_asks_the_others_in_full(tmp_path, data_dir, monkeypatch):
    from tests.test_households_extract import one_province_snapshot

    folder = one_province_snapshot(tmp_path)
    conf = {"sources": ["dopa_households"], "provinces": ["83"], "periods": ["2021-12"],
            "full_check": True}  # fmt: skip
    index = json.loads((folder / "index.json").read_text())
    office = next(e for e in index["entries"] if e["query"]["action"] == "194")
    with Mirror([folder]) as mirror:
        monkeypatch.setenv("DOPA_BASE_URL", mirror.base_url)
        (first,) = _extract(data_dir, mirror, conf)
        landed = landing.read_answer(data_dir, "dopa_households", "2021-12", "cc=83")
        # the publisher answers one office in full (no 304): the slice is parsed again,
        # so the answers that were not modified are asked for in full too
        mirror.inject(Fault("body", body=(folder / office["file"]).read_text(encoding="utf-8"),
                            params={"action": "194", "rcode": office["query"]["rcode"]}))
        mirror.requests(clear=True)
        (again,) = _extract(data_dir, mirror, conf)
        sent = mirror.requests()
    parts = len(landed["requests"])
    assert len(sent) == parts + parts - 1
    assert again["status"] == "unchanged" and again["sha256"] == first["sha256"]
    assert landing.read_answer(data_dir, "dopa_households", "2021-12", "cc=83")["requests"] == landed["requests"]
