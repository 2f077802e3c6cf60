"""Slicing kinds (province, office, national with feeds) and the parser registry."""

from pathlib import Path

import pytest

from devtools.mirror import Fault, Mirror
from extract import landing, parsers
from extract.catalogue import load_catalogue
from extract.errors import RunConfigError
from extract.http.client import make_session
from extract.run_config import Slice, plan_slices
from extract.slices import extract_slice
from extract.status import FetchStatus
from warehouse import refresh


def keys(conf):
    return [(s.source_id, s.period, s.key) for s in plan_slices(conf)]


def test_office_slices_are_the_registration_offices_of_the_province():
    slices = plan_slices({"sources": ["dopa_population_district_thai"]})
    assert [s.key for s in slices] == [f"rcode={r}" for r in
                                       ("9101", "9102", "9103", "9104", "9105", "9106", "9107",
                                        "9193", "9194", "9195", "9196", "9197", "9198", "9199")]
    assert {(s.province, s.period) for s in slices} == {("91", "2026-09")}
    assert len(plan_slices({"sources": ["dopa_population_district_thai"], "provinces": ["91", "10"]})) == 14


def test_office_source_with_only_uncovered_provinces_is_refused():
    with pytest.raises(RunConfigError, match=r"no slices for provinces \['10'\].*known for \['91'\]"):
        plan_slices({"sources": ["dopa_population_district_thai"], "provinces": ["10"]})
    # Not asked for by name: the source just has nothing to do for Bangkok.
    assert not [s for s in plan_slices({"provinces": ["10"]}) if s.source_id == "dopa_population_district_thai"]


def test_national_sources_ignore_provinces_and_split_by_feed():
    conf = {"sources": ["dlt_vehicles_by_fuel", "electricity_sales"], "provinces": ["10"], "periods": ["2024-05"]}
    assert keys(conf) == [("dlt_vehicles_by_fuel", "2024-05", "national"),
                          ("electricity_sales", "2024-05", "feed=mea"), ("electricity_sales", "2024-05", "feed=pea")]
    defaults = plan_slices({"sources": ["electricity_sales"]})
    assert len(defaults) == 24 and {s.period for s in defaults} == {f"2024-{m:02d}" for m in range(1, 13)}


def test_slices_travel_as_plain_dicts_in_batches():
    batches = refresh.plan({"sources": ["dopa_population_district_thai", "electricity_sales"], "periods": ["2024-01"]})
    office = next(b for b in batches if b["source_id"] == "dopa_population_district_thai")
    assert office["provinces"] == ["91"] and len(office["slices"]) == 14
    for batch in batches:
        for item in batch["slices"]:
            assert Slice.from_dict(item).as_dict() == item


def test_every_catalogue_parser_is_registered_with_its_interface():
    for source in load_catalogue().values():
        module = parsers.get(source.parser)
        assert module.SCHEMA.names[-3:] == ["is_modelled", "source_id", "source_sha256"] or \
            source.parser == "dopa_statpop_office"
        assert "/" in module.PARSER_VERSION
    with pytest.raises(KeyError, match="no parser 'nope'"):
        parsers.get("nope")


def test_a_month_without_a_resource_is_no_data(monkeypatch, data_dir):
    with Mirror() as mirror:
        monkeypatch.setenv("DLT_BASE_URL", mirror.base_url)
        outcome = extract_slice(Slice("dlt_vehicles_by_fuel", None, "2026-03"), data_dir, make_session(total_retries=0))
    assert outcome["status"] == FetchStatus.NO_DATA and outcome["rows"] == 0
    manifest = landing.read_answer(data_dir, "dlt_vehicles_by_fuel", "2026-03", "national")
    assert manifest["status"] == FetchStatus.NO_DATA and manifest["parquet"] is None
    assert "no resource for 2026-03 (resources for ['2026-02'])" in manifest["note"]


def test_a_landed_vintage_survives_its_resource_leaving_the_package(monkeypatch, data_dir):
    with Mirror() as mirror:
        monkeypatch.setenv("DLT_BASE_URL", mirror.base_url)
        first = extract_slice(Slice("dlt_vehicles_by_fuel", None, "2026-02"), data_dir, make_session(total_retries=0))
        mirror.inject(Fault("body", body='{"success": true, "result": {"name": "dataset_1_1_04", "resources": []}}'))
        again = extract_slice(Slice("dlt_vehicles_by_fuel", None, "2026-02"), data_dir, make_session(total_retries=0))
    assert first["status"] == "downloaded" and again["status"] == "unchanged" and again["rows"] == first["rows"]
    landed = landing.read_answer(data_dir, "dlt_vehicles_by_fuel", "2026-02", "national")
    assert Path(landed["_file"]).exists() and landed["status"] == "downloaded"
