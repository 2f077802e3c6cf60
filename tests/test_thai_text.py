"""Thai number, text and date quirks, handled once for every parser."""

import pytest

from extract.errors import ParseError
from extract.thai import text as thai_text

KW = {"source_id": "demo", "field": "count", "row": 3}


@pytest.mark.parametrize(("value", "expected"), [
    ("1,234", 1234), ("๑,๒๓๔", 1234), (" 12 345 ", 12345), ("1,234.0", 1234), (42, 42),
    (7.0, 7), ("-", 0), ("\u00a0๐\u200b", 0),
])
def test_counts_in_every_way_thai_tables_write_them(value, expected):
    assert thai_text.parse_count(value, **KW) == expected


@pytest.mark.parametrize(("value", "problem"), [
    ("-5", "is negative"), ("12.5", "is not an integer"), ("abc", "is not an integer"),
    ("", "is empty"), (True, "is a boolean"),
])
def test_bad_counts_name_dataset_field_row_and_value(value, problem):
    with pytest.raises(ParseError, match=rf"demo: field 'count' in row 3: {problem}"):
        thai_text.parse_count(value, **KW)


def test_nil_dash_can_be_refused():
    with pytest.raises(ParseError, match="is not an integer"):
        thai_text.parse_count("-", allow_nil=False, **KW)


def test_amounts_keep_decimals_and_empty_is_none():
    assert thai_text.parse_amount("๑,๒๓๔.๕", **KW) == 1234.5
    assert thai_text.parse_amount("", **KW) is None
    with pytest.raises(ParseError, match="is negative"):
        thai_text.parse_amount("-0.5", **KW)


def test_clean_repairs_spacing_bom_and_split_sara_am():
    assert thai_text.clean("\ufeff  กรุงเทพ\u00a0 มหานคร ") == "กรุงเทพ มหานคร"
    assert thai_text.clean("ลำปาง".replace("ำ", "\u0e4d\u0e32")) == "ลำปาง"


def test_decode_strips_the_bom_and_reads_cp874_when_declared():
    assert thai_text.decode("\ufeffจังหวัด".encode(), source_id="demo") == "จังหวัด"
    assert thai_text.decode("จังหวัด".encode("cp874"), source_id="demo", encoding="cp874") == "จังหวัด"
    assert thai_text.decode("จังหวัด".encode("cp874"), source_id="demo", encoding="auto") == "จังหวัด"


def test_cp874_body_declared_utf8_is_a_clear_error():
    with pytest.raises(ParseError, match=r"demo: .*not UTF-8 as declared but decodes as cp874 / TIS-620.*encoding: cp874"):
        thai_text.decode("สตูล,1".encode("cp874"), source_id="demo")


@pytest.mark.parametrize(("value", "expected"), [("2563", 2020), ("๒๕๖๓", 2020), (2554, 2011)])
def test_be_years(value, expected):
    assert thai_text.be_year(value, **KW) == expected


def test_a_gregorian_year_where_be_belongs_is_an_error():
    with pytest.raises(ParseError, match="looks like a Gregorian year; expected the Buddhist Era year \\(2563\\)"):
        thai_text.be_year("2020", **KW)


@pytest.mark.parametrize("value", ["2567-01", "256701", "01/2567", "มกราคม 2567", "ม.ค. 2567", "๒๕๖๗-๐๑"])
def test_be_months_in_every_published_form(value):
    assert thai_text.be_month(value, **KW) == "2024-01"


@pytest.mark.parametrize(("value", "problem"), [("2024-01", "Gregorian"), ("2567-13", "month 13"), ("Jan 2567", "not a Buddhist Era month")])
def test_bad_be_months(value, problem):
    with pytest.raises(ParseError, match=problem):
        thai_text.be_month(value, **KW)
