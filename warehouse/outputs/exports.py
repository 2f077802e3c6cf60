"""Exports of a release: every mart as Parquet and as CSV, one workbook per area.

``$SMARTCITY_DATA_DIR/exports/<release_id>/``
  ``parquet/<mart>.parquet``   every table of schema ``marts``, written by DuckDB's COPY
  ``csv/<mart>.csv``           the same in UTF-8 with a byte-order mark (Excel then reads Thai)
  ``workbooks/<level>-<code>.xlsx``  one per province and per target area with members

Marts are streamed by DuckDB to the files, never held in Python. Workbooks are written in
openpyxl's write-only mode (rows go to the file as they are added); each sheet has a Thai
and an English header row, frozen, and numbers stay numbers.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from warehouse import progress
from warehouse.outputs.areas import DIMENSIONS, LEVEL_NAMES, Area, AreaData
from warehouse.outputs.release import Release

BOM = "\ufeff".encode()
# Thai and English headers of the columns the workbooks show; other columns keep their name.
HEADERS: dict[str, tuple[str, str]] = {
    "item": ("หัวข้อ", "Item"),
    "area_code": ("รหัสพื้นที่", "Area code"),
    "area_level": ("ระดับพื้นที่", "Area level"),
    "name_th": ("ชื่อ (ไทย)", "Name (Thai)"),
    "name_en": ("ชื่อ (อังกฤษ)", "Name (English)"),
    "period": ("งวดข้อมูล", "Period"),
    "dimension": ("มิติ", "Dimension"),
    "indicator_code": ("รหัสตัวชี้วัด", "Indicator code"),
    "value": ("ค่า", "Value"),
    "unit": ("หน่วย", "Unit"),
    "source_id": ("แหล่งข้อมูล", "Source"),
    "source_vintage": ("รุ่นข้อมูล", "Source vintage"),
    "is_modelled": ("ข้อมูลจำลอง", "Is modelled"),
    "quality_status": ("สถานะคุณภาพ", "Quality status"),
    "age": ("อายุ (ปี)", "Age (years)"),
    "male": ("ชาย", "Male"),
    "female": ("หญิง", "Female"),
    "total": ("รวม", "Total"),
    "peer_group": ("กลุ่มเปรียบเทียบ", "Peer group"),
    "peer_count": ("จำนวนพื้นที่ในกลุ่ม", "Peers"),
    "rank": ("อันดับ", "Rank"),
    "percentile": ("เปอร์เซ็นไทล์", "Percentile"),
    "score_0_100": ("คะแนน 0-100", "Score 0-100"),
    "national_value": ("ค่าระดับประเทศ", "National value"),
    "region_value": ("ค่าระดับภาค", "Region value"),
    "direction": ("ทิศทางที่ดี", "Direction"),
    "peer_min": ("ค่าต่ำสุดในกลุ่ม", "Peer minimum"),
    "peer_max": ("ค่าสูงสุดในกลุ่ม", "Peer maximum"),
    "vintages": ("รุ่นข้อมูลทั้งหมด", "Vintages"),
    "slices": ("จำนวนชุดย่อย", "Slices"),
    "population_scope": ("ขอบเขตประชากร", "Population scope"),
    "licence": ("สัญญาอนุญาต", "Licence"),
    "publisher": ("ผู้เผยแพร่", "Publisher"),
    "example_url": ("ที่อยู่ข้อมูล (ตัวอย่าง)", "URL (example)"),
    "fetched_at": ("ดึงข้อมูลเมื่อ", "Fetched at"),
    "status": ("สถานะ", "Status"),
}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def export_marts(release: Release, out_dir: Path) -> dict[str, dict[str, int]]:
    """Every mart to ``parquet/`` and ``csv/`` (UTF-8 with BOM); returns bytes per file."""
    (out_dir / "parquet").mkdir(parents=True, exist_ok=True)
    (out_dir / "csv").mkdir(parents=True, exist_ok=True)
    sizes: dict[str, dict[str, int]] = {}
    marts = release.marts()
    for mart in progress.track(marts, "exports: marts", len(marts), unit="mart"):
        parquet = out_dir / "parquet" / f"{mart}.parquet"
        csv = out_dir / "csv" / f"{mart}.csv"
        release.con.execute(
            f"copy marts.{mart} to '{_sql_path(parquet)}' (format parquet, compression zstd)"
        )
        # DuckDB writes the CSV; the byte-order mark goes in front while it is copied over.
        plain = csv.with_suffix(".csv.tmp")
        release.con.execute(f"copy marts.{mart} to '{_sql_path(plain)}' (format csv, header)")
        with csv.open("wb") as target, plain.open("rb") as source:
            target.write(BOM)
            shutil.copyfileobj(source, target, 1 << 20)
        plain.unlink()
        sizes[mart] = {"parquet": parquet.stat().st_size, "csv": csv.stat().st_size}
    return sizes


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


# -- workbooks ---------------------------------------------------------------------------


def _sheet(wb: Workbook, title: str, columns: list[str], rows: Iterable[dict[str, Any]]) -> None:
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A3"  # set before the first row is written (write-only mode)
    for language in (0, 1):
        header = []
        for column in columns:
            cell = WriteOnlyCell(ws, value=HEADERS.get(column, (column, column))[language])
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            header.append(cell)
        ws.append(header)
    for row in rows:
        ws.append([_cell(row.get(c)) for c in columns])


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones: UTC, as stored
    return value


def _profile_rows(data: AreaData, area: Area) -> list[dict[str, Any]]:
    level_th, level_en = LEVEL_NAMES.get(area.level, (area.level, area.level))
    rows: list[dict[str, Any]] = [
        {"item": "รหัสพื้นที่ / Area code", "value": area.code},
        {"item": "ชื่อ / Name", "value": f"{area.name_th} / {area.name_en}"},
        {"item": "ระดับ / Level", "value": f"{level_th} / {level_en}"},
        {"item": "ภาค / Region", "value": area.region},
        {"item": "รุ่นเผยแพร่ / Release", "value": data.release.release_id},
    ]
    if area.members:
        rows.append(
            {
                "item": "สมาชิก / Members",
                "value": ", ".join(str(m.get("member_code")) for m in area.members),
            }
        )
    for r in data.headline(area.code):
        dim_th, dim_en = DIMENSIONS.get(r["dimension"], (r["dimension"], r["dimension"]))
        rows.append(
            {
                "item": f"{r['name_th']} / {r['name_en']}",
                "dimension": f"{dim_th} / {dim_en}",
                "value": r["value"],
                "unit": r["unit"],
                "period": r["period"],
                "source_id": r["source_id"],
                "source_vintage": r["source_vintage"],
                "is_modelled": r["is_modelled"],
                "quality_status": r["quality_status"],
            }
        )
    return rows


def _benchmark_rows(data: AreaData, area: Area) -> tuple[list[str], list[dict[str, Any]]]:
    rows = data.benchmarks.get(area.code)
    if rows:  # the warehouse's own benchmarks mart, as it is
        return list(rows[0].keys()), rows
    # Without that mart: the area among its peers at its latest period, from the indicators.
    national = {
        (r["indicator_code"], r["period"]): r["value"] for r in data.indicators.get("TH", [])
    }
    out = []
    for r in data.headline(area.code):
        peers = [v for _, v in data.peer_values(area, r["indicator_code"], r["period"])]
        if r["value"] is None or not peers:
            continue
        out.append(
            {
                "indicator_code": r["indicator_code"],
                "name_en": r["name_en"],
                "period": r["period"],
                "value": r["value"],
                "unit": r["unit"],
                "peer_group": f"{area.level} peers",
                "peer_count": len(peers),
                "rank": 1 + sum(1 for v in peers if v > r["value"]),  # 1 = highest value
                "peer_min": min(peers),
                "peer_max": max(peers),
                "national_value": national.get((r["indicator_code"], r["period"])),
                "is_modelled": r["is_modelled"],
                "quality_status": r["quality_status"],
            }
        )
    columns = [
        "indicator_code", "name_en", "period", "value", "unit", "peer_group", "peer_count",
        "rank", "peer_min", "peer_max", "national_value", "is_modelled", "quality_status",
    ]  # fmt: skip
    return columns, out


def write_workbook(data: AreaData, area: Area, path: Path) -> None:
    wb = Workbook(write_only=True)
    _sheet(
        wb,
        "profile",
        ["item", "dimension", "value", "unit", "period", "source_id", "source_vintage",
         "is_modelled", "quality_status"],  # fmt: skip
        _profile_rows(data, area),
    )
    indicator_columns = [
        "area_code", "period", "dimension", "indicator_code", "name_th", "name_en", "value",
        "unit", "source_id", "source_vintage", "is_modelled", "quality_status",
    ]  # fmt: skip
    _sheet(
        wb,
        "indicators",
        indicator_columns,
        (
            {
                **r,
                "name_th": data.catalogue.get(r["indicator_code"], {}).get("name_th"),
                "name_en": data.catalogue.get(r["indicator_code"], {}).get("name_en"),
            }
            for r in data.indicators.get(area.code, [])
        ),
    )
    pyramid = data.pyramid(area.code)
    _sheet(
        wb,
        "age_pyramid",
        ["period", "age", "male", "female", "total"],
        (
            {**r, "total": (r["male"] or 0) + (r["female"] or 0)}
            for r in (pyramid["rows"] if pyramid else [])
        ),
    )
    columns, rows = _benchmark_rows(data, area)
    _sheet(wb, "benchmarks", columns, rows)
    if data.plan.get(area.code):
        plan = data.plan[area.code]
        _sheet(wb, "plan_progress", list(plan[0].keys()), plan)
    _sheet(
        wb,
        "provenance",
        ["source_id", "publisher", "vintages", "slices", "is_modelled", "population_scope",
         "licence", "example_url", "fetched_at", "status"],  # fmt: skip
        (
            {**s, "status": data.source_status.get(s["source_id"], {}).get("status")}
            for s in data.sources.values()
        ),
    )
    tmp = path.with_suffix(".xlsx.tmp")
    wb.save(tmp)
    tmp.replace(path)


def export_workbooks(data: AreaData, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    areas = data.workbook_areas()
    written = []
    for area in progress.track(data.each(areas), "exports: workbooks", len(areas), unit="area"):
        path = out_dir / f"{area.slug}.xlsx"
        write_workbook(data, area, path)
        written.append(path)
    return written
