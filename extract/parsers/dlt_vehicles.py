"""Parser for DLT registered vehicles by province and fuel (CKAN ``dataset_1_1_04``).

Two layouts, in any container ``extract/parsers/spreadsheets.py`` reads:

- long (the CSV ``stt_car_fuel_at_<BE yyyymmdd>.csv``, UTF-8 with a BOM): one row per
  province x fuel (x vehicle type), with columns found by their Thai headers;
- one sheet per province (older workbooks, TIS-620 ``.xls`` that are HTML tables or
  xlsx): the sheet name is the province (``ส่วนกลาง`` = Bangkok), a header row
  ``ประเภทรถ`` + fuel names, one row per vehicle type.

Fuel names become classes: ``ไฟฟ้า`` battery_electric; ``...เสียบปลั๊ก`` plug_in_hybrid;
``...-ไฟฟ้า`` / hybrid hybrid; ``ดีเซล`` diesel; anything else other. Every (province,
vehicle type) gets all five classes (0 when absent). Total rows and columns are
checked against the rows they total, then dropped; ``vehicle_type`` is ``all`` when the
file has no breakdown by vehicle type.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import defaultdict
from typing import Any

import pyarrow as pa

from extract.errors import ParseError
from extract.parsers import (
    PROVENANCE_FIELDS,
    ParseContext,
    cell,
    header_key,
    is_total_label,
    match_columns,
    spreadsheets,
    with_provenance,
)
from extract.thai import province_names
from extract.thai import text as thai_text

PARSER_VERSION = "dlt_vehicles_by_fuel/1"
SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("period", pa.date32()),
        ("vehicle_type", pa.string()),
        ("fuel_class", pa.string()),
        ("vehicles", pa.int64()),
        ("province_name_raw", pa.string()),
        *PROVENANCE_FIELDS,
    ]
)
FUEL_CLASSES = ("battery_electric", "hybrid", "plug_in_hybrid", "diesel", "other")
ALL_TYPES = "all"
COLUMNS = {
    "as_at": ("ข้อมูล ณ วันที่", "ณ วันที่", "วันที่ข้อมูล", "as_at"),
    "vehicle_type": ("ประเภทรถ", "ประเภทการจดทะเบียน", "vehicle_type"),
    "province": ("จังหวัด", "จังหวัดที่จดทะเบียน", "province"),
    "fuel": ("เชื้อเพลิง", "ชนิดเชื้อเพลิง", "ประเภทเชื้อเพลิง", "fuel"),
    "vehicles": ("จำนวน", "จำนวนรถ", "จำนวน (คัน)", "จำนวนรถ (คัน)", "vehicles"),
}
_ALL_TYPE_LABELS = {"", "รวม", "รวมทุกประเภท", "ทุกประเภท", "ทั้งหมด", "all"}
_DAY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})|(\d{4})-?(\d{2})-?(\d{2})")


@dataclasses.dataclass(frozen=True)
class Count:
    province_raw: str
    vehicle_type: str
    fuel_raw: str
    vehicles: int
    where: str  # sheet and row, for errors


def fuel_class(name: object) -> str:
    """The fuel class of a DLT fuel name (plug-in checked before hybrid: both say ไฟฟ้า)."""
    text = thai_text.clean(name)
    folded = text.casefold().replace(" ", "")
    if text == "ไฟฟ้า" or folded in {"ev", "bev", "electric", "electricity"}:
        return "battery_electric"
    if "เสียบปลั๊ก" in folded or "plug-in" in folded or "phev" in folded:
        return "plug_in_hybrid"
    if "-ไฟฟ้า" in folded or "hybrid" in folded or "ไฮบริด" in folded:
        return "hybrid"
    if "ดีเซล" in folded or "diesel" in folded:
        return "diesel"
    return "other"


def vehicle_type(value: object) -> str:
    text = thai_text.clean(value)
    return ALL_TYPES if header_key(text) in _ALL_TYPE_LABELS else text


def _as_at(value: Any, source_id: str, row: object) -> dt.date:
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        return day.replace(year=day.year - 543) if day.year > 2400 else day
    text = thai_text.ascii_digits(thai_text.clean(value))
    match = _DAY.fullmatch(text)
    if not match:
        raise ParseError(source_id, "as_at", row, value, "is not a date (dd/mm/yyyy BE)")
    day, month, year = (
        (match[1], match[2], match[3]) if match[1] else (match[6], match[5], match[4])
    )
    ce_year = thai_text.be_year(year, source_id=source_id, field="as_at", row=row, shown=value)
    try:
        return dt.date(ce_year, int(month), int(day))
    except ValueError as exc:
        raise ParseError(source_id, "as_at", row, value, str(exc)) from None


def _long_counts(sheet: spreadsheets.Sheet, header_index: int, ctx: ParseContext) -> list[Count]:
    source_id = ctx.source_id
    columns = match_columns(
        sheet.rows[header_index],
        COLUMNS,
        required=("province", "fuel", "vehicles"),
        source_id=source_id,
    )
    counts = []
    for number, row in enumerate(sheet.rows[header_index + 1 :], start=header_index + 2):
        if spreadsheets.is_blank(row):
            continue
        where = f"{sheet.name}:{number}"
        if "as_at" in columns:
            day = _as_at(cell(row, columns["as_at"]), source_id, where)
            if day != ctx.as_at:
                raise ParseError(
                    source_id,
                    "as_at",
                    where,
                    cell(row, columns["as_at"]),
                    f"is not the date of the resource ({ctx.as_at.isoformat()})",
                )
        counts.append(
            Count(
                province_raw=thai_text.clean(cell(row, columns["province"])),
                vehicle_type=vehicle_type(cell(row, columns.get("vehicle_type"))),
                fuel_raw=thai_text.clean(cell(row, columns["fuel"])),
                vehicles=thai_text.parse_count(
                    cell(row, columns["vehicles"]), source_id=source_id, field="vehicles", row=where
                ),
                where=where,
            )
        )
    return counts


def _sheet_counts(sheet: spreadsheets.Sheet, ctx: ParseContext) -> list[Count]:
    """A sheet per province: the header row starts with ``ประเภทรถ``, then fuel names."""
    type_aliases = {header_key(alias) for alias in COLUMNS["vehicle_type"]}
    starts = (
        (index, next((i for i, value in enumerate(row) if thai_text.clean(value)), None))
        for index, row in enumerate(sheet.rows)
    )
    found = next(
        (
            (index, first)
            for index, first in starts
            if first is not None and header_key(sheet.rows[index][first]) in type_aliases
        ),
        None,
    )
    if found is None:
        return []  # a notes or summary sheet
    index, first = found
    header = sheet.rows[index]
    fuels = {
        i: thai_text.clean(value)
        for i, value in enumerate(header)
        if i > first and thai_text.clean(value) and not is_total_label(value)
    }
    counts = []
    for number, row in enumerate(sheet.rows[index + 1 :], start=index + 2):
        if spreadsheets.is_blank(row):
            continue
        where = f"{sheet.name}:{number}"
        counts.extend(
            Count(
                province_raw=sheet.name.strip(),
                vehicle_type=vehicle_type(cell(row, first)),
                fuel_raw=fuel,
                vehicles=thai_text.parse_count(
                    cell(row, column), source_id=ctx.source_id, field=fuel, row=where
                ),
                where=where,
            )
            for column, fuel in fuels.items()
        )
    return counts


def read_counts(body: bytes, ctx: ParseContext) -> list[Count]:
    counts: list[Count] = []
    province_keys = {header_key(alias) for alias in COLUMNS["province"]}
    for sheet in spreadsheets.read_sheets(
        body, source_id=ctx.source_id, encoding=ctx.feed.encoding
    ):
        header_index = next(
            (i for i, row in enumerate(sheet.rows) if not spreadsheets.is_blank(row)), None
        )
        if header_index is None:
            continue
        if province_keys & {header_key(value) for value in sheet.rows[header_index]}:
            counts.extend(_long_counts(sheet, header_index, ctx))
        elif not is_total_label(sheet.name):
            counts.extend(_sheet_counts(sheet, ctx))
    if not counts:
        raise ParseError(ctx.source_id, "<body>", "-", None, "holds no vehicle counts")
    return counts


def _check_total(source_id: str, what: str, total: int, parts: int, where: str) -> None:
    if total != parts:
        raise ParseError(
            source_id,
            "vehicles",
            where,
            total,
            f"total of {what} is not the sum of its rows ({parts})",
        )


def aggregate(
    counts: list[Count], ctx: ParseContext
) -> tuple[dict[tuple[str, str, str], int], dict[str, str]]:
    """(area_code, vehicle_type, fuel_class) -> vehicles after every consistency check,
    and the province name as written for each area code."""
    source_id = ctx.source_id
    raw_name: dict[str, str] = {}
    by_fuel: dict[tuple[str, str, str], Count] = {}
    national: dict[tuple[str, str], Count] = {}
    for count in counts:
        if is_total_label(count.province_raw):
            national[(count.vehicle_type, count.fuel_raw)] = count
            continue
        code = province_names.province_code(
            count.province_raw, source_id=source_id, field="province", row=count.where
        )
        if raw_name.setdefault(code, count.province_raw) != count.province_raw:
            raise ParseError(
                source_id,
                "province",
                count.where,
                count.province_raw,
                f"names the same province ({code}) as {raw_name[code]!r}: duplicate province",
            )
        key = (code, count.vehicle_type, count.fuel_raw)
        if key in by_fuel:
            raise ParseError(
                source_id,
                "fuel",
                count.where,
                count.fuel_raw,
                f"is a duplicate row (first at {by_fuel[key].where})",
            )
        by_fuel[key] = count
    # Totals by vehicle type ('all' rows next to a breakdown) must add up, then go.
    typed = {(code, fuel) for code, vtype, fuel in by_fuel if vtype != ALL_TYPES}
    for (code, vtype, fuel), count in list(by_fuel.items()):
        if vtype == ALL_TYPES and (code, fuel) in typed:
            parts = sum(
                c.vehicles
                for (k, t, f), c in by_fuel.items()
                if (k, f) == (code, fuel) and t != ALL_TYPES
            )
            _check_total(
                source_id, f"{count.province_raw} {fuel}", count.vehicles, parts, count.where
            )
            del by_fuel[(code, vtype, fuel)]
    for (vtype, fuel), count in national.items():
        parts = sum(
            c.vehicles
            for (_, t, f), c in by_fuel.items()
            if f == fuel and vtype in (t, ALL_TYPES)  # an 'all' total spans every type
        )
        _check_total(source_id, f"all provinces {fuel}", count.vehicles, parts, count.where)
    totals: dict[tuple[str, str, str], int] = defaultdict(int)
    for (code, vtype, fuel), count in by_fuel.items():
        for fuel_cls in FUEL_CLASSES:
            totals[(code, vtype, fuel_cls)] += 0  # every class present, 0 when absent
        totals[(code, vtype, fuel_class(fuel))] += count.vehicles
    return dict(totals), raw_name


def parse_table(body: bytes, ctx: ParseContext) -> pa.Table:
    totals, raw_name = aggregate(read_counts(body, ctx), ctx)
    keys = sorted(totals, key=lambda k: (k[0], k[1], FUEL_CLASSES.index(k[2])))
    columns = {
        "area_code": [k[0] for k in keys],
        "period": [ctx.as_at] * len(keys),
        "vehicle_type": [k[1] for k in keys],
        "fuel_class": [k[2] for k in keys],
        "vehicles": [totals[k] for k in keys],
        "province_name_raw": [raw_name[k[0]] for k in keys],
    }
    return with_provenance(SCHEMA, columns, ctx)
