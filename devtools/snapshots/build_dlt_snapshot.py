"""Build the DLT CKAN snapshot (``dlt_ckan/``): ``dataset_1_1_04`` and its fuel CSV.

The figures are real: registered vehicles by province and fuel class at 28 Feb 2569 BE
(``real/dlt_vehicles_by_fuel_province_25690228.json``, aggregated from the DLT resource
``stt_car_fuel_at_25690228.csv``). The CSV is in the publisher's real layout (header
``ประเภทกฎหมาย,ประเภทรถ,จังหวัด,ประเภทเชื้อเพลิง,จำนวนรถ``, UTF-8 without a BOM, LF line
ends, as the real file), but its rows are rebuilt: the summary has fuel classes and no
vehicle types, so each province has one row per fuel class, written under one real DLT
label of that class, in one vehicle-type bucket ``ไม่จำแนกประเภทรถ`` (not broken down by
type) and legal class ``ไม่จำแนก``: "real figures, reconstructed rows". No vehicle-type
share can be computed from it, and none is published.

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

from devtools.snapshots.ckan_snapshot import (
    CSV_TYPE,
    SnapshotFolder,
    http_date,
    month_after,
    stand_in_uuid,
)

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
# The publisher's header (DLT also spells the first column ประเภทกฏหมาย).
HEADER = ("ประเภทกฎหมาย", "ประเภทรถ", "จังหวัด", "ประเภทเชื้อเพลิง", "จำนวนรถ")
# The bucket of rebuilt rows: the summary has no legal class or vehicle type.
REBUILT_LEGAL_CLASS = "ไม่จำแนก"
REBUILT_VEHICLE_TYPE = "ไม่จำแนกประเภทรถ"
# Summary figure -> the real DLT fuel label its class is written under, and that class.
FUEL_ROWS = (
    ("bev", "ไฟฟ้า", "battery_electric"),
    ("hybrid", "เบนซิน-ไฟฟ้า", "hybrid"),
    ("phev", "เบนซิน-ไฟฟ้าแบบเสียบปลั๊ก", "plug_in_hybrid"),
    ("diesel", "ดีเซล", "diesel"),
    ("other", "เบนซิน", "other"),
)
METHOD_CSV = (
    "Real figures, reconstructed rows. The layout (header, columns, encoding) is the "
    "publisher's. Per province: total, bev, phev, hybrid and diesel are the real counts of "
    "real/" + REAL_FILE + "; other is total minus the four. Each class is one row under one "
    "real DLT fuel label of that class, vehicle type 'ไม่จำแนกประเภทรถ' (not broken down: "
    "the summary has no types), legal class 'ไม่จำแนก'."
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


def file_rows(
    real: dict[str, Any], real_rows: Sequence[Sequence[str]] = ()
) -> list[tuple[str, ...]]:
    """Rows in the real layout whose sums per province and fuel class are the summary's.

    ``real_rows`` (rows of the real file, e.g. its excerpt) are kept verbatim; per
    province and class, what they do not account for is one rebuilt row in the
    not-broken-down bucket. Classes follow ``extract/reference/dlt_fuel_labels.csv``.
    """
    from extract.parsers import dlt_vehicles

    taken: dict[tuple[str, str], int] = {}
    for row in real_rows:
        key = (row[2], dlt_vehicles.fuel_class(row[3]))
        taken[key] = taken.get(key, 0) + int(row[4])
    rows: list[tuple[str, ...]] = [tuple(row) for row in real_rows]
    for province in real["provinces"]:
        figures = fuel_rows(province)
        for key, label, fuel_cls in FUEL_ROWS:
            rest = figures[key] - taken.get((province["th"], fuel_cls), 0)
            if rest < 0:
                raise ValueError(f"{province['th']} {fuel_cls}: real rows exceed the summary")
            if rest:
                rows.append(
                    (REBUILT_LEGAL_CLASS, REBUILT_VEHICLE_TYPE, province["th"], label, str(rest))
                )
    return rows


def csv_body(real: dict[str, Any], real_rows: Sequence[Sequence[str]] = ()) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(file_rows(real, real_rows))
    return buffer.getvalue().encode("utf-8")


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


# New registrations (dataset_stat_1_003): the real monthly files, bundled verbatim.
NEW_REG_DIR = "dlt_new_registrations"
NEW_REG_PACKAGE = "dataset_stat_1_003"
NEW_REG_PACKAGE_ID = "58fa19b4-de1a-43d2-a930-19051ed449cf"  # the dataset page's id
THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
METHOD_NEW_REG_CSV = (
    "Real file, verbatim: the publisher's bytes (size equal to the download, see "
    "real/dlt_new_registrations/PROVENANCE.txt); the download file name is the publisher's."
)
METHOD_NEW_REG_PACKAGE = (
    "Reconstructed CKAN package_show answer: package name and id and the download file "
    "names are the publisher's; resource ids are stand-ins (stable UUIDs), titles and dates "
    "stand-ins."
)


def new_registration_files(real_dir: Path) -> list[tuple[Path, str, int, int]]:
    """(bundled file, the publisher's download name, BE year, month or 0 for the year)."""
    found = []
    for path in sorted((real_dir / NEW_REG_DIR).glob("*.csv")):
        _, when, year_text = path.stem.split("_")
        year = int(year_text)
        if when == "ปี":
            found.append((path, f"sttt_new_reg2_yy_{year}_full.csv", year, 0))
            continue
        month = THAI_MONTHS.index(when) + 1
        name = (
            f"sttt_new_reg2_mm_{month:02d}_{year}.csv"
            if year == 2565
            else f"sttt_new_reg2_mm_{year}_{month:02d}.csv"
        )
        found.append((path, name, year, month))
    return sorted(found, key=lambda f: (f[2], f[3] or 13))


def new_registrations_package(
    files: list[tuple[Path, str, int, int]], modified: str
) -> dict[str, Any]:
    resources = []
    for _, name, year, month in files:
        title = f"{THAI_MONTHS[month - 1]} {year}" if month else f"ปี {year}"
        stamp = month_after(year - 543, month or 12).strftime("%Y-%m-%dT%H:%M:%S")
        resource_id = stand_in_uuid("dlt", NEW_REG_PACKAGE, name)
        resources.append(
            {
                "id": resource_id,
                "package_id": NEW_REG_PACKAGE_ID,
                "name": f"สถิติจำนวนรถจดทะเบียนใหม่ {title}",
                "format": "CSV",
                "mimetype": "text/csv",
                "url": f"{REAL_BASE_URL}/dataset/{NEW_REG_PACKAGE_ID}/resource/{resource_id}/download/{name}",
                "created": stamp,
                "last_modified": stamp,
            }
        )
    return {
        "id": NEW_REG_PACKAGE_ID,
        "name": NEW_REG_PACKAGE,
        "title": "สถิติจำนวนรถจดทะเบียนใหม่",
        "notes": "สถิติจำนวนรถจดทะเบียนใหม่ทั่วประเทศ จำแนกตามประเภทกฎหมายและประเภทรถ รายเดือน (กรมการขนส่งทางบก)",
        "license_id": "dga-ogl",
        "license_title": "DGA Open Government License (Thailand)",
        "organization": {"name": "dlt", "title": "กรมการขนส่งทางบก"},
        "state": "active",
        "type": "dataset",
        "num_resources": len(resources),
        "metadata_modified": modified,
        "resources": resources,
    }


def add_new_registrations(folder: SnapshotFolder, real_dir: Path) -> None:
    files = new_registration_files(real_dir)
    newest = month_after(files[-1][2] - 543, files[-1][3] or 12) if files else month_after(2026, 2)
    package_body = new_registrations_package(files, newest.strftime("%Y-%m-%dT%H:%M:%S"))
    folder.add_package(
        package_body,
        file=f"package_show_{NEW_REG_PACKAGE}.json",
        last_modified=http_date(newest),
        is_modelled=False,
        method=METHOD_NEW_REG_PACKAGE,
        derived_from=[f"{NEW_REG_DIR}/PROVENANCE.txt"],
    )
    for (path, _, year, month), resource in zip(files, package_body["resources"], strict=True):
        folder.add_resource(
            resource["url"],
            path.read_bytes(),
            content_type=CSV_TYPE,
            last_modified=http_date(month_after(year - 543, month or 12)),
            is_modelled=False,
            method=METHOD_NEW_REG_CSV,
            derived_from=[f"{NEW_REG_DIR}/{path.name}"],
        )


def build(
    real_dir: Path = DEFAULT_REAL_DIR,
    out_dir: Path = DEFAULT_OUT_DIR,
    fuel_real_rows: Sequence[Sequence[str]] = (),
) -> dict[str, Any]:
    """Write the folder; ``fuel_real_rows`` (rows of the real fuel file) are served
    verbatim in the fuel CSV with the rest rebuilt around them (tests, not the bundle)."""
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
        csv_body(real, fuel_real_rows),
        content_type=CSV_TYPE,
        last_modified=http_date(published),
        is_modelled=False,
        method=METHOD_CSV,
        derived_from=[REAL_FILE],
    )
    add_new_registrations(folder, real_dir)
    return folder.write(out_dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real-dir", type=Path, default=DEFAULT_REAL_DIR)
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    parser.add_argument(
        "--real-rows",
        type=Path,
        help="a CSV of real rows of the fuel file (its header first) to serve verbatim, "
        "the rest rebuilt around them (never for the bundled snapshot)",
    )
    args = parser.parse_args(argv)
    rows: list[list[str]] = []
    if args.real_rows:
        rows = list(csv.reader(io.StringIO(args.real_rows.read_text(encoding="utf-8-sig"))))[1:]
    index = build(args.real_dir, args.out_dir, rows)
    print(f"wrote {len(index['entries'])} responses to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
