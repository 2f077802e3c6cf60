"""The live path on DLT's real layout: a file in the publisher's layout served by a
loopback CKAN portal (DLT_BASE_URL), refreshed with the issue's run configuration,
publishes per province, vehicle type and fuel exactly the file's figures.

What is real in the served file: the header and layout (DLT's stt_car_fuel_at_25690228.csv),
the 76 rows of tests/fixtures/real/dlt_stt_car_fuel_at_25690228_excerpt.csv (verbatim:
private cars, รย. 1, of five provinces) and every total: per province and fuel class the
figures of DLT's published summary (tests/fixtures/real/dlt_vehicles_by_fuel_province_25690228.json).
What is rebuilt: the rest of each province and class (summary minus the real rows) as one
row in the bucket 'ไม่จำแนกประเภทรถ' (type not known), since the complete file is not
available offline.
"""

from __future__ import annotations

import csv
import io
import json

import duckdb
import pytest

from devtools.mirror import Mirror
from devtools.snapshots import build_dlt_snapshot as builder
from extract.thai.province_names import province_code
from tests.conftest import FIXTURES
from warehouse import refresh

pytestmark = pytest.mark.slow
CONF = {"sources": ["dlt_vehicles_by_fuel"], "periods": ["2026-02"]}
SUMMARY = json.loads((FIXTURES / "real" / "dlt_vehicles_by_fuel_province_25690228.json").read_text(encoding="utf-8"))
EXCERPT = list(csv.reader(io.StringIO(
    (FIXTURES / "real" / "dlt_stt_car_fuel_at_25690228_excerpt.csv").read_text(encoding="utf-8"))))[1:]
CLASSES = {"bev": "battery_electric", "phev": "plug_in_hybrid", "hybrid": "hybrid", "diesel": "diesel"}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    portal = tmp_path_factory.mktemp("dlt_portal")
    builder.build(builder.DEFAULT_REAL_DIR, portal, fuel_real_rows=EXCERPT)
    data_dir = tmp_path_factory.mktemp("data")
    with Mirror([portal]) as mirror, pytest.MonkeyPatch.context() as patch:
        patch.setenv("DLT_BASE_URL", mirror.base_url)
        patch.setenv("SMARTCITY_DATA_DIR", str(data_dir))
        patch.setenv("SMARTCITY_HTTP_RETRIES", "0")
        outcomes = [refresh.extract(batch, data_dir) for batch in refresh.plan(CONF)]
        refresh.record("manual__dlt_live", outcomes, data_dir)
        info = refresh.gate(refresh.build(refresh.load("manual__dlt_live", data_dir)), data_dir)
        release = refresh.publish(info, data_dir)
        requests = mirror.requests()
    with duckdb.connect(release["path"], read_only=True) as con:
        yield {"con": con, "outcomes": outcomes, "requests": requests}


def test_one_package_show_and_one_download_over_loopback(published):
    assert [o["status"] for batch in published["outcomes"] for o in batch] == ["downloaded"]
    paths = [r["path"] for r in published["requests"]]
    assert paths == ["/api/3/action/package_show", builder.RESOURCE_URL.split(builder.REAL_BASE_URL)[1]]


def test_national_totals_are_the_files(published):
    fleet, bev = published["con"].execute("""
        select sum(vehicles), sum(vehicles) filter (where fuel_class = 'battery_electric')
        from marts.fct_vehicle_registrations where area_code = 'TH' and period = date '2026-02-28'
    """).fetchone()
    assert (fleet, bev) == (44_290_957, 419_410)


def test_each_province_and_fuel_class_equals_the_summary(published):
    got = {(a, f): n for a, f, n in published["con"].execute("""
        select area_code, fuel_class, sum(vehicles) from marts.fct_vehicle_registrations
        where area_code <> 'TH' group by all""").fetchall()}
    for province in SUMMARY["provinces"]:
        code = province_code(province["th"], source_id="test", field="th")
        for key, fuel_class in CLASSES.items():
            assert got.get((code, fuel_class), 0) == province[key], (province["th"], fuel_class)
        total = sum(n for (a, _), n in got.items() if a == code)
        assert total == province["total"], province["th"]
    assert len({a for a, _ in got}) == 77


def test_the_real_rows_are_published_by_vehicle_type_and_fuel(published):
    rows = {(a, f): n for a, f, n in published["con"].execute("""
        select area_code, fuel_class, vehicles from marts.fct_vehicle_registrations
        where vehicle_type = 'รย. 1 รถยนต์นั่งส่วนบุคคลไม่เกิน 7 คน' and area_code <> 'TH'""").fetchall()}
    from extract.parsers.dlt_vehicles import fuel_class
    expected: dict[tuple[str, str], int] = {}
    for _, _, province, label, count in EXCERPT:
        key = (province_code(province, source_id="test", field="p"), fuel_class(label))
        expected[key] = expected.get(key, 0) + int(count)
    assert rows == expected
    categories = published["con"].execute(
        "select distinct legal_class, vehicle_category from marts.fct_vehicle_registrations order by all").fetchall()
    assert categories == [("รถยนต์", "passenger_car"), ("ไม่จำแนก", "unclassified")]


def test_no_vehicle_type_share_is_made_up_where_types_are_not_known(published):
    shares = published["con"].execute("""
        select count(*) from marts.mart_area_indicators
        where indicator_code in ('motorcycle_share_of_fleet', 'passenger_car_share_of_fleet',
                                 'buses_registered', 'trucks_registered')""").fetchone()[0]
    assert shares == 0
    bev = published["con"].execute("""
        select value from marts.mart_area_indicators
        where area_code = 'TH' and indicator_code = 'bev_share_of_fleet'""").fetchone()[0]
    assert bev == pytest.approx(419_410 / 44_290_957)
