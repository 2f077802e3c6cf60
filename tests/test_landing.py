"""Landing is atomic and idempotent: the same bytes give the same files."""

import datetime as dt
import hashlib
import json

import pyarrow.parquet as pq

from extract import landing
from extract.catalogue import load_catalogue
from extract.dopa_statpop import parse
from extract.slices import _population_table
from tests.conftest import satun_wire


def _table(sha="abc"):
    rows = parse(json.dumps(satun_wire()).encode(), source_id="dopa_population_thai",
                 area_code="91", period=dt.date(2026, 9, 30))
    return _population_table(rows, load_catalogue()["dopa_population_thai"], sha, False)


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_landing_twice_gives_identical_files_and_no_temp_files(data_dir):
    directory = landing.slice_dir(data_dir, "dopa_population_thai", "2026-09", "cc=91")
    manifest = {"source_id": "dopa_population_thai", "sha256": "abc", "fetched_at": "2026-10-08T10:27:00+00:00"}
    landing.land(directory, _table(), manifest)
    first = {p.name: _digest(p) for p in directory.iterdir()}
    landing.land(directory, _table(), manifest)
    second = {p.name: _digest(p) for p in directory.iterdir()}
    assert first == second
    assert sorted(first) == ["_manifest.json", "part.parquet"]
    table = pq.read_table(directory / "part.parquet")
    assert table.num_rows == 204 and sum(table.column("population").to_pylist()) == 322_634
    assert landing.read_manifest(directory)["rows"] == 204


def test_failed_write_leaves_the_previous_slice(data_dir, monkeypatch):
    directory = landing.slice_dir(data_dir, "dopa_population_thai", "2026-09", "cc=91")
    landing.land(directory, _table(), {"sha256": "old"})
    before = _digest(directory / "part.parquet")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(landing.pq, "write_table", boom)
    try:
        landing.land(directory, _table("new"), {"sha256": "new"})
    except OSError:
        pass
    assert _digest(directory / "part.parquet") == before
    assert landing.read_manifest(directory)["sha256"] == "old"
    assert sorted(p.name for p in directory.iterdir()) == ["_manifest.json", "part.parquet"]
