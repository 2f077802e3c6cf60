"""Parser for the DOPA statpop API (population by single year of age and sex).

The answer is a JSON array of two objects, male then female, each with integer fields
``lsAge0`` .. ``lsAge101`` (101 = over 100) and ``lsSumTotTot`` (their sum). Descriptive
fields vary in type between string and number, so only ``lsageSex`` is read, and only
to confirm which row is which. An empty array means "no data for that month yet".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json

import pyarrow as pa

from extract.errors import NoDataYet, ParseError
from extract.landing import POPULATION_SCHEMA
from extract.parsers import ParseContext, with_provenance
from extract.thai import text as thai_text
from extract.thai.buddhist_era import BE_OFFSET, period_end

__all__ = [
    "SCHEMA",
    "PARSER_VERSION",
    "NoDataYet",
    "PopulationRow",
    "parse",
    "parse_counts",
    "parse_table",
]

PARSER_VERSION = "dopa_statpop/1"
SCHEMA = POPULATION_SCHEMA
MAX_AGE = 101
AGE_FIELDS = tuple(f"lsAge{age}" for age in range(MAX_AGE + 1))
TOTAL_FIELD = "lsSumTotTot"
_EPOCH = dt.date(1970, 1, 1)
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
    return [
        PopulationRow(area_code, period, sex, age, n)
        for sex, counts in parse_counts(
            body, source_id=source_id, area_code=area_code, period=period
        )
        for age, n in enumerate(counts)
    ]


def parse_counts(
    body: bytes | str,
    *,
    source_id: str,
    area_code: str,
    period: dt.date,
    document: object = None,
) -> list[tuple[str, list[int]]]:
    """``(sex, counts by single age)`` for the male and the female row, checked.

    ``document``: the body already parsed as UTF-8 JSON (the client's body check), or
    None to parse ``body`` here; the checks are the same either way."""
    if document is not None:
        records = document
    else:
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
    by_sex: list[tuple[str, list[int]]] = []
    for index, (record, expected) in enumerate(zip(records, ("male", "female"), strict=True)):
        if not isinstance(record, dict):
            raise ParseError(source_id, "<row>", index, type(record).__name__, "is not an object")
        sex = _sex_of(source_id, record, index, expected)
        _check_month(source_id, record, index, period)
        missing = [field for field in (*AGE_FIELDS, TOTAL_FIELD) if field not in record]
        if missing:
            raise ParseError(
                source_id, missing[0], index, None, f"is missing ({len(missing)} fields missing)"
            )
        counts = [record[field] for field in AGE_FIELDS]
        if not all(type(c) is int and c >= 0 for c in counts):  # else the full rules
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
        by_sex.append((sex, counts))
    seen = [sex for sex, _ in by_sex]
    if sorted(seen) != ["female", "male"]:
        raise ParseError(source_id, "lsageSex", "-", seen, "expected one male and one female row")
    return by_sex


def population_columns(
    area_code: str,
    period: dt.date,
    by_sex: list[tuple[str, list[int]]],
    population_scope: str | None,
) -> dict[str, pa.Array]:
    """The landed columns as Arrow arrays, built without a Python object per row (the
    extract step parses tens of thousands of answers per run)."""
    n = sum(len(counts) for _, counts in by_sex)
    return {
        "area_code": pa.repeat(pa.scalar(area_code, pa.string()), n),
        "period": _date_column(period, n),
        "sex": _sex_column(tuple((sex, len(counts)) for sex, counts in by_sex)),
        "age": _age_column(tuple(len(counts) for _, counts in by_sex)),
        "population": pa.array([c for _, counts in by_sex for c in counts], pa.int64()),
        "population_scope": pa.repeat(pa.scalar(population_scope, pa.string()), n),
    }


def _date_column(day: dt.date, n: int) -> pa.Array:
    """``n`` times ``day`` as date32: its day number repeated, viewed as a date (Arrow
    builds a repeated date scalar through Python, about 30 times slower)."""
    return pa.repeat(pa.scalar((day - _EPOCH).days, pa.int32()), n).view(pa.date32())


@functools.lru_cache(maxsize=16)
def _sex_column(layout: tuple[tuple[str, int], ...]) -> pa.Array:
    """The ``sex`` column of answers of one layout (every answer has the same one)."""
    return pa.array([sex for sex, n in layout for _ in range(n)], pa.string())


@functools.lru_cache(maxsize=16)
def _age_column(lengths: tuple[int, ...]) -> pa.Array:
    return pa.array([age for n in lengths for age in range(n)], pa.int16())


def parse_table(body: bytes, ctx: ParseContext) -> pa.Table:
    """One province slice (action 23) as the landed population table."""
    area_code, period = ctx.slice.province or "", period_end(ctx.slice.period)
    by_sex = parse_counts(
        body, source_id=ctx.source_id, area_code=area_code, period=period, document=ctx.document
    )
    columns = population_columns(area_code, period, by_sex, ctx.source.population_scope)
    return with_provenance(SCHEMA, columns, ctx)
