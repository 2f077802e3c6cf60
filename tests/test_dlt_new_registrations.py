"""DLT new registrations (dataset_stat_1_003): the 50 real monthly files of 2565-2569 BE,
bundled verbatim, parsed; the months of 2568 add up to DLT's yearly file."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

import pytest

from devtools.snapshots import build_dlt_snapshot as builder
from extract.catalogue import load_catalogue
from extract.errors import ParseError
from extract.http import ckan
from extract.parsers import dlt_new_registrations
from tests.conftest import parse_context

FILES = builder.new_registration_files(builder.DEFAULT_REAL_DIR)
HEADER = "ปี พ.ศ.,เดือน,ประเภทกฏหมาย,ประเภทรถ,จำนวน"


def parse(body: bytes, period: str):
    return dlt_new_registrations.parse_table(body, parse_context("dlt_new_registrations", period)).to_pylist()


def period_of(year: int, month: int) -> str:
    return f"{year - 543}-{month:02d}"


@pytest.fixture(scope="module")
def monthly():
    return {(year, month): parse(path.read_bytes(), period_of(year, month))
            for path, _, year, month in FILES if month}


def test_fifty_real_months_from_jan_2565_to_feb_2569(monthly):
    assert len(monthly) == 50
    assert min(monthly) == (2565, 1) and max(monthly) == (2569, 2)
    assert sum(len(rows) for rows in monthly.values()) == 969  # the rows PROVENANCE.txt lists for the 50 files
    assert {r["area_code"] for rows in monthly.values() for r in rows} == {"TH"}


def test_the_months_of_2568_add_up_to_the_yearly_file(monthly):
    yearly = next(path for path, _, year, month in FILES if year == 2568 and not month)
    rows = list(csv.reader(io.StringIO(yearly.read_text(encoding="utf-8"))))[1:]
    expected = {vtype: int(n) for _, _, vtype, n in rows}
    summed: dict[str, int] = defaultdict(int)
    for (year, _), month_rows in monthly.items():
        if year == 2568:
            for r in month_rows:
                summed[r["vehicle_type"]] += r["registrations"]
    assert dict(summed) == expected
    assert sum(expected.values()) == 2_702_576


def test_categories_of_march_2566(monthly):
    rows = monthly[(2566, 3)]
    by_category: dict[str, int] = defaultdict(int)
    for r in rows:
        by_category[r["vehicle_category"]] += r["registrations"]
    assert by_category["motorcycle"] == 203_769 + 143
    assert by_category["passenger_car"] == 68_183 + 1_963
    assert by_category["bus"] == 350 + 414 + 36
    assert by_category["truck"] == 3_105 + 3_257
    assert sum(by_category.values()) == 306_559
    assert {r["period"].isoformat() for r in rows} == {"2023-03-31"}


def test_the_catalogue_finds_each_month_by_the_publishers_file_names():
    feed = load_catalogue()["dlt_new_registrations"].feed()
    package = json.loads((builder.DEFAULT_OUT_DIR / "package_show_dataset_stat_1_003.json").read_text("utf-8"))
    found = ckan.resources(package["result"], feed)
    assert len(found) == 50  # the yearly file is not a month
    assert ckan.choose(package["result"], feed, "2022-03", "x").url.endswith("/sttt_new_reg2_mm_03_2565.csv")
    assert ckan.choose(package["result"], feed, "2026-02", "x").url.endswith("/sttt_new_reg2_mm_2569_02.csv")


def test_a_row_of_another_month_an_unknown_type_or_a_wrong_class_is_refused():
    ok = "2566,มีนาคม,รถยนต์,รย. 12 รถจักรยานยนต์,5"
    assert parse(f"{HEADER}\r\n{ok}\r\n".encode(), "2023-03")[0]["registrations"] == 5
    with pytest.raises(ParseError, match=r"field 'month' in row csv:2: is not the month of the resource \(2023-04\)"):
        parse(f"{HEADER}\r\n{ok}\r\n".encode(), "2023-04")
    with pytest.raises(ParseError, match="is not a known DLT vehicle type"):
        parse(f"{HEADER}\r\n2566,มีนาคม,รถยนต์,รย. 30 รถใหม่,5\r\n".encode(), "2023-03")
    with pytest.raises(ParseError, match="is not the legal class of"):
        parse(f"{HEADER}\r\n2566,มีนาคม,รถขนส่ง,รย. 12 รถจักรยานยนต์,5\r\n".encode(), "2023-03")
    with pytest.raises(ParseError, match="is a duplicate row"):
        parse(f"{HEADER}\r\n{ok}\r\n{ok}\r\n".encode(), "2023-03")
    with pytest.raises(ParseError, match=r"field 'month' in row header: is missing"):
        parse("ปี พ.ศ.,ประเภทกฏหมาย,ประเภทรถ,จำนวน\r\n2568,รถยนต์,รย. 12 รถจักรยานยนต์,5\r\n".encode(), "2025-12")
