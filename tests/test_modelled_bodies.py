"""`is_modelled` comes from a provenance-labels file, not from anything the mirror sends."""

import json
import re
from pathlib import Path

import pytest

from devtools.mirror import Mirror
from devtools.snapshots import modelled_bodies
from extract import landing
from extract.http.client import make_session
from extract.run_config import Slice
from extract.slices import extract_slice

REPO = Path(__file__).resolve().parents[1]
PRODUCT_PACKAGES = ("extract", "warehouse", "expectations", "dags")


def test_labels_list_every_bundled_modelled_body_and_no_real_one():
    written = modelled_bodies.labels()
    assert written["format"] == landing.MODELLED_BODIES_FORMAT
    modelled, real = set(), set()
    for folder in modelled_bodies.snapshot_dirs():
        for entry in json.loads((folder / "index.json").read_text(encoding="utf-8"))["entries"]:
            (modelled if entry["is_modelled"] else real).add(entry["sha256"])
    assert set(written["bodies"]) == modelled and not real & set(written["bodies"])
    assert len(modelled) > 100 and len(real) > 10
    assert all(label["method"].startswith("Modelled") for label in written["bodies"].values())


def _land(data_dir, monkeypatch, mirror, source_id, province, period):
    monkeypatch.setenv("DOPA_BASE_URL", mirror.base_url)
    return extract_slice(Slice(source_id, province, period), data_dir, make_session(total_retries=0))


def test_a_labelled_body_lands_modelled_and_an_unlabelled_one_real(data_dir, monkeypatch, tmp_path):
    labels = tmp_path / "labels.json"
    monkeypatch.setenv(landing.MODELLED_BODIES_ENV, str(labels))
    with Mirror() as mirror:
        mirror.write_modelled_bodies(labels)
        modelled = _land(data_dir, monkeypatch, mirror, "dopa_population", "91", "2020-12")
        real = _land(data_dir, monkeypatch, mirror, "dopa_population_thai", "91", "2026-09")
        monkeypatch.delenv(landing.MODELLED_BODIES_ENV)  # a live run: nothing is labelled
        unlabelled = _land(data_dir / "live", monkeypatch, mirror, "dopa_population", "91", "2020-12")
    assert modelled["is_modelled"] is True and real["is_modelled"] is False
    assert unlabelled["is_modelled"] is False and unlabelled["sha256"] == modelled["sha256"]
    manifest = landing.read_answer(data_dir, "dopa_population", "2020-12", "cc=91")
    assert manifest["is_modelled"] is True
    assert landing.modelled_method(modelled["sha256"]) is None  # variable unset


def test_a_named_labels_file_that_is_missing_stops_the_slice(data_dir, monkeypatch, tmp_path):
    monkeypatch.setenv(landing.MODELLED_BODIES_ENV, str(tmp_path / "missing.json"))
    with Mirror() as mirror, pytest.raises(FileNotFoundError, match="SMARTCITY_MODELLED_BODIES"):
        _land(data_dir, monkeypatch, mirror, "dopa_population", "91", "2020-12")


def test_product_code_does_not_know_the_mirror():
    for package in PRODUCT_PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert "X-Data-Modelled" not in text, path
            assert not re.search(r"^\s*(from|import) devtools", text, re.M), path
