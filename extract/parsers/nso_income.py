"""Parser for NSO average monthly household income by province (socio-economic survey).

One row per province: ``จังหวัด`` (and optionally ``Province``, the English name, which
must name the same province), region columns (ignored), and one column per survey
year. A year header gives the Buddhist Era year, optionally followed by the Gregorian
one: ``year-2541-1998``, ``2541``. A Gregorian year where the BE year belongs, or a
pair that disagrees, is an error. An empty cell is a year not surveyed (no row).
"""

from __future__ import annotations

import datetime as dt
import re

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

PARSER_VERSION = "nso_household_income/1"
SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("year", pa.int32()),
        ("period", pa.date32()),
        ("avg_monthly_income_baht", pa.float64()),
        ("province_name_raw", pa.string()),
        *PROVENANCE_FIELDS,
    ]
)
PROVINCE_TH = {header_key(name) for name in ("จังหวัด",)}
PROVINCE_EN = {header_key(name) for name in ("Province", "province_en")}
IGNORED = {header_key(name) for name in ("ภาค", "Region")}
_YEAR_HEADER = re.compile(r"^(?:year[-_ ]?)?(\d{4})(?:[-_ ](\d{4}))?$")


def year_column(value: object, source_id: str) -> int:
    """Gregorian year of a year header (BE first, then optionally the CE year)."""
    match = _YEAR_HEADER.match(thai_text.ascii_digits(header_key(value)))
    if not match:
        raise ParseError(
            source_id, thai_text.clean(value), "header", value, "is not a known column"
        )
    year = thai_text.be_year(match[1], source_id=source_id, field="year", row="header", shown=value)
    if match[2] and int(match[2]) != year:
        raise ParseError(
            source_id,
            "year",
            "header",
            value,
            f"gives BE {match[1]} and CE {match[2]}, which disagree (BE - {BE_OFFSET} = {year})",
        )
    return year


def parse_table(body: bytes, ctx: ParseContext) -> pa.Table:
    source_id = ctx.source_id
    sheet = spreadsheets.read_sheets(body, source_id=source_id, encoding=ctx.feed.encoding)[0]
    header_index = next(i for i, row in enumerate(sheet.rows) if not spreadsheets.is_blank(row))
    header = sheet.rows[header_index]
    th_col = en_col = None
    years: dict[int, int] = {}
    for j, value in enumerate(header):
        key = header_key(value)
        if not key or key in IGNORED:
            continue
        if key in PROVINCE_TH:
            th_col = j
        elif key in PROVINCE_EN:
            en_col = j
        else:
            year = year_column(value, source_id)
            if year in years.values():
                raise ParseError(source_id, "year", "header", value, "repeats a year column")
            years[j] = year
    if th_col is None:
        raise ParseError(source_id, "จังหวัด", "header", None, "is missing")
    if not years:
        raise ParseError(source_id, "year", "header", None, "is missing (no year columns)")
    if ctx.resource and max(years.values()) != ctx.resource.as_at.year:
        raise ParseError(
            source_id,
            "year",
            "header",
            max(years.values()) + BE_OFFSET,
            f"is the last year of the file, but the resource {ctx.resource.name!r} is for "
            f"{ctx.resource.as_at.year + BE_OFFSET} BE",
        )
    income: dict[tuple[str, int], float] = {}
    raw_name: dict[str, str] = {}
    for number, row in enumerate(sheet.rows[header_index + 1 :], start=header_index + 2):
        if spreadsheets.is_blank(row):
            continue
        where = f"{sheet.name}:{number}"
        name = thai_text.clean(cell(row, th_col))
        if is_total_label(name):
            continue
        code = province_names.province_code(name, source_id=source_id, field="จังหวัด", row=where)
        if en_col is not None and thai_text.clean(cell(row, en_col)):
            english = province_names.province_code(
                cell(row, en_col), source_id=source_id, field="Province", row=where
            )
            if english != code:
                raise ParseError(
                    source_id,
                    "Province",
                    where,
                    cell(row, en_col),
                    f"names province {english}, but จังหวัด {name!r} is {code}",
                )
        if code in raw_name:
            raise ParseError(
                source_id, "จังหวัด", where, name, f"is a duplicate row ({raw_name[code]!r})"
            )
        raw_name[code] = name
        for j, year in years.items():
            amount = thai_text.parse_amount(
                cell(row, j), source_id=source_id, field=str(year + BE_OFFSET), row=where
            )
            if amount is not None:
                income[(code, year)] = amount
    keys = sorted(income)
    columns = {
        "area_code": [code for code, _ in keys],
        "year": [year for _, year in keys],
        "period": [dt.date(year, 12, 31) for _, year in keys],
        "avg_monthly_income_baht": [income[k] for k in keys],
        "province_name_raw": [raw_name[code] for code, _ in keys],
    }
    return with_provenance(SCHEMA, columns, ctx)
