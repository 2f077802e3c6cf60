"""The bundled DOPA statpop snapshot: reproducible, and every real figure exact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from devtools.mirror import entry_key, normalise_query
from devtools.snapshots import build_dopa_snapshot as builder

SNAPSHOT_DIR = builder.DEFAULT_OUT_DIR
REAL_DIR = builder.DEFAULT_REAL_DIR
AGES = range(102)


def read_body(name: str) -> list[dict[str, Any]]:
    return json.loads((SNAPSHOT_DIR / name).read_bytes())


def ages(obj: dict[str, Any]) -> list[int]:
    return [obj[f"lsAge{age}"] for age in AGES]


def total(name: str) -> int:
    return sum(sum(ages(obj)) for obj in read_body(name))


def band_sum(name: str, band: range) -> int:
    return sum(obj[f"lsAge{age}"] for obj in read_body(name) for age in band)


@pytest.fixture(scope="module")
def index() -> dict[str, Any]:
    return json.loads((SNAPSHOT_DIR / "index.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def satun_real() -> dict[str, Any]:
    return json.loads((REAL_DIR / builder.SATUN_FILE).read_text(encoding="utf-8"))


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    builder.build(REAL_DIR, tmp_path)
    committed = sorted(p.name for p in SNAPSHOT_DIR.iterdir() if p.is_file())
    rebuilt = sorted(p.name for p in tmp_path.iterdir())
    assert rebuilt == committed
    for name in committed:
        assert (tmp_path / name).read_bytes() == (SNAPSHOT_DIR / name).read_bytes(), name


def test_dec_2563_totals_are_the_real_province_figures() -> None:
    real = json.loads((REAL_DIR / builder.TOTALS_2563_FILE).read_text(encoding="utf-8"))
    assert len(real) == 77
    for row in real:
        name = f"a23_y6312_n999_p99_cc{row['PROV_CODE']}.json"
        assert total(name) == row["population"], name
    national = sum(total(f"a23_y6312_n999_p99_cc{row['PROV_CODE']}.json") for row in real)
    assert national == 66_186_727
    assert total("a23_y6312_n999_p99_cc10.json") == 5_588_222  # Bangkok, official


def test_jun_2564_band_totals_are_exact() -> None:
    real = json.loads((REAL_DIR / builder.BANDS_6406_FILE).read_text(encoding="utf-8"))
    assert len(real) == 77
    for row in real:
        name = f"a23_y6406_n999_p99_cc{row['PROV_CODE']}.json"
        assert band_sum(name, range(0, 20)) == row["<20"], name
        assert band_sum(name, range(20, 60)) == row["20-60"], name
        assert band_sum(name, range(60, 102)) == row[">60"], name
        assert total(name) == row["total"], name


def test_every_body_is_male_then_female_with_a_consistent_sum(index: dict[str, Any]) -> None:
    for entry in index["entries"]:
        body = read_body(entry["file"])
        assert len(body) == 2, entry["file"]
        assert [int(obj["lsageSex"]) for obj in body] == [1, 2], entry["file"]
        for obj in body:
            assert all(isinstance(count, int) and count >= 0 for count in ages(obj))
            assert "lsAge102" not in obj
            assert obj["lsSumTotTot"] == sum(ages(obj)), entry["file"]


def test_satun_6909_is_the_real_recording_unmodified(satun_real: dict[str, Any]) -> None:
    male, female = read_body("a23_y6909_n99_p99_cc91.json")
    assert ages(male) == satun_real["prov_thai"]["1"]
    assert ages(female) == satun_real["prov_thai"]["2"]
    assert (male["lsSumTotTot"], female["lsSumTotTot"]) == (160_232, 162_402)
    assert male["lsSumTotTot"] + female["lsSumTotTot"] == 322_634


def test_satun_offices_are_real_and_add_up_to_the_province(satun_real: dict[str, Any]) -> None:
    province = read_body("a23_y6909_n99_p99_cc91.json")
    rcodes = sorted(satun_real["office_thai"])
    assert len(rcodes) == 14
    offices = {rcode: read_body(f"a24_y6909_n99_p99_cc91_r{rcode}.json") for rcode in rcodes}
    for rcode, body in offices.items():
        assert ages(body[0]) == satun_real["office_thai"][rcode]["1"], rcode
        assert ages(body[1]) == satun_real["office_thai"][rcode]["2"], rcode
    for sex in (0, 1):
        for age in AGES:
            key = f"lsAge{age}"
            assert sum(body[sex][key] for body in offices.values()) == province[sex][key]


def test_index_marks_modelled_and_real(index: dict[str, Any]) -> None:
    entries = index["entries"]
    assert len(entries) == 77 * 2 + 1 + 14
    for entry in entries:
        query = entry["query"]
        real = query["yymm"] == "6909"
        assert entry["is_modelled"] is not real, entry["file"]
        assert entry["population_scope"] == ("thai_nationals" if real else "all_nationalities")
        assert query["nat"] == ("99" if real else "999")
        assert entry["method"].startswith("Real." if real else "Modelled.")
        assert entry["file"] == builder.snapshot_file_name(query)
        assert entry["path"] == builder.FORWARD_PATH
        assert query["API"] == builder.INNER_API
        path, _, raw_query = entry["url"].partition("?")
        assert (path, normalise_query(raw_query)) == entry_key(entry["path"], query)
    modelled = {(e["query"]["yymm"], e["query"]["cc"]) for e in entries if e["is_modelled"]}
    assert {yymm for yymm, _ in modelled} == {"6312", "6406"}
    assert len({cc for _, cc in modelled}) == 77


def test_file_names_are_portable(index: dict[str, Any]) -> None:
    for entry in index["entries"]:
        assert set(entry["file"]) <= set("abcdefghijklmnopqrstuvwxyz0123456789_."), entry["file"]


def test_largest_remainder_is_exact_and_proportional() -> None:
    assert builder.largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
    assert builder.largest_remainder(7, [0, 5, 2]) == [0, 5, 2]
    shares = builder.largest_remainder(1_000_003, [3, 5, 7, 11])
    assert sum(shares) == 1_000_003
    assert all(abs(s - 1_000_003 * w / 26) < 1 for s, w in zip(shares, [3, 5, 7, 11], strict=True))
    with pytest.raises(ValueError):
        builder.largest_remainder(5, [0, 0])
