"""DLT vehicles by fuel: the publisher's real layout (76 real rows), the real figures
through the bundled CSV (real figures, reconstructed rows), and every layout quirk."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict

import pytest
from openpyxl import Workbook

from devtools.snapshots import build_dlt_snapshot as builder
from extract.errors import ParseError
from extract.parsers import Resource, dlt_vehicles
from extract.thai.province_names import province_code
from tests.conftest import FIXTURES, parse_context

AS_AT = dt.date(2026, 2, 28)
RESOURCE = Resource("stt", "http://x/stt_car_fuel_at_25690228.csv", "csv", "2026-02", AS_AT)
HEADER = "ประเภทกฎหมาย,ประเภทรถ,จังหวัด,ประเภทเชื้อเพลิง,จำนวนรถ"
CAR = "รถยนต์,รย. 1 รถยนต์นั่งส่วนบุคคลไม่เกิน 7 คน"
# The publisher's file: real header and 76 real rows of stt_car_fuel_at_25690228.csv.
EXCERPT = FIXTURES / "real" / "dlt_stt_car_fuel_at_25690228_excerpt.csv"


def parse(body: bytes):
    return dlt_vehicles.parse_table(body, parse_context("dlt_vehicles_by_fuel", "2026-02", resource=RESOURCE)).to_pylist()


def csv_body(*lines: str, header: str = HEADER, bom: bool = False, newline: str = "\n") -> bytes:
    return (("\ufeff" if bom else "") + newline.join((header, *lines)) + newline).encode()


def by_class(rows, area="91"):
    totals = defaultdict(int)
    for r in rows:
        if r["area_code"] == area:
            totals[r["fuel_class"]] += r["vehicles"]
    return dict(totals)


@pytest.fixture(scope="module")
def real():
    return json.loads((builder.DEFAULT_REAL_DIR / builder.REAL_FILE).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def snapshot_rows():
    body = (builder.DEFAULT_OUT_DIR / builder.FILE_NAME).read_bytes()
    return parse(body)


def test_the_76_real_rows_are_landed_verbatim():
    body = EXCERPT.read_bytes()
    real_rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))[1:]
    rows = parse(body)
    assert len(rows) == len(real_rows) == 76
    landed = {(r["province_name_raw"], r["vehicle_type"], r["fuel_label"]): r["vehicles"] for r in rows}
    assert landed == {(p, t, f): int(n) for _, t, p, f, n in real_rows}
    assert {r["legal_class"] for r in rows} == {"รถยนต์"}
    assert {r["vehicle_category"] for r in rows} == {"passenger_car"}
    assert {r["period"] for r in rows} == {AS_AT}  # from the file name: the file has no date
    assert sum(r["vehicles"] for r in rows) == 6_177_219
    # Bangkok's private cars: 217,854 battery-electric, 418,247 + 9,285 hybrid.
    assert by_class(rows, "10")["battery_electric"] == 217_854
    assert by_class(rows, "10")["hybrid"] == 418_247 + 9_285
    assert by_class(rows, "10")["plug_in_hybrid"] == 67_566 + 351


def test_every_real_fuel_label_has_a_class():
    labels = {row[3] for row in csv.reader(io.StringIO(EXCERPT.read_text(encoding="utf-8")))}
    labels -= {"ประเภทเชื้อเพลิง"}
    assert len(labels) == 19  # every one is in extract/reference/dlt_fuel_labels.csv
    assert {dlt_vehicles.fuel_class(label) for label in labels} == set(dlt_vehicles.FUEL_CLASSES)


def test_national_fleet_and_battery_electric_are_the_real_figures(snapshot_rows, real):
    assert sum(r["vehicles"] for r in snapshot_rows) == 44_290_957 == real["meta"]["national"]["total"]
    assert sum(r["vehicles"] for r in snapshot_rows if r["fuel_class"] == "battery_electric") == 419_410
    assert {r["period"] for r in snapshot_rows} == {AS_AT}
    # Rebuilt rows: one not-broken-down bucket, so no vehicle-type share can come from them.
    assert {(r["vehicle_type"], r["vehicle_category"]) for r in snapshot_rows} == {
        ("ไม่จำแนกประเภทรถ", "unclassified")}
    assert len({r["area_code"] for r in snapshot_rows}) == 77


def test_every_province_matches_the_source_file(snapshot_rows, real):
    for province in real["provinces"]:
        code = province_code(province["th"], source_id="test", field="th")
        got = by_class(snapshot_rows, code)
        assert got.get("battery_electric", 0) == province["bev"], province["th"]
        assert got.get("plug_in_hybrid", 0) == province["phev"], province["th"]
        assert got.get("hybrid", 0) == province["hybrid"], province["th"]
        assert got.get("diesel", 0) == province["diesel"], province["th"]
        assert sum(got.values()) == province["total"], province["th"]
    bangkok = [r for r in snapshot_rows if r["area_code"] == "10"]
    assert {r["province_name_raw"] for r in bangkok} == {"กรุงเทพมหานคร"}


def test_real_rows_plus_rebuilt_rest_add_up_to_the_summary(real):
    excerpt = list(csv.reader(io.StringIO(EXCERPT.read_text(encoding="utf-8"))))[1:]
    rows = parse(builder.csv_body(real, excerpt))
    krabi = [r for r in rows if r["area_code"] == "81"]
    assert sum(r["vehicles"] for r in krabi) == next(p["total"] for p in real["provinces"] if p["th"] == "กระบี่")
    assert sum(r["vehicles"] for r in krabi if r["vehicle_category"] == "passenger_car") == sum(
        int(n) for *_, p, _f, n in excerpt if p == "กระบี่")
    assert sum(r["vehicles"] for r in rows) == 44_290_957


@pytest.mark.parametrize(("label", "fuel_class"), [
    ("ไฟฟ้า", "battery_electric"), ("เบนซิน-ไฟฟ้า", "hybrid"), ("ดีเซล-ไฟฟ้า", "hybrid"),
    ("เบนซิน-ไฟฟ้าแบบเสียบปลั๊ก", "plug_in_hybrid"), ("ดีเซล-ไฟฟ้าแบบเสียบปลั๊ก", "plug_in_hybrid"),
    ("ดีเซล", "diesel"), ("แก๊ส LPG +ดีเซล", "diesel"), ("CNG ร่วมกับดีเซล", "diesel"), ("เบนซิน", "other"),
    ("LPG+เบนซินสลับไฟฟ้า", "other"), ("ไม่ใช้เชื้อเพลิง", "other"), ("ไม่ระบุ", "other"),
    ("แก๊ส LPG + เบนซิน", "other"),  # spacing around '+' does not matter
])
def test_fuel_labels_map_through_the_table(label, fuel_class):
    assert dlt_vehicles.fuel_class(label) == fuel_class


def test_an_unknown_fuel_label_is_refused_by_name():
    with pytest.raises(ParseError, match=r"field 'fuel' in row csv:2: is not a known DLT fuel label "
                                         r"\(add it to extract/reference/dlt_fuel_labels.csv\) \(value 'ไฮโดรเจน'\)"):
        parse(csv_body(f"{CAR},สตูล,ไฮโดรเจน,5"))
    with pytest.raises(ParseError, match="is not a known DLT fuel label"):
        parse(csv_body(f"{CAR},สตูล,HYBRID,5"))  # no guessing from words


def test_misspelt_legal_class_header_bom_crlf_and_vehicle_type_codes():
    rows = parse(csv_body(f"{CAR},สตูล,ไฟฟ้า,3", "รถยนต์,รย.12,สตูล,เบนซิน,\"1,200\"",
                          "รถขนส่ง,รถบรรทุกส่วนบุคคล,สตูล,ดีเซล,7",
                          header=HEADER.replace("กฎ", "กฏ"), bom=True, newline="\r\n"))
    assert [(r["vehicle_type"], r["vehicle_category"], r["legal_class"]) for r in rows] == [
        ("รถบรรทุกส่วนบุคคล", "truck", "รถขนส่ง"),
        ("รย. 1 รถยนต์นั่งส่วนบุคคลไม่เกิน 7 คน", "passenger_car", "รถยนต์"),
        ("รย. 12 รถจักรยานยนต์", "motorcycle", "รถยนต์"),
    ]
    assert sum(r["vehicles"] for r in rows) == 1210


def test_empty_fuel_and_count_is_no_vehicle_but_half_empty_is_refused():
    rows = parse(csv_body(f"{CAR},สตูล,ไฟฟ้า,3", "รถยนต์,รย. 17 รถจักรยานยนต์สาธารณะ,มุกดาหาร,,"))
    assert [r["area_code"] for r in rows] == ["91"]
    with pytest.raises(ParseError, match=r"field 'vehicles' in row csv:2: is empty"):
        parse(csv_body(f"{CAR},สตูล,ไฟฟ้า,"))
    with pytest.raises(ParseError, match=r"field 'fuel' in row csv:2: is empty for a count of 5"):
        parse(csv_body(f"{CAR},สตูล,,5"))


def test_unknown_vehicle_type_or_wrong_legal_class_is_refused():
    with pytest.raises(ParseError, match=r"field 'vehicle_type' in row csv:2: is not a known DLT vehicle type"):
        parse(csv_body("รถยนต์,รย. 99 รถอื่น,สตูล,ไฟฟ้า,5"))
    with pytest.raises(ParseError, match=r"field 'legal_class' in row csv:2: is not the legal class of"):
        parse(csv_body("รถขนส่ง,รย. 1 รถยนต์นั่งส่วนบุคคลไม่เกิน 7 คน,สตูล,ไฟฟ้า,5"))


def test_cp874_file_declared_utf8_is_a_clear_error():
    body = ("\n".join((HEADER, f"{CAR},สตูล,ไฟฟ้า,5")) + "\n").encode("cp874")
    with pytest.raises(ParseError, match="dlt_vehicles_by_fuel: .*not UTF-8 as declared but decodes as cp874"):
        parse(body)


@pytest.mark.parametrize(("header", "problem"), [
    ("ประเภทกฎหมาย,ประเภทรถ,จังหวัด,ชนิดรถ,จำนวนรถ", r"field 'ชนิดรถ' in row header: is not a known column"),
    ("ประเภทกฎหมาย,ประเภทรถ,จังหวัด,ประเภทเชื้อเพลิง", r"field 'vehicles' in row header: is missing"),
    (HEADER + ",หมายเหตุ", r"field 'หมายเหตุ' in row header: is not a known column"),
    ("ประเภทกฎหมาย,จังหวัด,จังหวัด,ประเภทเชื้อเพลิง,จำนวนรถ", r"field 'จังหวัด' in row header: repeats the province column"),
])
def test_renamed_missing_extra_or_repeated_column_names_dataset_and_field(header, problem):
    with pytest.raises(ParseError, match=rf"dlt_vehicles_by_fuel: {problem}"):
        parse(csv_body(f"{CAR},สตูล,ไฟฟ้า,5", header=header))


def test_duplicate_row_negative_count_and_unknown_province():
    with pytest.raises(ParseError, match="is a duplicate row"):
        parse(csv_body(f"{CAR},สตูล,ไฟฟ้า,5", f"{CAR},สตูล,ไฟฟ้า,5"))
    with pytest.raises(ParseError, match="names the same province \\(10\\).*duplicate province"):
        parse(csv_body(f"{CAR},ส่วนกลาง,ไฟฟ้า,5", f"{CAR},กรุงเทพมหานคร,ดีเซล,5"))
    with pytest.raises(ParseError, match=r"field 'vehicles' in row csv:2: is negative \(value '-5'\)"):
        parse(csv_body(f"{CAR},สตูล,ไฟฟ้า,-5"))
    with pytest.raises(ParseError, match=r"field 'province' in row csv:2: is not a known province name \(value 'สตุล'\)"):
        parse(csv_body(f"{CAR},สตุล,ไฟฟ้า,5"))


def test_a_date_column_if_present_must_be_be_and_match_the_resource():
    header = "ข้อมูล ณ วันที่," + HEADER
    with pytest.raises(ParseError, match="looks like a Gregorian year"):
        parse(csv_body(f"28/02/2026,{CAR},สตูล,ไฟฟ้า,5", header=header))
    with pytest.raises(ParseError, match="is not the date of the resource \\(2026-02-28\\)"):
        parse(csv_body(f"31/01/2569,{CAR},สตูล,ไฟฟ้า,5", header=header))


def test_total_rows_are_checked_then_dropped():
    lines = [f"{CAR},สตูล,ไฟฟ้า,3", "รถยนต์,รย. 12 รถจักรยานยนต์,สตูล,ไฟฟ้า,4", ",รวม,สตูล,ไฟฟ้า,7",
             ",รวม,รวมทั้งประเทศ,ไฟฟ้า,7"]
    rows = parse(csv_body(*lines))
    assert {r["vehicle_category"] for r in rows} == {"passenger_car", "motorcycle"}
    assert sum(r["vehicles"] for r in rows) == 7
    with pytest.raises(ParseError, match="total of สตูล ไฟฟ้า is not the sum of its rows \\(7\\)"):
        parse(csv_body(*lines[:2], ",รวม,สตูล,ไฟฟ้า,8"))
    with pytest.raises(ParseError, match="total of all provinces ไฟฟ้า is not the sum"):
        parse(csv_body(f"{CAR},สตูล,ไฟฟ้า,3", f"{CAR},รวมทั้งประเทศ,ไฟฟ้า,4"))


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
    assert {r["vehicle_category"] for r in bangkok} == {"passenger_car", "pickup"}
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
