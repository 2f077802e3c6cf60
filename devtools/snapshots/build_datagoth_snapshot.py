"""Build the data.go.th CKAN snapshot (``datagoth_ckan/``): ``rtddi`` and NSO income.

- ``rtddi`` (road-accident deaths by province, 2554-2563 BE): the package metadata is
  real (``real/rtddi_ckan_datapackage.json``); the deaths are not available offline, so
  the workbook is MODELLED in the published layout (see ``model_deaths``).
- NSO average monthly household income by province 2541-2558 BE: the CSV is the real
  file, byte for byte (``real/nso_household_income_2541_2558.csv``).

    python -m devtools.snapshots.build_datagoth_snapshot [--real-dir DIR] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from devtools.snapshots.ckan_snapshot import (
    CSV_TYPE,
    XLSX_TYPE,
    SnapshotFolder,
    deterministic_xlsx,
    http_date,
    month_after,
    stand_in_uuid,
)

SNAPSHOTS_DIR = Path(__file__).resolve().parent
DEFAULT_REAL_DIR = SNAPSHOTS_DIR / "real"
DEFAULT_OUT_DIR = SNAPSHOTS_DIR / "datagoth_ckan"
REAL_BASE_URL = "https://data.go.th"
LICENCE = "DGA Open Government License (Thailand)"
DATAPACKAGE_FILE = "rtddi_ckan_datapackage.json"
POPULATION_FILE = "dopa_province_population_2563.json"
NSO_FILE = "nso_household_income_2541_2558.csv"

YEARS_BE = tuple(range(2554, 2564))
DEATHS_PER_100K = 30.0  # order of magnitude of Thailand's integrated road-death rate
NOISE = 0.20  # +-20 % per province and year, uniform
SEED = 2563
METHOD_RTDDI = (
    f"Modelled (no real figures offline). deaths(province, year) = round(population at "
    f"31 Dec 2563 BE ({POPULATION_FILE}) x {DEATHS_PER_100K:g} / 100,000 x (1 + u)), "
    f"u uniform in [-{NOISE:g}, +{NOISE:g}] from random.Random({SEED}) drawn province by "
    "province (DOPA code order), year by year. The layout (BE years as column headers under "
    "a merged label, Thai province names, a national total row) follows the published "
    "workbook; the figures are not published ones."
)
METHOD_RTDDI_PACKAGE = (
    "Real metadata: package name, title, description, licence, resource names, formats and "
    "download URLs come from the CKAN data package of data.go.th dataset rtddi; CKAN "
    "envelope fields and dates are stand-ins."
)
METHOD_NSO = "Real. The CSV file copied byte for byte; see PROVENANCE.md for its origin."
METHOD_NSO_PACKAGE = (
    "Reconstructed CKAN package_show answer: the dataset id and title are those of the "
    "data.go.th page the copied file cites; the resource id and download file name are "
    "stand-ins (the real ones are not recorded offline)."
)

NSO_PACKAGE_ID = "7049410f-5bb8-4c75-9e94-112ca18b63e2"
NSO_TITLE = "รายได้เฉลี่ยต่อเดือนต่อครัวเรือน จำแนกตามภาค และจังหวัด พ.ศ. 2541 - 2558"
NSO_RESOURCE_ID = stand_in_uuid(REAL_BASE_URL, NSO_PACKAGE_ID, "average-income-41-58")
NSO_RESOURCE_URL = (
    f"{REAL_BASE_URL}/dataset/{NSO_PACKAGE_ID}/resource/{NSO_RESOURCE_ID}"
    "/download/average-income-41-58-by-provinces.csv"
)


def load_population(real_dir: Path) -> list[tuple[str, str, int]]:
    """(code, Thai name, population at 31 Dec 2563 BE) in DOPA code order."""
    rows = json.loads((real_dir / POPULATION_FILE).read_text(encoding="utf-8"))
    return sorted((f"{int(r['PROV_CODE']):02d}", r["province"], int(r["population"])) for r in rows)


def model_deaths(population: list[tuple[str, str, int]]) -> dict[str, list[int]]:
    """Modelled deaths per province code, one count per year of ``YEARS_BE``."""
    rng = random.Random(SEED)
    deaths = {}
    for code, _, people in population:
        deaths[code] = [
            round(people * DEATHS_PER_100K / 100_000 * (1 + rng.uniform(-NOISE, NOISE)))
            for _ in YEARS_BE
        ]
    return deaths


def rtddi_workbook(population: list[tuple[str, str, int]]) -> bytes:
    deaths = model_deaths(population)
    book = Workbook()
    sheet = book.active
    sheet.title = "ผู้เสียชีวิต 54-63"
    last = 1 + len(YEARS_BE)
    sheet.cell(
        1, 1, "จำนวนผู้เสียชีวิตจากอุบัติเหตุทางถนน จำแนกตามจังหวัด ปี พ.ศ. 2554-2563 (บูรณาการข้อมูล 3 ฐาน)"
    )
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    sheet.cell(2, 1, "จังหวัด")
    sheet.merge_cells(start_row=2, start_column=1, end_row=3, end_column=1)
    sheet.cell(2, 2, "จำนวนผู้เสียชีวิต (ราย) ปี พ.ศ.")
    sheet.merge_cells(start_row=2, start_column=2, end_row=2, end_column=last)
    for offset, year in enumerate(YEARS_BE):
        sheet.cell(3, 2 + offset, year)
    row = 4
    for code, name, _ in population:
        sheet.cell(row, 1, name)
        for offset, count in enumerate(deaths[code]):
            sheet.cell(row, 2 + offset, count)
        row += 1
    sheet.cell(row, 1, "รวมทั้งประเทศ")
    for offset in range(len(YEARS_BE)):
        sheet.cell(row, 2 + offset, sum(counts[offset] for counts in deaths.values()))
    sheet.cell(row + 2, 1, "หมายเหตุ: ตัวเลขจำลอง (modelled) ในรูปแบบของไฟล์ที่เผยแพร่ ไม่ใช่ข้อมูลที่เผยแพร่จริง")
    for header in ("A1", "A2", "B2"):
        sheet[header].font = Font(bold=True)
        sheet[header].alignment = Alignment(horizontal="center")
    return deterministic_xlsx(book)


def resource_id(url: str) -> str:
    return urlsplit(url).path.split("/resource/")[1].split("/")[0]


def rtddi_package(datapackage: dict[str, Any], modified: str) -> dict[str, Any]:
    package_id = urlsplit(datapackage["resources"][0]["sources"][0]["path"]).path.split("/")[2]
    resources = []
    for item in datapackage["resources"]:
        url = item["sources"][0]["path"]
        resources.append(
            {
                "id": resource_id(url),
                "package_id": package_id,
                "name": item["title"],
                "description": item.get("description", ""),
                "format": item["format"],
                "url": url,
                "created": modified,
                "last_modified": modified,
            }
        )
    return {
        "id": package_id,
        "name": datapackage["name"],
        "title": datapackage["title"],
        "notes": datapackage["description"].strip(),
        "author": datapackage["author"]["name"],
        "author_email": datapackage["author"]["email"],
        "license_id": datapackage["license"]["type"],
        "license_title": datapackage["license"]["title"],
        "tags": [{"name": keyword} for keyword in datapackage["keywords"]],
        "state": "active",
        "type": "dataset",
        "num_resources": len(resources),
        "metadata_modified": modified,
        "resources": resources,
    }


def nso_package(modified: str) -> dict[str, Any]:
    return {
        "id": NSO_PACKAGE_ID,
        "name": NSO_PACKAGE_ID,
        "title": NSO_TITLE,
        "organization": {"name": "nso", "title": "สำนักงานสถิติแห่งชาติ"},
        "license_id": "dga-ogl",
        "license_title": "DGA Open Government License (Thailand)",
        "state": "active",
        "type": "dataset",
        "num_resources": 1,
        "metadata_modified": modified,
        "resources": [
            {
                "id": NSO_RESOURCE_ID,
                "package_id": NSO_PACKAGE_ID,
                "name": NSO_TITLE,
                "format": "CSV",
                "url": NSO_RESOURCE_URL,
                "created": modified,
                "last_modified": modified,
            }
        ],
    }


def build(real_dir: Path = DEFAULT_REAL_DIR, out_dir: Path = DEFAULT_OUT_DIR) -> dict[str, Any]:
    folder = SnapshotFolder(
        publisher="datagoth",
        publisher_name="data.go.th, Digital Government Development Agency (DGA)",
        real_base_url=REAL_BASE_URL,
        licence=LICENCE,
        built_by="python -m devtools.snapshots.build_datagoth_snapshot",
    )
    datapackage = json.loads((real_dir / DATAPACKAGE_FILE).read_text(encoding="utf-8"))
    rtddi_published = month_after(2020, 12)
    package = rtddi_package(datapackage, rtddi_published.strftime("%Y-%m-%dT%H:%M:%S"))
    folder.add_package(
        package,
        file="package_show_rtddi.json",
        last_modified=http_date(rtddi_published),
        is_modelled=False,
        method=METHOD_RTDDI_PACKAGE,
        derived_from=[DATAPACKAGE_FILE],
    )
    folder.add_resource(
        package["resources"][0]["url"],
        rtddi_workbook(load_population(real_dir)),
        content_type=XLSX_TYPE,
        last_modified=http_date(rtddi_published),
        is_modelled=True,
        method=METHOD_RTDDI,
        derived_from=[POPULATION_FILE],
    )
    nso_published = month_after(2015, 12)
    folder.add_package(
        nso_package(nso_published.strftime("%Y-%m-%dT%H:%M:%S")),
        file="package_show_nso_household_income.json",
        last_modified=http_date(nso_published),
        is_modelled=False,
        method=METHOD_NSO_PACKAGE,
        derived_from=[],
    )
    folder.add_resource(
        NSO_RESOURCE_URL,
        (real_dir / NSO_FILE).read_bytes(),
        content_type=CSV_TYPE,
        last_modified=http_date(nso_published),
        is_modelled=False,
        method=METHOD_NSO,
        derived_from=[NSO_FILE],
    )
    return folder.write(out_dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real-dir", type=Path, default=DEFAULT_REAL_DIR)
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    args = parser.parse_args(argv)
    index = build(args.real_dir, args.out_dir)
    modelled = sum(entry["is_modelled"] for entry in index["entries"])
    print(f"wrote {len(index['entries'])} responses ({modelled} modelled) to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
