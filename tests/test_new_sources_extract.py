"""Every new source end to end over loopback HTTP: plan, extract (CKAN look-up, conditional
GET), land, load into a build file; the landed tables are the contract of architecture.md."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from devtools.mirror import Mirror
from warehouse import refresh

NEW_SOURCES = ["dlt_vehicles_by_fuel", "rtddi_road_deaths", "electricity_sales",
               "nso_household_income", "dopa_population_district_thai"]
PROVENANCE = [("is_modelled", "BOOLEAN"), ("source_id", "VARCHAR"), ("source_sha256", "VARCHAR")]
POPULATION = [("area_code", "VARCHAR"), ("period", "DATE"), ("sex", "VARCHAR"), ("age", "SMALLINT"),
              ("population", "BIGINT"), ("population_scope", "VARCHAR")]
CONTRACT = {  # docs/architecture.md, "Landed tables of the energy, transport, economy and district sources"
    "dopa_population_district_thai": [*POPULATION, *PROVENANCE, ("registration_office", "VARCHAR")],
    "dlt_vehicles_by_fuel": [("area_code", "VARCHAR"), ("period", "DATE"), ("legal_class", "VARCHAR"),
                             ("vehicle_type", "VARCHAR"), ("vehicle_category", "VARCHAR"), ("fuel_label", "VARCHAR"),
                             ("fuel_class", "VARCHAR"), ("vehicles", "BIGINT"), ("province_name_raw", "VARCHAR"),
                             *PROVENANCE],
    "rtddi_road_deaths": [("area_code", "VARCHAR"), ("year", "INTEGER"), ("period", "DATE"), ("deaths", "BIGINT"),
                          ("province_name_raw", "VARCHAR"), *PROVENANCE],
    "electricity_sales": [("area_code", "VARCHAR"), ("period", "DATE"), ("customer_class", "VARCHAR"),
                          ("kwh", "DOUBLE"), ("customers", "BIGINT"), ("utility", "VARCHAR"), *PROVENANCE],
    "nso_household_income": [("area_code", "VARCHAR"), ("year", "INTEGER"), ("period", "DATE"),
                             ("avg_monthly_income_baht", "DOUBLE"), ("province_name_raw", "VARCHAR"), *PROVENANCE],
}
ROWS = {"dlt_vehicles_by_fuel": 77 * 5, "rtddi_road_deaths": 77 * 10, "electricity_sales": 12 * 77 * 8,
        "nso_household_income": 762, "dopa_population_district_thai": 14 * 2 * 102}
MODELLED = {"dlt_vehicles_by_fuel": False, "rtddi_road_deaths": True, "electricity_sales": True,
            "nso_household_income": False, "dopa_population_district_thai": False}


def run(data_dir, run_id: str):
    # a full check: the second run asks about every slice (no revision window settles it)
    batches = refresh.plan({"sources": [*NEW_SOURCES, "dopa_population_thai"], "full_check": True})
    outcomes = [refresh.extract(batch, data_dir) for batch in batches]
    refresh.record(run_id, outcomes, data_dir)
    return [o for batch in outcomes for o in batch], refresh.load(run_id, data_dir)


def digests(data_dir):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (data_dir / "raw").rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    with Mirror() as mirror, pytest.MonkeyPatch.context() as patch:
        for variable in ("DOPA_BASE_URL", "DLT_BASE_URL", "DATAGOTH_BASE_URL", "PEA_BASE_URL", "MEA_BASE_URL"):
            patch.setenv(variable, mirror.base_url)
        patch.setenv("SMARTCITY_HTTP_RETRIES", "0")
        outcomes, _ = run(data_dir, "manual__first")
        landed = digests(data_dir)
        # The second run's load replaces the first build (one build kept): check that one.
        again, info = run(data_dir, "manual__second")
        yield {"data_dir": data_dir, "outcomes": outcomes, "info": info, "landed": landed,
               "again": again, "landed_again": digests(data_dir)}


@pytest.fixture(scope="module")
def build(first_run):
    with duckdb.connect(first_run["info"]["build_path"], read_only=True) as con:
        yield con


def test_every_slice_is_downloaded_once_then_confirmed_unchanged(first_run):
    assert {o["status"] for o in first_run["outcomes"]} == {"downloaded"}
    assert len(first_run["outcomes"]) == 1 + 1 + 24 + 1 + 14 + 1
    assert {o["status"] for o in first_run["again"]} == {"not_modified"}  # conditional GET
    assert first_run["landed_again"] == first_run["landed"]  # landing is idempotent


def test_landed_tables_are_the_contract(build):
    for table, columns in CONTRACT.items():
        described = build.execute(f"describe raw.{table}").fetchall()
        assert [(row[0], row[1]) for row in described] == columns, table
        assert build.execute(f"select count(*) from raw.{table}").fetchone()[0] == ROWS[table], table


def test_modelled_sources_are_labelled_in_rows_and_manifests(build):
    for table, modelled in MODELLED.items():
        flags = build.execute(f"select distinct is_modelled from raw.{table}").fetchall()
        assert flags == [(modelled,)], table
        manifests = build.execute(
            "select distinct is_modelled from raw.landing_manifests where source_id = ?", [table]
        ).fetchall()
        assert manifests == [(modelled,)], table


def test_satun_districts_add_up_to_the_province_for_every_age_and_sex(build):
    mismatches = build.execute("""
        with districts as (
            select sex, age, sum(population) as population from raw.dopa_population_district_thai
            where period = date '2026-09-30' and area_code like '91%' group by all
        )
        select p.sex, p.age, p.population, d.population
        from raw.dopa_population_thai p full join districts d using (sex, age)
        where p.area_code = '91' and p.period = date '2026-09-30'
          and p.population is distinct from d.population
    """).fetchall()
    assert mismatches == []
    districts = build.execute(
        "select distinct area_code from raw.dopa_population_district_thai order by 1").fetchall()
    assert [d for (d,) in districts] == [f"91{n:02d}" for n in range(1, 8)]
    municipal = build.execute("""
        select area_code, sum(population) from raw.dopa_population_district_thai
        where registration_office = '9199' group by 1""").fetchall()
    assert municipal[0][0] == "9101"  # Satun town municipality lies in Mueang Satun
    total = build.execute("select sum(population) from raw.dopa_population_district_thai").fetchone()[0]
    assert total == 322_634


def test_national_fleet_after_load(build):
    fleet, bev = build.execute("""
        select sum(vehicles), sum(vehicles) filter (where fuel_class = 'battery_electric')
        from raw.dlt_vehicles_by_fuel where period = date '2026-02-28'""").fetchone()
    assert (fleet, bev) == (44_290_957, 419_410)


def test_gate_coverage_is_asked_for_province_slices_only(first_run):
    assert first_run["info"]["requested"] == [("91", "2026-09")]
    assert first_run["info"]["no_data"] == []


def test_empty_tables_take_the_parser_schema(tmp_path):
    from warehouse.targets.duckdb.load import load_raw

    build_path = tmp_path / "build" / "empty.duckdb"
    (tmp_path / "log" / "fetch_log").mkdir(parents=True)
    import pyarrow as pa
    import pyarrow.parquet as pq

    from warehouse.fetch_log import SCHEMA
    pq.write_table(pa.Table.from_pylist([], schema=SCHEMA), tmp_path / "log" / "fetch_log" / "none.parquet")
    load_raw(build_path, tmp_path, fetch_log=[])
    with duckdb.connect(str(build_path), read_only=True) as con:
        for table, columns in CONTRACT.items():
            described = con.execute(f"describe raw.{table}").fetchall()
            assert [(row[0], row[1]) for row in described] == columns, table
