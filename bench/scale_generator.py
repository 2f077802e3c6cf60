"""SYNTHETIC DOPA statpop responses at national scale, for benchmarks only.

Writes a snapshot folder (response bodies + ``index.json``) that
``devtools.mirror.Mirror(snapshot_dirs=[folder])`` serves in the publisher's real URL
shapes, so the real HTTP client, parser, landing, load, dbt project and quality gate run
on national volumes. Nothing here is a DOPA figure: every entry is labelled
``is_modelled: true`` (the workspace writes these labels into the provenance-labels file
``SMARTCITY_MODELLED_BODIES`` names, which lands as ``is_modelled`` in the manifests and
the marts) and ``synthetic: true``, with a method
text; the folder's ``index.json`` says the same at the top.

Levels (``--scale``):

- ``tiny``: the districts of three provinces (Satun 91, Trang 92, Bueng Kan 38) and
  those provinces;
- ``district``: all 928 districts of ``dbt_project/seeds/ref_districts.csv`` (statpop
  action 24, one answer per district) and the 77 provinces (action 23);
- ``subdistrict``: about 7,400 SYNTHETIC sub-district codes (action 25), 4 to 12 under
  each district, numbered ``<district><01..12>``; these codes are made up (the seeds
  carry no sub-district list), and the 77 provinces (action 23).

Wire formats (as recorded in ``devtools/snapshots/dopa_statpop``): a JSON array of two
objects, male then female, with ``lsAge0`` .. ``lsAge101`` and ``lsSumTotTot``.
Provinces are all nationalities (``nat=999``: the lower levels summed, plus a synthetic
share of non-Thai residents); districts and sub-districts are Thai nationals
(``nat=99``), as DOPA publishes them per registration office.

Periods are month ends one year apart, ending at ``--end`` (default 2025-12), so ten
periods give a ten-year trend. Deterministic: the same seed, scale and periods give
byte-identical files, and a period's answers do not depend on which other periods are
generated (growth runs serve a subset of one generation).

    python -m bench.scale_generator --scale district --periods 10 --out /tmp/snapshot
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import email.utils
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DISTRICTS_CSV = REPO / "dbt_project" / "seeds" / "ref_districts.csv"

SCALES = ("tiny", "district", "subdistrict")
TINY_PROVINCES = ("38", "91", "92")
DEFAULT_SEED = 2568
DEFAULT_END = "2025-12"
GENERATOR_VERSION = "scale_generator/1"

FORWARD_PATH = "/stat/statnew/connectSAPI/stat_forward.php"
INNER_API = "/api/statpophouse/v1/statpop/list"
CONTENT_TYPE = "application/json; charset=utf-8"
N_AGES = 102  # lsAge0..lsAge101 (101 = over 100)
AGES = np.arange(N_AGES)
SEXES = ("1", "2")  # wire order: male, female

# statpop action per level, and the nationality code each level is served with
ACTION = {"province": "23", "district": "24", "subdistrict": "25"}
NATIONALITY = {"province": "999", "district": "99", "subdistrict": "99"}
LEVEL_CODE = {"province": "2", "district": "3", "subdistrict": "4"}  # lstrLevel

METHOD = (
    "SYNTHETIC, for benchmarks only; not DOPA figures. Written by bench/scale_generator.py "
    "(seed {seed}). Thai nationals per {lowest} follow a cohort model: births constant "
    "up to a peak year per area (1975 to 1989) and falling 2.5% a year after it, 3% a year "
    "fewer births per year before 1975, survival exp(-(age/80)^6.5) for males and "
    "exp(-(age/85)^6.5) for females, a per-area size (log-normal), working-age migration "
    "factor and sex balance, and Poisson noise per period. A province (all "
    "nationalities) is the sum of its {lowest_plural} plus a synthetic 0.5-6% of non-Thai "
    "residents, concentrated at ages 20-44.{codes}"
)
SUBDISTRICT_CODES_NOTE = (
    " Sub-district codes are made up: 4 to 12 per district, numbered <district code>01.."
)


@dataclasses.dataclass(frozen=True)
class Area:
    code: str
    level: str  # province | district | subdistrict
    province: str

    @property
    def query(self) -> dict[str, str]:
        """The statpop query of this area (without yymm), as the real API takes it."""
        query = {"API": INNER_API, "action": ACTION[self.level], "nat": NATIONALITY[self.level],
                 "popst": "99", "cc": self.province}
        if self.level in ("district", "subdistrict"):
            query["rcode"] = self.code[:4]
        if self.level == "subdistrict":
            query["tt"] = self.code[4:6]
        return query


def periods_ending(end: str, count: int, step_months: int = 12) -> list[str]:
    """``count`` Gregorian ``YYYY-MM`` periods ``step_months`` apart, the last being ``end``."""
    if count < 1:
        raise ValueError("count must be at least 1")
    year, month = (int(part) for part in end.split("-"))
    index = year * 12 + month - 1
    periods = [index - step_months * k for k in range(count)]
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in sorted(periods)]


def yymm(period: str) -> str:
    """DOPA's two-digit Buddhist Era year and month: '2025-12' -> '6812'."""
    year, month = (int(part) for part in period.split("-"))
    return f"{(year + 543) % 100:02d}{month:02d}"


def read_districts(path: Path = DISTRICTS_CSV) -> list[tuple[str, str]]:
    """(district code, province code) of every district in the reference seed."""
    with path.open(encoding="utf-8", newline="") as handle:
        return sorted((row["area_code"], row["province_code"]) for row in csv.DictReader(handle))


def _area_rng(seed: int, code: str) -> np.random.Generator:
    return np.random.default_rng([seed, int(code)])


def lowest_areas(
    scale: str, seed: int = DEFAULT_SEED, provinces: Sequence[str] | None = None
) -> list[Area]:
    """The areas whose answers are generated directly (districts or sub-districts),
    optionally only those of ``provinces`` (the tiny scale is three provinces' districts)."""
    if scale not in SCALES:
        raise ValueError(f"scale {scale!r} is not one of {SCALES}")
    districts = read_districts()
    chosen = set(provinces or (TINY_PROVINCES if scale == "tiny" else ()))
    if chosen:
        unknown = chosen - {province for _, province in districts}
        if unknown:
            raise ValueError(f"no districts for province code(s) {sorted(unknown)}")
        districts = [d for d in districts if d[1] in chosen]
    if scale in ("tiny", "district"):
        return [Area(code, "district", province) for code, province in districts]
    areas = []
    for code, province in districts:
        count = int(_area_rng(seed, code).integers(4, 13))  # 4..12, mean 8
        areas += [Area(f"{code}{n:02d}", "subdistrict", province) for n in range(1, count + 1)]
    return areas


@dataclasses.dataclass(frozen=True)
class AreaParameters:
    """Per-area parameters of the cohort model, one row per area (numpy arrays)."""

    size: np.ndarray  # Thai nationals at the reference year
    peak_year: np.ndarray  # births peak, then fall
    migration: np.ndarray  # factor on ages 20-44
    male_factor: np.ndarray

    @classmethod
    def draw(cls, areas: Sequence[Area], seed: int) -> AreaParameters:
        rows = []
        for area in areas:
            rng = _area_rng(seed, area.code)
            median = 9_000 if area.level == "subdistrict" else 60_000
            rows.append((
                median * rng.lognormal(0.0, 0.55),
                float(rng.integers(1975, 1990)),
                rng.uniform(0.75, 1.2),
                rng.uniform(0.95, 1.02),
            ))
        size, peak, migration, male = (np.array(column) for column in zip(*rows, strict=True))
        return cls(size, peak, migration, male)


def _cohort_shape(params: AreaParameters, year: int) -> np.ndarray:
    """Unscaled counts, shape (areas, 2 sexes, 102 ages), of the cohorts alive in ``year``."""
    birth_year = year - AGES[None, :]  # (1, ages)
    peak = params.peak_year[:, None]
    births = np.where(
        birth_year <= peak,
        0.97 ** np.clip(1975 - birth_year, 0, None),
        0.975 ** (birth_year - peak),
    )
    working = (AGES >= 20) & (AGES <= 44)
    shape = births * np.where(working[None, :], params.migration[:, None], 1.0)
    survival = np.stack([np.exp(-((AGES / 80.0) ** 6.5)), np.exp(-((AGES / 85.0) ** 6.5))])
    sex = np.stack([params.male_factor, np.ones_like(params.male_factor)], axis=1)  # (areas, 2)
    return shape[:, None, :] * survival[None, :, :] * sex[:, :, None]


def _expected_counts(params: AreaParameters, year: int) -> np.ndarray:
    """Expected counts (areas, 2, 102) in ``year``: an area holds ``size`` people in 2025."""
    reference = _cohort_shape(params, 2025).sum(axis=(1, 2))
    return _cohort_shape(params, year) * (params.size / reference)[:, None, None]


def period_counts(areas: Sequence[Area], params: AreaParameters, period: str, seed: int) -> np.ndarray:
    """Integer counts (areas, 2, 102) of one period; depends only on seed, areas and period."""
    year, month = (int(part) for part in period.split("-"))
    rng = np.random.default_rng([seed, year * 100 + month])
    return rng.poisson(_expected_counts(params, year)).astype(np.int64)


def non_thai_counts(thai: np.ndarray, province: str, period: str, seed: int) -> np.ndarray:
    """Synthetic non-Thai residents of a province, (2, 102), from its Thai counts."""
    year, month = (int(part) for part in period.split("-"))
    share = _area_rng(seed, province).uniform(0.005, 0.06)
    weight = np.where((AGES >= 20) & (AGES <= 44), 2.5, 0.4)
    rng = np.random.default_rng([seed, year * 100 + month, int(province)])
    return rng.poisson(thai * share * weight[None, :]).astype(np.int64)


def wire_body(area: Area, period: str, counts: np.ndarray) -> bytes:
    """The statpop answer of one area and month: two objects, male then female."""
    records = []
    for sex_index, sex in enumerate(SEXES):
        ages = counts[sex_index]
        record: dict[str, Any] = {
            "lsageSex": sex,
            "lsageYYMM": yymm(period),
            "lstrLevel": LEVEL_CODE[area.level],
            "lsageRcode": area.code[:4] if area.level != "province" else area.code,
            "lsageAA": area.code[2:4] if area.level != "province" else "0",
            "lsageTT": area.code[4:6] if area.level == "subdistrict" else "0",
            "lsageMM": "0",
            "lageNat": NATIONALITY[area.level],
            "lagePopSt": "99",
            "lstAgev0": "0",
            "lsAgethai": "0",
        }
        record.update({f"lsAge{age}": int(n) for age, n in enumerate(ages)})
        record["lsSumTotTot"] = int(ages.sum())
        records.append(record)
    return json.dumps(records, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def file_name(area: Area, period: str) -> str:
    query = area.query
    name = f"a{query['action']}_y{yymm(period)}_n{query['nat']}_p99_cc{area.province}"
    if "rcode" in query:
        name += f"_r{query['rcode']}"
    if "tt" in query:
        name += f"_t{query['tt']}"
    return name + ".json"


def _last_modified(period: str) -> str:
    """A fixed publication time: the 10th of the month after the period, 09:00 UTC."""
    year, month = (int(part) for part in period.split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return email.utils.format_datetime(dt.datetime(year, month, 10, 9, tzinfo=dt.UTC), usegmt=True)


URL_ORDER = ("action", "yymm", "nat", "popst", "cc", "rcode", "tt")  # as the API is called


def _url(query: dict[str, str], period: str) -> str:
    params = {**query, "yymm": yymm(period)}
    inner = "&".join(f"{key}={params[key]}" for key in URL_ORDER if key in params)
    return f"{FORWARD_PATH}?API={INNER_API}?{inner}"


DOPA_FOLDER = "dopa_statpop_synthetic"
SUMMARY_FILE = "summary.json"


def generate_population(
    out_dir: Path,
    *,
    scale: str,
    periods: Sequence[str],
    seed: int = DEFAULT_SEED,
    provinces: Sequence[str] | None = None,
) -> tuple[dict[str, Any], dict[str, dict[str, int]]]:
    """Write the DOPA statpop folder; returns its summary and the persons per province
    (all nationalities) per period, for the province-level series."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    lowest = lowest_areas(scale, seed, provinces)
    provinces = sorted({area.province for area in lowest})
    params = AreaParameters.draw(lowest, seed)
    by_province = {p: np.array([a.province == p for a in lowest]) for p in provinces}
    level = lowest[0].level
    method = METHOD.format(
        seed=seed,
        lowest=level.replace("subdistrict", "sub-district"),
        lowest_plural=level.replace("subdistrict", "sub-district") + "s",
        codes=SUBDISTRICT_CODES_NOTE if level == "subdistrict" else "",
    )
    entry_method = f"SYNTHETIC ({GENERATOR_VERSION}, seed {seed}); see the method of index.json"
    entries: list[dict[str, Any]] = []
    persons: dict[str, dict[str, int]] = {}
    total_bytes = total_rows = 0

    def write(area: Area, period: str, counts: np.ndarray) -> None:
        nonlocal total_bytes, total_rows
        body = wire_body(area, period, counts)
        name = file_name(area, period)
        (out_dir / name).write_bytes(body)
        query = {**area.query, "yymm": yymm(period)}
        entries.append({
            "file": name,
            "path": FORWARD_PATH,
            "query": query,
            "url": _url(area.query, period),
            "sha256": hashlib.sha256(body).hexdigest(),
            "bytes": len(body),
            "content_type": CONTENT_TYPE,
            "last_modified": _last_modified(period),
            "is_modelled": True,
            "synthetic": True,
            "level": area.level,
            "population_scope": "all_nationalities" if area.level == "province" else "thai_nationals",
            "method": entry_method,
        })
        total_bytes += len(body)
        total_rows += 2 * N_AGES

    for period in periods:
        counts = period_counts(lowest, params, period, seed)
        for index, area in enumerate(lowest):
            write(area, period, counts[index])
        persons[period] = {}
        for province in provinces:
            thai = counts[by_province[province]].sum(axis=0)
            everyone = thai + non_thai_counts(thai, province, period, seed)
            write(Area(province, "province", province), period, everyone)
            persons[period][province] = int(everyone.sum())

    summary = {
        "scale": scale,
        "seed": seed,
        "periods": list(periods),
        "level": level,
        "area_codes": [area.code for area in lowest],
        "province_codes": provinces,
        "responses": len(entries),
        "bytes": total_bytes,
        "rows": total_rows,
    }
    index = {
        "publisher": "dopa",
        "synthetic": True,
        "is_modelled": True,
        "method": method,
        "built_by": f"python -m bench.scale_generator ({GENERATOR_VERSION})",
        "format": 1,
        **summary,
        "entries": entries,
    }
    _write_json(out_dir / "index.json", index)
    return summary, persons


def generate(
    root: Path,
    *,
    scale: str,
    periods: Sequence[str],
    seed: int = DEFAULT_SEED,
    provinces: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Write every synthetic publisher folder under ``root`` (each with its ``index.json``,
    so ``Mirror(snapshot_dirs=discover_snapshot_dirs(root))`` serves them) and
    ``summary.json``; returns the summary."""
    from bench import households, province_series  # (openpyxl, snapshot builders)

    root = Path(root)
    summary, persons = generate_population(root / DOPA_FOLDER, scale=scale, periods=periods,
                                           seed=seed, provinces=provinces)
    series = province_series.generate(root, periods=list(periods), population=persons, seed=seed)
    # the sub-district level with households (house API), every period
    houses = households.generate(root, periods=list(periods), provinces=summary["province_codes"])
    summary = {
        **summary,
        "folders": [DOPA_FOLDER, *series["folders"], *houses["folders"]],
        "province_sources": series["sources"],
        "province_series_responses": series["responses"],
        "household_sources": houses["sources"],
        "household_responses": houses["responses"],
    }
    _write_json(root / SUMMARY_FILE, summary)
    return summary


def _write_json(path: Path, document: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_summary(root: Path) -> dict[str, Any]:
    return json.loads((Path(root) / SUMMARY_FILE).read_text(encoding="utf-8"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=SCALES, default="district")
    parser.add_argument("--periods", type=int, default=10, help="yearly periods (default 10)")
    parser.add_argument("--end", default=DEFAULT_END, help="last period, YYYY-MM (default %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--provinces", type=lambda text: text.split(","), default=None,
                        help="only these provinces, e.g. 91,92 (default: all; tiny: 38,91,92)")
    parser.add_argument("--out", type=Path, required=True,
                        help="folder to write the publisher folders and summary.json into")
    args = parser.parse_args(argv)
    summary = generate(args.out, scale=args.scale, periods=periods_ending(args.end, args.periods),
                       seed=args.seed, provinces=args.provinces)
    print(f"{summary['responses']} synthetic statpop responses ({summary['rows']:,} rows, "
          f"{summary['bytes'] / 1e6:.1f} MB) for {len(summary['area_codes'])} {summary['level']} "
          f"areas and {len(summary['province_codes'])} provinces x {len(summary['periods'])} "
          f"periods, {summary['province_series_responses']} for "
          f"{', '.join(summary['province_sources']) or 'no province-level source'} -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
