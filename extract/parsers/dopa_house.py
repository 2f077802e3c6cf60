"""Parser for the DOPA statpop house API: population by sex and households per
registration office (action 193) and per sub-district of an office (action 194).

One slice is a province and year-end: action 193 (``cc``) answers one row per
registration office of the province (district offices and municipal offices); action 194
(``cc`` + ``rcode``) answers one row per sub-district of that office. Rows are objects
with ``lscc``, ``lsaa``, ``lstt``, ``lsmm`` (codes as numbers), ``lsrcode`` (the office
code, a string), ``lssumtotMale``, ``lssumtotFemale``, ``lssumtotPop``, ``lssumtotHouse``,
``lssumnotTermDate`` and ``lssumtermDate``. Households are ``lssumnotTermDate`` (what
DOPA's website and yearly files show as จำนวนบ้าน). Rows with no population are skipped.
Codes and counts may come as numbers or digit strings.

Landed: one row per office (``row_kind = 'office'``, from 193) and one per office x
sub-district (``row_kind = 'subdistrict'``, from 194). A sub-district served by two
offices (its non-municipal part by the district office, its municipal part by a
municipal office) has two rows; staging sums them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyarrow as pa

from extract.errors import NoDataYet, ParseError
from extract.parsers import PROVENANCE_FIELDS, ParseContext, json_records, with_provenance
from extract.thai import text as thai_text
from extract.thai.buddhist_era import period_end

PARSER_VERSION = "dopa_house/1"
DISCOVERY_PART = "offices"  # the name of the action-193 answer among a slice's parts
OFFICE_PART = re.compile(r"^rcode=(?P<rcode>[0-9]{4})$")
SCHEMA = pa.schema(
    [
        ("row_kind", pa.string()),
        ("area_code", pa.string()),
        ("registration_office", pa.string()),
        ("district_code", pa.string()),
        ("province_code", pa.string()),
        ("period", pa.date32()),
        ("population_male", pa.int64()),
        ("population_female", pa.int64()),
        ("population_total", pa.int64()),
        ("households", pa.int64()),
        ("houses_total", pa.int64()),
        *PROVENANCE_FIELDS,
    ]
)
COUNT_FIELDS = {
    "population_male": "lssumtotMale",
    "population_female": "lssumtotFemale",
    "population_total": "lssumtotPop",
    "households": "lssumnotTermDate",
    "houses_total": "lssumtotHouse",
}


def _count(source_id: str, field: str, row: str, value: object) -> int:
    return thai_text.parse_count(value, source_id=source_id, field=field, row=row, allow_nil=False)


def _code(source_id: str, record: dict, field: str, row: str, width: int) -> str:
    value = record.get(field)
    digits = thai_text.ascii_digits(thai_text.clean(value)) if value is not None else ""
    if not digits.isdigit() or len(digits) > width:
        raise ParseError(source_id, field, row, value, f"is not a code of up to {width} digits")
    return digits.zfill(width)


def _row(source_id: str, record: dict, row: str) -> dict[str, int] | None:
    counts = {
        name: _count(source_id, field, row, record.get(field))
        for name, field in COUNT_FIELDS.items()
    }
    if counts["population_total"] == 0 and counts["households"] == 0:
        return None  # rows with no population occur: skipped
    if counts["population_male"] + counts["population_female"] != counts["population_total"]:
        raise ParseError(
            source_id,
            "lssumtotPop",
            row,
            counts["population_total"],
            f"is not male + female ({counts['population_male']} + {counts['population_female']})",
        )
    if counts["households"] > counts["houses_total"]:
        raise ParseError(
            source_id,
            "lssumnotTermDate",
            row,
            counts["households"],
            f"exceeds lssumtotHouse ({counts['houses_total']})",
        )
    return counts


def offices(body: bytes, ctx: ParseContext) -> list[str]:
    """The registration offices an action-193 answer lists (those with population).

    An empty array means no data for that year yet (``NoDataYet``).
    """
    source_id, province = ctx.source_id, ctx.slice.province
    records = json_records(body, source_id, DISCOVERY_PART)
    if not records:
        raise NoDataYet(f"{source_id}: no registration offices for cc={province} yet")
    found: list[str] = []
    for index, record in enumerate(records):
        row = f"{DISCOVERY_PART}[{index}]"
        rcode = _code(source_id, record, "lsrcode", row, 4)
        if rcode[:2] != province:
            raise ParseError(
                source_id, "lsrcode", row, rcode, f"is not an office of province {province}"
            )
        if _row(source_id, record, row) is not None and rcode not in found:
            found.append(rcode)
    return sorted(found)


def parse_parts(parts: Mapping[str, bytes], ctx: ParseContext) -> pa.Table:
    source_id, province = ctx.source_id, ctx.slice.province
    period = period_end(ctx.slice.period)
    columns: dict[str, list] = {
        name: [] for name in SCHEMA.names if name not in dict(PROVENANCE_FIELDS)
    }

    def add(
        kind: str, area: str, office: str, district: str | None, counts: dict[str, int]
    ) -> None:
        columns["row_kind"].append(kind)
        columns["area_code"].append(area)
        columns["registration_office"].append(office)
        columns["district_code"].append(district)
        columns["province_code"].append(province)
        columns["period"].append(period)
        for name, value in counts.items():
            columns[name].append(value)

    listed = offices(parts[DISCOVERY_PART], ctx)
    for index, record in enumerate(json_records(parts[DISCOVERY_PART], source_id, DISCOVERY_PART)):
        row = f"{DISCOVERY_PART}[{index}]"
        counts = _row(source_id, record, row)
        if counts is not None:
            rcode = _code(source_id, record, "lsrcode", row, 4)
            add("office", rcode, rcode, None, counts)
    answered = set()
    for part, body in sorted(parts.items()):
        match = OFFICE_PART.match(part)
        if part == DISCOVERY_PART:
            continue
        if not match:
            raise ParseError(source_id, "part", part, part, "is not an office answer (rcode=NNNN)")
        rcode = match["rcode"]
        answered.add(rcode)
        seen: set[str] = set()
        for index, record in enumerate(json_records(body, source_id, part)):
            row = f"{part}[{index}]"
            counts = _row(source_id, record, row)
            if counts is None:
                continue
            cc = _code(source_id, record, "lscc", row, 2)
            aa = _code(source_id, record, "lsaa", row, 2)
            tt = _code(source_id, record, "lstt", row, 2)
            if cc != province:
                raise ParseError(source_id, "lscc", row, cc, f"is not province {province}")
            if tt == "00":
                raise ParseError(
                    source_id,
                    "lstt",
                    row,
                    tt,
                    "is not a sub-district (action 194 answers sub-districts)",
                )
            office = (
                _code(source_id, record, "lsrcode", row, 4)
                if record.get("lsrcode") not in (None, "")
                else rcode
            )
            if office != rcode:
                raise ParseError(
                    source_id, "lsrcode", row, office, f"is not the office asked for ({rcode})"
                )
            subdistrict = cc + aa + tt
            if subdistrict in seen:
                raise ParseError(
                    source_id, "lstt", row, subdistrict, "repeats a sub-district of this office"
                )
            seen.add(subdistrict)
            add("subdistrict", subdistrict, rcode, cc + aa, counts)
    missing = sorted(set(listed) - answered)
    if missing:
        raise ParseError(
            source_id,
            "rcode",
            "offices",
            missing[0],
            "is listed by action 193 but has no action-194 answer",
        )
    return with_provenance(SCHEMA, columns, ctx)


def parse_table(body: bytes, ctx: ParseContext) -> pa.Table:
    """A slice of this source is several answers: use ``parse_parts``."""
    raise TypeError(f"{ctx.source_id}: a province-offices slice is parsed with parse_parts")
