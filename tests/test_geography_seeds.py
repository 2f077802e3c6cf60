"""The reference geography seeds (devtools/reference/build_geography.py): what is loaded
is checked: counts, unique codes, parents that exist, office codes apart from districts."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"


def rows(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_counts_and_unique_codes() -> None:
    districts = {r["area_code"] for r in rows("ref_districts")}
    subdistricts = rows("ref_subdistricts")
    municipalities = rows("ref_municipalities")
    assert len(districts) == 928
    assert Counter(r["is_current"] for r in subdistricts) == {"true": 7436, "false": 22}
    assert Counter(r["is_current"] for r in municipalities) == {"true": 1554, "false": 1}
    assert Counter(r["municipality_type"] for r in municipalities) == {
        "tambon": 1349, "mueang": 175, "nakhon": 30, "special": 1,
    }  # fmt: skip
    for table in (subdistricts, municipalities):
        codes = [r["area_code"] for r in table]
        assert len(codes) == len(set(codes))


def test_parents_exist_and_office_codes_are_not_district_codes() -> None:
    districts = {r["area_code"] for r in rows("ref_districts")}
    for row in rows("ref_subdistricts"):
        assert row["district_code"] in districts and row["area_code"][:4] == row["district_code"]
    municipalities = rows("ref_municipalities")
    for row in municipalities:
        assert row["district_code"] in districts, row
        assert row["area_code"] not in districts, row
        assert row["area_code"][:2] == row["province_code"]
    codes = {r["area_code"] for r in municipalities}
    subdistricts = {r["area_code"] for r in rows("ref_subdistricts")}
    for row in rows("ref_municipality_subdistricts"):
        assert row["municipality_code"] in codes and row["subdistrict_code"] in subdistricts


def test_areas_in_km2() -> None:
    sizes = {(r["area_level"], r["area_code"]): float(r["area_km2"]) for r in rows("ref_area_sizes")}
    assert sum(1 for level, _ in sizes if level == "district") == 906
    assert sum(1 for level, _ in sizes if level == "province") == 76
    # a province's area is the sum of its districts
    satun = sum(v for (level, code), v in sizes.items() if level == "district" and code[:2] == "91")
    assert sizes[("province", "91")] == round(satun, 6) or abs(sizes[("province", "91")] - satun) < 1e-6
    assert all(v > 0 for v in sizes.values())
