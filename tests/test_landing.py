"""Landing is atomic and idempotent: the same bytes give the same files."""

import hashlib
import json

import pyarrow.parquet as pq

from extract import landing
from extract.catalogue import load_catalogue
from extract.parsers import ParseContext, dopa_statpop
from extract.run_config import Slice
from tests.conftest import satun_wire


def _table(sha="abc"):
    source = load_catalogue()["dopa_population_thai"]
    ctx = ParseContext(source=source, feed=source.feed(), slice=Slice(source.id, "91", "2026-09"),
                       sha256=sha, is_modelled=False)
    return dopa_statpop.parse_table(json.dumps(satun_wire()).encode(), ctx)


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
