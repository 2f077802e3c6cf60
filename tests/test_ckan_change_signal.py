"""CKAN change signal: before a download the package's metadata_modified and the
resource's last_modified / size are compared with the landed manifest; unchanged means
no download, recorded in meta.fetch_log."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq

from devtools.mirror import Mirror
from devtools.snapshots import build_dlt_snapshot as builder
from extract.run_config import Slice
from extract.slices import extract_slice
from warehouse import fetch_log

SLICE = Slice("dlt_new_registrations", None, "2026-02")
DOWNLOAD = "/sttt_new_reg2_mm_2569_02.csv"


def portal(tmp_path: Path) -> Path:
    folder = tmp_path / "dlt"
    builder.build(builder.DEFAULT_REAL_DIR, folder)
    return folder


def touch_resource(folder: Path, **changes) -> None:
    """The portal republishes the month's resource (new last_modified or size)."""
    name = "package_show_dataset_stat_1_003.json"
    document = json.loads((folder / name).read_text(encoding="utf-8"))
    for item in document["result"]["resources"]:
        if item["url"].endswith(DOWNLOAD):
            item.update(changes)
    # CKAN moves the package's metadata_modified with any change to one of its resources
    document["result"]["metadata_modified"] = changes.get("last_modified", "2026-03-21T08:00:00")
    body = (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    (folder / name).write_bytes(body)
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    for entry in index["entries"]:
        if entry["file"] == name:
            entry.update(sha256=hashlib.sha256(body).hexdigest(), bytes=len(body))
    (folder / "index.json").write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")


def run(folder: Path, data_dir: Path, monkeypatch) -> tuple[dict, list[str]]:
    with Mirror([folder]) as mirror:
        monkeypatch.setenv("DLT_BASE_URL", mirror.base_url)
        outcome = extract_slice(SLICE, data_dir)
        return outcome, [r["path"] for r in mirror.requests()]


def test_unchanged_metadata_means_no_download_and_a_logged_reason(tmp_path, monkeypatch):
    folder, data_dir = portal(tmp_path), tmp_path / "data"
    first, requests = run(folder, data_dir, monkeypatch)
    assert first["status"] == "downloaded" and first["rows"] == 19
    assert any(path.endswith(DOWNLOAD) for path in requests)
    second, requests = run(folder, data_dir, monkeypatch)
    assert second["status"] == "not_modified" and second["bytes"] == 0 and second["rows"] == 19
    assert requests == ["/api/3/action/package_show"]  # the file itself was not asked for
    assert second["detail"].startswith("CKAN package metadata_modified ")
    log = pq.read_table(fetch_log.write(data_dir, "manual__again", [second])).to_pylist()
    assert log[0]["status"] == "not_modified" and "as landed: not downloaded" in log[0]["detail"]


def test_a_new_last_modified_or_size_is_downloaded_again(tmp_path, monkeypatch):
    folder, data_dir = portal(tmp_path), tmp_path / "data"
    run(folder, data_dir, monkeypatch)
    touch_resource(folder, last_modified="2026-03-20T10:00:00")
    again, requests = run(folder, data_dir, monkeypatch)
    assert any(path.endswith(DOWNLOAD) for path in requests)
    assert again.get("detail") is None  # asked for (same bytes: the origin answers 304)
    assert again["status"] in {"not_modified", "unchanged", "downloaded"}
    third, requests = run(folder, data_dir, monkeypatch)  # the new metadata was remembered
    assert requests == ["/api/3/action/package_show"] and "2026-03-20T10:00:00" in third["detail"]
    touch_resource(folder, size=9999)
    _, requests = run(folder, data_dir, monkeypatch)
    assert any(path.endswith(DOWNLOAD) for path in requests)
