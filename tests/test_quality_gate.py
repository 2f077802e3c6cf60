"""Quality gate over small hand-made build files (no dbt, no network)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from expectations import QualityGateError
from expectations.checks import population_change_vs_previous_release
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
    """A build file with the four marts, consistent with each other."""
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
    assert result.checks_evaluated > 60
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
        "male+female=total",
        "0-14 + 15-64 + 65+ = total",
        "sex accepted values",
        "requested slice present",
        "population sums to mart_area_ageing population_total",
    } <= checks
    # every row carries the run and a UTC check time
    assert sql(build, "select distinct run_id from meta.quality_results") == [("test-run",)]
    (checked_at,) = sql(build, "select distinct checked_at from meta.quality_results")[0]
    assert abs(checked_at - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(minutes=5)

    # a retried gate task replaces its own rows instead of duplicating them
    again = gate(build, tmp_path)
    assert sql(build, "select count(*) from meta.quality_results")[0][0] == again.results_written


def test_male_plus_female_not_total_is_blocking(build, tmp_path):
    sql(
        build,
        "update marts.mart_area_ageing set population_male = population_male + 7 "
        "where area_code = '91' and period = date '2026-09-30' and population_scope = 'all_nationalities'",
    )
    male, female, total = sql(
        build,
        "select population_male, population_female, population_total from marts.mart_area_ageing "
        "where area_code = '91' and period = date '2026-09-30' and population_scope = 'all_nationalities'",
    )[0]

    with pytest.raises(QualityGateError) as caught:
        gate(build, tmp_path)

    message = str(caught.value)
    assert message.startswith("quality gate failed: ")
    assert (
        f"mart_area_ageing male+female=total fails for area 91 period 2026-09 "
        f"(male {male} + female {female} != total {total})"
    ) in message
    assert "area 10" not in message and "area 50" not in message
    # results were written before raising; the failing row names area and period
    failed = results(build, "not success and severity = 'blocking'")
    assert [(r[1], r[4], r[5]) for r in failed] == [
        ("male+female=total", "91", dt.date(2026, 9, 30))
    ]
    assert caught.value.result.blocking_failed == 1
    assert caught.value.failures == [message.removeprefix("quality gate failed: ")]
    assert caught.value.result.docs_index.is_file()


def test_negative_count_is_blocking(build, tmp_path):
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

    message = str(caught.value)
    assert (
        "fct_population_by_age population >= 0 fails for area 50 period 2026-08 "
        "(male age 3: population -5)"
    ) in message
    assert (
        "fct_population_by_age population >= 0 fails for area 9101 period 2026-09 "
        "scope thai_nationals (female age 100: population -1; 2 rows fail)"
    ) in message
    rows = sql(
        build,
        "select check_name, area_code, period, population_scope, unexpected_count "
        "from meta.quality_results where not success and severity = 'blocking' order by all",
    )
    assert rows == [
        ("population >= 0", "50", dt.date(2026, 8, 31), "all_nationalities", 1),
        ("population >= 0", "9101", dt.date(2026, 9, 30), "thai_nationals", 2),
        # the mart totals no longer match the single-year rows: reported as well
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
    # every slice (8) gets a negative 80+ count and a male count off by one; one a bad stage
    sql(
        build,
        "update marts.mart_area_ageing set pop_80_plus = -1, population_male = population_male + 1",
    )
    sql(
        build,
        "update marts.mart_area_ageing set ageing_stage = 'elderly' "
        "where area_code = '10' and period = date '2026-08-31'",
    )

    with pytest.raises(QualityGateError) as caught:
        gate(build, tmp_path)

    failures = caught.value.failures
    # the bad stage is both not an accepted value and not what share_60_plus says
    assert len(failures) == 8 + 8 + 2
    assert caught.value.result.blocking_failed == 4
    assert (
        sum(f.startswith("mart_area_ageing pop_80_plus >= 0 fails for area ") for f in failures)
        == 8
    )
    assert (
        sum(f.startswith("mart_area_ageing male+female=total fails for area ") for f in failures)
        == 8
    )
    assert (
        "mart_area_ageing ageing_stage accepted values fails for area 10 period 2026-08 "
        "(ageing_stage elderly)"
    ) in failures
    message = str(caught.value)
    assert message == "quality gate failed: " + "; ".join(failures[:10]) + "; and 8 more"
    assert (
        "mart_area_ageing pop_80_plus >= 0 fails for area 10 period 2026-08 (pop_80_plus -1)"
        in message
    )


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
