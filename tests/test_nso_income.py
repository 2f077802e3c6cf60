"""NSO average monthly household income by province: the real file and the header rules."""

from __future__ import annotations

import datetime as dt

import pytest

from devtools.snapshots import build_datagoth_snapshot as builder
from extract.errors import ParseError
from extract.parsers import Resource, nso_income
from tests.conftest import parse_context

RESOURCE = Resource("พ.ศ. 2541 - 2558", "http://x/a.csv", "csv", "2015-12", dt.date(2015, 12, 31))


def parse(body: bytes, resource=None):
    return nso_income.parse_table(body, parse_context("nso_household_income", "2015-12", resource=resource)).to_pylist()


def test_the_real_file_in_gregorian_years():
    rows = parse((builder.DEFAULT_REAL_DIR / builder.NSO_FILE).read_bytes(), RESOURCE)
    assert len(rows) == 77 * 10 - 8  # Bueng Kan (2011) has the last two surveys only
    assert {r["year"] for r in rows} == {1998, 2000, 2002, 2004, 2006, 2007, 2009, 2011, 2013, 2015}
    value = {(r["area_code"], r["year"]): r["avg_monthly_income_baht"] for r in rows}
    assert value[("10", 2015)] == 45571.7 and value[("10", 1998)] == 26054
    assert value[("38", 2013)] == 20207 and ("38", 2011) not in value
    assert {r["period"] for r in rows if r["year"] == 2015} == {dt.date(2015, 12, 31)}


def body(header: str, *lines: str) -> bytes:
    return ("\n".join((header, *lines)) + "\n").encode()


@pytest.mark.parametrize(("header", "problem"), [
    ("จังหวัด,Province,year-1998-2541", "looks like a Gregorian year; expected the Buddhist Era year"),
    ("จังหวัด,Province,year-2541-1999", "gives BE 2541 and CE 1999, which disagree"),
    ("จังหวัด,Province,2541,2541", "repeats a year column"),
    ("จังหวัด,Province,รายจ่าย", r"field 'รายจ่าย' in row header: is not a known column"),
    ("Province,year-2541-1998", r"field 'จังหวัด' in row header: is missing"),
])
def test_header_errors(header, problem):
    with pytest.raises(ParseError, match=problem):
        parse(body(header, "สตูล,Satun,1"))


def test_plain_be_year_headers_and_english_cross_check():
    rows = parse(body("จังหวัด,Province,ภาค,๒๕๕๘", "จังหวัดสตูล,Satun,ใต้,\"12,345.5\""))
    assert rows == [{**rows[0], "area_code": "91", "year": 2015, "avg_monthly_income_baht": 12345.5}]
    with pytest.raises(ParseError, match=r"field 'Province' in row csv:2: names province 92, but จังหวัด 'สตูล' is 91"):
        parse(body("จังหวัด,Province,2558", "สตูล,Trang,1"))


def test_last_year_must_match_the_resource():
    with pytest.raises(ParseError, match="is for 2558 BE"):
        parse(body("จังหวัด,2556", "สตูล,1"), RESOURCE)


def test_cp874_file_is_read_when_the_catalogue_says_auto():
    rows = parse(("จังหวัด,2558\nสตูล,100\n").encode("cp874"))
    assert rows[0]["avg_monthly_income_baht"] == 100.0
