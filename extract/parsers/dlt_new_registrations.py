"""Parser for DLT new (first) vehicle registrations per month (CKAN ``dataset_stat_1_003``).

The publisher's monthly file ``sttt_new_reg2_mm_<BE yyyy>_<mm>.csv`` (2565 BE:
``sttt_new_reg2_mm_<mm>_<BE yyyy>.csv``) is UTF-8 without a BOM, CRLF, header
``ปี พ.ศ.,เดือน,ประเภทกฏหมาย,ประเภทรถ,จำนวน`` (BE year, Thai month name, legal class -
DLT's spelling ฏ, ``ประเภทกฎหมาย`` is read too -, vehicle type, count): one row per
legal class and vehicle type registered that month, for the whole country. Types with
no registration are left out. The year and month of every row must be the resource's;
vehicle types map to their category through ``extract/reference/dlt_vehicle_types.csv``
(an unknown type is refused by name), and the legal class must be the type's.
"""

from __future__ import annotations

import pyarrow as pa

from extract.errors import ParseError
from extract.parsers import (
    PROVENANCE_FIELDS,
    ParseContext,
    cell,
    match_columns,
    spreadsheets,
    with_provenance,
)
from extract.parsers.dlt_vehicles import ALL_TYPES, vehicle_type
from extract.thai import text as thai_text
from extract.thai.buddhist_era import period_end

PARSER_VERSION = "dlt_new_registrations/1"
SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("period", pa.date32()),
        ("legal_class", pa.string()),
        ("vehicle_type", pa.string()),
        ("vehicle_category", pa.string()),
        ("registrations", pa.int64()),
        *PROVENANCE_FIELDS,
    ]
)
COUNTRY = "TH"
COLUMNS = {
    "year": ("ปี พ.ศ.", "ปีพ.ศ.", "ปี"),
    "month": ("เดือน",),
    "legal_class": ("ประเภทกฏหมาย", "ประเภทกฎหมาย"),
    "vehicle_type": ("ประเภทรถ",),
    "registrations": ("จำนวน", "จำนวนรถ", "จำนวน (คัน)"),
}


def parse_table(body: bytes, ctx: ParseContext) -> pa.Table:
    source_id = ctx.source_id
    sheets = spreadsheets.read_sheets(body, source_id=source_id, encoding=ctx.feed.encoding)
    rows = [row for sheet in sheets for row in sheet.rows if not spreadsheets.is_blank(row)]
    if not rows:
        raise ParseError(source_id, "<body>", "-", None, "holds no registrations")
    columns = match_columns(
        rows[0],
        COLUMNS,
        required=("year", "month", "legal_class", "vehicle_type", "registrations"),
        source_id=source_id,
    )
    period = ctx.slice.period
    seen: dict[str, int] = {}
    out: dict[str, list] = {name: [] for name in SCHEMA.names[:6]}
    for number, row in enumerate(rows[1:], start=2):
        where = f"csv:{number}"
        year = thai_text.clean(cell(row, columns["year"]))
        month = thai_text.clean(cell(row, columns["month"]))
        row_period = thai_text.be_month(
            f"{month} {year}", source_id=source_id, field="month", row=where
        )
        if row_period != period:
            raise ParseError(
                source_id,
                "month",
                where,
                f"{month} {year}",
                f"is not the month of the resource ({period})",
            )
        kind = vehicle_type(cell(row, columns["vehicle_type"]), source_id=source_id, row=where)
        if kind.label == ALL_TYPES:
            raise ParseError(source_id, "vehicle_type", where, None, "is empty or a total row")
        legal = thai_text.clean(cell(row, columns["legal_class"]))
        if legal != kind.legal_class:
            raise ParseError(
                source_id,
                "legal_class",
                where,
                legal,
                f"is not the legal class of {kind.label!r} ({kind.legal_class})",
            )
        if kind.label in seen:
            raise ParseError(
                source_id,
                "vehicle_type",
                where,
                kind.label,
                f"is a duplicate row (first at csv:{seen[kind.label]})",
            )
        seen[kind.label] = number
        out["area_code"].append(COUNTRY)
        out["period"].append(period_end(period))
        out["legal_class"].append(kind.legal_class)
        out["vehicle_type"].append(kind.label)
        out["vehicle_category"].append(kind.category)
        out["registrations"].append(
            thai_text.parse_count(
                cell(row, columns["registrations"]),
                source_id=source_id,
                field="registrations",
                row=where,
                allow_nil=False,
            )
        )
    if not seen:
        raise ParseError(source_id, "<body>", "-", None, "holds no registrations")
    return with_provenance(SCHEMA, out, ctx)
