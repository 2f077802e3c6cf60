"""SYNTHETIC vehicles and electricity per province, in the publishers' CKAN formats.

Part of the benchmark's scale generator (``bench.scale_generator``): where the catalogue
has ``dlt_vehicles_by_fuel`` and ``electricity_sales``, their answers are generated for
the same periods and provinces as the population, in the layouts the snapshot builders
record (``devtools/snapshots/build_dlt_snapshot.py``, ``build_electricity_snapshot.py``):
a CKAN ``package_show`` answer listing one resource per period, and the resource files
(DLT: a CSV per as-at date; PEA: an xlsx per month; MEA: a CSV per month). Every entry
is ``is_modelled: true`` and ``synthetic: true``; nothing here is a published figure.

Every province is covered, as in the real national files (a province without synthetic
population, at the tiny scale, takes the mean of those with it). Model (per province
and period, from the province's synthetic population): vehicles
0.55 per person, of which battery-electric 0.05% in 2016 growing 60% a year (capped at
15%), hybrid 1% + 0.4 points a year, plug-in hybrid a fifth of hybrid, diesel 35%,
the rest other; electricity as the bundled snapshot's model (1,000 kWh per person per
year, the December weight of its seasonal profile, its class shares and meter ratios)
with a per-province factor of +-15%.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from openpyxl import Workbook

from devtools.snapshots import build_dlt_snapshot as dlt_layout
from devtools.snapshots import build_electricity_snapshot as electricity_layout
from devtools.snapshots.ckan_snapshot import (
    CSV_TYPE,
    XLSX_TYPE,
    SnapshotFolder,
    deterministic_xlsx,
    http_date,
    month_after,
    stand_in_uuid,
)
from extract.thai.text import THAI_MONTHS

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "extract" / "sources.yml"
PROVINCES_CSV = REPO / "dbt_project" / "seeds" / "ref_provinces.csv"
VEHICLES, ELECTRICITY = "dlt_vehicles_by_fuel", "electricity_sales"
METHOD = (
    "SYNTHETIC, for benchmarks only; not published figures. Written by "
    "bench/province_series.py (seed {seed}) from the province's synthetic population; "
    "see the module's docstring for the model."
)
FULL_MONTHS = [name for name in THAI_MONTHS if "." not in name]


def province_names() -> dict[str, str]:
    with PROVINCES_CSV.open(encoding="utf-8", newline="") as handle:
        return {row["area_code"]: row["name_th"] for row in csv.DictReader(handle)}


def _be(period: str) -> tuple[int, int, int]:
    """(BE year, month, last day) of a Gregorian ``YYYY-MM``."""
    year, month = (int(part) for part in period.split("-"))
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return year + 543, month, last


def _folder(publisher: str, name: str, real_base_url: str, licence: str) -> SnapshotFolder:
    folder = SnapshotFolder(publisher=publisher, publisher_name=name, real_base_url=real_base_url,
                            licence=licence, built_by="python -m bench.scale_generator")
    folder.meta.update(synthetic=True, is_modelled=True)
    return folder


def _label_synthetic(folder: SnapshotFolder, method: str) -> None:
    folder.meta["method"] = method
    for entry in folder.entries:
        entry["synthetic"] = True


def _add_package(folder: SnapshotFolder, package_name: str, title: str, publisher: str,
                 files: list[tuple[str, str, bytes, str, dt.datetime]], method: str) -> None:
    """A package listing ``files`` (period, file name, body, content type, published)."""
    real = folder.meta["real_base_url"]
    package_id = stand_in_uuid(real, package_name)
    resources = []
    for period, file_name, body, content_type, published in files:
        resource_id = stand_in_uuid(real, package_name, file_name)
        url = f"{real}/dataset/{package_id}/resource/{resource_id}/download/{file_name}"
        stamp = published.strftime("%Y-%m-%dT%H:%M:%S")
        resources.append({"id": resource_id, "package_id": package_id,
                          "name": f"{title} ({period}, synthetic)",
                          "format": file_name.rsplit(".", 1)[1].upper(), "url": url,
                          "created": stamp, "last_modified": stamp})
        folder.add_resource(url, body, content_type=content_type,
                            last_modified=http_date(published), is_modelled=True,
                            method=method, derived_from=[])
    last = max(published for *_, published in files)
    folder.add_package(
        {"id": package_id, "name": package_name, "title": f"{title} (synthetic)",
         "organization": {"name": publisher, "title": publisher.upper()},
         "license_id": "dga-ogl", "state": "active", "type": "dataset",
         "num_resources": len(resources), "metadata_modified": last.strftime("%Y-%m-%dT%H:%M:%S"),
         "resources": resources},
        file=f"package_show_{package_name}.json", last_modified=http_date(last),
        is_modelled=True, method=method, derived_from=[], requested_as=package_name,
    )


def vehicles_csv(period: str, population: dict[str, int], names: dict[str, str],
                 seed: int) -> bytes:
    year_be, month, day = _be(period)
    year = year_be - 543
    rng = np.random.default_rng([seed, 7, year * 100 + month])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(dlt_layout.HEADER)
    bev = min(0.0005 * 1.6 ** (year - 2016), 0.15)
    hybrid = 0.01 + 0.004 * (year - 2016)
    shares = {"bev": bev, "hybrid": hybrid, "phev": hybrid / 5, "diesel": 0.35}
    as_at = f"{day:02d}/{month:02d}/{year_be}"
    for index, code in enumerate(sorted(population)):
        total = int(population[code] * 0.55 * rng.uniform(0.85, 1.15))
        figures = {key: int(total * share) for key, share in shares.items()}
        figures["other"] = total - sum(figures.values())
        for label, key in dlt_layout.FUEL_ROWS:
            count = f"{figures[key]:,}" if index % 2 else str(figures[key])
            writer.writerow((as_at, dlt_layout.ALL_TYPES_LABEL, names[code], label, count))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _electricity_rows(period: str, population: dict[str, int], seed: int) -> dict[str, list]:
    year, month = (int(part) for part in period.split("-"))
    layout = electricity_layout
    rows = {}
    for code in sorted(population):
        factor = 1 + np.random.default_rng([seed, 11, int(code)]).uniform(-layout.PROVINCE_NOISE,
                                                                          layout.PROVINCE_NOISE)
        people = population[code]
        residential_kwh = (people * layout.RESIDENTIAL_KWH_PER_PERSON_YEAR / 12
                           * layout.SEASON[month - 1] * factor)
        meters = people / layout.PERSONS_PER_RESIDENTIAL_METER
        rows[code] = [(label, round(residential_kwh * share),
                       None if ratio is None else round(meters * ratio))
                      for label, share, ratio in layout.CLASSES]
    return rows


def pea_xlsx(period: str, rows: dict[str, list], names: dict[str, str]) -> bytes:
    year_be, month, _ = _be(period)
    label = f"{FULL_MONTHS[month - 1]} {year_be}"
    book = Workbook()
    sheet = book.active
    sheet.title = "หน่วยจำหน่าย"
    sheet.cell(1, 1, f"หน่วยจำหน่ายไฟฟ้าและจำนวนผู้ใช้ไฟฟ้า จำแนกตามจังหวัดและประเภทผู้ใช้ไฟ เดือน{label}")
    for column, name in enumerate(electricity_layout.HEADER, start=1):
        sheet.cell(3, column, name)
    line = 4
    for code, classes in rows.items():
        for cls, kwh, meters in classes:
            for column, value in enumerate((label, names[code], cls, kwh, meters), start=1):
                sheet.cell(line, column, value)
            line += 1
    return deterministic_xlsx(book)


def mea_csv(period: str, rows: dict[str, list], names: dict[str, str]) -> bytes:
    year_be, month, _ = _be(period)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(electricity_layout.HEADER)
    for code, classes in rows.items():
        for cls, kwh, meters in classes:
            shown = "" if meters is None else f"{meters:,}"
            writer.writerow((f"{year_be}-{month:02d}", names[code], cls, f"{kwh:,}", shown))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def generate(root: Path, *, periods: list[str], population: dict[str, dict[str, int]],
             seed: int, catalogue_path: Path = CATALOGUE) -> dict[str, Any]:
    """Write the CKAN folders the catalogue has sources for; ``population`` is period ->
    province -> persons. Returns ``{"sources": [...], "folders": [...], "responses": n}``."""
    catalogue = yaml.safe_load(catalogue_path.read_text(encoding="utf-8"))
    sources, publishers = catalogue.get("sources", {}), catalogue.get("publishers", {})
    names = province_names()
    method = METHOD.format(seed=seed)
    # National files cover every province: one without synthetic population (the tiny
    # scale has three) stands in with the mean of those that have it.
    population = {
        period: {code: people.get(code, round(sum(people.values()) / len(people)))
                 for code in names}
        for period, people in population.items()
    }
    written: dict[str, Any] = {"sources": [], "folders": [], "responses": 0}

    def finish(folder: SnapshotFolder, name: str) -> None:
        _label_synthetic(folder, method)
        folder.write(root / name)
        written["folders"].append(name)
        written["responses"] += len(folder.entries)

    vehicles = sources.get(VEHICLES)
    if vehicles and (vehicles.get("ckan") or {}).get("package"):
        publisher = publishers[vehicles["publisher"]]
        folder = _folder(vehicles["publisher"], publisher["name"], publisher["default_base_url"],
                         publisher["licence"])
        files = []
        for period in periods:
            year_be, month, day = _be(period)
            files.append((period, f"stt_car_fuel_at_{year_be}{month:02d}{day:02d}.csv",
                          vehicles_csv(period, population[period], names, seed), CSV_TYPE,
                          month_after(year_be - 543, month)))
        _add_package(folder, vehicles["ckan"]["package"], "จำนวนรถจดทะเบียนสะสม จำแนกตามชนิดเชื้อเพลิง",
                     vehicles["publisher"], files, method)
        finish(folder, "dlt_ckan_synthetic")
        written["sources"].append(VEHICLES)

    electricity = sources.get(ELECTRICITY)
    feeds = (electricity or {}).get("feeds") or {}
    if {"pea", "mea"} <= set(feeds):
        mea_codes = set(electricity_layout.MEA_PROVINCES)
        rows = {period: _electricity_rows(period, population[period], seed) for period in periods}
        for feed_id, suffix, build, content_type in (
            ("pea", "xlsx", pea_xlsx, XLSX_TYPE),
            ("mea", "csv", mea_csv, CSV_TYPE),
        ):
            feed = feeds[feed_id]
            publisher = publishers[feed["publisher"]]
            folder = _folder(feed["publisher"], publisher["name"], publisher["default_base_url"],
                             publisher["licence"])
            files = []
            for period in periods:
                year_be, month, _ = _be(period)
                chosen = {code: classes for code, classes in rows[period].items()
                          if (code in mea_codes) == (feed_id == "mea")}
                files.append((period, f"{feed_id}_sales_{year_be}{month:02d}.{suffix}",
                              build(period, chosen, names), content_type,
                              month_after(year_be - 543, month)))
            _add_package(folder, feed["ckan"]["package"], "หน่วยจำหน่ายไฟฟ้า จำแนกตามจังหวัดและประเภทผู้ใช้ไฟ",
                         feed["publisher"], files, method)
            finish(folder, f"{feed_id}_ckan_synthetic")
        written["sources"].append(ELECTRICITY)
    return written
