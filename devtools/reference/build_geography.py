"""Build the sub-district and municipality reference seeds from the gazetteer and DOLA.

Inputs (a checkout of the public gazetteer repository Ahoerstemeier/tambon, folder
``AHTambonData``; that repository states no licence, see dbt_project/seeds/PROVENANCE.md):

    <tambon>/Geocode/geocode<cc>.xml     administrative tree of each of the 77 provinces
    <tambon>/DOLA/DOLA2560-03.xml         local governments of March 2560 BE with area (km2)
                                          (or the flat copy dola_lao_2017_flat.csv)

Outputs (dbt seeds, committed; the script is deterministic: same inputs, same bytes):

    dbt_project/seeds/ref_subdistricts.csv               6-digit sub-districts (tambon / khwaeng)
    dbt_project/seeds/ref_municipalities.csv             municipal registration offices (rcode)
    dbt_project/seeds/ref_municipality_subdistricts.csv  the sub-districts each one serves
    dbt_project/seeds/ref_area_sizes.csv                 area in km2 of districts and provinces

Usage:

    python -m devtools.reference.build_geography --geocode-dir DIR --dola FILE [--check]

Every check below must pass or nothing is written: 928 districts (equal to
ref_districts.csv), unique codes, every sub-district and municipality inside a known
district, municipal office codes never equal to a district code.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_DIR = REPO_ROOT / "dbt_project" / "seeds"
NS = "{http://hoerstemeier.com/tambon/}"

DISTRICT_TYPES = {"Amphoe", "KingAmphoe", "Khet"}
SUBDISTRICT_TYPES = {"Tambon", "Khwaeng"}
# Gazetteer entity type -> municipality_type. Pattaya (type Mueang) is a special local
# government with its own registration office, so it is listed too.
MUNICIPALITY_TYPES = {
    "ThesabanNakhon": "nakhon",
    "ThesabanMueang": "mueang",
    "ThesabanTambon": "tambon",
    "Mueang": "special",
}
EXPECTED_DISTRICTS = 928
EXPECTED_PROVINCES = 77

SUBDISTRICT_COLUMNS = [
    "area_code",
    "district_code",
    "province_code",
    "name_th",
    "name_en",
    "is_current",
]
EXPECTED_CURRENT_SUBDISTRICTS = (7400, 7500)  # 7,436 in 2020
MUNICIPALITY_COLUMNS = [
    "area_code",
    "municipality_type",
    "district_code",
    "province_code",
    "name_th",
    "name_en",
    "area_km2",
    "dola_code",
    "is_current",
]
COVERAGE_COLUMNS = ["municipality_code", "subdistrict_code", "coverage"]
AREA_COLUMNS = ["area_code", "area_level", "area_km2", "area_year", "area_source"]


class GeographyError(ValueError):
    """An input or a check failed; nothing is written."""


def _text(value: str | None) -> str:
    return unicodedata.normalize("NFC", (value or "").strip())


def _children(entity: ET.Element) -> Iterator[ET.Element]:
    for child in entity:
        if child.tag == f"{NS}entity":
            yield child


def _current(entity: ET.Element) -> bool:
    """Not obsolete and not moved to a new code."""
    return not entity.get("obsolete") and not entity.get("newgeocode")


def _area_km2(entity: ET.Element) -> tuple[str, str] | None:
    """The latest area (km2) recorded directly on an entity, with its year."""
    holder = entity.find(f"{NS}area")
    if holder is None:
        return None
    best = None
    for item in holder.findall(f"{NS}area"):
        if item.get("unit", "km²") not in ("km²", "km2") or not item.get("value"):
            continue
        year = item.get("year", "")
        if best is None or year > best[1]:
            best = (str(Decimal(item.get("value"))), year)
    return best


def read_gazetteer(geocode_dir: Path) -> dict[str, list[dict[str, str]]]:
    districts: list[dict[str, str]] = []
    subdistricts: list[dict[str, str]] = []
    municipalities: list[dict[str, str]] = []
    coverage: list[dict[str, str]] = []
    files = sorted(geocode_dir.glob("geocode*.xml"))
    if len(files) != EXPECTED_PROVINCES:
        raise GeographyError(f"{geocode_dir}: {len(files)} geocode files, expected 77")
    for path in files:
        root = ET.parse(path).getroot()
        province = root.get("geocode", "")
        if root.get("type") not in ("Changwat", "Bangkok") or len(province) != 2:
            raise GeographyError(f"{path.name}: root is not a province")
        for entity in _children(root):
            kind, code = entity.get("type"), entity.get("geocode", "")
            # A former municipal office (abolished or merged, no new code) stays listed as
            # not current: yearly figures before the change still name it.
            former_office = (
                kind in MUNICIPALITY_TYPES
                and bool(entity.get("obsolete"))
                and not entity.get("newgeocode")
                and len(code) == 4
                and bool(entity.get("parent"))
            )
            if not _current(entity) and not former_office:
                continue
            if kind in DISTRICT_TYPES:
                area = _area_km2(entity)
                districts.append(
                    {
                        "area_code": code,
                        "province_code": province,
                        "area_km2": area[0] if area else "",
                        "area_year": area[1] if area else "",
                    }
                )
                for sub in _children(entity):
                    # Former sub-districts (abolished, no new code) stay listed as not
                    # current: yearly figures before the change still name them.
                    former = bool(sub.get("obsolete")) and not sub.get("newgeocode")
                    if sub.get("type") in SUBDISTRICT_TYPES and (_current(sub) or former):
                        subdistricts.append(
                            {
                                "area_code": sub.get("geocode", ""),
                                "district_code": code,
                                "province_code": province,
                                "name_th": _text(sub.get("name")),
                                "name_en": _text(sub.get("english")),
                                "is_current": "false" if former else "true",
                            }
                        )
            elif kind in MUNICIPALITY_TYPES:
                if len(code) != 4:
                    continue  # no registration office of its own (6-digit local code)
                municipalities.append(
                    {
                        "area_code": code,
                        "municipality_type": MUNICIPALITY_TYPES[kind],
                        # A few municipalities straddle two districts (parent="2007 2004"):
                        # the first one listed is the district the office is in.
                        "district_code": (entity.get("parent") or "").split(" ")[0],
                        "province_code": province,
                        "name_th": _text(entity.get("name")),
                        "name_en": _text(entity.get("english")),
                        "is_current": "false" if former_office else "true",
                    }
                )
                seen: set[str] = set()
                for office in entity.findall(f"{NS}office"):
                    for item in office.findall(f"{NS}areacoverage/{NS}entity"):
                        sub_code = item.get("geocode", "")
                        if len(sub_code) == 6 and sub_code not in seen:
                            seen.add(sub_code)
                            coverage.append(
                                {
                                    "municipality_code": code,
                                    "subdistrict_code": sub_code,
                                    "coverage": "complete"
                                    if item.get("coverage") == "completely"
                                    else "partial",
                                }
                            )
    return {
        "districts": districts,
        "subdistricts": subdistricts,
        "municipalities": municipalities,
        "coverage": coverage,
    }


def read_dola(path: Path) -> dict[str, dict[str, str]]:
    """DOLA local governments by geocode (= gazetteer geocode), with area in km2."""
    result: dict[str, dict[str, str]] = {}
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["area_value"] and row["area_unit"] in ("km²", "km2"):
                    result[row["lao_geocode"]] = {
                        "area_km2": str(Decimal(row["area_value"])),
                        "dola_code": row["dola_code"],
                    }
        return result
    root = ET.parse(path).getroot()
    for entity in root.iter(f"{NS}entity"):
        code = entity.get("geocode", "")
        area = _area_km2(entity)
        dola = entity.find(f"{NS}codes/{NS}dola")
        if area:
            result[code] = {
                "area_km2": area[0],
                "dola_code": dola.get("value", "") if dola is not None else "",
            }
    return result


def build(geocode_dir: Path, dola_path: Path) -> dict[str, list[dict[str, str]]]:
    data = read_gazetteer(geocode_dir)
    dola = read_dola(dola_path)
    reference = _read_csv(SEED_DIR / "ref_districts.csv")
    reference_codes = {row["area_code"] for row in reference}
    district_codes = [row["area_code"] for row in data["districts"]]
    problems: list[str] = []
    if len(district_codes) != EXPECTED_DISTRICTS or set(district_codes) != reference_codes:
        problems.append(
            f"{len(district_codes)} current districts in the gazetteer; differences from "
            f"ref_districts.csv: {sorted(set(district_codes) ^ reference_codes)[:20]}"
        )
    for name, rows in (
        ("districts", data["districts"]),
        ("subdistricts", data["subdistricts"]),
        ("municipalities", data["municipalities"]),
    ):
        codes = [row["area_code"] for row in rows]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            problems.append(f"duplicate {name} codes: {duplicates[:20]}")
    districts = set(district_codes)
    for row in data["subdistricts"]:
        if len(row["area_code"]) != 6 or row["area_code"][:4] != row["district_code"]:
            problems.append(f"sub-district {row['area_code']} not inside {row['district_code']}")
    subdistrict_codes = {row["area_code"] for row in data["subdistricts"]}
    current = sum(1 for row in data["subdistricts"] if row["is_current"] == "true")
    low, high = EXPECTED_CURRENT_SUBDISTRICTS
    if not low <= current <= high:
        problems.append(f"{current} current sub-districts, expected {low}..{high}")
    for row in data["municipalities"]:
        if row["district_code"] not in districts:
            problems.append(
                f"municipality {row['area_code']}: unknown district {row['district_code']!r}"
            )
        if row["area_code"] in districts:
            problems.append(f"municipality {row['area_code']}: code equals a district code")
        entry = dola.get(row["area_code"], {})
        row["area_km2"] = entry.get("area_km2", "")
        row["dola_code"] = entry.get("dola_code", "")
    municipality_codes = {row["area_code"] for row in data["municipalities"]}
    # Coverage of sub-districts that no longer exist (merged or moved) is dropped.
    data["coverage"] = [
        row
        for row in data["coverage"]
        if row["subdistrict_code"] in subdistrict_codes
        and row["municipality_code"] in municipality_codes
    ]
    if problems:
        raise GeographyError("; ".join(problems[:30]))
    areas: list[dict[str, str]] = []
    by_province: dict[str, list[dict[str, str]]] = {}
    for row in data["districts"]:
        by_province.setdefault(row["province_code"], []).append(row)
        if row["area_km2"]:
            areas.append(
                {
                    "area_code": row["area_code"],
                    "area_level": "district",
                    "area_km2": row["area_km2"],
                    "area_year": row["area_year"],
                    "area_source": "gazetteer",
                }
            )
    for province, rows in sorted(by_province.items()):
        if all(row["area_km2"] for row in rows):  # only where every district is known
            areas.append(
                {
                    "area_code": province,
                    "area_level": "province",
                    "area_km2": str(sum(Decimal(row["area_km2"]) for row in rows)),
                    "area_year": max(row["area_year"] for row in rows),
                    "area_source": "sum of districts (gazetteer)",
                }
            )
    return {
        "ref_subdistricts": sorted(data["subdistricts"], key=lambda r: r["area_code"]),
        "ref_municipalities": sorted(data["municipalities"], key=lambda r: r["area_code"]),
        "ref_municipality_subdistricts": sorted(
            data["coverage"], key=lambda r: (r["municipality_code"], r["subdistrict_code"])
        ),
        "ref_area_sizes": sorted(areas, key=lambda r: (r["area_level"], r["area_code"])),
    }


COLUMNS = {
    "ref_subdistricts": SUBDISTRICT_COLUMNS,
    "ref_municipalities": MUNICIPALITY_COLUMNS,
    "ref_municipality_subdistricts": COVERAGE_COLUMNS,
    "ref_area_sizes": AREA_COLUMNS,
}


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def render(rows: list[dict[str, str]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row[column] for column in columns})
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--geocode-dir", type=Path, required=True)
    parser.add_argument("--dola", type=Path, required=True)
    parser.add_argument("--check", action="store_true", help="exit 1 if the seeds are stale")
    args = parser.parse_args(argv)
    try:
        tables = build(args.geocode_dir, args.dola)
    except GeographyError as exc:
        print(f"geography inputs rejected: {exc}", file=sys.stderr)
        return 1
    stale = []
    for name, rows in tables.items():
        text = render(rows, COLUMNS[name])
        path = SEED_DIR / f"{name}.csv"
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
        print(f"{name}: {len(rows)} rows")
    if stale:
        print(f"stale seeds: {stale}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
