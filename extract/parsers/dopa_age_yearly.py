"""Parser for DOPA's single-age files (``/new_stat/file/<yymm>/<yymm>cc<cc>.txt``).

One file per province and December: pipe-separated UTF-8 text, no header, one line per
area - the province first, then each district (``อำเภอ…`` / Bangkok's ``เขต…``) followed by
its sub-districts (``ตำบล…`` / ``แขวง…``) - keyed by Thai name only. Fields (DOPA's
statByAge page): the name (a district's keeps a trailing space), 102 (male, female)
pairs for ages 0..101 (101 = over 100), then born-in-a-lunar-year m/f/t, central house
register m/f/t, other nationalities m/f/t, moving m/f/t and the totals m/f/t.

Checked on every line: the official rule male total = the male ages + the four extra
male fields (female likewise), total = male + female; every district equals the sum of
its sub-districts and the province the sum of its districts, in every column. The
single ages count Thai nationals in house registers: ``population_scope =
thai_nationals``; the extra fields are kept (``measure``), with no scope.

Names become DOPA codes through the reference geography, within the province: districts
from the ``ref_districts`` seed, sub-districts from the sub-district reference table
(``SMARTCITY_SUBDISTRICTS_PATH``; rows ``area_code,district_code,name_th``) within their district.
Prefixes, spacing and the variants in ``NAME_VARIANTS`` are ignored when matching; a
line the reference has no code for is landed with an empty ``area_code``.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import pyarrow as pa

from extract.errors import ParseError
from extract.parsers import PROVENANCE_FIELDS, ParseContext, with_provenance
from extract.thai import province_names
from extract.thai import text as thai_text
from extract.thai.buddhist_era import period_end
from smartcity import settings

PARSER_VERSION = "dopa_age_yearly/1"
SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),  # null: the reference has no code for the line's name
        ("period", pa.date32()),
        ("area_level", pa.string()),  # province, district, subdistrict
        ("area_name_raw", pa.string()),
        ("district_code", pa.string()),  # a sub-district's district (null otherwise)
        ("line_number", pa.int32()),
        ("measure", pa.string()),  # age, or one of EXTRA_MEASURES
        ("sex", pa.string()),  # male, female (total for the extra measures' totals)
        ("age", pa.int16()),  # 0..101 for measure 'age', else null
        ("population", pa.int64()),
        ("population_scope", pa.string()),  # thai_nationals for the single ages
        *PROVENANCE_FIELDS,
    ]
)
AGES = 102
EXTRA_MEASURES = (
    "born_lunar_year",
    "central_house_register",
    "other_nationality",
    "moving",
    "total",
)
FIELDS = 1 + 2 * AGES + 3 * len(EXTRA_MEASURES)  # 220, then the trailing empty field
SEXES = ("male", "female", "total")
DISTRICT_PREFIXES = ("กิ่งอำเภอ", "อำเภอ", "เขต")
SUBDISTRICT_PREFIXES = ("ตำบล", "แขวง")
# Spellings of the same name (after prefixes and spaces are dropped), as seen in DOPA
# files and the gazetteer: file form -> reference form.
NAME_VARIANTS: dict[str, str] = {}


def name_key(name: str) -> str:
    text = province_names.name_key(name)
    return NAME_VARIANTS.get(text, text)


def _strip_prefix(name: str, prefixes: tuple[str, ...]) -> str | None:
    for prefix in prefixes:
        if name.startswith(prefix):
            return name[len(prefix) :].strip()
    return None


@functools.cache
def _districts(seed: Path) -> dict[str, dict[str, str]]:
    """province code -> {name key -> district code}, from the ref_districts seed."""
    table: dict[str, dict[str, str]] = {}
    with seed.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            table.setdefault(row["province_code"], {})[name_key(row["name_th"])] = row["area_code"]
    return table


@functools.cache
def _subdistricts(path: Path) -> dict[str, dict[str, str]]:
    """district code -> {name key -> sub-district code}; empty when there is no table."""
    table: dict[str, dict[str, str]] = {}
    if not path.exists():
        return table
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            names = table.setdefault(row["district_code"], {})
            key = name_key(row["name_th"])
            # a current sub-district wins over a former one of the same name
            if key not in names or row.get("is_current", "true").lower() != "false":
                names[key] = row["area_code"]
    return table


def district_codes(province: str) -> dict[str, str]:
    seed = province_names.seed_path().with_name("ref_districts.csv")
    return _districts(seed).get(province, {})


def subdistrict_codes(district: str) -> dict[str, str]:
    return _subdistricts(settings.subdistricts_path()).get(district, {})


def column_label(index: int) -> str:
    """What the index-th number of a line is: 'male age 0' .. 'total total'."""
    if index < 2 * AGES:
        return f"{('male', 'female')[index % 2]} age {index // 2}"
    index -= 2 * AGES
    return f"{EXTRA_MEASURES[index // 3]} {SEXES[index % 3]}"


def _numbers(fields: list[str], source_id: str, where: str) -> list[int]:
    return [
        thai_text.parse_count(
            value, source_id=source_id, field=column_label(i), row=where, allow_nil=False
        )
        for i, value in enumerate(fields)
    ]


def _check_line(values: list[int], source_id: str, where: str) -> None:
    ages, extra = values[: 2 * AGES], values[2 * AGES :]
    male, female = sum(ages[0::2]), sum(ages[1::2])
    extra_male = sum(extra[i] for i in (0, 3, 6, 9))
    extra_female = sum(extra[i] for i in (1, 4, 7, 10))
    total_m, total_f = extra[12], extra[13]
    if male + extra_male != total_m:
        raise ParseError(
            source_id,
            "male total",
            where,
            total_m,
            f"is not the male ages ({male}) + the four extra male fields ({extra_male})",
        )
    if female + extra_female != total_f:
        raise ParseError(
            source_id,
            "female total",
            where,
            total_f,
            f"is not the female ages ({female}) + the four extra female fields ({extra_female})",
        )
    for i in range(0, 15, 3):
        if extra[i] + extra[i + 1] != extra[i + 2]:
            raise ParseError(
                source_id,
                f"{EXTRA_MEASURES[i // 3]} total",
                where,
                extra[i + 2],
                "is not male + female",
            )


def _check_sum(parent: dict, children: list[dict], what: str, source_id: str) -> None:
    if not children:
        return
    for i, value in enumerate(parent["values"]):
        parts = sum(child["values"][i] for child in children)
        if parts != value:
            raise ParseError(
                source_id,
                column_label(i),
                parent["where"],
                value,
                f"is not the sum of its {what} ({parts})",
            )


def parse_table(body: bytes, ctx: ParseContext) -> pa.Table:
    source_id = ctx.source_id
    province = ctx.slice.province or ""
    text = thai_text.decode(body, source_id=source_id, encoding=ctx.feed.encoding)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ParseError(source_id, "<body>", "-", None, "holds no lines")
    parsed: list[dict] = []
    districts = district_codes(province)
    current: dict | None = None
    for number, line in enumerate(lines, start=1):
        where = f"line {number}"
        fields = line.split("|")
        if fields[-1].strip() == "":
            fields = fields[:-1]
        if len(fields) != FIELDS:
            raise ParseError(
                source_id, "<line>", where, fields[0], f"has {len(fields)} fields, not {FIELDS}"
            )
        name = thai_text.clean(fields[0])
        values = _numbers(fields[1:], source_id, where)
        _check_line(values, source_id, where)
        entry = {
            "name": name,
            "values": values,
            "where": where,
            "line": number,
            "district_code": None,
        }
        if number == 1:
            code = province_names.province_code(name, source_id=source_id, field="area", row=where)
            if code != province:
                raise ParseError(
                    source_id, "area", where, name, f"is province {code}, not the file's {province}"
                )
            entry.update(level="province", code=province)
        elif (bare := _strip_prefix(name, DISTRICT_PREFIXES)) is not None:
            entry.update(level="district", code=districts.get(name_key(bare)))
            current = entry
        elif (bare := _strip_prefix(name, SUBDISTRICT_PREFIXES)) is not None:
            if current is None:
                raise ParseError(
                    source_id, "area", where, name, "is a sub-district before any district"
                )
            codes = subdistrict_codes(current["code"]) if current["code"] else {}
            entry.update(
                level="subdistrict", code=codes.get(name_key(bare)), district_code=current["code"]
            )
            current.setdefault("children", []).append(entry)
        else:
            raise ParseError(
                source_id,
                "area",
                where,
                name,
                "is not a province, district (อำเภอ/เขต) or sub-district (ตำบล/แขวง) name",
            )
        parsed.append(entry)
    if parsed[0]["level"] != "province":
        raise ParseError(source_id, "area", "line 1", parsed[0]["name"], "is not the province")
    district_lines = [e for e in parsed if e["level"] == "district"]
    for district in district_lines:
        _check_sum(district, district.get("children", []), "sub-districts", source_id)
    _check_sum(parsed[0], district_lines, "districts", source_id)
    seen: dict[str, str] = {}
    for entry in parsed:
        if entry["code"] and seen.setdefault(entry["code"], entry["where"]) != entry["where"]:
            raise ParseError(
                source_id,
                "area",
                entry["where"],
                entry["name"],
                f"maps to {entry['code']} like {seen[entry['code']]}",
            )
    return with_provenance(SCHEMA, _columns(parsed, ctx), ctx)


def _columns(parsed: list[dict], ctx: ParseContext) -> dict[str, list]:
    period = period_end(ctx.slice.period)
    scope = ctx.source.population_scope or "thai_nationals"
    columns: dict[str, list] = {name: [] for name in SCHEMA.names[:11]}

    def add(
        entry: dict, measure: str, sex: str, age: int | None, population: int, row_scope: str | None
    ) -> None:
        columns["area_code"].append(entry["code"])
        columns["period"].append(period)
        columns["area_level"].append(entry["level"])
        columns["area_name_raw"].append(entry["name"])
        columns["district_code"].append(entry["district_code"])
        columns["line_number"].append(entry["line"])
        columns["measure"].append(measure)
        columns["sex"].append(sex)
        columns["age"].append(age)
        columns["population"].append(population)
        columns["population_scope"].append(row_scope)

    for entry in parsed:
        values = entry["values"]
        for age in range(AGES):
            add(entry, "age", "male", age, values[2 * age], scope)
            add(entry, "age", "female", age, values[2 * age + 1], scope)
        for i, measure in enumerate(EXTRA_MEASURES):
            for j, sex in enumerate(SEXES):
                add(entry, measure, sex, None, values[2 * AGES + 3 * i + j], None)
    return columns
