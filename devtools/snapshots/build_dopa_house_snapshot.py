"""Build the bundled DOPA house-API and vital-event responses (``dopa_house/``).

Real figures, reconstructed wire shape: every count comes from DOPA's registered
population at 31 December 2017, 2018 and 2020 (``real/dopa_yearly/DOPAyyyy.xml.gz``:
country, provinces, districts and sub-districts, total / male / female / households,
with the municipal / non-municipal split, and per province the year's registered
births, deaths, moves in and moves out), as downloaded from DOPA's statpop API by the
public gazetteer tool that wrote those files. No DOPA response bodies are available
offline, so the bodies are rebuilt in the shape public client code reads:

- action 193 per province: one row per registration office with population;
- action 194 per office: one row per sub-district that office serves. The yearly file
  names the municipal registration office of every municipal part of a sub-district
  (``<data type="municipal" geocode="rcode">``; where several municipalities share a
  sub-district, each has its own part), so no split has to be guessed; the non-municipal
  part belongs to the district office (``rcode`` = district code); Bangkok, which has no
  split, to the khet office;
- stattranall action 191 (births, deaths, moves in, moves out) per province, one row.

Households are written to both ``lssumnotTermDate`` and ``lssumtotHouse`` (the yearly
file has one household count, the one DOPA's website shows) and ``lssumtermDate`` is 0.

The 2020 vital events are left out: in the only offline copy every province carries the
national figure (587,368 births each). ``vital_event_bodies`` still builds them for the
test that shows the quality gate stops that vintage.

Checks while building: for every year and measure the offices' sub-district rows sum to
every district, province and the country of the yearly file.

    python -m devtools.snapshots.build_dopa_house_snapshot [--check]
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import gzip
import hashlib
import json
import shutil
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

HERE = Path(__file__).resolve().parent
REAL_DIR = HERE / "real" / "dopa_yearly"
OUT_DIR = HERE / "dopa_house"
SEED_DIR = HERE.parents[1] / "dbt_project" / "seeds"
FORWARD_PATH = "/stat/statnew/connectSAPI/stat_forward.php"
HOUSE_API = "/api/statpophouse/v1/statpop/list"
VITAL_APIS = {
    "births": ("/api/stattranall/v1/statbirth/list", "0", {}),
    "deaths": ("/api/stattranall/v1/statdeath/list", "0", {}),
    "moves_in": ("/api/stattranall/v1/statmovein/list", "1", {}),
    "moves_out": ("/api/stattranall/v1/statmoveout/list", "1", {"region": "3"}),
}
VITAL_KINDS = {"births": "birth", "deaths": "death", "moves_in": "movein", "moves_out": "moveout"}
HOUSE_YEARS = (2017, 2018, 2020)
VITAL_YEARS = (2017, 2018)  # 2020: bad vintage, not bundled
LABEL = "real figures, reconstructed wire shape"
MEASURES = ("male", "female", "total", "households")


class SnapshotBuildError(ValueError):
    pass


def yy(year: int) -> str:
    return f"{(year + 543) % 100:02d}12"


def _count(value: str | None) -> int:
    return int(value) if value and value.strip() else 0  # zero cells may be left out


NS = "{http://hoerstemeier.com/tambon/}"


def _figures(data: ET.Element) -> dict[str, int]:
    return {m: _count(data.get(m)) for m in MEASURES}


def read_year(year: int, real_dir: Path = REAL_DIR) -> ET.Element:
    with gzip.open(real_dir / f"DOPA{year}.xml.gz", "rb") as handle:
        return ET.parse(handle).getroot()


@dataclasses.dataclass
class Year:
    """One year of the yearly file: what the house API and action 191 would answer."""

    year: int
    offices: dict[str, dict[str, dict[str, int]]]  # office -> sub-district -> figures
    totals: dict[str, dict[str, int]]  # country '0', province, district -> figures
    vital: dict[str, dict[str, dict[str, int]]]  # province -> event -> figures
    # district -> households the district counts but none of its sub-districts does
    # (houses with nobody registered: DOPA's sub-district rows with no population are
    # not answered); they are in the district office's action-193 row.
    unallocated: dict[str, int] = dataclasses.field(default_factory=dict)
    inconsistent_districts: list[str] = dataclasses.field(default_factory=list)


def read(year: int, real_dir: Path = REAL_DIR) -> Year:
    """The registration offices' sub-district figures of a year.

    The yearly file names, for each municipal part of a sub-district, the municipal
    registration office it was downloaded from (``<data type="municipal" geocode=rcode>``),
    so each office's answer is rebuilt exactly; the non-municipal part belongs to the
    district office (``rcode`` = district code), and Bangkok, which has no split, to the
    khet office.
    """
    root = read_year(year, real_dir)
    offices: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    totals: dict[str, dict[str, int]] = {}
    vital: dict[str, dict[str, dict[str, int]]] = {}
    seen: dict[str, dict[str, int]] = {}
    for entity in root.iter(f"{NS}entity"):
        code = entity.get("geocode", "")
        population = entity.find(f"{NS}population")
        if population is None:
            continue
        data = population.findall(f"{NS}data")
        total = next((_figures(d) for d in data if d.get("type") == "total"), None)
        if total is None:
            continue
        if len(code) in (1, 2) or (len(code) == 4 and entity.get("type") in ("Amphoe", "Khet")):
            totals[code] = total
        if len(code) == 2:
            events = {
                change.get("type"): _figures(change)
                for change in population.findall(f"{NS}register/{NS}change")
            }
            vital[code] = {
                event: events[kind] for event, kind in VITAL_KINDS.items() if kind in events
            }
        if len(code) != 6:
            continue
        if code in seen:
            if seen[code] != total:
                raise SnapshotBuildError(f"{year} {code}: listed twice with different figures")
            continue  # the yearly file repeats a sub-district under a misplaced office
        seen[code] = total
        parts = [d for d in data if d.get("type") in ("municipal", "nonmunicipal")]
        if not parts:
            parts_of = [(code[:4], total)]  # no split (Bangkok): the khet office
        else:
            parts_of = []
            for d in parts:
                if d.get("type") == "nonmunicipal":
                    parts_of.append((code[:4], _figures(d)))
                elif d.get("geocode"):
                    parts_of.append((d.get("geocode"), _figures(d)))
                else:
                    raise SnapshotBuildError(f"{year} {code}: a municipal part names no office")
        summed = {m: sum(f[m] for _, f in parts_of) for m in MEASURES}
        if summed != total:
            raise SnapshotBuildError(f"{year} {code}: parts sum to {summed}, total {total}")
        for office, figures in parts_of:
            if figures["total"] == 0 and figures["households"] == 0:
                continue  # rows with no population are not answered
            current = offices[office].get(code)
            offices[office][code] = (
                figures if current is None else {m: current[m] + figures[m] for m in MEASURES}
            )
    result = Year(year, dict(offices), totals, vital)
    check_year(result)
    return result


def check_year(data: Year) -> None:
    """Offices add up to every district, province and the country of the yearly file
    (households: with the district's unallocated households, never negative)."""
    found: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for subdistricts in data.offices.values():
        for code, figures in subdistricts.items():
            for key in (code[:4], code[:2], "0"):
                for m in MEASURES:
                    found[key][m] += figures[m]
    for key, figures in sorted(data.totals.items()):
        if len(key) == 4 and figures["total"] and figures["total"] != found[key]["total"]:
            # DOPA2020: districts 4008 and 7202 leave out one sub-district each (400801,
            # 720205), which the file lists apart; its sub-districts still add up to the
            # provinces and the country, so those two district rows are not used.
            data.inconsistent_districts.append(key)
            continue
        if len(key) == 4 and figures["total"]:
            gap = figures["households"] - found[key]["households"]
            if gap < 0:
                raise SnapshotBuildError(
                    f"{data.year} {key}: sub-districts hold more households than the district"
                )
            if gap:
                data.unallocated[key] = gap
    for key in list(found):
        if len(key) == 4:
            continue
        extra = sum(v for d, v in data.unallocated.items() if key == "0" or d[:2] == key)
        found[key]["households"] += extra
    for key, figures in data.totals.items():
        if figures["total"] == 0 or key in data.inconsistent_districts:
            continue
        expected = dict(figures)
        if len(key) == 4:
            expected["households"] -= data.unallocated.get(key, 0)
        if found[key] != expected:
            raise SnapshotBuildError(
                f"{data.year} {key}: offices sum to {dict(found[key])}, yearly file {expected}"
            )


def house_row(cc: str, aa: str, tt: str, rcode: str, figures: dict[str, int]) -> dict[str, Any]:
    return {
        "lscc": int(cc),
        "lsaa": int(aa),
        "lstt": int(tt),
        "lsmm": 0,
        "lsrcode": rcode,
        "lsmmDesc": "",
        "lssumtotMale": figures["male"],
        "lssumtotFemale": figures["female"],
        "lssumtotPop": figures["total"],
        "lssumtotHouse": figures["households"],
        "lssumnotTermDate": figures["households"],
        "lssumtermDate": 0,
    }


def _query(
    api: str,
    action: str,
    year: int,
    cc: str,
    rcode: str,
    stat_type: str = "0",
    extra: dict | None = None,
) -> dict[str, str]:
    return {
        "API": api,
        "action": action,
        "yymmBegin": yy(year),
        "yymmEnd": yy(year),
        "statType": stat_type,
        "statSubType": "999",
        "subType": "99",
        **(extra or {}),
        "cc": cc,
        "rcode": rcode,
        "tt": "0",
        "mm": "0",
    }


def _body(rows: list[dict[str, Any]]) -> bytes:
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _seed(name: str) -> list[dict[str, str]]:
    with (SEED_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def house_bodies(data: Year) -> list[tuple[str, dict, bytes]]:
    municipality_district = {
        r["area_code"]: r["district_code"] for r in _seed("ref_municipalities")
    }
    year = data.year
    out: list[tuple[str, dict, bytes]] = []
    by_province: dict[str, list[str]] = defaultdict(list)
    for office in sorted(data.offices):
        by_province[office[:2]].append(office)
    for cc, office_codes in sorted(by_province.items()):
        listing = []
        for office in office_codes:
            subdistricts = data.offices[office]
            sums = {m: sum(f[m] for f in subdistricts.values()) for m in MEASURES}
            sums["households"] += data.unallocated.get(office, 0)  # district offices only
            district = municipality_district.get(office, office)
            listing.append(house_row(cc, district[2:], "00", office, sums))
            body = _body(
                [
                    house_row(cc, code[2:4], code[4:], office, f)
                    for code, f in sorted(subdistricts.items())
                ]
            )
            out.append(
                (
                    f"{yy(year)}/a194_r{office}.json",
                    _query(HOUSE_API, "194", year, cc, office),
                    body,
                )
            )
        out.append(
            (
                f"{yy(year)}/a193_cc{cc}.json",
                _query(HOUSE_API, "193", year, cc, "0"),
                _body(listing),
            )
        )
    return out


def vital_event_bodies(data: Year) -> list[tuple[str, dict, bytes]]:
    out = []
    for cc, events in sorted(data.vital.items()):
        for event, (api, stat_type, extra) in VITAL_APIS.items():
            f = events[event]
            if event == "births":
                record = {
                    "lscc": int(cc),
                    "lssumtotalBoy": f["male"],
                    "lssumtotalGirl": f["female"],
                    "lssumtotalAll": f["total"],
                }
            else:
                record = {
                    "lscc": int(cc),
                    "lssumtotMale": f["male"],
                    "lssumtotFemale": f["female"],
                    "lssumtotTot": f["total"],
                }
            out.append(
                (
                    f"{yy(data.year)}/a191_{event}_cc{cc}.json",
                    _query(api, "191", data.year, cc, "0", stat_type, extra),
                    _body([record]),
                )
            )
    return out


def entry(name: str, query: dict, body: bytes, year: int) -> dict[str, Any]:
    return {
        "file": name,
        "path": FORWARD_PATH,
        "query": query,
        "sha256": hashlib.sha256(body).hexdigest(),
        "last_modified": f"Mon, 01 Jan {year + 1} 00:00:00 GMT",
        "is_modelled": False,
        "label": LABEL,
        "derived_from": f"DOPA{year}.xml.gz",
    }


def build() -> tuple[dict[str, bytes], dict[str, Any]]:
    files: dict[str, bytes] = {}
    entries: list[dict[str, Any]] = []
    for year in HOUSE_YEARS:
        data = read(year)
        responses = house_bodies(data)
        if year in VITAL_YEARS:
            responses += vital_event_bodies(data)
        for name, query, body in responses:
            files[name] = body
            entries.append(entry(name, query, body, year))
    index = {
        "format": "smartcity-snapshot/1",
        "publisher": "dopa",
        "publisher_name": "Department of Provincial Administration (DOPA), Bureau of Registration Administration (BORA)",
        "real_base_url": "https://stat.bora.dopa.go.th",
        "licence": "DGA Open Government License (Thailand)",
        "label": LABEL,
        "is_modelled": False,
        "provenance": "../PROVENANCE.md",
        "built_by": "python -m devtools.snapshots.build_dopa_house_snapshot",
        "note": (
            "2020 vital events are not included: the only offline copy carries the "
            "national figure for every province."
        ),
        "entries": sorted(entries, key=lambda e: e["file"]),
    }
    return files, index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the snapshot is stale")
    args = parser.parse_args(argv)
    files, index = build()
    index_text = json.dumps(index, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if args.check:
        stale = (OUT_DIR / "index.json").read_text(encoding="utf-8") != index_text
        stale = stale or any((OUT_DIR / name).read_bytes() != body for name, body in files.items())
        print("stale" if stale else "current")
        return 1 if stale else 0
    for sub in OUT_DIR.glob("[0-9]*"):
        shutil.rmtree(sub)
    for name, body in files.items():
        path = OUT_DIR / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    (OUT_DIR / "index.json").write_text(index_text, encoding="utf-8")
    print(f"wrote {len(files)} responses ({sum(map(len, files.values()))} bytes) to {OUT_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
