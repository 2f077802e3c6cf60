"""Build the PEA and MEA CKAN snapshots (``pea_ckan/``, ``mea_ckan/``): electricity sold by
province, customer class and month, Jan-Dec 2567 BE (2024). Everything here is MODELLED.

No real sales table is available offline, so one is modelled in the utilities' layout
(Thai headers เดือน / จังหวัด / ประเภทผู้ใช้ไฟ / หน่วยจำหน่าย (kWh) / จำนวนผู้ใช้ไฟ): PEA
as one xlsx a month for the 74 provinces it serves (a merged title row above the header,
months as ``มกราคม 2567``), MEA as one CSV a month (UTF-8 with a BOM, months as
``2567-01``, thousands separators) for Bangkok, Nonthaburi and Samut Prakan.

    python -m devtools.snapshots.build_electricity_snapshot [--real-dir DIR] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

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

SNAPSHOTS_DIR = Path(__file__).resolve().parent
DEFAULT_REAL_DIR = SNAPSHOTS_DIR / "real"
DEFAULT_OUT_DIR = SNAPSHOTS_DIR  # writes pea_ckan/ and mea_ckan/ under it
POPULATION_FILE = "dopa_province_population_2563.json"
REAL_BASE_URL = "https://data.go.th"
LICENCE = "DGA Open Government License (Thailand)"
YEAR_BE, YEAR_CE = 2567, 2024
MEA_PROVINCES = ("10", "11", "12")  # Bangkok, Samut Prakan, Nonthaburi
HEADER = ("เดือน", "จังหวัด", "ประเภทผู้ใช้ไฟ", "หน่วยจำหน่าย (kWh)", "จำนวนผู้ใช้ไฟ")

RESIDENTIAL_KWH_PER_PERSON_YEAR = 1000.0  # assumption, order of magnitude only
PERSONS_PER_RESIDENTIAL_METER = 2.9  # assumption
PROVINCE_NOISE = 0.15  # +-15 % per province, uniform, fixed for the year
SEED = 2567
# Monthly profile (hot season April-May peaks), mean 1.
SEASON = (0.90, 0.93, 1.05, 1.15, 1.14, 1.04, 1.00, 0.99, 0.97, 0.96, 0.94, 0.93)
# Class: (label in the table, kWh as a share of residential kWh, meters per residential meter)
CLASSES: tuple[tuple[str, float, float | None], ...] = (
    ("บ้านอยู่อาศัย", 1.00, 1.0),
    ("กิจการขนาดเล็ก", 0.30, 0.10),
    ("กิจการขนาดกลาง", 0.35, 0.004),
    ("กิจการขนาดใหญ่", 0.90, 0.0008),
    ("กิจการเฉพาะอย่าง", 0.10, 0.002),
    ("ส่วนราชการและองค์กรที่ไม่แสวงหากำไร", 0.07, 0.01),
    ("สูบน้ำเพื่อการเกษตร", 0.03, 0.005),
    ("ไฟฟ้าชั่วคราว", 0.01, None),  # meter counts not published for temporary supply
)
METHOD = (
    "Modelled (no real figures offline). Residential kWh of a province and month = "
    f"population at 31 Dec 2563 BE ({POPULATION_FILE}) x {RESIDENTIAL_KWH_PER_PERSON_YEAR:g} "
    "kWh per person per year (an order-of-magnitude assumption, not a published figure) / 12 "
    "x a fixed monthly profile (hot-season peak) x a province factor (1 + u), u uniform in "
    f"[-{PROVINCE_NOISE:g}, +{PROVINCE_NOISE:g}] from random.Random({SEED}) in DOPA code order. "
    "Other classes are fixed shares of residential kWh; residential meters = population / "
    f"{PERSONS_PER_RESIDENTIAL_METER:g}, other classes fixed ratios of it; temporary supply "
    "has no meter count. kWh rounded to whole units."
)
METHOD_PACKAGE = "Modelled CKAN package_show answer: ids, names and dates are stand-ins."


def load_population(real_dir: Path) -> list[tuple[str, str, int]]:
    rows = json.loads((real_dir / POPULATION_FILE).read_text(encoding="utf-8"))
    return sorted((f"{int(r['PROV_CODE']):02d}", r["province"], int(r["population"])) for r in rows)


def model(
    population: list[tuple[str, str, int]],
) -> dict[str, list[list[tuple[str, int, int | None]]]]:
    """Province code -> month index -> rows (class label, kWh, meters or None)."""
    rng = random.Random(SEED)
    tables: dict[str, list[list[tuple[str, int, int | None]]]] = {}
    for code, _, people in population:
        factor = 1 + rng.uniform(-PROVINCE_NOISE, PROVINCE_NOISE)
        residential_meters = people / PERSONS_PER_RESIDENTIAL_METER
        months = []
        for season in SEASON:
            residential_kwh = people * RESIDENTIAL_KWH_PER_PERSON_YEAR / 12 * season * factor
            months.append(
                [
                    (
                        label,
                        round(residential_kwh * kwh_share),
                        None if meters is None else round(residential_meters * meters),
                    )
                    for label, kwh_share, meters in CLASSES
                ]
            )
        tables[code] = months
    return tables


def month_label(month: int) -> str:
    full_names = [name for name in THAI_MONTHS if "." not in name]
    return f"{full_names[month - 1]} {YEAR_BE}"


def pea_workbook(month: int, population: list, tables: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "หน่วยจำหน่าย"
    sheet.cell(
        1, 1, f"หน่วยจำหน่ายไฟฟ้าและจำนวนผู้ใช้ไฟฟ้า จำแนกตามจังหวัดและประเภทผู้ใช้ไฟ เดือน{month_label(month)}"
    )
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet["A1"].font = Font(bold=True)
    for column, name in enumerate(HEADER, start=1):
        sheet.cell(3, column, name).font = Font(bold=True)
    row = 4
    for code, name, _ in population:
        if code in MEA_PROVINCES:
            continue
        for label, kwh, meters in tables[code][month - 1]:
            for column, value in enumerate((month_label(month), name, label, kwh, meters), start=1):
                sheet.cell(row, column, value)
            row += 1
    return deterministic_xlsx(book)


def mea_csv(month: int, population: list, tables: dict) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for code, name, _ in population:
        if code not in MEA_PROVINCES:
            continue
        for label, kwh, meters in tables[code][month - 1]:
            shown = "" if meters is None else f"{meters:,}"
            writer.writerow((f"{YEAR_BE}-{month:02d}", name, label, f"{kwh:,}", shown))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def folder_for(
    utility: str, package_name: str, title: str, files: list[tuple[int, str, bytes, str]]
) -> SnapshotFolder:
    folder = SnapshotFolder(
        publisher=utility.lower(),
        publisher_name={
            "PEA": "Provincial Electricity Authority (PEA), via data.go.th",
            "MEA": "Metropolitan Electricity Authority (MEA), via data.go.th",
        }[utility],
        real_base_url=REAL_BASE_URL,
        licence=LICENCE,
        built_by="python -m devtools.snapshots.build_electricity_snapshot",
    )
    package_id = stand_in_uuid(REAL_BASE_URL, package_name)
    resources = []
    for month, file_name, body, content_type in files:
        published = month_after(YEAR_CE, month)
        resource_id = stand_in_uuid(REAL_BASE_URL, package_name, file_name)
        url = f"{REAL_BASE_URL}/dataset/{package_id}/resource/{resource_id}/download/{file_name}"
        resources.append(
            {
                "id": resource_id,
                "package_id": package_id,
                "name": f"{title} เดือน{month_label(month)}",
                "format": file_name.rsplit(".", 1)[1].upper(),
                "url": url,
                "created": published.strftime("%Y-%m-%dT%H:%M:%S"),
                "last_modified": published.strftime("%Y-%m-%dT%H:%M:%S"),
            }
        )
        folder.add_resource(
            url,
            body,
            content_type=content_type,
            last_modified=http_date(published),
            is_modelled=True,
            method=METHOD,
            derived_from=[POPULATION_FILE],
        )
    last = month_after(YEAR_CE, 12)
    folder.add_package(
        {
            "id": package_id,
            "name": package_name,
            "title": title,
            "organization": {"name": utility.lower(), "title": utility},
            "license_id": "dga-ogl",
            "license_title": LICENCE,
            "state": "active",
            "type": "dataset",
            "num_resources": len(resources),
            "metadata_modified": last.strftime("%Y-%m-%dT%H:%M:%S"),
            "resources": resources,
        },
        file=f"package_show_{utility.lower()}_sales.json",
        last_modified=http_date(last),
        is_modelled=True,
        method=METHOD_PACKAGE,
        derived_from=[],
    )
    return folder


def build(real_dir: Path = DEFAULT_REAL_DIR, out_dir: Path = DEFAULT_OUT_DIR) -> dict[str, Any]:
    population = load_population(real_dir)
    tables = model(population)
    months = range(1, 13)
    pea = folder_for(
        "PEA",
        "pea-electricity-sales-by-province-customer-class",
        "หน่วยจำหน่ายไฟฟ้า จำแนกตามจังหวัดและประเภทผู้ใช้ไฟ (กฟภ.)",
        [
            (
                m,
                f"pea_sales_province_{YEAR_BE}{m:02d}.xlsx",
                pea_workbook(m, population, tables),
                XLSX_TYPE,
            )
            for m in months
        ],
    )
    mea = folder_for(
        "MEA",
        "mea-electricity-sales-by-customer-class",
        "หน่วยจำหน่ายไฟฟ้า จำแนกตามจังหวัดและประเภทผู้ใช้ไฟ (กฟน.)",
        [
            (
                m,
                f"mea_sales_customer_class_{YEAR_BE}{m:02d}.csv",
                mea_csv(m, population, tables),
                CSV_TYPE,
            )
            for m in months
        ],
    )
    return {"pea": pea.write(out_dir / "pea_ckan"), "mea": mea.write(out_dir / "mea_ckan")}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real-dir", type=Path, default=DEFAULT_REAL_DIR)
    parser.add_argument(
        "--out-dir", type=Path, default=DEFAULT_OUT_DIR, help="parent of pea_ckan/ and mea_ckan/"
    )
    args = parser.parse_args(argv)
    for name, index in build(args.real_dir, args.out_dir).items():
        print(
            f"wrote {len(index['entries'])} modelled responses to {args.out_dir / (name + '_ckan')}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
