"""Parser for DOPA's yearly statistics files (``/new_stat/file/<yy>/stat_<c|a><yy>.txt``).

Both are pipe-separated text, no header, a trailing ``|`` (UTF-8, perhaps with a BOM;
numbers perhaps with thousands separators), as at 31 December of the BE year ``yy``:

- ``stat_c<yy>.txt`` (feed option ``file: c``), one line per country (``cc`` 0) and
  province: ``yymm|cc|name|0|0|0|male|female|total|households|``;
- ``stat_a<yy>.txt`` (``file: a``), one line per country, province and registration
  office (district offices ``อำเภอ…``, municipal offices ``ท้องถิ่นเทศบาล…``, Bangkok's
  ``ท้องถิ่นเขต…``, Pattaya): ``yymm|cc|province|rcode|office|0| |0| |male|female|total|houses|``
  (``rcode`` 0 on the province and country lines).

Checked on every line: the ``yymm`` is the slice's, male + female = total; the provinces
add up to the country and (``stat_a``) the offices to their province on every measure;
a province's name is its code's. Landed one row per line: ``area_code`` ``TH`` for the
country, the 2-digit province or the 4-digit office code (``rcode``).
"""

from __future__ import annotations

import pyarrow as pa

from extract.errors import ParseError
from extract.parsers import PROVENANCE_FIELDS, ParseContext, with_provenance
from extract.thai import province_names
from extract.thai import text as thai_text
from extract.thai.buddhist_era import period_end, period_to_yymm

PARSER_VERSION = "dopa_stat_yearly/1"
SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("period", pa.date32()),
        ("area_kind", pa.string()),  # country, province, registration_office
        ("office_kind", pa.string()),  # district_office, municipal_office, bangkok_khet, pattaya
        ("province_code", pa.string()),
        ("name_raw", pa.string()),
        ("male", pa.int64()),
        ("female", pa.int64()),
        ("total", pa.int64()),
        ("households", pa.int64()),  # stat_c: households; stat_a: houses
        ("stat_file", pa.string()),  # stat_c or stat_a
        *PROVENANCE_FIELDS,
    ]
)
COUNTRY = "TH"
MEASURES = ("male", "female", "total", "households")
# file -> (fields before the trailing empty one, index of cc, of rcode or None, of the
# name, of the first measure)
LAYOUTS = {"c": (10, 1, None, 2, 6), "a": (13, 1, 3, 4, 9)}
OFFICE_KINDS = (
    ("ท้องถิ่นเขต", "bangkok_khet"),
    ("ท้องถิ่นเมืองพัทยา", "pattaya"),
    ("ท้องถิ่น", "municipal_office"),
    ("กิ่งอำเภอ", "district_office"),
    ("อำเภอ", "district_office"),
)


def office_kind(name: str, source_id: str, row: str) -> str:
    for prefix, kind in OFFICE_KINDS:
        if name.startswith(prefix):
            return kind
    raise ParseError(
        source_id, "office", row, name, "is not a registration office name (อำเภอ… / ท้องถิ่น…)"
    )


def _lines(body: bytes, source_id: str, encoding: str) -> list[str]:
    text = thai_text.decode(body, source_id=source_id, encoding=encoding)
    return [line for line in text.splitlines() if line.strip()]


def parse_table(body: bytes, ctx: ParseContext) -> pa.Table:
    source_id = ctx.source_id
    which = ctx.feed.options.get("file", "c")
    width, cc_at, rcode_at, name_at, first = LAYOUTS[which]
    yymm = period_to_yymm(ctx.slice.period)
    rows: list[dict] = []
    for number, line in enumerate(_lines(body, source_id, ctx.feed.encoding), start=1):
        where = f"line {number}"
        fields = line.split("|")
        if fields and fields[-1].strip() == "":
            fields = fields[:-1]
        if len(fields) != width:
            raise ParseError(
                source_id, "<line>", where, line[:80], f"has {len(fields)} fields, not {width}"
            )
        if fields[0].strip() != yymm:
            raise ParseError(
                source_id, "yymm", where, fields[0], f"is not the file's year-end ({yymm})"
            )
        cc = fields[cc_at].strip()
        rcode = fields[rcode_at].strip() if rcode_at is not None else "0"
        name = thai_text.clean(fields[name_at])
        values = {
            measure: thai_text.parse_count(
                fields[first + i], source_id=source_id, field=measure, row=where, allow_nil=False
            )
            for i, measure in enumerate(MEASURES)
        }
        if values["male"] + values["female"] != values["total"]:
            raise ParseError(source_id, "total", where, values["total"], "is not male + female")
        if cc == "0":
            kind, code, province, office = "country", COUNTRY, None, None
        elif rcode == "0":
            kind, code, province, office = "province", cc, cc, None
            named = province_names.province_code(
                thai_text.clean(fields[2]), source_id=source_id, field="province", row=where
            )
            if named != cc:
                raise ParseError(
                    source_id, "province", where, fields[2], f"names province {named}, not {cc}"
                )
        else:
            kind, code, province = "registration_office", rcode, cc
            office = office_kind(name, source_id, where)
            if not (len(rcode) == 4 and rcode.startswith(cc)):
                raise ParseError(
                    source_id, "rcode", where, rcode, f"is not an office code of province {cc}"
                )
        rows.append(
            {
                "area_code": code,
                "area_kind": kind,
                "office_kind": office,
                "province_code": province,
                "name_raw": name,
                **values,
                "where": where,
            }
        )
    _check_sums(rows, source_id, which)
    period = period_end(ctx.slice.period)
    columns = {
        name: [r.get(name) for r in rows]
        for name in SCHEMA.names[:11]
        if name not in ("period", "stat_file")
    }
    columns["period"] = [period] * len(rows)
    columns["stat_file"] = [f"stat_{which}"] * len(rows)
    return with_provenance(SCHEMA, {name: columns[name] for name in SCHEMA.names[:11]}, ctx)


def _check_sums(rows: list[dict], source_id: str, which: str) -> None:
    country = [r for r in rows if r["area_kind"] == "country"]
    provinces = [r for r in rows if r["area_kind"] == "province"]
    if len(country) != 1 or not provinces:
        raise ParseError(
            source_id, "<body>", "-", None, "needs one country line and the province lines"
        )
    seen: set[str] = set()
    for r in rows:
        if r["area_kind"] != "country":
            if r["area_code"] in seen:
                raise ParseError(
                    source_id, "area", r["where"], r["area_code"], "is a duplicate line"
                )
            seen.add(r["area_code"])
    for measure in MEASURES:
        parts = sum(r[measure] for r in provinces)
        if parts != country[0][measure]:
            raise ParseError(
                source_id,
                measure,
                country[0]["where"],
                country[0][measure],
                f"is not the sum of the provinces ({parts})",
            )
    if which != "a":
        return
    for province in provinces:
        offices = [
            r
            for r in rows
            if r["province_code"] == province["area_code"]
            and r["area_kind"] == "registration_office"
        ]
        for measure in MEASURES:
            parts = sum(r[measure] for r in offices)
            if parts != province[measure]:
                raise ParseError(
                    source_id,
                    measure,
                    province["where"],
                    province[measure],
                    f"is not the sum of the province's registration offices ({parts})",
                )
