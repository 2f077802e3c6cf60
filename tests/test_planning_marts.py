"""The planning marts end to end: one ``dbt build`` over the raw schema of
``test_dbt_dimensions`` (real DOPA, DLT and NSO figures, made-up road deaths and
electricity), plus

- a synthetic province (96) with two vintages five years apart (Dec 2010, Dec 2015) in
  which every age group and sex of the later vintage is 1.1 times the earlier one:
  the Hamilton-Perry projection of such a population is known in closed form (every
  group grows by 1.1 per five years), whatever its age shape;
- one of its districts (9601) with cohorts below the pooling threshold, which must
  take the province's ratios;
- the example plan targets file (docs/examples/plan_targets.example.yml).

Every rank, percentile and score of mart_area_benchmarks is re-derived here from
value and direction within its peer group.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections import defaultdict
from pathlib import Path

import pytest

from tests.test_dbt_dimensions import STAT_A_WARNINGS, fleet, write_all_raw
from tests.test_dbt_project import SEED_DIR, query, run_build
from warehouse.plan_targets import load_targets, write_raw

pytestmark = pytest.mark.slow  # runs dbt

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "docs" / "examples" / "plan_targets.example.yml"
SHA = "0" * 64
EARLIER, BASE = dt.date(2010, 12, 31), dt.date(2015, 12, 31)
GROWTH = 1.1  # the later vintage is the earlier one times this, in every group
STARTS = range(0, 90, 5)
MIN_COHORT = 50  # seeds/planning_assumptions.csv: projection_min_cohort


def earlier_groups() -> dict[tuple[str, int], int]:
    """Province 96 at Dec 2010: a non-flat age shape by sex, multiples of 10."""
    return {
        **{("male", g): 10_000 - 500 * i for i, g in enumerate(STARTS)},
        **{("female", g): 10_500 - 450 * i for i, g in enumerate(STARTS)},
    }


def base_groups() -> dict[tuple[str, int], int]:
    return {key: round(n * GROWTH) for key, n in earlier_groups().items()}


# District 9601: 20 people per group at Dec 2010 and 30 at Dec 2015 (own ratio 1.5,
# from cohorts below MIN_COHORT), so the province's ratios must be used.
DISTRICT_EARLIER, DISTRICT_BASE = 20, 30


def single_age_rows(area_code, period, groups):
    """Each group's people at its first age (the projection works on groups)."""
    return [
        (area_code, period, sex, start, n, "all_nationalities", False, "dopa_population", SHA)
        for (sex, start), n in groups.items()
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    import duckdb

    tmp = tmp_path_factory.mktemp("planning_marts")
    build_path = tmp / "build.duckdb"
    write_all_raw(build_path)
    district = {(sex, g): None for sex in ("male", "female") for g in STARTS}
    rows = (
        single_age_rows("96", EARLIER, earlier_groups())
        + single_age_rows("96", BASE, base_groups())
        + single_age_rows("9601", EARLIER, {key: DISTRICT_EARLIER for key in district})
        + single_age_rows("9601", BASE, {key: DISTRICT_BASE for key in district})
    )
    with duckdb.connect(str(build_path)) as con:
        con.executemany(f"insert into raw.dopa_population values ({', '.join('?' * 9)})", rows)
        con.execute("drop table raw.plan_targets")
        write_raw(con, load_targets(EXAMPLE))
    return run_build(tmp, build_path, unit_tests=False, warnings=STAT_A_WARNINGS)


def rows_of(built, sql, params=()):
    return query(built["path"], sql, list(params))


def catalogue() -> dict[str, dict]:
    with (SEED_DIR / "indicator_catalogue.csv").open(encoding="utf-8", newline="") as handle:
        return {row["indicator_code"]: row for row in csv.DictReader(handle)}


# ---------------------------------------------------------------- benchmarks


def test_every_rank_percentile_and_score_rederived(built):
    rows = rows_of(built, "select * from marts.mart_area_benchmarks")
    assert len(rows) > 5_000
    directions = {code: row["direction"] for code, row in catalogue().items()}
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        assert row["direction"] == directions[row["indicator_code"]]
        key = (row["period"], row["indicator_code"], row["population_scope"],
               row["peer_group"], row["peer_group_key"])  # fmt: skip
        groups[key].append(row)
    for key, members in groups.items():
        values = [m["value"] for m in members]
        n, low, high = len(values), min(values), max(values)
        for m in members:
            v, direction = m["value"], m["direction"]
            assert m["peer_count"] == n, key
            if direction == "neutral":
                assert m["rank"] is None and m["score_0_100"] is None, key
                expected_pct = None if n == 1 else sum(x < v for x in values) / (n - 1)
            else:
                better = sum(
                    (x > v) if direction == "higher_is_better" else (x < v) for x in values
                )
                assert m["rank"] == 1 + better, (key, m["area_code"])
                expected_pct = (
                    None
                    if n == 1
                    else sum(
                        (x <= v) if direction == "higher_is_better" else (x >= v) for x in values
                    )
                    - 1
                )
                expected_pct = None if n == 1 else expected_pct / (n - 1)
                if high == low:
                    assert m["score_0_100"] is None, key
                else:
                    share = (
                        (v - low) / (high - low)
                        if direction == "higher_is_better"
                        else ((high - v) / (high - low))
                    )
                    assert m["score_0_100"] == pytest.approx(100 * share, abs=1e-9), key
            if expected_pct is None:
                assert m["percentile"] is None, key
            else:
                assert m["percentile"] == pytest.approx(expected_pct, abs=1e-12), key


def test_peer_groups_and_size_classes(built):
    rows = rows_of(built, """
        select peer_group, peer_group_key, peer_group_label, peer_count
        from marts.mart_area_benchmarks
        where indicator_code = 'bev_share_of_fleet' and area_code in ('10', '91', '9101')
          and period = date '2026-02-28'  -- the real summary (not the made-up typed fleet)
        order by peer_group
    """)  # fmt: skip
    by_group = {(r["peer_group"], r["peer_group_key"]): r for r in rows}
    assert by_group[("all_provinces", "TH")]["peer_count"] == 77
    assert by_group[("similar_size", "1_5m_and_over")]["peer_group_label"].startswith(
        "provinces with 1,500,000")  # fmt: skip
    assert ("similar_size", "under_500k") in by_group  # Satun
    southern = by_group[("same_region", "Southern")]
    with (SEED_DIR / "ref_provinces.csv").open(encoding="utf-8") as handle:
        provinces = list(csv.DictReader(handle))
    south_code = next(p["region_code"] for p in provinces if p["area_code"] == "91")
    assert southern["peer_count"] == sum(p["region_code"] == south_code for p in provinces)
    districts = rows_of(built, """
        select distinct peer_group, peer_group_key, peer_count from marts.mart_area_benchmarks
        where area_level = 'district' and indicator_code = 'share_60_plus'
    """)  # fmt: skip
    assert {(r["peer_group"], r["peer_group_key"]) for r in districts} == {
        ("district_in_province", "91"), ("district_in_province", "96")}  # fmt: skip
    satun = next(r for r in districts if r["peer_group_key"] == "91")
    assert satun["peer_count"] == 7  # Satun's 7 districts (Sep 2026)


def test_national_and_region_values_from_summed_numerators(built):
    real = fleet()
    national_bev = sum(r["bev"] for r in real.values()) / sum(r["total"] for r in real.values())
    assert national_bev == pytest.approx(419_410 / 44_290_957)
    with (SEED_DIR / "ref_provinces.csv").open(encoding="utf-8") as handle:
        region_of = {p["area_code"]: p["region_code"] for p in csv.DictReader(handle)}
    south = [code for code in real if region_of[code] == region_of["91"]]
    region_bev = sum(real[c]["bev"] for c in south) / sum(real[c]["total"] for c in south)
    # the real summary's as-at date (the shared raw data also holds a made-up typed fleet)
    (row,) = rows_of(built, """
        select value, national_value, region_value from marts.mart_area_benchmarks
        where area_code = '91' and indicator_code = 'bev_share_of_fleet' and peer_group = 'all_provinces'
          and period = date '2026-02-28'
    """)  # fmt: skip
    assert row["national_value"] == pytest.approx(national_bev, rel=1e-12)
    assert row["region_value"] == pytest.approx(region_bev, rel=1e-12)
    assert row["value"] == pytest.approx(real["91"]["bev"] / real["91"]["total"])
    # a count sums; an average as published has no national value; road deaths cover 3 provinces
    counts = rows_of(built, """
        select indicator_code, national_value from marts.mart_area_benchmarks
        where area_code = '91' and peer_group = 'all_provinces'
          and indicator_code in ('vehicles_registered', 'household_income_monthly_baht', 'road_deaths_per_100k')
          and (indicator_code <> 'vehicles_registered' or period = date '2026-02-28')
    """)  # fmt: skip
    by_code = {r["indicator_code"]: r["national_value"] for r in counts}
    assert by_code["vehicles_registered"] == 44_290_957
    assert by_code["household_income_monthly_baht"] is None
    assert by_code["road_deaths_per_100k"] is None


def test_only_same_scope_is_compared(built):
    # Satun Sep 2026 counts Thai nationals only: alone in its groups that month
    rows = rows_of(built, """
        select distinct population_scope, peer_count from marts.mart_area_benchmarks
        where area_code = '91' and period = '2026-09-30' and peer_group = 'all_provinces'
          and indicator_code like 'share%'
    """)  # fmt: skip
    assert rows == [{"population_scope": "thai_nationals", "peer_count": 1}]


# ---------------------------------------------------------------- plan progress


def indicator_value(built, area_code, period, code):
    (row,) = rows_of(built, """
        select value, is_modelled from marts.mart_area_indicators
        where area_code = ? and period = ? and indicator_code = ?
    """, (area_code, period, code))  # fmt: skip
    return row


def test_plan_progress_one_row_per_target_and_national_targets(built):
    rows = rows_of(
        built, "select * from marts.mart_plan_progress order by area_code, indicator_code"
    )
    local = [r for r in rows if r["target_origin"] == "local_plan"]
    national = [r for r in rows if r["target_origin"] == "national_policy"]
    assert [(r["area_code"], r["indicator_code"]) for r in local] == [
        ("10", "road_deaths_per_100k"), ("50", "electricity_kwh_per_household"),
        ("91", "bev_share_of_fleet"), ("91", "road_deaths_per_100k")]  # fmt: skip
    # the national road-safety target applies to every other province
    assert len(national) == 77 - 2
    assert {r["indicator_code"] for r in national} == {"road_deaths_per_100k"}
    assert all(
        r["target_value"] == 12 and r["target_period"] == dt.date(2027, 12, 31) for r in national
    )
    assert all("Road Safety Master Plan" in r["source"] for r in national)
    # their 2021 baseline is not in this build: no_data
    assert {r["status"] for r in national} == {"no_data"}


def test_plan_progress_formula(built):
    (row,) = rows_of(built, """
        select * from marts.mart_plan_progress where area_code = '91' and indicator_code = 'road_deaths_per_100k'
    """)  # fmt: skip
    baseline = indicator_value(built, "91", dt.date(2019, 12, 31), "road_deaths_per_100k")["value"]
    latest = indicator_value(built, "91", dt.date(2020, 12, 31), "road_deaths_per_100k")["value"]
    assert (row["baseline_value"], row["latest_value"]) == (baseline, latest)
    assert row["latest_period"] == dt.date(2020, 12, 31)
    share = (latest - baseline) / (10.0 - baseline)
    assert row["progress_share"] == pytest.approx(share)
    assert row["required_annual_change"] == pytest.approx((10.0 - baseline) / 8)
    assert row["actual_annual_change"] == pytest.approx(latest - baseline)
    expected = "on_track" if share >= 1 / 8 else "off_track"
    assert row["status"] == expected
    assert row["u4ssc_band"] == (
        1 if share < 0.33 else 2 if share < 0.66 else 3 if share < 0.95 else 4
    )
    assert row["baseline_is_modelled"] is True  # the population divided by is modelled
    assert row["source"].startswith("EXAMPLE ONLY")
    # Bangkok's made-up target (17 by 2022) is already passed: achieved, band 4
    (bangkok,) = rows_of(built, """
        select * from marts.mart_plan_progress where area_code = '10' and indicator_code = 'road_deaths_per_100k'
    """)  # fmt: skip
    bkk_latest = indicator_value(built, "10", dt.date(2020, 12, 31), "road_deaths_per_100k")[
        "value"
    ]
    assert bkk_latest <= 17 and bangkok["status"] == "achieved" and bangkok["u4ssc_band"] == 4
    # no value after the baseline: no_data
    (bev,) = rows_of(built, """
        select * from marts.mart_plan_progress where area_code = '91' and indicator_code = 'bev_share_of_fleet'
    """)  # fmt: skip
    assert (
        bev["status"] == "no_data"
        and bev["progress_share"] is None
        and bev["actual_annual_change"] is None
    )


# ---------------------------------------------------------------- projection and outlook


def test_projection_reproduces_the_closed_form(built):
    rows = rows_of(built, """
        select * from marts.mart_population_projection where area_code = '96' and base_period = ?
    """, (BASE,))  # fmt: skip
    assert len(rows) == 4 * 2 * 18
    base = base_groups()
    for row in rows:
        step = (row["year"] - 2015) // 5
        expected = base[(row["sex"], row["age_group_start"])] * GROWTH**step
        assert row["population"] == pytest.approx(expected, rel=1e-9), row
        assert row["method"] == "hamilton_perry" and row["is_modelled"] is True
        assert row["ratio_source"] == "own"
        assert row["earlier_period"] == EARLIER
    assert {r["year"] for r in rows} == {2020, 2025, 2030, 2035}
    assert {r["age_group"] for r in rows} >= {"0-4", "80-84", "85+"}


def test_small_cohorts_take_the_parent_ratio(built):
    rows = rows_of(built, """
        select * from marts.mart_population_projection
        where area_code = '9601' and year = 2020 order by sex, age_group_start
    """)  # fmt: skip
    assert len(rows) == 36 and DISTRICT_EARLIER < MIN_COHORT
    earlier, base = earlier_groups(), base_groups()

    def parent_ccr(sex: str, g: int) -> float:  # the province's cohort-change ratio
        if g == 85:
            return base[(sex, 85)] / (earlier[(sex, 80)] + earlier[(sex, 85)])
        return base[(sex, g)] / earlier[(sex, g - 5)]

    women = sum(parent_ccr("female", g) * DISTRICT_BASE for g in range(15, 50, 5))
    for row in rows:
        sex, g = row["sex"], row["age_group_start"]
        if g == 0:  # the women aged 15-49 (7 x 30) are not a small cohort: own ratio
            assert row["ratio_source"] == "own"
            assert row["population"] == pytest.approx(DISTRICT_BASE / (7 * DISTRICT_BASE) * women)
            continue
        assert row["ratio_source"] == "parent", row
        assert row["ratio"] == pytest.approx(parent_ccr(sex, g))
        previous = DISTRICT_BASE * (2 if g == 85 else 1)
        assert row["population"] == pytest.approx(parent_ccr(sex, g) * previous)


def test_ageing_outlook(built):
    rows = rows_of(built, """
        select * from marts.mart_ageing_outlook where area_code = '96' and base_period = ? order by year
    """, (BASE,))  # fmt: skip
    assert [r["year"] for r in rows] == [2015, 2020, 2025, 2030, 2035]
    base = base_groups()
    total = sum(base.values())
    share_60 = sum(n for (_, g), n in base.items() if g >= 60) / total
    share_65 = sum(n for (_, g), n in base.items() if g >= 65) / total
    working = sum(n for (_, g), n in base.items() if 15 <= g <= 60)
    oadr = 100 * sum(n for (_, g), n in base.items() if g >= 65) / working
    for row in rows:  # a population growing evenly keeps its shape
        assert row["share_60_plus"] == pytest.approx(share_60)
        assert row["share_65_plus"] == pytest.approx(share_65)
        assert row["old_age_dependency_ratio"] == pytest.approx(oadr)
        assert row["is_modelled"] is (row["year"] > 2015)
    stage = "super_aged" if share_60 >= 0.28 else "aged" if share_60 >= 0.2 else "ageing"
    assert {r["ageing_stage"] for r in rows} == {stage}
    assert rows[0]["first_year_aged"] == (2015 if share_60 >= 0.2 else None)
    assert rows[0]["first_year_super_aged"] == (2015 if share_60 >= 0.28 else None)


def test_pre_elderly_indicators(built):
    from tests.test_dbt_dimensions import satun

    prov = satun()["prov_thai"]
    pop_50_59 = sum(sum(prov[sex][50:60]) for sex in ("1", "2"))
    pop_60_plus = sum(sum(prov[sex][60:]) for sex in ("1", "2"))
    period = dt.date(2026, 9, 30)
    assert indicator_value(built, "91", period, "pop_50_59")["value"] == pop_50_59
    ratio = indicator_value(built, "91", period, "pre_elderly_per_100_elderly")["value"]
    assert math.isclose(ratio, 100 * pop_50_59 / pop_60_plus)


def test_household_levels_are_benchmarked_from_their_counts(built):
    """Satun's 2017 households: sub-districts, municipalities and districts are compared
    within the province (and sub-districts within their district); every value of the
    household and vital-event indicators is multiplier * numerator / denominator."""
    period = dt.date(2017, 12, 31)
    groups = rows_of(built, """
        select area_level, peer_group, peer_group_key, max(peer_count) as peers
        from marts.mart_area_benchmarks
        where indicator_code = 'persons_per_household' and period = ?
        group by all
    """, [period])  # fmt: skip
    kinds = {(r["area_level"], r["peer_group"]) for r in groups}
    assert {("province", "all_provinces"), ("district", "district_in_province"),
            ("subdistrict", "subdistrict_in_province"), ("subdistrict", "subdistrict_in_district"),
            ("municipality", "municipality_in_province")} <= kinds  # fmt: skip
    counts = {
        r["area_level"]: r["n"]
        for r in rows_of(built, """
            select area_level, count(*) as n from marts.fct_population_households
            where period = ? and households > 0 and area_level in ('district', 'subdistrict', 'municipality')
            group by all
        """, [period])  # fmt: skip
    }
    for level in ("district", "subdistrict", "municipality"):
        (row,) = [r for r in groups if r["peer_group"] == f"{level}_in_province"]
        assert (row["peer_group_key"], row["peers"]) == ("91", counts[level])
    (satun,) = rows_of(built, """
        select b.value, f.population_total, f.households from marts.mart_area_benchmarks b
        join marts.fct_population_households f on f.area_code = b.area_code and f.period = b.period
        where b.area_code = '91' and b.indicator_code = 'persons_per_household' and b.period = ?
          and b.peer_group = 'all_provinces'
    """, [period])  # fmt: skip
    assert satun["value"] == pytest.approx(satun["population_total"] / satun["households"])
    multipliers = {code: float(row["multiplier"]) for code, row in catalogue().items()}
    values = rows_of(built, """
        select indicator_code, value, numerator, denominator from intermediate.int_indicator_values_unioned
        where indicator_code in ('persons_per_household', 'population_density', 'municipal_population_share',
                                 'crude_birth_rate', 'crude_death_rate', 'natural_increase', 'net_migration_rate')
    """)  # fmt: skip
    assert {r["indicator_code"] for r in values} >= {"persons_per_household", "crude_birth_rate",
                                                     "natural_increase", "municipal_population_share"}  # fmt: skip
    for r in values:
        expected = r["numerator"] if r["denominator"] is None else r["numerator"] / r["denominator"]
        assert r["value"] == pytest.approx(multipliers[r["indicator_code"]] * expected), r


def test_stat_a_file_fills_every_level_it_holds(built):
    """DOPA's real stat_a68 (31 Dec 2568 BE) lands in fct_population_households: each
    municipal office of the reference geography and each province as its own line, each
    district as its district office plus the municipal offices that lie in it; the
    districts of a province with an office the reference does not place are left out."""
    from devtools.snapshots.build_dopa_stat_snapshot import DEFAULT_REAL_DIR
    from extract.parsers import dopa_stat_yearly
    from tests.conftest import parse_context

    period = dt.date(2025, 12, 31)
    body = (DEFAULT_REAL_DIR / "dopa_stat_a68.txt").read_bytes()
    lines = dopa_stat_yearly.parse_table(body, parse_context("dopa_stat_yearly", "2025-12", feed="a")).to_pylist()
    fct = {
        (r["area_level"], r["area_code"]): r
        for r in rows_of(built, "select * from marts.fct_population_households where period = ?", [period])
    }
    measures = {"population_male": "male", "population_female": "female", "population_total": "total",
                "households": "households"}  # fmt: skip

    def figures(row):
        return {m: row[m] for m in measures}

    def of_line(line):
        return {m: line[f] for m, f in measures.items()}

    (country,) = [line for line in lines if line["area_kind"] == "country"]
    assert figures(fct[("country", "TH")]) == of_line(country)
    assert fct[("country", "TH")]["population_total"] == 65_809_011
    for line in (line for line in lines if line["area_kind"] == "province"):
        assert figures(fct[("province", line["area_code"])]) == of_line(line), line["area_code"]

    placed = {r["area_code"]: r["parent_code"] for r in rows_of(built, """
        select area_code, parent_code from marts.dim_area where area_level = 'municipality'""")}  # fmt: skip
    offices = [line for line in lines if line["area_kind"] == "registration_office"]
    municipal = [line for line in offices if line["office_kind"] in ("municipal_office", "pattaya")]
    unplaced = {line["area_code"] for line in municipal if line["area_code"] not in placed}
    assert len(unplaced) == 12  # municipalities newer than the gazetteer
    for line in municipal:
        row = fct.get(("municipality", line["area_code"]))
        if line["area_code"] in unplaced:
            assert row is None
        else:
            assert figures(row) == of_line(line), line["area_code"]

    unplaced_provinces = {code[:2] for code in unplaced}
    expected = defaultdict(lambda: dict.fromkeys(measures, 0))
    for line in offices:
        district = placed.get(line["area_code"], line["area_code"])
        for m, f in measures.items():
            expected[district][m] += line[f]
    districts = {code: row for (level, code), row in fct.items() if level == "district"}
    assert set(districts) == {code for code in expected if code[:2] not in unplaced_provinces}
    for code, row in districts.items():
        assert figures(row) == expected[code], code
    # Phuket: Mueang Phuket is its district office plus Phuket City, Wichit, Rawai, Ratsada and Karon
    assert districts["8301"]["population_total"] == sum(
        line["total"] for line in offices if line["area_code"] in {"8301", "8391", "8392", "8393", "8397", "8399"}
    )
    assert districts["8301"]["population_municipal"] == districts["8301"]["population_total"] - next(
        line["total"] for line in offices if line["area_code"] == "8301"
    )
