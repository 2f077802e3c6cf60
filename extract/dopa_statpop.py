"""Parser for the DOPA statpop API (population by single year of age and sex).

The answer is a JSON array of two objects, male then female, each with integer fields
``lsAge0`` .. ``lsAge101`` (101 = over 100) and ``lsSumTotTot`` (their sum). Descriptive
fields vary in type between string and number, so only ``lsageSex`` is read, and only
to confirm which row is which. An empty array means "no data for that month yet".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pyarrow as pa

from extract import thai_text
from extract.buddhist_era import BE_OFFSET, period_end
from extract.errors import NoDataYet, ParseError
from extract.landing import POPULATION_SCHEMA
from extract.parsers import ParseContext, with_provenance

__all__ = ["SCHEMA", "PARSER_VERSION", "NoDataYet", "PopulationRow", "parse", "parse_table"]

PARSER_VERSION = "dopa_statpop/1"
SCHEMA = POPULATION_SCHEMA
MAX_AGE = 101
AGE_FIELDS = tuple(f"lsAge{age}" for age in range(MAX_AGE + 1))
TOTAL_FIELD = "lsSumTotTot"
_SEX_CODES = {
    "1": "male",
    "2": "female",
    "ชาย": "male",
    "หญิง": "female",
    "m": "male",
    "f": "female",
}


@dataclasses.dataclass(frozen=True)
class PopulationRow:
    area_code: str
    period: dt.date
    sex: str
    age: int
    population: int


def _count(source_id: str, field: str, row: int, value: object) -> int:
    """An integer count; tolerates digit strings with separators or Thai digits."""
    return thai_text.parse_count(value, source_id=source_id, field=field, row=row, allow_nil=False)


def _sex_of(source_id: str, record: dict, row: int, expected: str) -> str:
    raw = record.get("lsageSex")
    if raw is None:
        return expected  # the API lists male then female
    sex = _SEX_CODES.get(str(raw).strip().lower())
    if sex is None:
        raise ParseError(source_id, "lsageSex", row, raw, "is not a known sex code (1/2)")
    return sex


def _check_month(source_id: str, record: dict, row: int, period: dt.date) -> None:
    """``lsageYYMM``, when present, must be the BE month asked for (not a Gregorian one)."""
    raw = record.get("lsageYYMM")
    if raw is None:
        return
    asked = f"{(period.year + BE_OFFSET) % 100:02d}{period.month:02d}"
    if thai_text.ascii_digits(thai_text.clean(raw)).zfill(4) != asked:
        raise ParseError(
            source_id,
            "lsageYYMM",
            row,
            raw,
            f"is not the month asked for ({asked}, the BE yymm of {period:%Y-%m})",
        )


def parse(
    body: bytes | str, *, source_id: str, area_code: str, period: dt.date
) -> list[PopulationRow]:
    """Tidy rows from one statpop answer; raises ``NoDataYet`` for an empty array."""
    try:
        records = json.loads(body.decode("utf-8-sig") if isinstance(body, bytes) else body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(
            source_id, "<body>", "-", str(exc)[:80], "is not valid UTF-8 JSON (truncated?)"
        ) from exc
    if not isinstance(records, list):
        raise ParseError(source_id, "<body>", "-", type(records).__name__, "is not a JSON array")
    if not records:
        raise NoDataYet(f"{source_id}: no data yet for area {area_code} at {period:%Y-%m}")
    if len(records) != 2:
        raise ParseError(
            source_id, "<body>", "-", len(records), "expected exactly 2 rows (male, female)"
        )
    rows: list[PopulationRow] = []
    seen: list[str] = []
    for index, (record, expected) in enumerate(zip(records, ("male", "female"), strict=True)):
        if not isinstance(record, dict):
            raise ParseError(source_id, "<row>", index, type(record).__name__, "is not an object")
        sex = _sex_of(source_id, record, index, expected)
        _check_month(source_id, record, index, period)
        seen.append(sex)
        missing = [field for field in (*AGE_FIELDS, TOTAL_FIELD) if field not in record]
        if missing:
            raise ParseError(
                source_id, missing[0], index, None, f"is missing ({len(missing)} fields missing)"
            )
        counts = [_count(source_id, field, index, record[field]) for field in AGE_FIELDS]
        total = _count(source_id, TOTAL_FIELD, index, record[TOTAL_FIELD])
        if sum(counts) != total:
            raise ParseError(
                source_id,
                TOTAL_FIELD,
                index,
                total,
                f"does not equal the sum of lsAge0..lsAge{MAX_AGE} ({sum(counts)}) for {sex}",
            )
        rows.extend(PopulationRow(area_code, period, sex, age, n) for age, n in enumerate(counts))
    if sorted(seen) != ["female", "male"]:
        raise ParseError(source_id, "lsageSex", "-", seen, "expected one male and one female row")
    return rows


def population_columns(rows: list[PopulationRow], population_scope: str | None) -> dict[str, list]:
    return {
        "area_code": [r.area_code for r in rows],
        "period": [r.period for r in rows],
        "sex": [r.sex for r in rows],
        "age": [r.age for r in rows],
        "population": [r.population for r in rows],
        "population_scope": [population_scope] * len(rows),
    }


def parse_table(body: bytes, ctx: ParseContext) -> pa.Table:
    """One province slice (action 23) as the landed population table."""
    rows = parse(
        body,
        source_id=ctx.source_id,
        area_code=ctx.slice.province or "",
        period=period_end(ctx.slice.period),
    )
    return with_provenance(SCHEMA, population_columns(rows, ctx.source.population_scope), ctx)
