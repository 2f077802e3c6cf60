"""Parser for DIW industrial waste by province and month (CKAN DataStore records).

The body is the records of the DataStore resource as the CKAN client assembles them
from ``datastore_search`` pages (``{"resource_id", "fields", "records", "total"}``). A
record: ``จังหวัด`` (province, Thai), ``ปี`` (Buddhist Era year), ``เดือน`` (Thai month
name, abbreviated or full) and ``ลำดับเดือน`` (its number, 1-12: the two must agree),
``ไม่อันตราย (ตัน)``, ``อันตราย (ตัน)``, ``ของเสียทั้งหมด (ตัน)`` (non-hazardous,
hazardous and total tonnes, text with or without thousands separators, or numbers),
``หน่วย`` (the unit, ``ตัน``) and the DataStore row id ``_id``.

Rules, each a ``ParseError`` naming the province, month and field when broken:

- non-hazardous + hazardous = total within rounding on every record: each value may be
  rounded or cut to the decimals it shows, so the tolerance is one unit in the last
  shown place of each of the three (``93.35 + 2.76`` against ``96.126``: 0.016 off,
  tolerance 0.021, a real record);
- one record per province and month. The publisher's records hold some months twice
  (June 2566 BE for 66 provinces: once to 2 decimals with separators, once to 3 without).
  Duplicates are repaired when they agree: every measure within half a unit of the last
  shown place of each of the two values (both are roundings of one figure); the record
  with the most decimals is kept (on a tie the lower ``_id``) and the dropped ``_id`` is
  recorded in ``dropped_duplicate_ids``. Duplicates that disagree beyond that are an
  error naming both values. The repair runs over the whole resource, which is one slice
  per vintage.

A vintage (the slice's period) is the records up to and including its month; a resource
without a record of that month has not published it yet (``NoDataYet``).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from extract.errors import NoDataYet, ParseError
from extract.parsers import PROVENANCE_FIELDS, ParseContext, header_key, with_provenance
from extract.thai import province_names
from extract.thai import text as thai_text
from extract.thai.buddhist_era import BE_OFFSET, period_end

PARSER_VERSION = "diw_industrial_waste/1"
SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("period", pa.date32()),
        ("non_hazardous_tonnes", pa.float64()),
        ("hazardous_tonnes", pa.float64()),
        ("total_tonnes", pa.float64()),
        ("province_name_raw", pa.string()),
        ("record_id", pa.int64()),
        ("dropped_duplicate_ids", pa.string()),
        ("vintage", pa.date32()),
        *PROVENANCE_FIELDS,
    ]
)
# Field -> the DataStore column names it is published under (compared by header_key).
ALIASES = {
    "province": ("จังหวัด",),
    "year": ("ปี",),
    "month_name": ("เดือน",),
    "month": ("ลำดับเดือน",),
    "non_hazardous": ("ไม่อันตราย (ตัน)",),
    "hazardous": ("อันตราย (ตัน)",),
    "total": ("ของเสียทั้งหมด (ตัน)",),
    "unit": ("หน่วย",),
    "id": ("_id",),
}
REQUIRED = ("province", "year", "month_name", "month", "non_hazardous", "hazardous", "total")
MEASURES = ("non_hazardous", "hazardous", "total")
TONNES = {"ตัน", "tonnes", "tonne", "ton", "tons"}
_PLAIN = re.compile(r"^\d+(\.\d+)?$")
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_MONTH_KEYS = {
    thai_text.clean(name).replace(".", "").replace(" ", ""): number
    for name, number in thai_text.THAI_MONTHS.items()
}


class _Record:
    __slots__ = ("code", "name", "year", "month", "month_label", "values", "places", "row_id")

    def __init__(self, **kwargs: Any) -> None:
        for key, value in kwargs.items():
            setattr(self, key, value)

    @property
    def where(self) -> str:
        return f"_id {self.row_id} ({self.name}, {self.month_label} {self.year + BE_OFFSET})"


def tonnes(value: object, *, source_id: str, field: str, row: str) -> tuple[Decimal, int]:
    """(amount, decimals shown) of a tonnes value: ``10,691.65``, ``10691.651``, ``0``, a
    JSON number; Thai digits allowed. Empty, negative or malformed is a ``ParseError``."""
    if isinstance(value, bool) or value is None:
        raise ParseError(source_id, field, row, value, "is not a number of tonnes")
    if isinstance(value, int | float):
        text = format(Decimal(repr(value)), "f")
    else:
        text = thai_text.ascii_digits(thai_text.clean(value))
    if not (_PLAIN.match(text) or _GROUPED.match(text)):
        problem = "is negative" if text.startswith("-") else "is not a number of tonnes"
        raise ParseError(source_id, field, row, value, problem)
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ParseError(source_id, field, row, value, "is not a number of tonnes") from None
    places = len(text.split(".", 1)[1]) if "." in text else 0
    return amount, places


def _unit(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def _month(label: object, number: object, *, source_id: str, row: str, fields: dict) -> int:
    text = thai_text.ascii_digits(thai_text.clean(number))
    if not re.fullmatch(r"\d{1,2}", text) or not 1 <= int(text) <= 12:
        raise ParseError(source_id, fields["month"], row, number, "is not a month number 1..12")
    key = thai_text.clean(label).replace(".", "").replace(" ", "")
    named = _MONTH_KEYS.get(key)
    if named is None:
        raise ParseError(source_id, fields["month_name"], row, label, "is not a Thai month name")
    if named != int(text):
        raise ParseError(
            source_id,
            fields["month_name"],
            row,
            label,
            f"is month {named}, but {fields['month']} says {int(text)}",
        )
    return named


def _columns(document: dict[str, Any], source_id: str) -> dict[str, str]:
    """Field -> the record key it is under, from the answer's ``fields`` (or the first
    record when there is no field list)."""
    declared = document.get("fields")
    if isinstance(declared, list) and declared:
        names = [str(f.get("id")) if isinstance(f, dict) else str(f) for f in declared]
    else:
        records = document.get("records") or [{}]
        names = [str(k) for k in (records[0] if isinstance(records[0], dict) else {})]
    lookup = {header_key(alias): field for field, aliases in ALIASES.items() for alias in aliases}
    found: dict[str, str] = {}
    for name in names:
        field = lookup.get(header_key(name))
        if field is None:
            raise ParseError(source_id, name, "fields", name, "is not a known column")
        if field in found:
            raise ParseError(source_id, name, "fields", name, f"repeats the {field} column")
        found[field] = name
    for field in REQUIRED:
        if field not in found:
            raise ParseError(
                source_id, ALIASES[field][0], "fields", None, "is missing from the DataStore fields"
            )
    return found


def _record(raw: Any, number: int, fields: dict[str, str], source_id: str) -> _Record:
    if not isinstance(raw, dict):
        raise ParseError(source_id, "<record>", number, raw, "is not an object")
    row_id = raw.get(fields["id"], number) if "id" in fields else number
    name = thai_text.clean(raw.get(fields["province"]))
    row = f"_id {row_id} ({name or '?'}, {thai_text.clean(raw.get(fields['month_name']))} {thai_text.clean(raw.get(fields['year']))})"
    code = province_names.province_code(
        name, source_id=source_id, field=fields["province"], row=row
    )
    year = thai_text.be_year(
        raw.get(fields["year"]), source_id=source_id, field=fields["year"], row=row
    )
    month = _month(
        raw.get(fields["month_name"]),
        raw.get(fields["month"]),
        source_id=source_id,
        row=row,
        fields=fields,
    )
    if "unit" in fields:
        unit = thai_text.clean(raw.get(fields["unit"]))
        if unit and unit.casefold() not in TONNES:
            raise ParseError(source_id, fields["unit"], row, unit, "is not tonnes (ตัน)")
    values, places = {}, {}
    for measure in MEASURES:
        values[measure], places[measure] = tonnes(
            raw.get(fields[measure]), source_id=source_id, field=fields[measure], row=row
        )
    parts = values["non_hazardous"] + values["hazardous"]
    tolerance = sum(_unit(places[m]) for m in MEASURES)
    if abs(parts - values["total"]) > tolerance:
        raise ParseError(
            source_id,
            fields["total"],
            row,
            raw.get(fields["total"]),
            f"is not {fields['non_hazardous']} + {fields['hazardous']} = {parts} "
            f"(within rounding, {tolerance})",
        )
    try:
        row_number = int(row_id)
    except (TypeError, ValueError):
        raise ParseError(
            source_id, fields.get("id", "_id"), row, row_id, "is not a row id"
        ) from None
    return _Record(
        code=code,
        name=name,
        year=year,
        month=month,
        month_label=thai_text.clean(raw.get(fields["month_name"])),
        values=values,
        places=places,
        row_id=row_number,
    )


def _agree(kept: _Record, other: _Record, fields: dict[str, str], source_id: str) -> None:
    """``ParseError`` unless every measure of two duplicates agrees within rounding."""
    first, second = sorted((kept, other), key=lambda r: r.row_id)
    for measure in MEASURES:
        a, b = first.values[measure], second.values[measure]
        tolerance = (_unit(first.places[measure]) + _unit(second.places[measure])) / 2
        if abs(a - b) > tolerance:
            raise ParseError(
                source_id,
                fields[measure],
                f"{first.name} {first.month_label} {first.year + BE_OFFSET} "
                f"(_id {first.row_id} and {second.row_id})",
                (str(a), str(b)),
                f"duplicate records of the province and month disagree: {a} and {b} differ "
                f"by {abs(a - b)}, beyond rounding ({tolerance})",
            )


def repair_duplicates(
    records: list[_Record], fields: dict[str, str], source_id: str
) -> list[tuple[_Record, list[int]]]:
    """One record per province and month, with the ``_id`` of the duplicates dropped."""
    groups: dict[tuple[str, int, int], list[_Record]] = {}
    for record in records:
        groups.setdefault((record.code, record.year, record.month), []).append(record)
    repaired = []
    for key in sorted(groups):
        group = groups[key]
        kept = max(group, key=lambda r: (min(r.places.values()), -r.row_id))
        dropped = sorted(r.row_id for r in group if r is not kept)
        for other in group:
            if other is not kept:
                _agree(kept, other, fields, source_id)
        repaired.append((kept, dropped))
    return repaired


def parse_table(body: bytes, ctx: ParseContext) -> pa.Table:
    source_id = ctx.source_id
    try:
        document = json.loads(thai_text.decode(body, source_id=source_id))
    except json.JSONDecodeError as exc:
        raise ParseError(source_id, "<body>", "-", body[:40], f"is not JSON ({exc.msg})") from None
    if not isinstance(document, dict) or not isinstance(document.get("records"), list):
        raise ParseError(source_id, "records", "-", type(document).__name__, "is missing")
    records = document["records"]
    if not records:
        raise NoDataYet(f"{source_id}: the DataStore resource has no records")
    fields = _columns(document, source_id)
    parsed = [_record(raw, n, fields, source_id) for n, raw in enumerate(records, start=1)]
    vintage = period_end(ctx.slice.period)
    in_vintage = [r for r in parsed if period_end(f"{r.year:04d}-{r.month:02d}") <= vintage]
    if not any(period_end(f"{r.year:04d}-{r.month:02d}") == vintage for r in in_vintage):
        latest = max(f"{r.year:04d}-{r.month:02d}" for r in parsed)
        raise NoDataYet(
            f"{source_id}: no records for {ctx.slice.period} yet (latest month {latest})"
        )
    repaired = repair_duplicates(in_vintage, fields, source_id)
    columns = {
        "area_code": [r.code for r, _ in repaired],
        "period": [period_end(f"{r.year:04d}-{r.month:02d}") for r, _ in repaired],
        "non_hazardous_tonnes": [float(r.values["non_hazardous"]) for r, _ in repaired],
        "hazardous_tonnes": [float(r.values["hazardous"]) for r, _ in repaired],
        "total_tonnes": [float(r.values["total"]) for r, _ in repaired],
        "province_name_raw": [r.name for r, _ in repaired],
        "record_id": [r.row_id for r, _ in repaired],
        "dropped_duplicate_ids": [",".join(map(str, d)) or None for _, d in repaired],
        "vintage": [vintage] * len(repaired),
    }
    return with_provenance(SCHEMA, columns, ctx)


def repaired_count(table: pa.Table) -> int:
    """How many duplicate records the repair dropped from a landed table."""
    return sum(
        len(ids.split(",")) for ids in table.column("dropped_duplicate_ids").to_pylist() if ids
    )
