"""The seven smart-city dimension marts end to end: one ``dbt build`` over a build file
holding every source, then the marts are checked against figures computed here.

The raw tables are small and realistic:

- population: the real 77 provincial totals of 31 Dec 2020 and age bands of Jun 2021
  (split into a few single ages and two sexes here, so flagged modelled), the real Satun
  Thai nationals of Sep 2026 for the province and its 14 registration offices;
- vehicles: the real DLT fleet by province and fuel class at 28 Feb 2026 (77 provinces);
- household income: the real NSO 2015 survey averages (77 provinces);
- road deaths and electricity sales: made-up but plausible figures for three provinces
  (the real files are not available offline); road deaths are stale this run;
- industrial waste: made-up monthly tonnes for two provinces, 2020 complete for both,
  2021 complete for Bangkok only.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from devtools.snapshots.build_dlt_snapshot import DEFAULT_REAL_DIR as REAL_SNAPSHOT_DIR
from extract.parsers import dlt_new_registrations, dopa_stat_yearly
from tests.conftest import FIXTURES, SATUN, parse_context
from tests.test_dbt_project import (
    MANIFEST_COLUMNS,
    OTHER_RAW_TABLES,
    POPULATION_COLUMNS,
    SEED_DIR,
    query,
    run_build,
)

pytestmark = pytest.mark.slow  # runs dbt

REAL = FIXTURES / "real"
SHA = "0" * 64
POP_2020 = dt.date(2020, 12, 31)
POP_2021 = dt.date(2021, 6, 30)
SATUN_PERIOD = dt.date(2026, 9, 30)
VEHICLES_AS_AT = dt.date(2026, 2, 28)
STAT_A_PERIOD = "2025-12"  # DOPA stat_a68: 31 December 2568 BE
# stat_a68 names 12 municipal offices newer than the reference geography (a warning).
STAT_A_WARNINGS = {
    "test.smartcity.assert_stat_file_offices_in_reference_geography": "Got 12 results, configured to warn if != 0"
}
DIMENSIONS = ("environment", "economy", "mobility", "energy", "people", "living", "governance")
NON_GOVERNANCE_INDICATORS = 40  # catalogued indicators outside the governance dimension
# Industrial waste per province and month: (non-hazardous, hazardous) tonnes, made-up.
# Bangkok reports every month of 2020 and 2021, Satun 2020 and January to June 2021.
WASTE = {
    **{("10", dt.date(2020, m, 1)): (1000.0, 200.0) for m in range(1, 13)},
    **{("10", dt.date(2021, m, 1)): (1500.0, 300.0) for m in range(1, 13)},
    **{("91", dt.date(2020, m, 1)): (40.0, 2.5) for m in range(1, 13)},
    **{("91", dt.date(2021, m, 1)): (45.0, 3.0) for m in range(1, 7)},
}

TYPED_FLEET_AS_AT = dt.date(2025, 2, 28)
TYPED_FLEET_91 = (  # made-up test data: (legal class, type, category, fuel label, class, vehicles)
    ("รถยนต์", "รย. 12 รถจักรยานยนต์", "motorcycle", "เบนซิน", "other", 60),
    ("รถยนต์", "รย. 1 รถยนต์นั่งส่วนบุคคลไม่เกิน 7 คน", "passenger_car", "ไฟฟ้า", "battery_electric", 25),
    ("รถขนส่ง", "รถโดยสารประจำทาง", "bus", "ดีเซล", "diesel", 5),
    ("รถขนส่ง", "รถบรรทุกส่วนบุคคล", "truck", "ดีเซล", "diesel", 10),
)
NEW_REGISTRATION_FILES = (
    ("รถจดทะเบียนใหม่_กุมภาพันธ์_2568.csv", "2025-02"),
    ("รถจดทะเบียนใหม่_กุมภาพันธ์_2569.csv", "2026-02"),
)

# Road deaths per province and year: made-up, in the range of the published series.
ROAD_DEATHS = {("10", 2019): 1_021, ("10", 2020): 932, ("50", 2019): 561, ("50", 2020): 489,
               ("91", 2019): 67, ("91", 2020): 58}  # fmt: skip
# Electricity sold per province, month and class: (kWh, customers or None), made-up.
ELECTRICITY = {
    ("10", "MEA", dt.date(2024, 12, 31)): {"residential": (905_000_000.0, 2_650_000),
                                          "large_business": (1_410_000_000.0, 4_100)},
    ("10", "MEA", dt.date(2025, 12, 31)): {"residential": (951_000_000.0, 2_701_000),
                                          "large_business": (1_452_000_000.0, 4_180)},
    ("50", "PEA", dt.date(2024, 12, 31)): {"residential": (98_000_000.0, 640_000),
                                          "small_business": (41_000_000.0, 52_000)},
    ("50", "PEA", dt.date(2025, 12, 31)): {"residential": (103_900_000.0, 652_000),
                                          "small_business": (43_100_000.0, 53_000)},
    ("91", "PEA", dt.date(2024, 12, 31)): {"residential": (17_600_000.0, None),
                                          "small_business": (6_300_000.0, None)},
    ("91", "PEA", dt.date(2025, 12, 31)): {"residential": (18_500_000.0, None),
                                          "small_business": (6_700_000.0, None)},
}  # fmt: skip
# (source_id, manifest period, fetched_at)
MANIFESTS = [
    ("dopa_population", "2020-12", "2026-10-08T10:00:00+07:00"),
    ("dopa_population", "2021-06", "2026-10-08T10:00:00+07:00"),
    ("dopa_population_thai", "2026-09", "2026-10-08T10:27:00+07:00"),
    ("dopa_population_district_thai", "2026-09", "2026-10-09T09:00:00+07:00"),
    ("dlt_vehicles_by_fuel", "2026-02", "2026-03-05T08:00:00+07:00"),
    ("rtddi_road_deaths", "2020-12", "2021-08-01T12:00:00+07:00"),
    ("electricity_sales", "2024-12", "2025-01-20T12:00:00+07:00"),
    ("electricity_sales", "2025-12", "2026-01-20T12:00:00+07:00"),
    ("nso_household_income", "2015-12", "2026-10-08T11:00:00+07:00"),
    ("diw_industrial_waste", "2021-12", "2026-10-08T12:00:00+07:00"),
]
SOURCE_STATUS = [
    ("dopa_population", "fresh", None),
    ("dopa_population_thai", "fresh", None),
    ("dopa_population_district_thai", "fresh", None),
    ("dlt_vehicles_by_fuel", "fresh", None),
    ("rtddi_road_deaths", "stale", "HTTP 503 from data.go.th; last landed vintage used"),
    ("electricity_sales", "fresh", None),
    ("nso_household_income", "not_requested", None),
    ("diw_industrial_waste", "fresh", None),
]
GRID_FACTOR_KG_PER_KWH = 0.4750  # seeds/emission_factors.csv
HOUSEHOLD_SIZE = 2.5  # seeds/planning_assumptions.csv


# ---------------------------------------------------------------- real inputs


def provinces_by_thai_name() -> dict[str, str]:
    with (SEED_DIR / "ref_provinces.csv").open(encoding="utf-8", newline="") as handle:
        return {row["name_th"]: row["area_code"] for row in csv.DictReader(handle)}


def province_totals_2020() -> dict[str, int]:
    rows = json.loads((REAL / "dopa_province_population_2563.json").read_text(encoding="utf-8"))
    return {row["PROV_CODE"]: row["population"] for row in rows}


def province_bands_2021() -> dict[str, dict[str, int]]:
    rows = json.loads((REAL / "dopa_province_age_bands_6406.json").read_text(encoding="utf-8"))
    return {f"{row['PROV_CODE']:02d}": row for row in rows}


def fleet() -> dict[str, dict[str, int]]:
    """Province code -> {total, bev, phev, hybrid, diesel} at 28 Feb 2026."""
    data = json.loads(
        (REAL / "dlt_vehicles_by_fuel_province_25690228.json").read_text(encoding="utf-8")
    )
    codes = provinces_by_thai_name()
    return {codes[row["th"]]: row for row in data["provinces"]}


def income_2015() -> dict[str, float]:
    codes = provinces_by_thai_name()
    path = REAL / "nso_household_income_2541_2558.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {codes[row["จังหวัด"]]: float(row["year-2558-2015"]) for row in csv.DictReader(handle)}


def satun() -> dict:
    return json.loads(SATUN.read_text(encoding="utf-8"))


def satun_population_total() -> int:
    prov = satun()["prov_thai"]
    return sum(prov["1"]) + sum(prov["2"])


# ---------------------------------------------------------------- the raw schema


def population_rows(code, period, counts, *, scope, modelled, source_id, extra=()):
    return [
        (code, period, sex, age, n, scope, modelled, source_id, SHA, *extra)
        for sex, ages in counts.items()
        for age, n in ages.items()
    ]


def halves(total: int) -> tuple[int, int]:
    return total // 2, total - total // 2


def satun_house_and_vital_2017() -> tuple[list[tuple], list[tuple]]:
    """The real Satun figures of 31 Dec 2017 from the bundled house-API and vital-event
    answers, through the real parsers (rows as warehouse.load lands them)."""
    from devtools.snapshots.build_dopa_house_snapshot import OUT_DIR
    from extract.parsers import dopa_house, dopa_vital_events
    from tests.conftest import parse_context

    index = json.loads((OUT_DIR / "index.json").read_text(encoding="utf-8"))
    house, vital = {}, {}
    for entry in index["entries"]:
        q = entry["query"]
        if q["yymmBegin"] != "6012" or q["cc"] != "91":
            continue
        content = (OUT_DIR / entry["file"]).read_bytes()
        if q["action"] == "193":
            house["offices"] = content
        elif q["action"] == "194":
            house[f"rcode={q['rcode']}"] = content
        else:
            event = {"statbirth": "births", "statdeath": "deaths", "statmovein": "moves_in",
                     "statmoveout": "moves_out"}[q["API"].split("/")[4]]  # fmt: skip
            vital[event] = content
    households = dopa_house.parse_parts(house, parse_context("dopa_households", "2017-12", province="91"))
    events = dopa_vital_events.parse_parts(vital, parse_context("dopa_vital_events", "2017-12", province="91"))
    return (
        [tuple(r.values()) for r in households.to_pylist()],
        [tuple(r.values()) for r in events.to_pylist()],
    )


def raw_rows() -> dict[str, list[tuple]]:
    rows: dict[str, list[tuple]] = {table: [] for table in OTHER_RAW_TABLES}
    rows["dopa_population"] = []
    rows["dopa_population_thai"] = []
    rows["landing_manifests"] = []
    # all nationalities, 77 provinces: 2020 totals at age 30, 2021 bands at ages 10/40/70
    for code, total in province_totals_2020().items():
        male, female = halves(total)
        rows["dopa_population"] += population_rows(
            code, POP_2020, {"male": {30: male}, "female": {30: female}},
            scope="all_nationalities", modelled=True, source_id="dopa_population",
        )  # fmt: skip
    for code, bands in province_bands_2021().items():
        counts = {"male": {}, "female": {}}
        for age, band in ((10, "<20"), (40, "20-60"), (70, ">60")):
            counts["male"][age], counts["female"][age] = halves(bands[band])
        rows["dopa_population"] += population_rows(
            code, POP_2021, counts,
            scope="all_nationalities", modelled=True, source_id="dopa_population",
        )  # fmt: skip
    # real Satun, Thai nationals: the province and its 14 registration offices
    sample = satun()
    sexes = {"1": "male", "2": "female"}
    rows["dopa_population_thai"] += population_rows(
        "91", SATUN_PERIOD,
        {sexes[k]: dict(enumerate(v)) for k, v in sample["prov_thai"].items()},
        scope="thai_nationals", modelled=False, source_id="dopa_population_thai",
    )  # fmt: skip
    for office in sample["offices"]:
        (amphoe,) = office["aa"]
        district = f"91{int(amphoe):02d}"
        ages = sample["office_thai"][office["rcode"]]
        rows["dopa_population_district_thai"] += population_rows(
            district, SATUN_PERIOD, {sexes[k]: dict(enumerate(v)) for k, v in ages.items()},
            scope="thai_nationals", modelled=False, source_id="dopa_population_district_thai",
            extra=(office["rcode"],),
        )  # fmt: skip
    # DLT fleet, 77 provinces, no breakdown by vehicle type (the rebuilt bucket)
    labels = {"battery_electric": "ไฟฟ้า", "hybrid": "เบนซิน-ไฟฟ้า", "plug_in_hybrid": "เบนซิน-ไฟฟ้าแบบเสียบปลั๊ก",
              "diesel": "ดีเซล", "other": "เบนซิน"}  # fmt: skip
    for code, row in fleet().items():
        by_class = {"battery_electric": row["bev"], "hybrid": row["hybrid"],
                    "plug_in_hybrid": row["phev"], "diesel": row["diesel"]}  # fmt: skip
        by_class["other"] = row["total"] - sum(by_class.values())
        rows["dlt_vehicles_by_fuel"] += [
            (code, VEHICLES_AS_AT, "ไม่จำแนก", "ไม่จำแนกประเภทรถ", "unclassified", labels[fuel], fuel, n,
             row["th"], False, "dlt_vehicles_by_fuel", SHA)
            for fuel, n in by_class.items()
        ]  # fmt: skip
    # A made-up fleet of Satun a year earlier, every vehicle typed, with Land Transport
    # Act rows, so the vehicle-type indicators have input (test data, not DLT's).
    for legal, vtype, category, label, fuel, n in TYPED_FLEET_91:
        rows["dlt_vehicles_by_fuel"].append(
            ("91", TYPED_FLEET_AS_AT, legal, vtype, category, label, fuel, n, "สตูล", True,
             "dlt_vehicles_by_fuel", SHA)
        )  # fmt: skip
    # DLT new registrations: the real files of Feb 2568 and Feb 2569 BE
    for name, period in NEW_REGISTRATION_FILES:
        body = (REAL_SNAPSHOT_DIR / "dlt_new_registrations" / name).read_bytes()
        table = dlt_new_registrations.parse_table(body, parse_context("dlt_new_registrations", period))
        rows["dlt_new_registrations"] += [
            (r["area_code"], r["period"], r["legal_class"], r["vehicle_type"], r["vehicle_category"],
             r["registrations"], False, "dlt_new_registrations", SHA)
            for r in table.to_pylist()
        ]  # fmt: skip
    for (code, year), deaths in ROAD_DEATHS.items():
        rows["rtddi_road_deaths"].append(
            (code, year, dt.date(year, 12, 31), deaths, code, False, "rtddi_road_deaths", SHA)
        )
    for (code, utility, period), classes in ELECTRICITY.items():
        rows["electricity_sales"] += [
            (code, period, customer_class, kwh, customers, utility, False, "electricity_sales", SHA)
            for customer_class, (kwh, customers) in classes.items()
        ]
    rows["nso_household_income"] = [
        (code, 2015, dt.date(2015, 12, 31), baht, code, False, "nso_household_income", SHA)
        for code, baht in income_2015().items()
    ]
    for n, ((code, first_day), (non_hazardous, hazardous)) in enumerate(WASTE.items()):
        month_end = (first_day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        rows["diw_industrial_waste"].append(
            (code, month_end, non_hazardous, hazardous, non_hazardous + hazardous, code, n + 1, None,
             dt.date(2021, 12, 31), False, "diw_industrial_waste", SHA)
        )  # fmt: skip
    rows["dopa_households"], rows["dopa_vital_events"] = satun_house_and_vital_2017()
    # DOPA's real stat_a68 file: every registration office at 31 December 2568 BE
    stat_a = (REAL_SNAPSHOT_DIR / "dopa_stat_a68.txt").read_bytes()
    table = dopa_stat_yearly.parse_table(stat_a, parse_context("dopa_stat_yearly", STAT_A_PERIOD, feed="a"))
    rows["dopa_stat_yearly"] = [tuple(r.values()) for r in table.to_pylist()]
    rows["source_status"] = SOURCE_STATUS
    rows["landing_manifests"] = [
        (source, period, "all", "downloaded", f"http://127.0.0.1/{source}/{period}", SHA, 1000,
         10, fetched_at, None, None, False, None, "DGA Open Government License (Thailand)",
         source.split("_")[0], "1")
        for source, period, fetched_at in MANIFESTS
    ]  # fmt: skip
    return rows


def write_all_raw(build_path: Path, *, empty: bool = False) -> None:
    """The raw schema as warehouse.load leaves it; every table empty when ``empty``."""
    import duckdb

    tables = {
        "dopa_population": POPULATION_COLUMNS,
        "dopa_population_thai": POPULATION_COLUMNS,
        "landing_manifests": MANIFEST_COLUMNS,
        **OTHER_RAW_TABLES,
    }
    rows = {} if empty else raw_rows()
    with duckdb.connect(str(build_path)) as con:
        con.execute("create schema raw; create schema meta")
        for table, columns in tables.items():
            con.execute(f"create table raw.{table} ({columns})")
            if rows.get(table):
                marks = ", ".join("?" * len(rows[table][0]))
                con.executemany(f"insert into raw.{table} values ({marks})", rows[table])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dbt_dimensions")
    build_path = tmp / "build.duckdb"
    write_all_raw(build_path)
    # the unit tests do not depend on the data: test_dbt_project's build runs them
    return run_build(tmp, build_path, unit_tests=False, warnings=STAT_A_WARNINGS)


def catalogue() -> dict[str, dict]:
    with (SEED_DIR / "indicator_catalogue.csv").open(encoding="utf-8", newline="") as handle:
        return {row["indicator_code"]: row for row in csv.DictReader(handle)}


def indicator(path: Path, area_code: str, period: dt.date, code: str) -> dict:
    rows = query(
        path,
        "select * from marts.mart_area_indicators "
        "where area_code = ? and period = ? and indicator_code = ?",
        [area_code, period, code],
    )
    assert len(rows) == 1, f"{code} of {area_code} at {period}: {len(rows)} rows"
    return rows[0]


def absent(path: Path, area_code: str, period: dt.date, code: str) -> bool:
    return not query(
        path,
        "select 1 from marts.mart_area_indicators "
        "where area_code = ? and period = ? and indicator_code = ?",
        [area_code, period, code],
    )


# ---------------------------------------------------------------- the tests


def test_every_dimension_mart_has_a_value_for_each_of_its_indicators(built):
    by_dimension: dict[str, list[str]] = {}
    for code, row in catalogue().items():
        by_dimension.setdefault(row["dimension"], []).append(code)
    assert set(by_dimension) == set(DIMENSIONS)
    for dimension in DIMENSIONS:
        table = f"marts.mart_dimension_{dimension}"
        columns = [c["column_name"] for c in query(built["path"], f"describe {table}")]
        assert columns[:2] == ["area_code", "period"]
        assert columns[2 : 2 + len(by_dimension[dimension])] == by_dimension[dimension]
        counts = query(
            built["path"],
            "select "
            + ", ".join(f"count({c}) as {c}" for c in by_dimension[dimension])
            + f" from {table}",
        )[0]
        assert all(n >= 1 for n in counts.values()), (dimension, counts)
        keys = query(
            built["path"],
            f"select count(*) as n, count(distinct (area_code, period)) as k from {table}",
        )[0]
        assert keys["n"] == keys["k"] > 0
    profile = [c["column_name"] for c in query(built["path"], "describe marts.mart_area_profile")]
    assert set(catalogue()) <= set(profile)


def test_mart_area_indicators_holds_every_catalogued_indicator(built):
    rows = query(
        built["path"],
        "select indicator_code, dimension, unit, count(*) as n "
        "from marts.mart_area_indicators group by all",
    )
    found = {r["indicator_code"]: r for r in rows}
    assert set(found) == set(catalogue())  # every source has input here
    for code, row in catalogue().items():
        assert found[code]["dimension"] == row["dimension"]
        assert found[code]["unit"] == row["unit"]
    statuses = query(
        built["path"], "select distinct quality_status from marts.mart_area_indicators"
    )
    assert {r["quality_status"] for r in statuses} == {
        "ok", "partial_coverage", "partial_scope", "stale"
    }  # fmt: skip


def test_districts_flow_in_and_add_up_to_the_province(built):
    path = built["path"]
    districts = query(
        path,
        "select area_code, population_scope, population_total from marts.mart_area_ageing "
        "where length(area_code) = 4 and period = ? order by area_code",
        [SATUN_PERIOD],
    )
    assert [d["area_code"] for d in districts] == [f"910{i}" for i in range(1, 8)]
    assert {d["population_scope"] for d in districts} == {"thai_nationals"}
    assert sum(d["population_total"] for d in districts) == satun_population_total() == 322_634
    # every age and sex: the seven districts add up to the province
    mismatches = query(
        path,
        """
        with d as (
            select sex, age, sum(population) as n from marts.fct_population_by_age
            where length(area_code) = 4 and left(area_code, 2) = '91' and period = ?
            group by all
        ), p as (
            select sex, age, population as n from marts.fct_population_by_age
            where area_code = '91' and period = ?
        )
        select * from p full join d using (sex, age) where p.n is distinct from d.n
        """,
        [SATUN_PERIOD, SATUN_PERIOD],
    )
    assert mismatches == []
    reconciled = query(
        path,
        "select bool_and(is_complete) as complete, count(*) as n, "
        "sum(province_population) as p, sum(districts_population) as d "
        "from intermediate.int_population_districts_reconciled",
    )[0]
    assert reconciled == {"complete": True, "n": 204, "p": 322_634, "d": 322_634}
    # the country sums provinces only: Sep 2026 is Satun alone, not Satun plus its districts
    country = query(
        path,
        "select population_total from marts.mart_area_ageing where area_code = 'TH' and period = ?",
        [SATUN_PERIOD],
    )
    assert country == [{"population_total": 322_634}]
    level = query(
        path,
        "select distinct area_level from marts.mart_area_profile where area_code like '910_'",
    )
    assert level == [{"area_level": "district"}]


def test_vehicles_per_1000_use_the_matching_or_nearest_population(built):
    path = built["path"]
    period = dt.date(2026, 2, 28)
    fleets = fleet()
    # Bangkok: nearest population month is Jun 2021 (all nationalities)
    bangkok = indicator(path, "10", period, "vehicles_per_1000_people")
    bands = province_bands_2021()["10"]
    assert bangkok["value"] == pytest.approx(1000 * fleets["10"]["total"] / bands["total"])
    assert bangkok["source_vintage"] == "2026-02 (population 2021-06)"
    assert bangkok["source_id"] == "dlt_vehicles_by_fuel,dopa_population"
    assert bangkok["quality_status"] == "ok"
    assert bangkok["is_modelled"] is True  # the population's age split is made up here
    # Satun: Sep 2026 (Thai nationals) is nearer than Jun 2021: partial scope
    satun_row = indicator(path, "91", period, "vehicles_per_1000_people")
    assert satun_row["value"] == pytest.approx(
        1000 * fleets["91"]["total"] / satun_population_total()
    )
    assert satun_row["source_vintage"] == "2026-02 (population 2026-09)"
    assert satun_row["quality_status"] == "partial_scope"
    assert satun_row["is_modelled"] is False
    # the country: only a population covering all 77 provinces qualifies (not Sep 2026)
    country = indicator(path, "TH", period, "vehicles_per_1000_people")
    assert country["value"] == pytest.approx(1000 * 44_290_957 / 66_181_932)
    assert country["source_vintage"] == "2026-02 (population 2021-06)"
    # the wide mart records the population month used
    mobility = query(
        path,
        "select area_code, population_period, vehicles_registered, bev_share_of_fleet, "
        "electrified_share_of_fleet, quality_status from marts.mart_dimension_mobility "
        "where period = ? and area_code in ('10', '91', 'TH') order by area_code",
        [period],
    )
    assert [(r["area_code"], r["population_period"]) for r in mobility] == [
        ("10", POP_2021), ("91", SATUN_PERIOD), ("TH", POP_2021)
    ]  # fmt: skip
    th = mobility[2]
    assert th["vehicles_registered"] == 44_290_957
    assert th["bev_share_of_fleet"] == pytest.approx(419_410 / 44_290_957)
    assert th["electrified_share_of_fleet"] == pytest.approx(
        (419_410 + 635_755 + 84_294) / 44_290_957
    )
    assert th["quality_status"] == "ok"
    assert mobility[1]["quality_status"] == "partial_scope"
    diesel = indicator(path, "TH", period, "diesel_share_of_fleet")
    assert diesel["value"] == pytest.approx(11_697_547 / 44_290_957)
    assert diesel["dimension"] == "environment"


def test_road_deaths_are_per_100k_of_the_same_year_and_stale(built):
    path = built["path"]
    row = indicator(path, "50", dt.date(2020, 12, 31), "road_deaths_per_100k")
    assert row["value"] == pytest.approx(100_000 * 489 / province_totals_2020()["50"])
    assert row["source_vintage"] == "2020-12 (population 2020-12)"
    assert row["quality_status"] == "stale"
    earlier = indicator(path, "50", dt.date(2019, 12, 31), "road_deaths_per_100k")
    assert earlier["source_vintage"] == "2019-12 (population 2020-12)"
    # three provinces are not the country: no national rate, a partial and stale 'TH' sum
    assert absent(path, "TH", dt.date(2020, 12, 31), "road_deaths_per_100k")
    fct = query(
        path,
        "select deaths, quality_status from marts.fct_road_deaths "
        "where area_code = 'TH' and year = 2020",
    )
    assert fct == [{"deaths": 932 + 489 + 58, "quality_status": "stale"}]


def test_industrial_waste_is_yearly_for_complete_years_per_december_population(built):
    path = built["path"]
    dec20, dec21 = dt.date(2020, 12, 31), dt.date(2021, 12, 31)
    population = province_totals_2020()["10"]
    per_1000 = indicator(path, "10", dec20, "industrial_waste_tonnes_per_1000_people")
    assert per_1000["value"] == pytest.approx(1000 * 12 * 1200 / population)
    assert per_1000["source_vintage"] == "2020-12 (population 2020-12)"
    assert per_1000["dimension"] == "environment" and per_1000["quality_status"] == "ok"
    # 2021 divides by December 2020, not by the nearer June 2021: a year-end population
    later = indicator(path, "10", dec21, "industrial_waste_tonnes_per_1000_people")
    assert later["value"] == pytest.approx(1000 * 12 * 1800 / population)
    assert later["source_vintage"] == "2021-12 (population 2020-12)"
    assert indicator(path, "10", dec21, "hazardous_waste_share")["value"] == pytest.approx(300 / 1800)
    assert indicator(path, "10", dec21, "industrial_waste_change_yoy")["value"] == pytest.approx(0.5)
    assert absent(path, "10", dec20, "industrial_waste_change_yoy")  # no 2019
    # Satun's 2021 is six months: no yearly value of any kind
    assert indicator(path, "91", dec20, "hazardous_waste_share")["value"] == pytest.approx(2.5 / 42.5)
    for code in ("industrial_waste_tonnes_per_1000_people", "hazardous_waste_share",
                 "industrial_waste_change_yoy", "industrial_waste_tonnes_per_km2"):
        assert absent(path, "91", dec21, code), code
    # two provinces are not the country: shares flagged, no national per-1000 value
    assert indicator(path, "TH", dec20, "hazardous_waste_share")["quality_status"] == "partial_coverage"
    assert absent(path, "TH", dec20, "industrial_waste_tonnes_per_1000_people")
    wide = query(path, "select * from marts.mart_dimension_environment where area_code = '10' and period = ?",
                 [dec21])[0]  # fmt: skip
    assert wide["industrial_waste_change_yoy"] == pytest.approx(0.5)
    (bangkok,) = query(path, "select area_km2 from marts.dim_area where area_code = '10'")
    assert bangkok["area_km2"] == pytest.approx(1568.737)  # its 50 khet in the gazetteer
    assert wide["industrial_waste_tonnes_per_km2"] == pytest.approx(12 * 1800 / bangkok["area_km2"])
    assert absent(path, "TH", dec20, "industrial_waste_tonnes_per_km2")  # the country has no area
    monthly = query(path, "select * from marts.fct_industrial_waste where area_code = 'TH' and period in (?, ?) "
                          "order by period", [dt.date(2021, 6, 30), dt.date(2021, 7, 31)])  # fmt: skip
    assert [(r["total_tonnes"], r["hazardous_tonnes"], r["quality_status"]) for r in monthly] == [
        (1800 + 48, 303, "partial_coverage"), (1800, 300, "partial_coverage")]


def test_electricity_indicators(built):
    path = built["path"]
    dec25 = dt.date(2025, 12, 31)
    bangkok = ELECTRICITY[("10", "MEA", dec25)]
    kwh = sum(k for k, _ in bangkok.values())
    population = province_bands_2021()["10"]["total"]
    per_person = indicator(path, "10", dec25, "electricity_kwh_per_person")
    assert per_person["value"] == pytest.approx(kwh / population)
    assert per_person["source_vintage"] == "2025-12 (population 2021-06)"
    co2 = indicator(path, "10", dec25, "co2_from_electricity_tonnes_per_person")
    assert co2["value"] == pytest.approx(kwh * GRID_FACTOR_KG_PER_KWH / 1000 / population)
    assert co2["is_modelled"] is True
    # households from residential customers (published) ...
    household = indicator(path, "10", dec25, "electricity_kwh_per_household")
    assert household["value"] == pytest.approx(951_000_000 / 2_701_000)
    assert household["source_vintage"] == "2025-12"
    # ... or, where customers are not reported, from the assumed household size (modelled)
    satun_household = indicator(path, "91", dec25, "electricity_kwh_per_household")
    assert satun_household["value"] == pytest.approx(
        18_500_000 / (satun_population_total() / HOUSEHOLD_SIZE)
    )
    assert satun_household["is_modelled"] is True
    assert satun_household["quality_status"] == "partial_scope"
    growth = indicator(path, "50", dec25, "electricity_kwh_growth_yoy")
    assert growth["value"] == pytest.approx(
        (103_900_000 + 43_100_000) / (98_000_000 + 41_000_000) - 1
    )
    assert absent(path, "50", dt.date(2024, 12, 31), "electricity_kwh_growth_yoy")
    # the country over three provinces: growth flagged, no per-person value
    th_growth = indicator(path, "TH", dec25, "electricity_kwh_growth_yoy")
    assert th_growth["quality_status"] == "partial_coverage"
    assert absent(path, "TH", dec25, "electricity_kwh_per_person")
    energy = query(
        path,
        "select population_period, is_modelled, quality_status from marts.mart_dimension_energy "
        "where area_code = '91' and period = ?",
        [dec25],
    )
    assert energy == [
        {"population_period": SATUN_PERIOD, "is_modelled": True, "quality_status": "partial_scope"}
    ]
    fct = query(
        path,
        "select utility, sum(kwh) as kwh, count(customers) as with_customers, count(*) as n, "
        "min(quality_status) as status from marts.fct_electricity_consumption "
        "where area_code = 'TH' and period = ? group by utility order by utility",
        [dec25],
    )
    assert fct == [
        {"utility": "MEA", "kwh": kwh, "with_customers": 2, "n": 2, "status": "partial_coverage"},
        {"utility": "PEA", "kwh": 103_900_000 + 43_100_000 + 18_500_000 + 6_700_000,
         "with_customers": 0, "n": 2, "status": "partial_coverage"},
    ]  # fmt: skip


def test_income_and_governance_indicators(built):
    path = built["path"]
    income = indicator(path, "91", dt.date(2015, 12, 31), "household_income_monthly_baht")
    assert income["value"] == pytest.approx(income_2015()["91"])
    assert income["quality_status"] == "ok"  # not requested this run is not stale
    assert absent(path, "TH", dt.date(2015, 12, 31), "household_income_monthly_baht")
    # Satun, Sep 2026: the Thai-nationals province fetched 8 days after the month end
    freshness = indicator(path, "91", SATUN_PERIOD, "data_freshness_days")
    assert freshness["value"] == 8
    district = indicator(path, "9101", SATUN_PERIOD, "data_freshness_days")
    assert district["value"] == 9
    # road deaths of 2019 were fetched with the 2020 file (the source's latest manifest)
    stale = indicator(path, "50", dt.date(2019, 12, 31), "data_freshness_days")
    assert stale["value"] == (dt.date(2021, 8, 1) - dt.date(2019, 12, 31)).days
    assert stale["quality_status"] == "stale"
    # coverage share = indicators with a value / 21 catalogued (governance excluded)
    share = indicator(path, "10", dt.date(2026, 2, 28), "data_coverage_share")
    assert share["value"] == pytest.approx(5 / NON_GOVERNANCE_INDICATORS)


def test_coverage_lists_missing_and_modelled_values(built):
    path = built["path"]
    rows = query(
        path,
        "select * from meta.coverage where area_code = '10' and period = ? order by indicator_code",
        [dt.date(2026, 2, 28)],
    )
    assert len(rows) == len(catalogue())
    with_value = {r["indicator_code"] for r in rows if r["has_value"]}
    assert with_value == {
        "vehicles_registered", "vehicles_per_1000_people", "bev_share_of_fleet",
        "electrified_share_of_fleet", "diesel_share_of_fleet",
        "data_coverage_share", "data_freshness_days",
    }  # fmt: skip
    missing = {r["indicator_code"]: r for r in rows if not r["has_value"]}
    assert missing["population_total"]["source_id"] == "dopa_population"
    assert missing["population_total"]["source_vintage"] is None
    assert missing["population_total"]["is_modelled"] is None
    modelled = query(
        path,
        "select distinct indicator_code from meta.coverage where is_modelled and has_value "
        "and area_code = '50' and period = ?",
        [dt.date(2025, 12, 31)],
    )
    assert {"co2_from_electricity_tonnes_per_person", "electricity_kwh_per_person"} <= {
        r["indicator_code"] for r in modelled
    }
    # coverage agrees with the mart: one row with a value per row of mart_area_indicators
    counts = query(
        path,
        "select (select count(*) from meta.coverage where has_value) as covered, "
        "(select count(*) from marts.mart_area_indicators) as indicators",
    )[0]
    assert counts["covered"] == counts["indicators"]


def test_fct_marts_sum_provinces_into_the_country(built):
    path = built["path"]
    vehicles = query(
        path,
        "select fuel_class, vehicles, quality_status from marts.fct_vehicle_registrations "
        "where area_code = 'TH' and period = date '2026-02-28' order by fuel_class",
    )
    assert {r["fuel_class"]: r["vehicles"] for r in vehicles} == {
        "battery_electric": 419_410, "diesel": 11_697_547, "hybrid": 635_755,
        "plug_in_hybrid": 84_294,
        "other": 44_290_957 - 419_410 - 11_697_547 - 635_755 - 84_294,
    }  # fmt: skip
    assert {r["quality_status"] for r in vehicles} == {"ok"}  # all 77 provinces
    mismatches = query(
        path,
        """
        select p.period, p.fuel_class from (
            select period, vehicle_type, fuel_class, sum(vehicles) as n
            from marts.fct_vehicle_registrations where area_code <> 'TH' group by all
        ) as p
        join marts.fct_vehicle_registrations as c
            on c.area_code = 'TH' and c.period = p.period
            and c.vehicle_type = p.vehicle_type and c.fuel_class = p.fuel_class
        where c.vehicles <> p.n
        """,
    )
    assert mismatches == []
    unknown = query(
        path,
        "select distinct area_code from marts.mart_area_indicators "
        "where area_code not in (select area_code from marts.dim_area)",
    )
    assert unknown == []


def test_new_marts_enforce_documented_contracts(built):
    nodes = [
        node
        for node in built["manifest"]["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] in {"marts", "quality"}
    ]
    names = {node["name"] for node in nodes}
    assert {f"mart_dimension_{d}" for d in DIMENSIONS} | {
        "mart_area_profile", "fct_vehicle_registrations", "fct_electricity_consumption",
        "fct_road_deaths", "fct_industrial_waste", "coverage",
    } <= names  # fmt: skip
    for node in nodes:
        assert node["contract"]["enforced"], node["name"]
        schema = "meta" if node["fqn"][1] == "quality" else "marts"
        table_columns = query(built["path"], f"describe {schema}.{node['name']}")
        assert [c["column_name"] for c in table_columns] == list(node["columns"]), node["name"]
        for name, column in node["columns"].items():
            assert column["description"].strip(), f"{node['name']}.{name} undocumented"
            assert column["data_type"], f"{node['name']}.{name} has no data_type"
