"""Parser for DLT registered vehicles by province, vehicle type and fuel (CKAN ``dataset_1_1_04``).

The publisher's file ``stt_car_fuel_at_<BE yyyymmdd>.csv`` (UTF-8, perhaps with a BOM) is
long: header ``ประเภทกฎหมาย,ประเภทรถ,จังหวัด,ประเภทเชื้อเพลิง,จำนวนรถ`` (legal class -
DLT also writes ``ประเภทกฏหมาย`` -, vehicle type such as ``รย. 1 รถยนต์นั่งส่วนบุคคลไม่เกิน
7 คน``, province, fuel label, count); zero combinations are left out, and a province
with no vehicle of a type is a row with an empty fuel and count (skipped). There is no
date column: the as-at date is the file name's (the CKAN resource pattern). Older
workbooks (one sheet per province, ``ส่วนกลาง`` = Bangkok, header ``ประเภทรถ`` + fuel
names) are read too.

Fuel labels map to fuel classes through ``extract/reference/dlt_fuel_labels.csv``, which
lists every label seen in a real file; an unknown label is refused by name (a new label
is one row there). Vehicle types map to a category (passenger_car, motorcycle, bus,
truck, ...) through ``extract/reference/dlt_vehicle_types.csv``, by label or by the
``รย. <n>`` code; an unknown type is refused by name too. Total rows (``รวม``) are checked
against the rows they total, then dropped. One landed row per province, vehicle type
and fuel label, as in the file.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import re
from pathlib import Path
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

PARSER_VERSION = "dlt_vehicles_by_fuel/2"
SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("period", pa.date32()),
        ("legal_class", pa.string()),
        ("vehicle_type", pa.string()),
        ("vehicle_category", pa.string()),
        ("fuel_label", pa.string()),
        ("fuel_class", pa.string()),
        ("vehicles", pa.int64()),
        ("province_name_raw", pa.string()),
        *PROVENANCE_FIELDS,
    ]
)
REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"
FUEL_LABELS_PATH = REFERENCE_DIR / "dlt_fuel_labels.csv"
VEHICLE_TYPES_PATH = REFERENCE_DIR / "dlt_vehicle_types.csv"
FUEL_CLASSES = ("battery_electric", "hybrid", "plug_in_hybrid", "diesel", "other")
ALL_TYPES = "all"
COLUMNS = {
    "as_at": ("ข้อมูล ณ วันที่", "ณ วันที่", "วันที่ข้อมูล", "as_at"),
    "legal_class": ("ประเภทกฎหมาย", "ประเภทกฏหมาย", "legal_class"),
    "vehicle_type": ("ประเภทรถ", "ประเภทการจดทะเบียน", "vehicle_type"),
    "province": ("จังหวัด", "จังหวัดที่จดทะเบียน", "province"),
    "fuel": ("ประเภทเชื้อเพลิง", "เชื้อเพลิง", "ชนิดเชื้อเพลิง", "fuel"),
    "vehicles": ("จำนวนรถ", "จำนวน", "จำนวน (คัน)", "จำนวนรถ (คัน)", "vehicles"),
}
_ALL_TYPE_LABELS = {"", "รวม", "รวมทุกประเภท", "ทุกประเภท", "ทั้งหมด", "all"}
_TYPE_CODE = re.compile(r"^(รย|ร\.ย)\.?\s*(\d{1,2})(?!\d)")
_DAY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})|(\d{4})-?(\d{2})-?(\d{2})")


@dataclasses.dataclass(frozen=True)
class VehicleType:
    label: str
    legal_class: str
    category: str


@dataclasses.dataclass(frozen=True)
class Count:
    province_raw: str
    legal_class_raw: str
    vehicle_type: VehicleType
    fuel_label: str
    vehicles: int
    where: str  # sheet and row, for errors


def _label_key(value: object) -> str:
    """Labels compared with spacing ignored around ``+``, ``-`` and brackets."""
    text = thai_text.clean(value)
    return re.sub(r"\s*([+\-()])\s*", r"\1", text).casefold()


@functools.cache
def fuel_labels() -> dict[str, str]:
    """Fuel label (compared by :func:`_label_key`) -> fuel class, from the reference table."""
    table: dict[str, str] = {}
    with FUEL_LABELS_PATH.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["fuel_class"] not in FUEL_CLASSES:
                raise ValueError(
                    f"{FUEL_LABELS_PATH.name}: {row['label']!r} has class {row['fuel_class']!r}"
                )
            table[_label_key(row["label"])] = row["fuel_class"]
    return table


@functools.cache
def vehicle_types() -> tuple[dict[str, VehicleType], dict[str, VehicleType]]:
    """(label key -> type, ``รย.<n>`` code -> type) from the reference table."""
    by_label: dict[str, VehicleType] = {}
    by_code: dict[str, VehicleType] = {}
    with VEHICLE_TYPES_PATH.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            kind = VehicleType(row["label"], row["legal_class"], row["vehicle_category"])
            by_label[_label_key(row["label"])] = kind
            if row["code"]:
                by_code[row["code"]] = kind
    return by_label, by_code


def fuel_class(label: object, *, source_id: str = "dlt_vehicles_by_fuel", row: object = "-") -> str:
    """The fuel class of a DLT fuel label; ``ParseError`` naming a label the table lacks."""
    found = fuel_labels().get(_label_key(label))
    if found is None:
        raise ParseError(
            source_id,
            "fuel",
            row,
            thai_text.clean(label),
            f"is not a known DLT fuel label (add it to extract/reference/{FUEL_LABELS_PATH.name})",
        )
    return found


def vehicle_type(
    value: object, *, source_id: str = "dlt_vehicles_by_fuel", row: object = "-"
) -> VehicleType:
    """The vehicle type of a DLT label: by label, else by its ``รย. <n>`` code; ``all`` for totals."""
    text = thai_text.clean(value)
    if header_key(text) in _ALL_TYPE_LABELS:
        return VehicleType(ALL_TYPES, "", ALL_TYPES)
    by_label, by_code = vehicle_types()
    found = by_label.get(_label_key(text))
    if found is None:
        code = _TYPE_CODE.match(text)
        found = by_code.get(f"รย.{int(code[2])}") if code else None
    if found is None:
        raise ParseError(
            source_id,
            "vehicle_type",
            row,
            text,
            f"is not a known DLT vehicle type (add it to extract/reference/{VEHICLE_TYPES_PATH.name})",
        )
    return found


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


def _legal_class(raw: str, kind: VehicleType, source_id: str, where: str) -> None:
    """The file's legal class must be the one the vehicle type belongs to."""
    if raw and kind.legal_class and raw != kind.legal_class:
        raise ParseError(
            source_id,
            "legal_class",
            where,
            raw,
            f"is not the legal class of {kind.label!r} ({kind.legal_class})",
        )


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
        fuel = thai_text.clean(cell(row, columns["fuel"]))
        count = thai_text.clean(cell(row, columns["vehicles"]))
        if not fuel and not count:
            continue  # DLT lists a province with no vehicle of the type: fuel and count empty
        if not fuel:
            raise ParseError(source_id, "fuel", where, None, f"is empty for a count of {count}")
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
        kind = vehicle_type(cell(row, columns.get("vehicle_type")), source_id=source_id, row=where)
        legal = thai_text.clean(cell(row, columns.get("legal_class")))
        _legal_class(legal, kind, source_id, where)
        fuel_class(fuel, source_id=source_id, row=where)  # an unknown label stops here
        counts.append(
            Count(
                province_raw=thai_text.clean(cell(row, columns["province"])),
                legal_class_raw=legal,
                vehicle_type=kind,
                fuel_label=fuel,
                vehicles=thai_text.parse_count(
                    cell(row, columns["vehicles"]),
                    source_id=source_id,
                    field="vehicles",
                    row=where,
                    allow_nil=False,
                ),
                where=where,
            )
        )
    return counts


def _sheet_counts(sheet: spreadsheets.Sheet, ctx: ParseContext) -> list[Count]:
    """A sheet per province: the header row starts with ``ประเภทรถ``, then fuel names."""
    source_id = ctx.source_id
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
    for fuel in fuels.values():
        fuel_class(fuel, source_id=source_id, row=f"{sheet.name}:{index + 1}")
    counts = []
    for number, row in enumerate(sheet.rows[index + 1 :], start=index + 2):
        if spreadsheets.is_blank(row):
            continue
        where = f"{sheet.name}:{number}"
        kind = vehicle_type(cell(row, first), source_id=source_id, row=where)
        counts.extend(
            Count(
                province_raw=sheet.name.strip(),
                legal_class_raw="",
                vehicle_type=kind,
                fuel_label=fuel,
                vehicles=thai_text.parse_count(
                    cell(row, column), source_id=source_id, field=fuel, row=where
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
) -> tuple[dict[tuple[str, str, str], Count], dict[str, str]]:
    """(area_code, vehicle_type, fuel_label) -> its row after every consistency check,
    and the province name as written for each area code."""
    source_id = ctx.source_id
    raw_name: dict[str, str] = {}
    rows: dict[tuple[str, str, str], Count] = {}
    national: dict[tuple[str, str], Count] = {}
    for count in counts:
        fuel = _label_key(count.fuel_label)
        if is_total_label(count.province_raw):
            national[(count.vehicle_type.label, fuel)] = count
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
        key = (code, count.vehicle_type.label, fuel)
        if key in rows:
            raise ParseError(
                source_id,
                "fuel",
                count.where,
                count.fuel_label,
                f"is a duplicate row (first at {rows[key].where})",
            )
        rows[key] = count
    # Totals by vehicle type ('all' rows next to a breakdown) must add up, then go.
    typed = {(code, fuel) for code, vtype, fuel in rows if vtype != ALL_TYPES}
    for (code, vtype, fuel), count in list(rows.items()):
        if vtype == ALL_TYPES and (code, fuel) in typed:
            parts = sum(
                c.vehicles
                for (k, t, f), c in rows.items()
                if (k, f) == (code, fuel) and t != ALL_TYPES
            )
            label = f"{count.province_raw} {count.fuel_label}"
            _check_total(source_id, label, count.vehicles, parts, count.where)
            del rows[(code, vtype, fuel)]
    for (vtype, fuel), count in national.items():
        parts = sum(
            c.vehicles
            for (_, t, f), c in rows.items()
            if f == fuel and vtype in (t, ALL_TYPES)  # an 'all' total spans every type
        )
        label = f"all provinces {count.fuel_label}"
        _check_total(source_id, label, count.vehicles, parts, count.where)
    return rows, raw_name


def parse_table(body: bytes, ctx: ParseContext) -> pa.Table:
    rows, raw_name = aggregate(read_counts(body, ctx), ctx)
    keys = sorted(rows)
    counts = [rows[k] for k in keys]
    columns = {
        "area_code": [k[0] for k in keys],
        "period": [ctx.as_at] * len(keys),
        "legal_class": [c.vehicle_type.legal_class or c.legal_class_raw for c in counts],
        "vehicle_type": [c.vehicle_type.label for c in counts],
        "vehicle_category": [c.vehicle_type.category for c in counts],
        "fuel_label": [c.fuel_label for c in counts],
        "fuel_class": [
            fuel_class(c.fuel_label, source_id=ctx.source_id, row=c.where) for c in counts
        ],
        "vehicles": [c.vehicles for c in counts],
        "province_name_raw": [raw_name[k[0]] for k in keys],
    }
    return with_provenance(SCHEMA, columns, ctx)
