"""Quality gate over small hand-made build files (no dbt, no network)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from expectations import QualityGateError, indicator_catalogue
from expectations.checks import (
    country_adds_up_to_provinces,
    districts_add_up_to_provinces,
    population_change_vs_previous_release,
    subdistricts_add_up_to_districts,
)
from expectations.gate import run_quality_gate
from tests.conftest import SATUN

pytestmark = pytest.mark.slow  # runs GX

PROVINCES = {  # DOPA code -> (name_en, name_th, region, rough population)
    "10": ("Bangkok", "กรุงเทพมหานคร", "central", 5_470_000),
    "50": ("Chiang Mai", "เชียงใหม่", "north", 1_790_000),
    "91": ("Satun", "สตูล", "south", 325_000),
}
PERIODS = (dt.date(2026, 8, 31), dt.date(2026, 9, 30))
REQUESTED = [(code, f"{p:%Y-%m}") for code in PROVINCES for p in PERIODS]

MARTS_DDL = """
create schema marts;
create table marts.dim_area (
    area_code varchar, area_level varchar, name_th varchar, name_en varchar,
    parent_code varchar, region varchar
);
create table marts.fct_population_by_age (
    area_code varchar, period date, sex varchar, age smallint, population bigint,
    is_modelled boolean, population_scope varchar
);
create table marts.mart_area_indicators (
    area_code varchar, period date, dimension varchar, indicator_code varchar,
    value double, unit varchar, source_id varchar, source_vintage varchar,
    is_modelled boolean, quality_status varchar
);
"""

SATUN_DISTRICTS = {  # the other districts of Satun besides 9101 (ref_districts)
    "9102": ("ควนโดน", "Khuan Don"), "9103": ("ควนกาหลง", "Khuan Kalong"),
    "9104": ("ท่าแพ", "Tha Phae"), "9105": ("ละงู", "La-Ngu"), "9106": ("ทุ่งหว้า", "Thung Wa"),
    "9107": ("มะนัง", "Manang"),
}  # fmt: skip
VEHICLES_AS_AT = dt.date(2026, 2, 28)
# DLT registered vehicles at 28 Feb 2026 (real): total, battery-electric, hybrid, plug-in, diesel
FLEET = {
    "10": (12_372_559, 271_659, 430_349, 67_986, 3_201_661),
    "50": (1_657_767, 15_239, 20_044, 2_096, 391_358),
    "91": (139_604, 705, 1_115, 64, 40_652),
}
FUEL_CLASSES = ("battery_electric", "hybrid", "plug_in_hybrid", "diesel", "other")


def _wide_columns(indicators) -> str:
    return ", ".join(f"{i.code} double" for i in indicators)


# the marts of the energy, transport, economy and district issue, with their contract columns
NEW_MARTS_DDL = (
    """
create table marts.fct_vehicle_registrations (
    area_code varchar, period date, vehicle_type varchar, fuel_class varchar, vehicles bigint,
    is_modelled boolean, quality_status varchar
);
create table marts.fct_electricity_consumption (
    area_code varchar, period date, customer_class varchar, kwh double, customers bigint,
    utility varchar, is_modelled boolean, quality_status varchar
);
create table marts.fct_vehicle_new_registrations (
    area_code varchar, period date, legal_class varchar, vehicle_type varchar,
    vehicle_category varchar, registrations bigint, is_modelled boolean, quality_status varchar
);
create table marts.fct_road_deaths (
    area_code varchar, period date, year integer, deaths bigint, is_modelled boolean,
    quality_status varchar
);
create table marts.fct_industrial_waste (
    area_code varchar, period date, non_hazardous_tonnes double, hazardous_tonnes double,
    total_tonnes double, is_modelled boolean, quality_status varchar
);
"""
    + "".join(
        f"create table marts.mart_dimension_{d} (area_code varchar, period date, "
        f"{_wide_columns(indicator_catalogue.of_dimension(d))}, population_period date, "
        "is_modelled boolean, quality_status varchar);\n"
        for d in indicator_catalogue.DIMENSIONS
    )
    + "create table marts.mart_area_profile (area_code varchar, period date, "
    "area_level varchar, name_th varchar, name_en varchar, "
    f"{_wide_columns(indicator_catalogue.indicators())}, population_period date, "
    "is_modelled boolean, quality_status varchar);\n"
)


def _fleet_rows() -> list[tuple]:
    rows = []
    for code, (total, bev, hybrid, phev, diesel) in FLEET.items():
        counts = (bev, hybrid, phev, diesel, total - bev - hybrid - phev - diesel)
        rows += [
            (code, VEHICLES_AS_AT, "all", fuel, n, False, "ok")
            for fuel, n in zip(FUEL_CLASSES, counts, strict=True)
        ]
    country = {}
    for row in rows:
        country[row[3]] = country.get(row[3], 0) + row[4]
    rows += [
        ("TH", VEHICLES_AS_AT, "all", f, n, False, "partial_coverage") for f, n in country.items()
    ]
    return rows


NEW_MARTS_ROWS = """
insert into marts.mart_dimension_mobility (
    area_code, period, vehicles_registered, bev_share_of_fleet, electrified_share_of_fleet,
    is_modelled, quality_status
)
select
    area_code, period, sum(vehicles),
    sum(vehicles) filter (where fuel_class = 'battery_electric') / sum(vehicles),
    sum(vehicles) filter (where fuel_class in ('battery_electric', 'hybrid', 'plug_in_hybrid'))
        / sum(vehicles),
    false, min(quality_status)
from marts.fct_vehicle_registrations
group by all;
"""
ELECTRICITY_AND_ROAD_DEATHS = """
insert into marts.fct_electricity_consumption values
    ('10', date '2025-12-31', 'residential', 951000000.5, 2701000, 'MEA', false, 'ok'),
    ('91', date '2025-12-31', 'residential', 18500000.25, null, 'PEA', false, 'ok'),
    ('TH', date '2025-12-31', 'residential', 951000000.5, 2701000, 'MEA', false, 'partial_coverage'),
    ('TH', date '2025-12-31', 'residential', 18500000.25, null, 'PEA', false, 'partial_coverage');
insert into marts.fct_road_deaths values
    ('50', date '2020-12-31', 2020, 489, false, 'stale'),
    ('91', date '2020-12-31', 2020, 58, false, 'stale'),
    ('TH', date '2020-12-31', 2020, 547, false, 'stale');
insert into marts.fct_industrial_waste values
    ('10', date '2023-06-30', 10691.651, 4871.997, 15563.648, false, 'ok'),
    ('91', date '2023-06-30', 17.5, 0.25, 17.75, false, 'ok'),
    ('TH', date '2023-06-30', 10709.151, 4872.247, 15581.398, false, 'partial_coverage');
"""


def add_energy_and_transport(build: Path, *, electricity_and_road_deaths: bool = True) -> None:
    """Rows in the vehicle and mobility marts (and the electricity and road-death ones),
    consistent with each other."""
    _insert(build, "marts.fct_vehicle_registrations", _fleet_rows())
    sql(build, NEW_MARTS_ROWS)
    if electricity_and_road_deaths:
        sql(build, ELECTRICITY_AND_ROAD_DEATHS)


# mart_area_ageing derived from the single-year rows the way the dbt mart defines it
AGEING_SQL = """
create table marts.mart_area_ageing as
with counts as (
    select
        area_code, period, population_scope,
        bool_or(is_modelled) as is_modelled,
        sum(population) as population_total,
        sum(population) filter (where sex = 'male') as population_male,
        sum(population) filter (where sex = 'female') as population_female,
        sum(population) filter (where age <= 14) as pop_0_14,
        sum(population) filter (where age between 15 and 64) as pop_15_64,
        sum(population) filter (where age >= 60) as pop_60_plus,
        sum(population) filter (where age >= 65) as pop_65_plus,
        sum(population) filter (where age >= 80) as pop_80_plus
    from marts.fct_population_by_age
    group by all
),
final as (
    select
        area_code, period,
        population_total, population_male, population_female,
        pop_0_14, pop_15_64, pop_60_plus, pop_65_plus, pop_80_plus,
        pop_60_plus / population_total as share_60_plus,
        pop_65_plus / population_total as share_65_plus,
        pop_80_plus / population_total as share_80_plus,
        100.0 * pop_65_plus / pop_15_64 as old_age_dependency_ratio,
        100.0 * (pop_0_14 + pop_65_plus) / pop_15_64 as total_dependency_ratio,
        100.0 * pop_60_plus / pop_0_14 as ageing_index,
        100.0 * population_male / population_female as sex_ratio,
        case
            when pop_60_plus / population_total >= 0.28 then 'super_aged'
            when pop_60_plus / population_total >= 0.20 then 'aged'
            when pop_60_plus / population_total >= 0.10 then 'ageing'
            else 'not_ageing'
        end as ageing_stage,
        is_modelled, population_scope,
        1 as provinces_covered
    from counts
)
select * from final
"""


def _population(code: str, period: dt.date, sex: str, age: int) -> int:
    """A plausible Thai age profile: flat to 60, then thinning out; more women at old age."""
    total = PROVINCES[code][3] * (1.0 + 0.0004 * (period.month - 8))
    weight = 1.0 if age < 60 else max(0.02, 1.0 - (age - 60) * 0.045)
    if sex == "female" and age >= 60:
        weight *= 1.25
    return int(total / 2 / 75 * weight) + age % 7


def build_file(
    path: Path, *, provinces=PROVINCES, periods=PERIODS, scale: dict | None = None
) -> Path:
    """A build file with the marts, consistent with each other."""
    scale = scale or {}
    fct_rows = [
        (
            code,
            period,
            sex,
            age,
            round(_population(code, period, sex, age) * scale.get((code, period), 1.0)),
            False,
            "all_nationalities",
        )
        for code in provinces
        for period in periods
        for sex in ("male", "female")
        for age in range(102)
    ]
    # real figures: Thai nationals of Satun (91) and Mueang Satun district (9101), Sep 2026
    satun = json.loads(SATUN.read_text(encoding="utf-8"))
    for code, by_sex in (("91", satun["prov_thai"]), ("9101", satun["office_thai"]["9101"])):
        fct_rows += [
            (code, PERIODS[1], sex, age, n, False, "thai_nationals")
            for sex_code, sex in (("1", "male"), ("2", "female"))
            for age, n in enumerate(by_sex[sex_code])
        ]
    indicator_rows = [
        (
            code,
            period,
            "people",
            "ageing_share_60_plus",
            0.2,
            "fraction",
            "dopa_population",
            f"{period:%Y-%m}",
            False,
            "ok",
        )
        for code in provinces
        for period in periods
    ]
    con = duckdb.connect(str(path))
    try:
        con.execute(MARTS_DDL)
        con.executemany(
            "insert into marts.dim_area values (?, ?, ?, ?, ?, ?)",
            [
                ("TH", "country", "ประเทศไทย", "Thailand", None, None),
                *(
                    (code, "province", th, en, "TH", region)
                    for code, (en, th, region, _) in PROVINCES.items()
                ),
                ("9101", "district", "เมืองสตูล", "Mueang Satun", "91", "south"),
                *(
                    (code, "district", th, en, "91", "south")
                    for code, (th, en) in SATUN_DISTRICTS.items()
                ),
            ],
        )
        for table, rows in (
            ("fct_population_by_age", fct_rows),
            ("mart_area_indicators", indicator_rows),
        ):
            columns = [c[0] for c in con.execute(f"describe marts.{table}").fetchall()]
            batch = pa.table(dict(zip(columns, zip(*rows, strict=True), strict=True)))  # noqa: F841
            con.execute(f"insert into marts.{table} select * from batch")
        con.execute(AGEING_SQL)
        con.execute(NEW_MARTS_DDL)  # empty, as in a run that only asked for population
    finally:
        con.close()
    return path


def ageing_frame(path: Path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql("select * from marts.mart_area_ageing").df()
    finally:
        con.close()


def sql(path: Path, statement: str, *params):
    con = duckdb.connect(str(path))
    try:
        return con.execute(statement, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def clean_template(tmp_path_factory) -> Path:
    return build_file(tmp_path_factory.mktemp("gate") / "clean.duckdb")


@pytest.fixture
def build(clean_template, tmp_path) -> Path:
    return Path(shutil.copy(clean_template, tmp_path / "build.duckdb"))


def gate(build: Path, tmp_path: Path, **kwargs):
    kwargs.setdefault("requested", REQUESTED)
    kwargs.setdefault("previous_release", None)
    return run_quality_gate(build, run_id="test-run", docs_dir=tmp_path / "docs", **kwargs)


def results(build: Path, where: str = "true", *params):
    return sql(
        build,
        "select suite, check_name, severity, success, area_code, period, unexpected_count, observed "
        f"from meta.quality_results where {where} order by all",
        *params,
    )


def test_clean_build_passes_and_records_results(build, tmp_path):
    result = gate(build, tmp_path)

    assert result.passed
    assert result.blocking_failed == 0
    assert result.warnings == 0 and result.warning_messages == ()
    assert result.checks_evaluated > 20
    assert result.docs_index == tmp_path / "docs" / "index.html"
    index = result.docs_index.read_text()
    for suite in ("mart_area_ageing", "fct_population_by_age", "mart_area_indicators"):
        assert suite in index
    assert list((tmp_path / "docs" / "validations" / "mart_area_ageing").rglob("*.html"))

    rows = results(build)
    assert len(rows) == result.results_written >= result.checks_evaluated
    assert {r[0] for r in rows} >= {
        "mart_area_ageing",
        "fct_population_by_age",
        "mart_area_indicators",
    }
    assert all(r[3] for r in rows), [r for r in rows if not r[3]]
    assert {r[2] for r in rows} == {"blocking", "warning"}
    checks = {r[1] for r in rows}
    assert {
        "table is not empty",
        "median share_60_plus in [0.03, 0.45]",
        "both sexes present",
        "requested slice present",
        "population sums to mart_area_ageing population_total",
    } <= checks
    # row-level rules are dbt data tests only (tests/test_dbt_row_rules.py)
    assert not checks & {"male+female=total", "0-14 + 15-64 + 65+ = total", "sex accepted values"}
    # every row carries the run and a UTC check time
    assert sql(build, "select distinct run_id from meta.quality_results") == [("test-run",)]
    (checked_at,) = sql(build, "select distinct checked_at from meta.quality_results")[0]
    assert abs(checked_at - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(minutes=5)

    # a retried gate task replaces its own rows instead of duplicating them
    again = gate(build, tmp_path)
    assert sql(build, "select count(*) from meta.quality_results")[0][0] == again.results_written


def test_ageing_totals_that_do_not_match_the_ages_are_blocking(build, tmp_path):
    # (male + female = total within a row is a dbt data test: tests/test_dbt_row_rules.py)
    sql(
        build,
        "update marts.mart_area_ageing set population_total = population_total + 7 "
        "where area_code = '91' and period = date '2026-09-30' and population_scope = 'all_nationalities'",
    )

    with pytest.raises(QualityGateError) as caught:
        gate(build, tmp_path)

    message = str(caught.value)
    assert message.startswith("quality gate failed: ")
    assert (
        "fct_population_by_age population sums to mart_area_ageing population_total fails for "
        "area 91 period 2026-09"
    ) in message
    assert "area 10" not in message and "area 50" not in message
    # results were written before raising; the failing row names area and period
    failed = results(build, "not success and severity = 'blocking'")
    assert [(r[1], r[4], r[5]) for r in failed] == [
        ("population sums to mart_area_ageing population_total", "91", dt.date(2026, 9, 30))
    ]
    assert caught.value.result.blocking_failed == 1
    assert caught.value.failures == [message.removeprefix("quality gate failed: ")]
    assert caught.value.result.docs_index.is_file()


def test_negative_count_is_blocking_by_its_totals(build, tmp_path):
    sql(
        build,
        "update marts.fct_population_by_age set population = -5 "
        "where area_code = '50' and period = date '2026-08-31' and sex = 'male' and age = 3",
    )
    sql(
        build,
        "update marts.fct_population_by_age set population = -1 where area_code = '9101' "
        "and population_scope = 'thai_nationals' and sex = 'female' and age in (100, 101)",
    )

    with pytest.raises(QualityGateError) as caught:
        gate(build, tmp_path)

    # population >= 0 is a dbt data test (tests/test_dbt_row_rules.py); the gate sees
    # that the mart totals no longer match the single-year rows
    assert (
        "population sums to mart_area_ageing population_total fails for area 50 period 2026-08"
    ) in str(caught.value)
    rows = sql(
        build,
        "select check_name, area_code, period, population_scope, unexpected_count "
        "from meta.quality_results where not success and severity = 'blocking' order by all",
    )
    assert rows == [
        (
            "population sums to mart_area_ageing population_total",
            "50",
            dt.date(2026, 8, 31),
            "all_nationalities",
            1,
        ),
        (
            "population sums to mart_area_ageing population_total",
            "9101",
            dt.date(2026, 9, 30),
            "thai_nationals",
            1,
        ),
    ]


def test_many_failures_are_listed_up_to_ten(build, tmp_path):
    # every slice (8) has a total one off its single-year rows; 4 requested slices missing
    sql(build, "update marts.mart_area_ageing set population_total = population_total + 1")
    requested = [*REQUESTED, *((code, f"{p:%Y-%m}") for code in ("11", "12") for p in PERIODS)]

    with pytest.raises(QualityGateError) as caught:
        gate(build, tmp_path, requested=requested)

    failures = caught.value.failures
    assert len(failures) == 8 + 4
    assert caught.value.result.blocking_failed == 2
    assert (
        sum(
            f.startswith("mart_area_ageing requested slice present fails for area ")
            for f in failures
        )
        == 4
    )
    total = "fct_population_by_age population sums to mart_area_ageing population_total fails"
    assert sum(f.startswith(total) for f in failures) == 8
    assert (
        "mart_area_ageing requested slice present fails for area 11 period 2026-08 "
        "(no rows in mart_area_ageing)"
    ) in failures
    message = str(caught.value)
    assert message == "quality gate failed: " + "; ".join(failures[:10]) + "; and 2 more"


def test_missing_requested_province_is_blocking_no_data_slice_is_warning(build, tmp_path):
    requested = [*REQUESTED, ("96", "2026-09"), ("95", "2026-09")]

    with pytest.raises(QualityGateError) as caught:
        gate(build, tmp_path, requested=requested, no_data=[("95", "2026-09")])

    assert caught.value.failures == [
        "mart_area_ageing requested slice present fails for area 96 period 2026-09 "
        "(no rows in mart_area_ageing)"
    ]
    assert "area 95" not in str(caught.value)
    result = caught.value.result
    assert result.blocking_failed == 1
    assert any(
        "area 95 period 2026-09" in w and "no data yet" in w for w in result.warning_messages
    )
    rows = results(build, "not success")
    assert (
        "mart_area_ageing",
        "requested slice present",
        "blocking",
        False,
        "96",
        dt.date(2026, 9, 30),
    ) in [r[:6] for r in rows]
    assert (
        "mart_area_ageing",
        "slice reported as no data yet",
        "warning",
        False,
        "95",
        dt.date(2026, 9, 30),
    ) in [r[:6] for r in rows]


def test_no_data_slice_alone_passes_with_warning(build, tmp_path):
    result = gate(
        build, tmp_path, requested=[*REQUESTED, ("95", "2026-09")], no_data=[("95", "2026-09")]
    )

    assert result.passed and result.blocking_failed == 0
    assert result.warnings == 1
    assert result.warning_messages == (
        "mart_area_ageing slice reported as no data yet fails for area 95 period 2026-09 "
        "(publisher reported no data yet; no rows in mart_area_ageing)",
    )


def _digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_large_move_vs_previous_release_is_a_warning(build, tmp_path):
    # previous release: Satun 2026-09 was 10% smaller, Chiang Mai 2026-08 3% smaller
    previous = build_file(
        tmp_path / "previous.duckdb", scale={("91", PERIODS[1]): 0.90, ("50", PERIODS[0]): 0.97}
    )
    before = _digest(previous)

    result = gate(build, tmp_path, previous_release=previous)

    assert result.passed
    assert result.warnings == 1
    (warning,) = result.warning_messages
    assert warning.startswith(
        "mart_area_ageing population_total within 5% of previous release "
        "fails for area 91 period 2026-09 ("
    )
    assert "+11." in warning  # 0.90 -> 1.00 is +11.1%
    moved = results(build, "check_name like 'population_total within%' and not success")
    assert [(r[2], r[4], r[5]) for r in moved] == [("warning", "91", dt.date(2026, 9, 30))]
    # a tighter limit catches the 3% move too (the check alone, without GX)
    tight = population_change_vs_previous_release(ageing_frame(build), previous, 2.0)
    assert [(o.severity, o.success, o.area_code, o.period) for o in tight] == [
        ("warning", False, "50", dt.date(2026, 8, 31)),
        ("warning", False, "91", dt.date(2026, 9, 30)),
    ]
    assert tight[0].message() == (
        "mart_area_ageing population_total within 2% of previous release fails for area 50 "
        f"period 2026-08 ({tight[0].observed})"
    )
    # the previous release was only read
    assert _digest(previous) == before


def test_previous_release_without_the_mart_is_skipped(build, tmp_path):
    previous = tmp_path / "old.duckdb"
    sql(previous, "create table t as select 1 as x")
    before = _digest(previous)

    result = gate(build, tmp_path, previous_release=previous)

    assert result.passed and result.warnings == 0
    (row,) = results(build, "check_name like 'population_total within%'")
    assert row[3] is True and "no marts.mart_area_ageing" in row[7]
    assert _digest(previous) == before
    for absent in (None, tmp_path / "absent.duckdb"):
        (outcome,) = population_change_vs_previous_release(ageing_frame(build), absent, 5.0)
        assert outcome.success and outcome.area_code is None
    assert not (tmp_path / "absent.duckdb").exists()


def test_missing_mart_is_blocking(build, tmp_path):
    sql(build, "drop table marts.mart_area_indicators")

    with pytest.raises(
        QualityGateError,
        match=r"mart_area_indicators table has the contract "
        r"columns fails \(table marts.mart_area_indicators is missing\)",
    ):
        gate(build, tmp_path)


# ---------------------------------------------------------------- totals across levels and marts


def _satun_districts_rows() -> list[tuple]:
    """The 7 Satun districts (offices summed), Thai nationals, Sep 2026: they add up to 91."""
    from tests.test_dbt_project import satun_districts

    return [
        (code, PERIODS[1], sex, age, n, False, "thai_nationals")
        for code, by_sex in satun_districts().items()
        for sex, ages in by_sex.items()
        for age, n in ages.items()
    ]


def _replace_satun_districts(build: Path, rows: list[tuple] | None = None) -> None:
    """Mueang Satun (9101) alone becomes all 7 districts of Satun (not in mart_area_ageing)."""
    sql(build, "delete from marts.fct_population_by_age where area_code = '9101'")
    sql(build, "delete from marts.mart_area_ageing where area_code = '9101'")
    _insert(build, "marts.fct_population_by_age", rows or _satun_districts_rows())


def _insert(build: Path, table: str, rows: list[tuple]) -> None:
    con = duckdb.connect(str(build))
    try:
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"insert into {table} values ({marks})", rows)
    finally:
        con.close()


def test_new_marts_pass_and_totals_reconcile(build, tmp_path):
    add_energy_and_transport(build)
    _replace_satun_districts(build)
    # the country, Aug 2026: the sum of the three provinces for every sex and age
    sql(
        build,
        "insert into marts.fct_population_by_age select 'TH', period, sex, age, sum(population), "
        "false, 'all_nationalities' from marts.fct_population_by_age "
        "where length(area_code) = 2 and period = date '2026-08-31' group by all",
    )

    result = gate(build, tmp_path)

    assert result.passed and result.warnings == 0
    rows = results(build, "check_name in (?, ?, ?, ?)", "area_code in dim_area",
                   "districts add up to their province", "country adds up to its provinces",
                   "vehicle classes add up to the fleet")  # fmt: skip
    assert all(r[3] for r in rows)
    by_check = {(r[0], r[1]): r[7] for r in rows if r[0] != "fct_population_by_age"}
    # fct_population_by_age is validated one period at a time: an outcome per period
    fct = {(r[1], r[5]): r[7] for r in rows if r[0] == "fct_population_by_age"}
    assert all(period is not None for _, period in fct)
    assert "1 province slice(s) reconciled with their districts" in {
        observed for (check, _), observed in fct.items()
        if check == "districts add up to their province"
    }  # fmt: skip
    assert fct[("country adds up to its provinces", dt.date(2026, 8, 31))].endswith("reconciled")
    for mart in ("fct_vehicle_registrations", "fct_electricity_consumption", "fct_road_deaths",
                 "fct_industrial_waste"):
        assert by_check[(mart, "country adds up to its provinces")].endswith("reconciled"), mart
    assert by_check[("mart_dimension_mobility", "vehicle classes add up to the fleet")] == (
        "4 fleet(s) reconciled"
    )
    assert {r[0] for r in rows if r[1] == "area_code in dim_area"} >= {
        "fct_vehicle_registrations", "mart_dimension_mobility", "mart_area_indicators",
        "fct_population_by_age",
    }  # fmt: skip
    suites = {r[0] for r in results(build)}
    assert {"fct_vehicle_registrations", "fct_electricity_consumption", "fct_road_deaths",
            "fct_industrial_waste", "mart_dimension_mobility"} <= suites  # fmt: skip


def test_country_waste_that_does_not_add_up_is_blocking_for_the_measure(build, tmp_path):
    add_energy_and_transport(build)
    sql(build, "update marts.fct_industrial_waste set hazardous_tonnes = hazardous_tonnes + 2, "
               "total_tonnes = total_tonnes + 2 where area_code = 'TH'")  # fmt: skip
    with pytest.raises(QualityGateError) as caught:
        gate(build, tmp_path)
    assert caught.value.failures == [
        "fct_industrial_waste country adds up to its provinces fails for area TH period 2023-06 "
        "(hazardous_tonnes 4874.25 != sum of provinces 4872.25)",
        "fct_industrial_waste country adds up to its provinces fails for area TH period 2023-06 "
        "(total_tonnes 15583.4 != sum of provinces 15581.4)",
    ]


def test_unknown_codes_and_totals_that_do_not_add_up_are_blocking(build, tmp_path):
    """One gate run with one fault of each kind; every message names the area and period."""
    add_energy_and_transport(build, electricity_and_road_deaths=False)
    # an area code that is not in dim_area
    sql(
        build,
        "insert into marts.mart_area_indicators values ('99', date '2026-09-30', 'people', "
        "'population_total', 1000, 'persons', 'dopa_population', '2026-09', false, 'ok')",
    )
    # a district of Satun 3 persons off: the 7 districts no longer add up to the province
    rows = _satun_districts_rows()
    rows = [(*r[:4], r[4] + 3, *r[5:]) if r[0] == "9104" and r[2:4] == ("female", 30) else r
            for r in rows]  # fmt: skip
    _replace_satun_districts(build, rows)
    # the country's diesel vehicles one more than its provinces'
    sql(
        build,
        "update marts.fct_vehicle_registrations set vehicles = vehicles + 1 "
        "where area_code = 'TH' and fuel_class = 'diesel'",
    )
    # (a share above 1 and an unknown quality status are dbt data tests:
    # tests/test_dbt_row_rules.py)
    province = sql(
        build,
        "select population from marts.fct_population_by_age where area_code = '91' "
        "and period = date '2026-09-30' and population_scope = 'thai_nationals' "
        "and sex = 'female' and age = 30",
    )[0][0]
    diesel = sum(f[4] for f in FLEET.values())
    fleet = sum(f[0] for f in FLEET.values())

    with pytest.raises(QualityGateError) as caught:
        gate(build, tmp_path)

    assert caught.value.failures == [
        "mart_area_indicators area_code in dim_area fails for area 99 "
        "(area_code '99' is not in marts.dim_area (1 row(s)))",
        "fct_vehicle_registrations country adds up to its provinces fails for area TH period "
        f"2026-02 (vehicle_type all, fuel_class diesel: vehicles {diesel + 1} != sum of "
        f"provinces {diesel})",
        "mart_dimension_mobility vehicle classes add up to the fleet fails for area TH period "
        f"2026-02 (vehicle classes sum to {fleet + 1}, vehicles_registered {fleet})",
        # the partitioned mart (one period at a time) is checked last
        "fct_population_by_age districts add up to their province fails for area 91 "
        f"period 2026-09 scope thai_nationals (female age 30: districts {province + 3} != "
        f"province {province} (7 of 7 districts))",
    ]
    failed = results(build, "not success and severity = 'blocking' and check_name = ?",
                     "area_code in dim_area")  # fmt: skip
    assert [(r[0], r[4]) for r in failed] == [("mart_area_indicators", "99")]
    # a mart that may be empty and is: recorded, not validated
    (empty,) = results(build, "suite = 'mart_dimension_energy' and check_name = 'table has rows'")
    assert empty[1:4] == ("table has rows", "warning", True)
    assert empty[7] == "no rows: none of its sources was landed in this build"


def test_partial_districts_must_not_exceed_the_province():
    """Only 9101 of Satun's 7 districts: its sum may be smaller, never larger."""
    dim_area = pd.DataFrame(
        [("91", "province", "TH"), *((f"910{i}", "district", "91") for i in range(1, 8))],
        columns=["area_code", "area_level", "parent_code"],
    )
    fct = pd.DataFrame(
        [
            ("91", PERIODS[1], "thai_nationals", "male", 40, 100),
            ("9101", PERIODS[1], "thai_nationals", "male", 40, 60),
            ("91", PERIODS[0], "thai_nationals", "male", 40, 100),
            ("9101", PERIODS[0], "thai_nationals", "male", 40, 101),
            ("9101", PERIODS[0], "all_nationalities", "male", 40, 500),  # no province in scope
        ],
        columns=["area_code", "period", "population_scope", "sex", "age", "population"],
    )

    outcomes = districts_add_up_to_provinces(fct, dim_area)

    assert [(o.success, o.area_code, o.period, o.observed) for o in outcomes] == [
        (False, "91", PERIODS[0],
         "male age 40: districts 101 > province 100 (1 of 7 districts)"),
    ]  # fmt: skip


def test_sub_districts_must_add_up_to_their_district_former_ones_not_expected():
    """Khet 1001 has two current khwaeng and a former one: with both current ones
    present their sum must equal the khet; a khwaeng off by one is named."""
    dim_area = pd.DataFrame(
        [("1001", "district", "10", True), ("100101", "subdistrict", "1001", True),
         ("100102", "subdistrict", "1001", True), ("100199", "subdistrict", "1001", False)],
        columns=["area_code", "area_level", "parent_code", "is_current"],
    )  # fmt: skip
    dec = dt.date(2025, 12, 31)
    rows = [("1001", dec, "thai_nationals", "female", 70, 30), ("100101", dec, "thai_nationals", "female", 70, 10),
            ("100102", dec, "thai_nationals", "female", 70, 20)]  # fmt: skip
    fct = pd.DataFrame(rows, columns=["area_code", "period", "population_scope", "sex", "age", "population"])

    (passed,) = subdistricts_add_up_to_districts(fct, dim_area)
    assert passed.success and passed.observed == "1 district slice(s) reconciled with their sub-districts"

    fct.loc[fct["area_code"] == "100102", "population"] = 21
    (failed,) = subdistricts_add_up_to_districts(fct, dim_area)
    assert (failed.success, failed.area_code, failed.observed, failed.severity) == (
        False, "1001", "female age 70: sub-districts 31 != district 30 (2 of 2 sub-districts)", "blocking",
    )  # fmt: skip


def test_country_sums_allow_rounding_of_kwh_only():
    dim_area = pd.DataFrame(
        [("TH", "country", None), ("10", "province", "TH"), ("91", "province", "TH")],
        columns=["area_code", "area_level", "parent_code"],
    )
    dec = dt.date(2025, 12, 31)
    frame = pd.DataFrame(
        [("10", dec, "residential", "MEA", 0.1), ("91", dec, "residential", "MEA", 0.2),
         ("TH", dec, "residential", "MEA", 0.30000000000000004),
         ("TH", dec, "government", "MEA", 5.0)],
        columns=["area_code", "period", "customer_class", "utility", "kwh"],
    )  # fmt: skip

    (outcome,) = country_adds_up_to_provinces("fct_electricity_consumption", frame, dim_area)

    assert not outcome.success
    assert outcome.observed == (
        "customer_class government, utility MEA: kwh 5 != sum of provinces null"
    )


def test_large_mart_is_validated_one_period_at_a_time_rows_without_period_included(build, tmp_path):
    periods = {r[0] for r in sql(build, "select distinct period from marts.fct_population_by_age")}
    sql(
        build,
        "update marts.fct_population_by_age set population = -1 "
        "where area_code = '91' and period = ? and sex = 'male' and age = 40",
        max(periods),
    )
    sql(
        build,
        "insert into marts.fct_population_by_age select area_code, null, sex, age + 200, "
        "population, is_modelled, population_scope from marts.fct_population_by_age "
        "where area_code = '50' and period = ? and sex = 'female' and age = 3",
        max(periods),
    )

    with pytest.raises(QualityGateError) as caught:
        gate(build, tmp_path)

    failed = {(r[1], r[4], r[5]) for r in results(
        build, "suite = 'fct_population_by_age' and not success")}  # fmt: skip
    total = "population sums to mart_area_ageing population_total"
    assert (total, "91", max(periods)) in failed
    # the rows without a period are a partition of their own (only females: a warning)
    assert ("both sexes present", None, None) in failed
    assert any(f"{total} fails for area 91" in f for f in caught.value.failures)
    # each period's suite ran on its own (the rows without a period too): one success row
    # per partition for a passing check
    passed = results(build, "suite = 'fct_population_by_age' and success and check_name = ?",
                     "table is not empty")  # fmt: skip
    assert sorted(r[5] for r in passed if r[5]) == sorted(periods)
    assert len(passed) == len(periods) + 1
