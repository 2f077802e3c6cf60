"""Build the DLT CKAN snapshot (``dlt_ckan/``): ``dataset_1_1_04`` and its fuel CSV.

The figures are real: registered vehicles by province and fuel class at 28 Feb 2569 BE
(``real/dlt_vehicles_by_fuel_province_25690228.json``, aggregated from the DLT resource
``stt_car_fuel_at_25690228.csv``). The CSV layout is a reconstruction: five columns,
province, fuel and count in the 3rd-5th positions as public clients of the real file
read them, one row per province and fuel class (``other`` = total minus the four named
classes), UTF-8 with a BOM, CRLF line ends, thousands separators in some cells.

    python -m devtools.snapshots.build_dlt_snapshot [--real-dir DIR] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from devtools.snapshots.ckan_snapshot import CSV_TYPE, SnapshotFolder, http_date, month_after

SNAPSHOTS_DIR = Path(__file__).resolve().parent
DEFAULT_REAL_DIR = SNAPSHOTS_DIR / "real"
DEFAULT_OUT_DIR = SNAPSHOTS_DIR / "dlt_ckan"
REAL_FILE = "dlt_vehicles_by_fuel_province_25690228.json"
REAL_BASE_URL = "https://gdcatalog.dlt.go.th"
LICENCE = "DGA Open Government License (Thailand)"
PACKAGE_ID = "e8b7d87e-5a3c-4b8b-854c-974d3b600256"
RESOURCE_ID = "e5a037c6-3cc2-415e-b559-e6e85cfba2ca"
FILE_NAME = "stt_car_fuel_at_25690228.csv"
# The real download URL of the resource, as public clients of the file use it.
RESOURCE_URL = f"{REAL_BASE_URL}/dataset/{PACKAGE_ID}/resource/{RESOURCE_ID}/download/{FILE_NAME}"
AS_AT_BE = "28/02/2569"
HEADER = ("ข้อมูล ณ วันที่", "ประเภทรถ", "จังหวัด", "เชื้อเพลิง", "จำนวน")
ALL_TYPES_LABEL = "รวมทุกประเภท"
# Fuel rows written per province: label in the file -> figure of the real aggregate.
FUEL_ROWS = (
    ("ไฟฟ้า", "bev"),
    ("เบนซิน-ไฟฟ้า", "hybrid"),
    ("เบนซิน-ไฟฟ้า (เสียบปลั๊ก)", "phev"),
    ("ดีเซล", "diesel"),
    ("เชื้อเพลิงอื่น", "other"),
)
METHOD_CSV = (
    "Real figures, reconstructed layout. Per province: total, bev, phev, hybrid and diesel "
    "are the real counts of real/" + REAL_FILE + "; 'เชื้อเพลิงอื่น' (other) is total minus "
    "the four. The five-column layout, header names and fuel labels are a reconstruction."
)
METHOD_PACKAGE = (
    "Reconstructed CKAN package_show answer: package name, package and resource ids and "
    "the download URL are the real ones public clients use; titles, dates and the other "
    "metadata are stand-ins."
)


def fuel_rows(province: dict[str, Any]) -> dict[str, int]:
    figures = {key: int(province[key]) for key in ("total", "bev", "phev", "hybrid", "diesel")}
    figures["other"] = figures["total"] - sum(
        figures[k] for k in ("bev", "phev", "hybrid", "diesel")
    )
    if figures["other"] < 0:
        raise ValueError(f"{province['th']}: the named classes exceed the total")
    return figures


def csv_body(real: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for index, province in enumerate(real["provinces"]):
        figures = fuel_rows(province)
        for label, key in FUEL_ROWS:
            # Every other province writes its counts with thousands separators.
            count = f"{figures[key]:,}" if index % 2 else str(figures[key])
            writer.writerow((AS_AT_BE, ALL_TYPES_LABEL, province["th"], label, count))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def package(last_modified: str) -> dict[str, Any]:
    return {
        "id": PACKAGE_ID,
        "name": "dataset_1_1_04",
        "title": "จำนวนรถจดทะเบียนสะสม จำแนกตามชนิดเชื้อเพลิง รายจังหวัด",
        "notes": "สถิติจำนวนรถที่จดทะเบียนสะสม จำแนกตามจังหวัดและชนิดเชื้อเพลิง (กรมการขนส่งทางบก)",
        "license_id": "dga-ogl",
        "license_title": "DGA Open Government License (Thailand)",
        "organization": {"name": "dlt", "title": "กรมการขนส่งทางบก"},
        "state": "active",
        "type": "dataset",
        "num_resources": 1,
        "metadata_modified": last_modified,
        "resources": [
            {
                "id": RESOURCE_ID,
                "package_id": PACKAGE_ID,
                "name": "จำนวนรถจดทะเบียนสะสม จำแนกตามชนิดเชื้อเพลิง ณ วันที่ 28 กุมภาพันธ์ 2569",
                "format": "CSV",
                "mimetype": "text/csv",
                "url": RESOURCE_URL,
                "created": last_modified,
                "last_modified": last_modified,
            }
        ],
    }


def build(real_dir: Path = DEFAULT_REAL_DIR, out_dir: Path = DEFAULT_OUT_DIR) -> dict[str, Any]:
    real = json.loads((real_dir / REAL_FILE).read_text(encoding="utf-8"))
    published = month_after(2026, 2)  # stand-in publication date: the day after as-at
    folder = SnapshotFolder(
        publisher="dlt",
        publisher_name="Department of Land Transport (DLT)",
        real_base_url=REAL_BASE_URL,
        licence=LICENCE,
        built_by="python -m devtools.snapshots.build_dlt_snapshot",
    )
    folder.add_package(
        package(published.strftime("%Y-%m-%dT%H:%M:%S")),
        file="package_show_dataset_1_1_04.json",
        last_modified=http_date(published),
        is_modelled=False,
        method=METHOD_PACKAGE,
        derived_from=[],
    )
    folder.add_resource(
        RESOURCE_URL,
        csv_body(real),
        content_type=CSV_TYPE,
        last_modified=http_date(published),
        is_modelled=False,
        method=METHOD_CSV,
        derived_from=[REAL_FILE],
    )
    return folder.write(out_dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real-dir", type=Path, default=DEFAULT_REAL_DIR)
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    args = parser.parse_args(argv)
    index = build(args.real_dir, args.out_dir)
    print(f"wrote {len(index['entries'])} responses to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
