"""Parser for the integrated road-accident deaths by province and year (data.go.th ``rtddi``).

The workbook has a ``จังหวัด`` column and one column per Buddhist Era year; the years
may sit in the header row itself or in the row below a merged label ("จำนวนผู้เสียชีวิต
(ราย) ปี พ.ศ."). A total row (``รวม``) is checked against the provinces, then dropped.
A Gregorian year where a BE year belongs is an error, as is a file whose last year is
not the one its resource name promises.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from extract.errors import ParseError
from extract.parsers import (
    PROVENANCE_FIELDS,
    ParseContext,
    cell,
    header_key,
    is_total_label,
    spreadsheets,
    with_provenance,
)
from extract.thai import province_names
from extract.thai import text as thai_text
from extract.thai.buddhist_era import BE_OFFSET

PARSER_VERSION = "rtddi_road_deaths/1"
SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("year", pa.int32()),
        ("period", pa.date32()),
        ("deaths", pa.int64()),
        ("province_name_raw", pa.string()),
        *PROVENANCE_FIELDS,
    ]
)
PROVINCE_HEADERS = {header_key(name) for name in ("จังหวัด", "province")}
FOOTNOTES = ("ที่มา", "หมายเหตุ", "source", "note")


def _is_year_cell(value: object) -> bool:
    return thai_text.ascii_digits(thai_text.clean(value)).isdigit()


def find_header(sheets: list[spreadsheets.Sheet]) -> tuple[spreadsheets.Sheet, int, int]:
    """(sheet, row, column) of the ``จังหวัด`` header cell."""
    for sheet in sheets:
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                if header_key(value) in PROVINCE_HEADERS:
                    return sheet, r, c
    raise LookupError


def year_columns(
    sheet: spreadsheets.Sheet, r: int, c: int, source_id: str
) -> tuple[dict[int, int], int]:
    """Column -> Gregorian year, and the first data row (below a merged label, if any)."""
    # Years in the header row itself, or (under a merged label) in the row below it.
    year_row = r if any(_is_year_cell(v) for v in sheet.rows[r][c + 1 :]) else r + 1
    if year_row >= len(sheet.rows):
        raise ParseError(source_id, "year", "header", None, "is missing (no BE year columns)")
    header = sheet.rows[year_row]
    years: dict[int, int] = {}
    for j in range(c + 1, len(header)):
        value = header[j]
        if not thai_text.clean(value) or is_total_label(value):
            continue
        if not _is_year_cell(value):
            raise ParseError(
                source_id, thai_text.clean(value), "header", value, "is not a year column"
            )
        year = thai_text.be_year(value, source_id=source_id, field="year", row="header")
        if year in years.values():
            raise ParseError(source_id, "year", "header", value, "repeats a year column")
        years[j] = year
    if not years:
        raise ParseError(source_id, "year", "header", None, "is missing (no BE year columns)")
    return years, year_row + 1


def parse_table(body: bytes, ctx: ParseContext) -> pa.Table:
    source_id = ctx.source_id
    sheets = spreadsheets.read_sheets(body, source_id=source_id, encoding=ctx.feed.encoding)
    try:
        sheet, r, c = find_header(sheets)
    except LookupError:
        raise ParseError(
            source_id, "จังหวัด", "header", None, "is missing (no province column)"
        ) from None
    years, first = year_columns(sheet, r, c, source_id)
    if ctx.resource and max(years.values()) != ctx.resource.as_at.year:
        raise ParseError(
            source_id,
            "year",
            "header",
            max(years.values()) + BE_OFFSET,
            f"is the last year of the file, but the resource {ctx.resource.name!r} is for "
            f"{ctx.resource.as_at.year + BE_OFFSET} BE",
        )
    deaths: dict[tuple[str, int], int] = {}
    raw_name: dict[str, str] = {}
    totals: dict[int, tuple[int, str]] = {}
    for number, row in enumerate(sheet.rows[first:], start=first + 1):
        name = thai_text.clean(cell(row, c))
        if spreadsheets.is_blank(row) or name.casefold().startswith(FOOTNOTES):
            break
        where = f"{sheet.name}:{number}"
        values = {
            year: thai_text.parse_count(
                cell(row, j), source_id=source_id, field=str(year + BE_OFFSET), row=where
            )
            for j, year in years.items()
        }
        if is_total_label(name):
            totals = {year: (n, where) for year, n in values.items()}
            continue
        code = province_names.province_code(name, source_id=source_id, field="จังหวัด", row=where)
        if code in raw_name:
            raise ParseError(
                source_id, "จังหวัด", where, name, f"is a duplicate row ({raw_name[code]!r})"
            )
        raw_name[code] = name
        deaths.update({(code, year): n for year, n in values.items()})
    if not deaths:
        raise ParseError(source_id, "จังหวัด", "-", None, "has no province rows")
    for year, (total, where) in totals.items():
        parts = sum(n for (_, y), n in deaths.items() if y == year)
        if total != parts:
            raise ParseError(
                source_id,
                str(year + BE_OFFSET),
                where,
                total,
                f"total is not the sum of the provinces ({parts})",
            )
    keys = sorted(deaths)
    columns = {
        "area_code": [code for code, _ in keys],
        "year": [year for _, year in keys],
        "period": [dt.date(year, 12, 31) for _, year in keys],
        "deaths": [deaths[k] for k in keys],
        "province_name_raw": [raw_name[code] for code, _ in keys],
    }
    return with_provenance(SCHEMA, columns, ctx)
