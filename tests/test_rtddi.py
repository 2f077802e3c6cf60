"""Road-accident deaths (rtddi): the bundled modelled workbook and the layout's rules."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from devtools.snapshots import build_datagoth_snapshot as builder
from extract.errors import ParseError
from extract.parsers import Resource, rtddi
from tests.conftest import parse_context

RESOURCE = Resource("ข้อมูลผู้เสียชีวิต ปี 54-63", "http://x/tbl_rtddi.xlsx", "xlsx", "2020-12", dt.date(2020, 12, 31))


def parse(body: bytes, resource=RESOURCE):
    return rtddi.parse_table(body, parse_context("rtddi_road_deaths", "2020-12", resource=resource)).to_pylist()


def workbook(years=(2562, 2563), rows=(("สตูล", 90, 95), ("จังหวัดตรัง", 200, 210)), total=None, merged=True) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["จำนวนผู้เสียชีวิตจากอุบัติเหตุทางถนน"])
    if merged:
        sheet.append(["จังหวัด", "จำนวนผู้เสียชีวิต (ราย) ปี พ.ศ."])
        sheet.append([None, *years])
    else:
        sheet.append(["จังหวัด", *years])
    for row in rows:
        sheet.append(list(row))
    if total:
        sheet.append(["รวม", *total])
    sheet.append([])
    sheet.append(["ที่มา: ระบบบูรณาการข้อมูล 3 ฐาน"])
    raw = io.BytesIO()
    book.save(raw)
    return raw.getvalue()


def test_bundled_workbook_gives_77_provinces_by_ten_gregorian_years():
    body = (builder.DEFAULT_OUT_DIR / "tbl_rtddi.xlsx").read_bytes()
    rows = parse(body)
    assert len(rows) == 77 * 10
    assert {r["year"] for r in rows} == set(range(2011, 2021))
    assert {r["period"] for r in rows if r["year"] == 2020} == {dt.date(2020, 12, 31)}
    national = sum(r["deaths"] for r in rows if r["year"] == 2020)
    assert 0.7 * 30 * 661.9 < national < 1.3 * 30 * 661.9  # ~30 per 100,000 of 66.2 million
    assert {r["province_name_raw"] for r in rows if r["area_code"] == "10"} == {"กรุงเทพมหานคร"}


def test_merged_or_plain_header_and_a_checked_total_row():
    for merged in (True, False):
        rows = parse(workbook(total=(290, 305), merged=merged))
        assert [(r["area_code"], r["year"], r["deaths"]) for r in rows] == [
            ("91", 2019, 90), ("91", 2020, 95), ("92", 2019, 200), ("92", 2020, 210)]
    with pytest.raises(ParseError, match=r"field '2563' in row Sheet:6: total is not the sum of the provinces \(305\)"):
        parse(workbook(total=(290, 306)))


def test_gregorian_year_headers_are_an_error():
    with pytest.raises(ParseError, match="looks like a Gregorian year; expected the Buddhist Era year \\(2562\\)"):
        parse(workbook(years=(2019, 2020)))


def test_last_year_must_be_the_one_the_resource_names():
    with pytest.raises(ParseError, match="last year of the file, but the resource .* is for 2563 BE"):
        parse(workbook(years=(2561, 2562)))


@pytest.mark.parametrize(("rows", "problem"), [
    ((("สตูล", 90, 95), ("สตูล", 1, 1)), "is a duplicate row"),
    ((("สตูล", 90, -1),), "field '2563' in row Sheet:4: is negative"),
    ((("Satoon", 90, 95),), r"field 'จังหวัด' in row Sheet:4: is not a known province name \(value 'Satoon'\)"),
    ((("สตูล", 90, None),), "field '2563' in row Sheet:4: is empty"),
])
def test_row_errors(rows, problem):
    with pytest.raises(ParseError, match=problem):
        parse(workbook(rows=rows))


def test_missing_province_column_or_unknown_column():
    book = Workbook()
    book.active.append(["ชื่อ", 2563])
    raw = io.BytesIO()
    book.save(raw)
    with pytest.raises(ParseError, match="rtddi_road_deaths: field 'จังหวัด' in row header: is missing"):
        parse(raw.getvalue())
    with pytest.raises(ParseError, match="field 'หมายเหตุ' in row header: is not a year column"):
        parse(workbook(years=(2563, "หมายเหตุ")))
