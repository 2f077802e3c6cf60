"""Build the dbt reference seeds (regions, provinces, districts) from the geography inputs.

Inputs (copies of MIT-licensed upstream files, see dbt_project/seeds/PROVENANCE.md):

    dbt_project/seed_inputs/geo/geo_provinces.json          DOPA province codes and names
    dbt_project/seed_inputs/geo/geo_districts.json          DOPA district codes and names
    dbt_project/seed_inputs/geo/geo_provinces_regions.csv   province -> region (by name)
    dbt_project/seed_inputs/geo/geo_regions.csv             the six regions (Thai names)

Outputs:

    dbt_project/seeds/ref_regions.csv
    dbt_project/seeds/ref_provinces.csv
    dbt_project/seeds/ref_districts.csv

In geo_provinces_regions.csv the `id` column is an internal 1..77 number of that
repository, not the DOPA code, so provinces are matched to regions on the Thai name.

Usage:

    python devtools/reference/build_reference_seeds.py           # (re)write the seeds
    python devtools/reference/build_reference_seeds.py --check   # exit 1 if the seeds are stale
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import unicodedata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
INPUT_DIR = REPO_ROOT / "dbt_project" / "seed_inputs" / "geo"
SEED_DIR = REPO_ROOT / "dbt_project" / "seeds"

EXPECTED_REGIONS = 6
EXPECTED_PROVINCES = 77
EXPECTED_DISTRICTS = 928

# geo_regions.csv only carries Thai names; these are the usual English names of the
# six-region scheme it uses (translation added by this project).
REGION_NAMES_EN = {
    "ภาคเหนือ": "Northern",
    "ภาคกลาง": "Central",
    "ภาคตะวันออกเฉียงเหนือ": "Northeastern",
    "ภาคตะวันตก": "Western",
    "ภาคตะวันออก": "Eastern",
    "ภาคใต้": "Southern",
}

# Corrections of obvious typos in the upstream English province names, keyed by DOPA code.
PROVINCE_NAME_EN_FIXES = {
    "16": ("Loburi", "Lop Buri"),
}

REGION_COLUMNS = ["region_code", "name_th", "name_en"]
PROVINCE_COLUMNS = ["area_code", "name_th", "name_en", "region_code"]
DISTRICT_COLUMNS = ["area_code", "province_code", "name_th", "name_en"]


def _clean(text: str) -> str:
    """Normalise a name: NFC, trimmed, single spaces."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _read_json(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig") as handle:
        return json.load(handle)


def build_regions(input_dir: Path) -> list[dict[str, str]]:
    rows = []
    for record in _read_csv(input_dir / "geo_regions.csv"):
        name_th = _clean(record["name"])
        if name_th not in REGION_NAMES_EN:
            raise ValueError(f"no English name for region {name_th!r}")
        rows.append(
            {
                "region_code": str(int(record["id"])),
                "name_th": name_th,
                "name_en": REGION_NAMES_EN[name_th],
            }
        )
    if len(rows) != EXPECTED_REGIONS:
        raise ValueError(f"expected {EXPECTED_REGIONS} regions, got {len(rows)}")
    return sorted(rows, key=lambda row: int(row["region_code"]))


def build_provinces(input_dir: Path, regions: list[dict[str, str]]) -> list[dict[str, str]]:
    region_codes = {row["region_code"] for row in regions}
    region_by_name_th: dict[str, str] = {}
    for record in _read_csv(input_dir / "geo_provinces_regions.csv"):
        if record.get("deleted_at"):
            continue
        name_th = _clean(record["name_th"])
        region_code = str(int(record["geography_id"]))
        if region_code not in region_codes:
            raise ValueError(f"unknown region {region_code} for province {name_th!r}")
        if name_th in region_by_name_th:
            raise ValueError(f"province {name_th!r} listed twice in the region table")
        region_by_name_th[name_th] = region_code

    rows = []
    for record in _read_json(input_dir / "geo_provinces.json"):
        area_code = f"{int(record['provinceCode']):02d}"
        name_th = _clean(record["provinceNameTh"])
        name_en = _clean(record["provinceNameEn"])
        if area_code in PROVINCE_NAME_EN_FIXES:
            wrong, right = PROVINCE_NAME_EN_FIXES[area_code]
            if name_en == wrong:
                name_en = right
        if name_th not in region_by_name_th:
            raise ValueError(f"province {area_code} {name_th!r} has no region")
        rows.append(
            {
                "area_code": area_code,
                "name_th": name_th,
                "name_en": name_en,
                "region_code": region_by_name_th[name_th],
            }
        )

    codes = [row["area_code"] for row in rows]
    if len(rows) != EXPECTED_PROVINCES or len(set(codes)) != EXPECTED_PROVINCES:
        raise ValueError(f"expected {EXPECTED_PROVINCES} distinct provinces, got {len(set(codes))}")
    unmatched = set(region_by_name_th) - {row["name_th"] for row in rows}
    if unmatched:
        raise ValueError(f"region table names no DOPA province: {sorted(unmatched)}")
    return sorted(rows, key=lambda row: row["area_code"])


def build_districts(input_dir: Path, provinces: list[dict[str, str]]) -> list[dict[str, str]]:
    province_codes = {row["area_code"] for row in provinces}
    rows = []
    for record in _read_json(input_dir / "geo_districts.json"):
        area_code = f"{int(record['districtCode']):04d}"
        province_code = f"{int(record['provinceCode']):02d}"
        if province_code not in province_codes or not area_code.startswith(province_code):
            raise ValueError(f"district {area_code} has a bad province {province_code}")
        rows.append(
            {
                "area_code": area_code,
                "province_code": province_code,
                "name_th": _clean(record["districtNameTh"]),
                "name_en": _clean(record["districtNameEn"]),
            }
        )
    codes = {row["area_code"] for row in rows}
    if len(rows) != EXPECTED_DISTRICTS or len(codes) != EXPECTED_DISTRICTS:
        raise ValueError(f"expected {EXPECTED_DISTRICTS} distinct districts, got {len(codes)}")
    return sorted(rows, key=lambda row: row["area_code"])


def render_csv(columns: list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def build_all(input_dir: Path = INPUT_DIR) -> dict[str, str]:
    """Return {seed file name: CSV text} for the three reference seeds."""
    regions = build_regions(input_dir)
    provinces = build_provinces(input_dir, regions)
    districts = build_districts(input_dir, provinces)
    return {
        "ref_regions.csv": render_csv(REGION_COLUMNS, regions),
        "ref_provinces.csv": render_csv(PROVINCE_COLUMNS, provinces),
        "ref_districts.csv": render_csv(DISTRICT_COLUMNS, districts),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the seeds are stale")
    parser.add_argument("--input-dir", type=Path, default=INPUT_DIR)
    parser.add_argument("--seed-dir", type=Path, default=SEED_DIR)
    args = parser.parse_args(argv)

    stale = []
    for name, text in build_all(args.input_dir).items():
        target = args.seed_dir / name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        stale.append(name)
        if not args.check:
            target.write_text(text, encoding="utf-8", newline="")
            print(f"wrote {target}")
    if args.check and stale:
        print(
            f"stale seeds: {', '.join(stale)}; run devtools/reference/build_reference_seeds.py",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
