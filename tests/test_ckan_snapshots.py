"""The bundled CKAN snapshots and reference tables: reproducible, labelled, and served."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from devtools.mirror import Mirror
from devtools.reference import build_registration_offices as offices_builder
from devtools.snapshots import (
    build_datagoth_snapshot,
    build_dlt_snapshot,
    build_electricity_snapshot,
)

SNAPSHOTS = Path(build_dlt_snapshot.__file__).parent
FOLDERS = {"dlt_ckan": False, "datagoth_ckan": None, "pea_ckan": True, "mea_ckan": True}  # None: mixed


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name != "PROVENANCE.md"}


@pytest.mark.parametrize("builder", [build_dlt_snapshot, build_datagoth_snapshot])
def test_rebuild_is_byte_identical(builder, tmp_path):
    builder.build(builder.DEFAULT_REAL_DIR, tmp_path)
    assert files(tmp_path) == files(builder.DEFAULT_OUT_DIR)


def test_electricity_rebuild_is_byte_identical(tmp_path):
    build_electricity_snapshot.build(build_electricity_snapshot.DEFAULT_REAL_DIR, tmp_path)
    for folder in ("pea_ckan", "mea_ckan"):
        assert files(tmp_path / folder) == files(SNAPSHOTS / folder), folder


def test_registration_offices_rebuild_is_byte_identical(tmp_path):
    out = tmp_path / "offices.csv"
    offices_builder.build(offices_builder.DEFAULT_REAL_DIR, out)
    assert out.read_bytes() == offices_builder.DEFAULT_OUT.read_bytes()


@pytest.mark.parametrize(("folder", "modelled"), FOLDERS.items())
def test_each_folder_has_provenance_and_labels_every_entry(folder, modelled):
    index = json.loads((SNAPSHOTS / folder / "index.json").read_text(encoding="utf-8"))
    provenance = (SNAPSHOTS / folder / "PROVENANCE.md").read_text(encoding="utf-8")
    assert index["provenance"] == "PROVENANCE.md" and "Licence" in provenance
    assert set(files(SNAPSHOTS / folder)) == {e["file"] for e in index["entries"]} | {"index.json"}
    for entry in index["entries"]:
        assert isinstance(entry["is_modelled"], bool) and entry["method"]
        if modelled is not None:
            assert entry["is_modelled"] is modelled, entry["file"]
        assert entry["method"].startswith("Modelled") == entry["is_modelled"], entry["file"]
    if folder == "datagoth_ckan":
        labels = {e["file"]: e["is_modelled"] for e in index["entries"]}
        assert labels["tbl_rtddi.xlsx"] is True
        assert labels["average-income-41-58-by-provinces.csv"] is False


def test_real_nso_file_is_served_byte_for_byte():
    served = (SNAPSHOTS / "datagoth_ckan" / "average-income-41-58-by-provinces.csv").read_bytes()
    assert served == (build_datagoth_snapshot.DEFAULT_REAL_DIR / build_datagoth_snapshot.NSO_FILE).read_bytes()


def test_mirror_serves_resources_in_the_real_url_shape_with_the_modelled_label():
    with Mirror() as mirror:
        dlt = requests.get(mirror.base_url + "/dataset/e8b7d87e-5a3c-4b8b-854c-974d3b600256/resource/"
                           "e5a037c6-3cc2-415e-b559-e6e85cfba2ca/download/stt_car_fuel_at_25690228.csv", timeout=5)
        assert dlt.status_code == 200 and dlt.content.startswith(b"\xef\xbb\xbf")
        assert dlt.headers["X-Data-Modelled"] == "false"
        rtddi = requests.get(mirror.base_url + "/dataset/f5804870-7dc2-42df-86f3-769d6cc2ae23/resource/"
                             "be60ddda-66cf-4d62-8815-63eb5941921a/download/tbl_rtddi.xlsx", timeout=5)
        assert rtddi.status_code == 200 and rtddi.content.startswith(b"PK\x03\x04")
        assert rtddi.headers["X-Data-Modelled"] == "true"
        package = requests.get(mirror.base_url + "/api/3/action/package_show?id=rtddi", timeout=5).json()
        assert package["success"] and package["result"]["license_title"] == "DGA Open Government License"
