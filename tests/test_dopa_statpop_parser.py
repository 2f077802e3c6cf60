"""Parser edge cases, from the real Satun sample in the API's wire shape."""

import datetime as dt
import json

import pytest

from extract.errors import ParseError
from extract.parsers.dopa_statpop import NoDataYet, parse
from tests.conftest import SATUN, satun_wire

PERIOD = dt.date(2026, 9, 30)


def _parse(records):
    return parse(json.dumps(records).encode(), source_id="dopa_population", area_code="91", period=PERIOD)


@pytest.mark.parametrize("as_strings", [False, True])
def test_real_sample_numbers_or_strings_give_exact_counts(as_strings):
    rows = _parse(satun_wire(as_strings=as_strings))
    assert len(rows) == 2 * 102
    assert sum(r.population for r in rows) == 322_634
    assert sum(r.population for r in rows if r.sex == "male") == 160_232
    assert sum(r.population for r in rows if r.sex == "female") == 162_402
    real = json.loads(SATUN.read_text(encoding="utf-8"))["prov_thai"]
    by_key = {(r.sex, r.age): r.population for r in rows}
    assert by_key[("male", 0)] == real["1"][0]
    assert by_key[("female", 101)] == real["2"][101]
    assert {r.area_code for r in rows} == {"91"} and {r.period for r in rows} == {PERIOD}


def test_bom_and_thai_digits_and_separators_are_repaired():
    records = satun_wire(as_strings=True)
    records[0]["lsAge0"] = "๑,๒๐๔"  # 1,204 in Thai digits
    body = b"\xef\xbb\xbf" + json.dumps(records, ensure_ascii=False).encode()
    rows = parse(body, source_id="dopa_population", area_code="91", period=PERIOD)
    assert rows[0].population == 1204


def test_empty_array_means_no_data_yet():
    with pytest.raises(NoDataYet, match="no data yet for area 91 at 2026-09"):
        _parse([])


def test_sum_mismatch_names_field_row_and_value():
    records = satun_wire()
    records[1]["lsSumTotTot"] += 1
    with pytest.raises(ParseError, match=r"dopa_population: field 'lsSumTotTot' in row 1: .*162402.*value 162403"):
        _parse(records)


def test_negative_count_is_an_error():
    records = satun_wire()
    records[0]["lsAge5"] = -3
    with pytest.raises(ParseError, match=r"'lsAge5' in row 0: is negative"):
        _parse(records)


def test_non_integer_age_count_is_an_error():
    records = satun_wire()
    records[0]["lsAge7"] = "12.5"
    with pytest.raises(ParseError, match=r"'lsAge7'.*not an integer"):
        _parse(records)


def test_two_male_rows_are_rejected():
    records = satun_wire()
    records[1]["lsageSex"] = 1
    with pytest.raises(ParseError, match="one male and one female"):
        _parse(records)


def test_missing_age_field_is_named():
    records = satun_wire()
    del records[0]["lsAge101"]
    with pytest.raises(ParseError, match="'lsAge101'.*missing"):
        _parse(records)


@pytest.mark.parametrize("body", [b"<html><body>Service unavailable</body></html>",
                                  b'[{"lsAge0": 1, "lsAge1"', b'{"error": "x"}', b"\xff\xfe"])
def test_html_truncated_or_wrong_shape_is_a_parse_error(body):
    with pytest.raises(ParseError, match="dopa_population: field '<body>'"):
        parse(body, source_id="dopa_population", area_code="91", period=PERIOD)


def test_three_rows_are_rejected():
    with pytest.raises(ParseError, match="exactly 2 rows"):
        _parse(satun_wire() + satun_wire()[:1])


@pytest.mark.parametrize("yymm", ["2609", 2609, "6908"])
def test_answer_for_another_month_or_in_gregorian_is_an_error(yymm):
    records = satun_wire()
    records[0]["lsageYYMM"] = yymm
    with pytest.raises(ParseError, match=r"field 'lsageYYMM' in row 0: is not the month asked for \(6909, the BE yymm of 2026-09\)"):
        _parse(records)


def test_month_given_as_a_number_or_in_thai_digits_is_accepted():
    records = satun_wire()
    records[0]["lsageYYMM"], records[1]["lsageYYMM"] = 6909, "๖๙๐๙"
    assert len(_parse(records)) == 204


def _negative(records):
    records[0]["lsAge3"] = -1


def _fraction(records):
    records[0]["lsAge7"] = 1.5


def _boolean(records):
    records[1]["lsAge9"] = True


def _wrong_total(records):
    records[1]["lsSumTotTot"] += 1


def _missing(records):
    del records[0]["lsAge50"]


def _thai_digits(records):
    records[0]["lsAge0"] = "๑,๒๐๔"


@pytest.mark.parametrize(
    "spoil", [_negative, _fraction, _boolean, _wrong_total, _missing, _thai_digits, None]
)
def test_a_document_parsed_by_the_body_check_gives_the_same_rows_and_errors(spoil):
    """The client hands on the JSON it parsed for the body check: the same rules apply."""
    from extract.parsers.dopa_statpop import parse_counts

    records = satun_wire()
    if spoil is not None:
        spoil(records)
    body = json.dumps(records, ensure_ascii=False).encode()
    outcomes = []
    for document in (None, json.loads(body)):
        try:
            outcomes.append(
                parse_counts(
                    body, source_id="dopa_population", area_code="91", period=PERIOD,
                    document=document,
                )
            )
        except ParseError as exc:
            outcomes.append(str(exc))
    assert outcomes[0] == outcomes[1]
    if spoil in (_negative, _fraction, _boolean, _wrong_total, _missing):
        assert isinstance(outcomes[0], str)
