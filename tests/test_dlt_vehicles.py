"""DLT vehicles by fuel: the real figures through the bundled CSV, and every layout quirk."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import Workbook

from devtools.snapshots import build_dlt_snapshot as builder
from extract.errors import ParseError
from extract.parsers import Resource, dlt_vehicles
from tests.conftest import parse_context

AS_AT = dt.date(2026, 2, 28)
RESOURCE = Resource("stt", "http://x/stt_car_fuel_at_25690228.csv", "csv", "2026-02", AS_AT)
HEADER = "ข้อมูล ณ วันที่,ประเภทรถ,จังหวัด,เชื้อเพลิง,จำนวน"


def parse(body: bytes):
    return dlt_vehicles.parse_table(body, parse_context("dlt_vehicles_by_fuel", "2026-02", resource=RESOURCE)).to_pylist()


def csv_body(*lines: str, header: str = HEADER, bom: bool = True) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join((header, *lines)) + "\r\n").encode()


def by_class(rows, area="91"):
    return {r["fuel_class"]: r["vehicles"] for r in rows if r["area_code"] == area}


@pytest.fixture(scope="module")
def real():
    return json.loads((builder.DEFAULT_REAL_DIR / builder.REAL_FILE).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def snapshot_rows():
    body = (builder.DEFAULT_OUT_DIR / builder.FILE_NAME).read_bytes()
    return parse(body)


def test_national_fleet_and_battery_electric_are_the_real_figures(snapshot_rows, real):
    assert sum(r["vehicles"] for r in snapshot_rows) == 44_290_957 == real["meta"]["national"]["total"]
    assert sum(r["vehicles"] for r in snapshot_rows if r["fuel_class"] == "battery_electric") == 419_410
    assert {r["period"] for r in snapshot_rows} == {AS_AT}
    assert {r["vehicle_type"] for r in snapshot_rows} == {"all"}
    assert len({r["area_code"] for r in snapshot_rows}) == 77 and len(snapshot_rows) == 77 * 5


def test_every_province_matches_the_source_file(snapshot_rows, real):
    from extract.thai.province_names import province_code

    for province in real["provinces"]:
        code = province_code(province["th"], source_id="test", field="th")
        got = by_class(snapshot_rows, code)
        assert got["battery_electric"] == province["bev"], province["th"]
        assert got["plug_in_hybrid"] == province["phev"], province["th"]
        assert got["hybrid"] == province["hybrid"], province["th"]
        assert got["diesel"] == province["diesel"], province["th"]
        assert sum(got.values()) == province["total"], province["th"]
    bangkok = [r for r in snapshot_rows if r["area_code"] == "10"]
    assert {r["province_name_raw"] for r in bangkok} == {"กรุงเทพมหานคร"}


@pytest.mark.parametrize(("name", "fuel_class"), [
    ("ไฟฟ้า", "battery_electric"), ("เบนซิน-ไฟฟ้า", "hybrid"), ("ดีเซล-ไฟฟ้า", "hybrid"),
    ("HYBRID", "hybrid"), ("เบนซิน-ไฟฟ้า (เสียบปลั๊ก)", "plug_in_hybrid"), ("ไฟฟ้าแบบเสียบปลั๊ก", "plug_in_hybrid"),
    ("ดีเซล", "diesel"), ("เบนซิน", "other"), ("ก๊าซ LPG", "other"), ("ไม่ใช้เชื้อเพลิง", "other"),
])
def test_fuel_classes(name, fuel_class):
    assert dlt_vehicles.fuel_class(name) == fuel_class


def test_bom_thai_digits_separators_and_all_classes_zero_filled():
    rows = parse(csv_body('28/02/2569,รวมทุกประเภท,สตูล,ไฟฟ้า,"๑,๒๓๔"', '๒๘/๐๒/๒๕๖๙,รวมทุกประเภท,สตูล,ดีเซล,"12,000"'))
    assert by_class(rows) == {"battery_electric": 1234, "hybrid": 0, "plug_in_hybrid": 0, "diesel": 12000, "other": 0}
    assert parse(csv_body("28/02/2569,,จังหวัดสตูล,ไฟฟ้า,5", bom=False))[0]["province_name_raw"] == "จังหวัดสตูล"


def test_several_fuel_names_of_one_class_add_up():
    rows = parse(csv_body("28/02/2569,,สตูล,เบนซิน,10", "28/02/2569,,สตูล,ก๊าซ NGV,5", "28/02/2569,,สตูล,เบนซิน-ไฟฟ้า,2",
                          "28/02/2569,,สตูล,ดีเซล-ไฟฟ้า,1"))
    assert by_class(rows)["other"] == 15 and by_class(rows)["hybrid"] == 3


def test_cp874_file_declared_utf8_is_a_clear_error():
    body = ("\r\n".join((HEADER, "28/02/2569,,สตูล,ไฟฟ้า,5")) + "\r\n").encode("cp874")
    with pytest.raises(ParseError, match="dlt_vehicles_by_fuel: .*not UTF-8 as declared but decodes as cp874"):
        parse(body)


@pytest.mark.parametrize(("header", "problem"), [
    ("ข้อมูล ณ วันที่,ประเภทรถ,จังหวัด,ชนิดรถ,จำนวน", r"field 'ชนิดรถ' in row header: is not a known column"),
    ("ข้อมูล ณ วันที่,ประเภทรถ,จังหวัด,เชื้อเพลิง", r"field 'vehicles' in row header: is missing"),
    ("ข้อมูล ณ วันที่,ประเภทรถ,จังหวัด,เชื้อเพลิง,จำนวน,หมายเหตุ", r"field 'หมายเหตุ' in row header: is not a known column"),
    ("ข้อมูล ณ วันที่,จังหวัด,จังหวัด,เชื้อเพลิง,จำนวน", r"field 'จังหวัด' in row header: repeats the province column"),
])
def test_renamed_missing_extra_or_repeated_column_names_dataset_and_field(header, problem):
    with pytest.raises(ParseError, match=rf"dlt_vehicles_by_fuel: {problem}"):
        parse(csv_body("28/02/2569,รวมทุกประเภท,สตูล,ไฟฟ้า,5", header=header))


def test_duplicate_row_negative_count_and_unknown_province():
    with pytest.raises(ParseError, match="is a duplicate row"):
        parse(csv_body("28/02/2569,,สตูล,ไฟฟ้า,5", "28/02/2569,,สตูล,ไฟฟ้า,5"))
    with pytest.raises(ParseError, match="names the same province \\(10\\).*duplicate province"):
        parse(csv_body("28/02/2569,,ส่วนกลาง,ไฟฟ้า,5", "28/02/2569,,กรุงเทพมหานคร,ดีเซล,5"))
    with pytest.raises(ParseError, match=r"field 'vehicles' in row csv:2: is negative \(value '-5'\)"):
        parse(csv_body("28/02/2569,,สตูล,ไฟฟ้า,-5"))
    with pytest.raises(ParseError, match=r"field 'province' in row csv:2: is not a known province name \(value 'สตุล'\)"):
        parse(csv_body("28/02/2569,,สตุล,ไฟฟ้า,5"))


def test_as_at_date_must_be_be_and_match_the_resource():
    with pytest.raises(ParseError, match="looks like a Gregorian year"):
        parse(csv_body("28/02/2026,,สตูล,ไฟฟ้า,5"))
    with pytest.raises(ParseError, match="is not the date of the resource \\(2026-02-28\\)"):
        parse(csv_body("31/01/2569,,สตูล,ไฟฟ้า,5"))


def test_vehicle_type_breakdown_keeps_types_and_checks_the_totals():
    lines = ["28/02/2569,รย.1,สตูล,ไฟฟ้า,3", "28/02/2569,รย.12,สตูล,ไฟฟ้า,4", "28/02/2569,รวม,สตูล,ไฟฟ้า,7",
             "28/02/2569,รวม,รวมทั้งประเทศ,ไฟฟ้า,7"]
    rows = parse(csv_body(*lines))
    assert {r["vehicle_type"] for r in rows} == {"รย.1", "รย.12"}
    assert sum(r["vehicles"] for r in rows) == 7
    with pytest.raises(ParseError, match="total of สตูล ไฟฟ้า is not the sum of its rows \\(7\\)"):
        parse(csv_body(*lines[:2], "28/02/2569,รวม,สตูล,ไฟฟ้า,8"))
    with pytest.raises(ParseError, match="total of all provinces ไฟฟ้า is not the sum"):
        parse(csv_body("28/02/2569,,สตูล,ไฟฟ้า,3", "28/02/2569,,รวมทั้งประเทศ,ไฟฟ้า,4"))


def sheet_workbook() -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, electric, diesel in (("ส่วนกลาง", 100, 50), ("สตูล", 2, 9)):
        sheet = book.create_sheet(name)
        sheet.append([f"สถิติจำนวนรถจดทะเบียนสะสม {name}"])
        sheet.append([])
        sheet.append(["ประเภทรถ", "ไฟฟ้า", "เบนซิน-ไฟฟ้า", "ดีเซล", "รวม"])
        sheet.append(["รย.1", electric, 1, diesel, electric + 1 + diesel])
        sheet.append(["รย.3", 0, 0, diesel, diesel])
    book.create_sheet("หมายเหตุ").append(["ข้อมูลจากกรมการขนส่งทางบก"])
    raw = io.BytesIO()
    book.save(raw)
    return raw.getvalue()


def test_older_workbook_with_a_sheet_per_province_and_bangkok_as_central_office():
    rows = parse(sheet_workbook())
    bangkok = [r for r in rows if r["area_code"] == "10"]
    assert {r["province_name_raw"] for r in bangkok} == {"ส่วนกลาง"}
    assert {r["vehicle_type"] for r in bangkok} == {"รย.1", "รย.3"}
    assert sum(r["vehicles"] for r in bangkok if r["fuel_class"] == "diesel") == 100
    assert sum(r["vehicles"] for r in rows if r["area_code"] == "91") == 2 + 1 + 9 + 9


def test_xls_that_is_an_html_table_in_tis620():
    html = ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-874'></head><body>"
            "<table><caption>ส่วนกลาง</caption><tr><th>ประเภทรถ</th><th>ไฟฟ้า</th><th>ดีเซล</th></tr>"
            "<tr><td>รวม</td><td>1,234</td><td>๕๐</td></tr></table>"
            "<table><caption>สตูล</caption><tr><th colspan='1'>ประเภทรถ</th><th>ไฟฟ้า</th><th>ดีเซล</th></tr>"
            "<tr><td>รวมทุกประเภท</td><td>2</td><td>-</td></tr></table></body></html>").encode("cp874")
    rows = parse(html)
    assert by_class(rows, "10")["battery_electric"] == 1234 and by_class(rows, "10")["diesel"] == 50
    assert by_class(rows, "91")["diesel"] == 0 and {r["vehicle_type"] for r in rows} == {"all"}


def test_binary_xls_is_refused_clearly():
    with pytest.raises(ParseError, match="legacy binary Excel file"):
        parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
