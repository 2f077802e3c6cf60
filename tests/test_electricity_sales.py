"""Electricity sales by province, customer class and month (PEA xlsx, MEA csv, modelled)."""

from __future__ import annotations

import datetime as dt

import pytest

from devtools.snapshots import build_electricity_snapshot as builder
from extract.errors import ParseError
from extract.parsers import electricity_sales
from tests.conftest import parse_context

HEADER = "เดือน,จังหวัด,ประเภทผู้ใช้ไฟ,หน่วยจำหน่าย (kWh),จำนวนผู้ใช้ไฟ"


def parse(body: bytes, feed="mea", period="2024-01"):
    return electricity_sales.parse_table(body, parse_context("electricity_sales", period, feed=feed)).to_pylist()


def csv_body(*lines: str, header: str = HEADER) -> bytes:
    return ("\ufeff" + "\r\n".join((header, *lines)) + "\r\n").encode()


def test_bundled_pea_month_covers_74_provinces_and_every_class():
    body = (builder.DEFAULT_OUT_DIR / "pea_ckan" / "pea_sales_province_256704.xlsx").read_bytes()
    rows = parse(body, feed="pea", period="2024-04")
    assert len({r["area_code"] for r in rows}) == 74 and not {"10", "11", "12"} & {r["area_code"] for r in rows}
    assert {r["customer_class"] for r in rows} == set(electricity_sales.CUSTOMER_CLASSES.values())
    assert {r["utility"] for r in rows} == {"PEA"} and {r["period"] for r in rows} == {dt.date(2024, 4, 30)}
    assert all(r["customers"] is None for r in rows if r["customer_class"] == "other")


def test_bundled_mea_year_covers_bangkok_nonthaburi_samut_prakan():
    annual = 0.0
    for month in range(1, 13):
        body = (builder.DEFAULT_OUT_DIR / "mea_ckan" / f"mea_sales_customer_class_2567{month:02d}.csv").read_bytes()
        rows = parse(body, period=f"2024-{month:02d}")
        assert {r["area_code"] for r in rows} == {"10", "11", "12"} and {r["utility"] for r in rows} == {"MEA"}
        annual += sum(r["kwh"] for r in rows if r["area_code"] == "10" and r["customer_class"] == "residential")
    # The model: 1,000 kWh per person a year (+-15 %) for Bangkok's 5,588,222 people.
    assert 0.85 * 5_588_222_000 < annual < 1.15 * 5_588_222_000


def test_thai_digits_separators_blank_customers_and_month_forms():
    rows = parse(csv_body('มกราคม 2567,กรุงเทพฯ,บ้านอยู่อาศัย,"๑,๒๓๔.๕","1,000"',
                          "256701,กทม.,ไฟฟ้าชั่วคราว,10,", "01/2567,Nonthaburi,กิจการขนาดเล็ก,5,2"))
    assert [(r["area_code"], r["customer_class"], r["kwh"], r["customers"]) for r in rows] == [
        ("10", "other", 10.0, None), ("10", "residential", 1234.5, 1000), ("12", "small_business", 5.0, 2)]


@pytest.mark.parametrize(("line", "problem"), [
    ("2024-01,สตูล,บ้านอยู่อาศัย,1,1", "looks like a Gregorian year"),
    ("2567-02,สตูล,บ้านอยู่อาศัย,1,1", r"field 'month' in row csv:2: is not the month of the slice \(2024-01\)"),
    ("2567-01,สตูล,บ้านพักตากอากาศ,1,1", r"field 'customer_class' in row csv:2: is not a known customer class"),
    ("2567-01,สตูล,บ้านอยู่อาศัย,-1,1", r"field 'kwh' in row csv:2: is negative"),
    ("2567-01,สตูล,บ้านอยู่อาศัย,,1", r"field 'kwh' in row csv:2: is empty"),
    ("2567-01,เกาะสมุย,บ้านอยู่อาศัย,1,1", r"is not a known province name \(value 'เกาะสมุย'\)"),
])
def test_row_errors(line, problem):
    with pytest.raises(ParseError, match=problem):
        parse(csv_body(line))


def test_duplicate_rows_and_columns():
    with pytest.raises(ParseError, match="is a duplicate row for province 91"):
        parse(csv_body("2567-01,สตูล,บ้านอยู่อาศัย,1,1", "2567-01,จังหวัดสตูล,บ้านอยู่อาศัย,2,1"))
    with pytest.raises(ParseError, match=r"field 'kwh' in row header: is missing"):
        parse(csv_body("2567-01,สตูล,บ้านอยู่อาศัย", header="เดือน,จังหวัด,ประเภทผู้ใช้ไฟ"))
    with pytest.raises(ParseError, match=r"field 'ค่าไฟ' in row header: is not a known column"):
        parse(csv_body("2567-01,สตูล,บ้านอยู่อาศัย,1,1", header="เดือน,จังหวัด,ประเภทผู้ใช้ไฟ,หน่วยจำหน่าย,ค่าไฟ"))
    assert parse(csv_body("2567-01,สตูล,บ้านอยู่อาศัย,1", header="เดือน,จังหวัด,ประเภทผู้ใช้ไฟ,หน่วยจำหน่าย"))[0]["customers"] is None
