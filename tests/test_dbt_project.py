"""The dbt project end to end: one ``dbt build`` over a build file holding the real Satun
sample (Thai nationals, Sep 2026) and a tiny hand-made province, then the marts are
checked against figures computed here in Python from the raw ages.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest

from tests.conftest import SATUN

REPO = Path(__file__).resolve().parents[1]
PROJECT_DIR = REPO / "dbt_project"
SEED_DIR = PROJECT_DIR / "seeds"

PERIOD = dt.date(2026, 9, 30)
SEXES = {"1": "male", "2": "female"}
AGES = range(102)  # 0..100 completed years, 101 = over 100

POPULATION_COLUMNS = (
    "area_code varchar, period date, sex varchar, age smallint, population bigint, "
    "population_scope varchar, is_modelled boolean, source_id varchar, source_sha256 varchar"
)
MANIFEST_COLUMNS = (
    "source_id varchar, period varchar, slice_key varchar, status varchar, url varchar, "
    "sha256 varchar, bytes bigint, rows bigint, fetched_at timestamptz, etag varchar, "
    "last_modified varchar, is_modelled boolean, population_scope varchar, licence varchar, "
    "publisher varchar, parser_version varchar"
)
PROVENANCE_COLUMNS = "is_modelled boolean, source_id varchar, source_sha256 varchar"
# The raw tables of the other sources (docs/architecture.md), in the column order the
# extract step lands them. Empty in this module's build: every model must build on them.
OTHER_RAW_TABLES = {
    "dopa_population_district_thai": f"{POPULATION_COLUMNS}, registration_office varchar",
    "dopa_stat_yearly": (
        "area_code varchar, period date, area_kind varchar, office_kind varchar, province_code varchar, "
        "name_raw varchar, male bigint, female bigint, total bigint, households bigint, stat_file varchar, "
        f"{PROVENANCE_COLUMNS}"
    ),
    "dopa_age_yearly": (
        "area_code varchar, period date, area_level varchar, area_name_raw varchar, district_code varchar, "
        "line_number integer, measure varchar, sex varchar, age smallint, population bigint, "
        f"population_scope varchar, {PROVENANCE_COLUMNS}"
    ),
    "dlt_vehicles_by_fuel": (
        "area_code varchar, period date, legal_class varchar, vehicle_type varchar, "
        "vehicle_category varchar, fuel_label varchar, fuel_class varchar, "
        f"vehicles bigint, province_name_raw varchar, {PROVENANCE_COLUMNS}"
    ),
    "dlt_new_registrations": (
        "area_code varchar, period date, legal_class varchar, vehicle_type varchar, "
        f"vehicle_category varchar, registrations bigint, {PROVENANCE_COLUMNS}"
    ),
    "rtddi_road_deaths": (
        "area_code varchar, year integer, period date, deaths bigint, "
        f"province_name_raw varchar, {PROVENANCE_COLUMNS}"
    ),
    "electricity_sales": (
        "area_code varchar, period date, customer_class varchar, kwh double, customers bigint, "
        f"utility varchar, {PROVENANCE_COLUMNS}"
    ),
    "nso_household_income": (
        "area_code varchar, year integer, period date, avg_monthly_income_baht double, "
        f"province_name_raw varchar, {PROVENANCE_COLUMNS}"
    ),
    "diw_industrial_waste": (
        "area_code varchar, period date, non_hazardous_tonnes double, hazardous_tonnes double, "
        "total_tonnes double, province_name_raw varchar, record_id bigint, "
        f"dropped_duplicate_ids varchar, vintage date, {PROVENANCE_COLUMNS}"
    ),
    "source_status": "source_id varchar, status varchar, detail varchar",
    "plan_targets": (
        "entry_number integer, area_code varchar, indicator_code varchar, baseline_period varchar, "
        "target_value double, target_period varchar, source varchar"
    ),
    "dopa_households": (
        "row_kind varchar, area_code varchar, registration_office varchar, district_code varchar, "
        "province_code varchar, period date, population_male bigint, population_female bigint, "
        f"population_total bigint, households bigint, houses_total bigint, {PROVENANCE_COLUMNS}"
    ),
    "dopa_vital_events": (
        "area_code varchar, period date, event varchar, male bigint, female bigint, total bigint, "
        f"source_rows integer, {PROVENANCE_COLUMNS}"
    ),
    "target_areas": (
        "target_area_code varchar, name_th varchar, name_en varchar, province_code varchar, "
        "membership_basis varchar, note varchar, source varchar"
    ),
    "target_area_members": (
        "target_area_code varchar, member_code varchar, member_level varchar, "
        "membership_basis varchar"
    ),
}

# A tiny made-up province (96) with all nationalities, flagged as modelled: 200 persons,
# 100 male / 100 female; 0-14: 50, 15-64: 110, 60+ = 65+: 40, 80+: 20.
TINY_AREA = "96"
TINY_ALL = {
    "male": {10: 30, 40: 50, 70: 20},
    "female": {10: 20, 40: 60, 85: 20},
}
# The same province's Thai-nationals figures: must be dropped in favour of TINY_ALL.
TINY_THAI = {
    "male": {10: 29, 40: 45, 70: 20},
    "female": {10: 19, 40: 55, 85: 20},
}

MART_AREA_AGEING_COLUMNS = [
    ("area_code", "VARCHAR"),
    ("period", "DATE"),
    ("population_total", "BIGINT"),
    ("population_male", "BIGINT"),
    ("population_female", "BIGINT"),
    ("pop_0_14", "BIGINT"),
    ("pop_15_64", "BIGINT"),
    ("pop_60_plus", "BIGINT"),
    ("pop_65_plus", "BIGINT"),
    ("pop_80_plus", "BIGINT"),
    ("share_60_plus", "DOUBLE"),
    ("share_65_plus", "DOUBLE"),
    ("share_80_plus", "DOUBLE"),
    ("old_age_dependency_ratio", "DOUBLE"),
    ("total_dependency_ratio", "DOUBLE"),
    ("ageing_index", "DOUBLE"),
    ("sex_ratio", "DOUBLE"),
    ("ageing_stage", "VARCHAR"),
    ("is_modelled", "BOOLEAN"),
    ("population_scope", "VARCHAR"),
    ("provinces_covered", "INTEGER"),
]


# ---------------------------------------------------------------- expected values in Python


def ageing_figures(counts: dict[str, dict[int, int]]) -> dict[str, object]:
    """The mart_area_ageing measures from {sex: {age: persons}}, per docs/DESIGN.md."""

    def band(lo: int, hi: int = 101) -> int:
        return sum(n for ages in counts.values() for age, n in ages.items() if lo <= age <= hi)

    def ratio(numerator: float, denominator: int) -> float | None:
        return numerator / denominator if denominator else None

    total = band(0)
    male = sum(counts["male"].values())
    female = sum(counts["female"].values())
    p0_14, p15_64, p60, p65, p80 = band(0, 14), band(15, 64), band(60), band(65), band(80)
    share_60 = ratio(p60, total)
    stage = (
        None
        if share_60 is None
        else "super_aged"
        if share_60 >= 0.28
        else "aged"
        if share_60 >= 0.20
        else "ageing"
        if share_60 >= 0.10
        else "not_ageing"
    )
    return {
        "population_total": total,
        "population_male": male,
        "population_female": female,
        "pop_0_14": p0_14,
        "pop_15_64": p15_64,
        "pop_60_plus": p60,
        "pop_65_plus": p65,
        "pop_80_plus": p80,
        "share_60_plus": share_60,
        "share_65_plus": ratio(p65, total),
        "share_80_plus": ratio(p80, total),
        "old_age_dependency_ratio": ratio(100 * p65, p15_64),
        "total_dependency_ratio": ratio(100 * (p0_14 + p65), p15_64),
        "ageing_index": ratio(100 * p60, p0_14),
        "sex_ratio": ratio(100 * male, female),
        "ageing_stage": stage,
    }


def satun_province() -> dict[str, dict[int, int]]:
    prov = json.loads(SATUN.read_text(encoding="utf-8"))["prov_thai"]
    return {SEXES[k]: dict(enumerate(prov[k])) for k in SEXES}


def satun_districts() -> dict[str, dict[str, dict[int, int]]]:
    """Registration offices summed per district ('91' + 2-digit amphoe code)."""
    sample = json.loads(SATUN.read_text(encoding="utf-8"))
    districts: dict[str, dict[str, dict[int, int]]] = {}
    for office in sample["offices"]:
        (amphoe,) = office["aa"]
        code = f"91{int(amphoe):02d}"
        by_sex = districts.setdefault(code, {sex: dict.fromkeys(AGES, 0) for sex in SEXES.values()})
        for key, sex in SEXES.items():
            for age, n in enumerate(sample["office_thai"][office["rcode"]][key]):
                by_sex[sex][age] += n
    return districts


def full_grid(sparse: dict[str, dict[int, int]]) -> dict[str, dict[int, int]]:
    return {sex: {age: sparse[sex].get(age, 0) for age in AGES} for sex in SEXES.values()}


def add(*areas: dict[str, dict[int, int]]) -> dict[str, dict[int, int]]:
    return {
        sex: {age: sum(area[sex].get(age, 0) for area in areas) for age in AGES}
        for sex in SEXES.values()
    }


# ---------------------------------------------------------------- the build


def population_rows(area_code, counts, *, scope, is_modelled, source_id):
    return [
        (area_code, PERIOD, sex, age, n, scope, is_modelled, source_id, "0" * 64)
        for sex, ages in counts.items()
        for age, n in sorted(ages.items())
    ]


def write_raw(build_path: Path) -> None:
    """The raw schema as warehouse.load leaves it."""
    import duckdb

    all_rows = population_rows(
        TINY_AREA,
        full_grid(TINY_ALL),
        scope="all_nationalities",
        is_modelled=True,
        source_id="dopa_population",
    )
    thai_rows = population_rows(
        "91",
        satun_province(),
        scope="thai_nationals",
        is_modelled=False,
        source_id="dopa_population_thai",
    )
    for code, counts in satun_districts().items():
        thai_rows += population_rows(
            code,
            counts,
            scope="thai_nationals",
            is_modelled=False,
            source_id="dopa_population_thai",
        )
    thai_rows += population_rows(
        TINY_AREA,
        full_grid(TINY_THAI),
        scope="thai_nationals",
        is_modelled=True,
        source_id="dopa_population_thai",
    )
    manifests = [
        (source, "2026-09", f"cc={cc}", "downloaded", f"http://127.0.0.1/{source}/{cc}",
         "0" * 64, 1000, rows, "2026-10-08T10:27:00+07:00", None, None, modelled, scope,
         "DGA Open Government License (Thailand)", "dopa", "1")
        for source, cc, rows, modelled, scope in [
            ("dopa_population", TINY_AREA, 204, True, "all_nationalities"),
            ("dopa_population_thai", "91", 204 * 8, False, "thai_nationals"),
            ("dopa_population_thai", TINY_AREA, 204, True, "thai_nationals"),
        ]
    ]  # fmt: skip
    with duckdb.connect(str(build_path)) as con:
        con.execute("create schema raw; create schema meta")
        con.execute(f"create table raw.dopa_population ({POPULATION_COLUMNS})")
        con.execute(f"create table raw.dopa_population_thai ({POPULATION_COLUMNS})")
        con.execute(f"create table raw.landing_manifests ({MANIFEST_COLUMNS})")
        for table, columns in OTHER_RAW_TABLES.items():
            con.execute(f"create table raw.{table} ({columns})")
        con.executemany(f"insert into raw.dopa_population values ({', '.join('?' * 9)})", all_rows)
        con.executemany(
            f"insert into raw.dopa_population_thai values ({', '.join('?' * 9)})", thai_rows
        )
        con.executemany(
            f"insert into raw.landing_manifests values ({', '.join('?' * 16)})", manifests
        )


def run_build(
    tmp: Path, build_path: Path, *, threads: int = 6, unit_tests: bool = True, warnings: dict[str, str] | None = None
) -> dict:
    """Run ONE ``dbt build`` into ``build_path`` (raw schema already written).

    Returns the build path, run results and manifest; fails the test when any
    node did not succeed, except a warning listed in ``warnings`` (node -> its exact
    message), which must then be raised.
    """
    from dbt.cli.main import dbtRunner

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SMARTCITY_BUILD_PATH", str(build_path))
        mp.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
        result = dbtRunner().invoke(
            [
                "build",
                "--project-dir", str(PROJECT_DIR),
                "--profiles-dir", str(PROJECT_DIR),
                "--target", "duckdb",
                "--target-path", str(tmp / "target"),
                "--log-path", str(tmp / "logs"),
                "--threads", str(threads),
                *([] if unit_tests else ["--exclude-resource-type", "unit_test"]),
                "--no-partial-parse",
                "--no-use-colors",
                "--quiet",
            ]
        )  # fmt: skip
    if not (tmp / "target" / "run_results.json").exists():
        pytest.fail(f"dbt build did not run: {result.exception}")
    run_results = json.loads((tmp / "target" / "run_results.json").read_text(encoding="utf-8"))
    manifest = json.loads((tmp / "target" / "manifest.json").read_text(encoding="utf-8"))
    warnings = warnings or {}
    warned = {r["unique_id"]: (r.get("message") or "").strip() for r in run_results["results"] if r["status"] == "warn"}
    assert {node: warned.get(node) for node in warnings} == warnings
    failures = [
        f"{r['unique_id']}: {r['status']}: {(r.get('message') or '').strip()[:300]}"
        for r in run_results["results"]
        if r["status"] not in {"success", "pass"}
        and not (r["status"] == "warn" and r["unique_id"] in warnings)
        # exposures (the outputs that read the marts) are nodes of a build that builds nothing
        and not (r["unique_id"].startswith("exposure.") and r["status"] == "no-op")
    ]
    assert result.success and not failures, "dbt build failed:\n" + "\n".join(failures)
    return {"path": build_path, "run_results": run_results, "manifest": manifest}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """ONE ``dbt build`` on a fresh build file: population only, the other sources empty."""
    tmp = tmp_path_factory.mktemp("dbt_build")
    build_path = tmp / "build.duckdb"
    write_raw(build_path)
    return run_build(tmp, build_path)


def query(build_path: Path, sql: str, params=None) -> list[dict]:
    import duckdb

    with duckdb.connect(str(build_path), read_only=True) as con:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def ageing_row(build_path: Path, area_code: str) -> dict:
    rows = query(
        build_path, "select * from marts.mart_area_ageing where area_code = ?", [area_code]
    )
    assert len(rows) == 1, f"{area_code}: {len(rows)} rows"
    return rows[0]


def assert_figures(row: dict, expected: dict) -> None:
    for column, value in expected.items():
        if isinstance(value, float):
            assert row[column] == pytest.approx(value, rel=1e-12), column
        else:
            assert row[column] == value, column


# ---------------------------------------------------------------- tests of the build


@pytest.mark.slow
def test_build_runs_every_model_test_and_unit_test(built):
    results = built["run_results"]["results"]
    kinds = {}
    for r in results:
        kind = r["unique_id"].split(".")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds.get("seed") == 13
    assert kinds.get("model") == 76
    assert kinds.get("unit_test", 0) >= 12
    assert kinds.get("test", 0) >= 200


@pytest.mark.slow
def test_schemas_and_mart_columns_are_the_contract(built):
    tables = query(
        built["path"],
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in ('staging', 'intermediate', 'marts', 'reference')",
    )
    found = {(t["table_schema"], t["table_name"]) for t in tables}
    assert {
        ("marts", "dim_area"),
        ("marts", "fct_population_by_age"),
        ("marts", "mart_area_ageing"),
        ("marts", "mart_area_indicators"),
        ("reference", "ref_provinces"),
        ("reference", "indicator_catalogue"),
        ("staging", "stg_dopa__population"),
        ("intermediate", "int_population_by_age_with_country"),
    } <= found
    columns = query(built["path"], "describe marts.mart_area_ageing")
    assert [(c["column_name"], c["column_type"]) for c in columns] == MART_AREA_AGEING_COLUMNS

    marts = [
        node
        for node in built["manifest"]["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    ]
    assert len(marts) == 24
    for node in marts:
        assert node["contract"]["enforced"], node["name"]
        table_columns = query(built["path"], f"describe marts.{node['name']}")
        assert [c["column_name"] for c in table_columns] == list(node["columns"]), node["name"]
        for name, column in node["columns"].items():
            assert column["description"].strip(), f"{node['name']}.{name} undocumented"
            assert column["data_type"], f"{node['name']}.{name} has no data_type"


@pytest.mark.slow
def test_satun_ageing_matches_the_raw_ages(built):
    row = ageing_row(built["path"], "91")
    expected = ageing_figures(satun_province())
    assert expected["population_total"] == 322_634
    assert expected["population_male"] == 160_232
    assert expected["population_female"] == 162_402
    assert_figures(row, expected)
    assert row["period"] == PERIOD
    assert row["is_modelled"] is False
    assert row["population_scope"] == "thai_nationals"
    assert row["provinces_covered"] == 1


@pytest.mark.slow
def test_satun_districts_pass_through_and_add_up_to_the_province(built):
    districts = satun_districts()
    assert sorted(districts) == [f"910{i}" for i in range(1, 8)]
    for code, counts in districts.items():
        row = ageing_row(built["path"], code)
        assert_figures(row, ageing_figures(counts))
        assert row["provinces_covered"] is None
    totals = query(
        built["path"],
        "select sum(population_total) as n from marts.mart_area_ageing "
        "where length(area_code) = 4 and area_code like '91%'",
    )
    assert totals[0]["n"] == 322_634


@pytest.mark.slow
def test_all_nationalities_win_over_thai_nationals(built):
    row = ageing_row(built["path"], TINY_AREA)
    assert_figures(row, ageing_figures(full_grid(TINY_ALL)))
    assert row["population_total"] == 200
    assert row["ageing_stage"] == "aged"  # exactly 20 % aged 60+
    assert row["is_modelled"] is True
    assert row["population_scope"] == "all_nationalities"
    scopes = query(
        built["path"],
        "select distinct population_scope from marts.fct_population_by_age where area_code = ?",
        [TINY_AREA],
    )
    assert scopes == [{"population_scope": "all_nationalities"}]


@pytest.mark.slow
def test_country_row_sums_the_provinces_present(built):
    row = ageing_row(built["path"], "TH")
    expected = ageing_figures(add(satun_province(), full_grid(TINY_ALL)))
    assert expected["population_total"] == 322_634 + 200  # districts are not added again
    assert_figures(row, expected)
    assert row["provinces_covered"] == 2
    assert row["population_scope"] == "mixed"
    assert row["is_modelled"] is True  # the tiny province is modelled

    fct = query(
        built["path"],
        "select area_code, count(*) as n, sum(population) as persons "
        "from marts.fct_population_by_age group by area_code order by area_code",
    )
    by_area = {r["area_code"]: r for r in fct}
    assert set(by_area) == {"91", "96", "TH", *satun_districts()}
    assert all(r["n"] == 204 for r in fct)  # 2 sexes x 102 ages everywhere
    assert by_area["TH"]["persons"] == by_area["91"]["persons"] + by_area["96"]["persons"]


@pytest.mark.slow
def test_dim_area_has_country_provinces_and_districts(built):
    levels = query(
        built["path"],
        "select area_level, count(*) as n from marts.dim_area group by area_level",
    )
    assert {r["area_level"]: r["n"] for r in levels} == {
        "country": 1,
        "province": 77,
        "district": 928,
        "subdistrict": 7458,  # 7,436 current + 22 former
        "municipality": 1555,  # 1,554 current + 1 former
    }  # no target area: raw.target_areas is empty in this build
    rows = query(
        built["path"],
        "select * exclude (area_km2, municipality_type, is_current) from marts.dim_area "
        "where area_code in ('TH', '91', '9101') order by area_code",
    )
    assert rows == [
        {
            "area_code": "91",
            "area_level": "province",
            "name_th": "สตูล",
            "name_en": "Satun",
            "parent_code": "TH",
            "region": "Southern",
        },
        {
            "area_code": "9101",
            "area_level": "district",
            "name_th": "เมืองสตูล",
            "name_en": "Mueang Satun",
            "parent_code": "91",
            "region": "Southern",
        },
        {
            "area_code": "TH",
            "area_level": "country",
            "name_th": "ประเทศไทย",
            "name_en": "Thailand",
            "parent_code": None,
            "region": None,
        },
    ]


@pytest.mark.slow
def test_indicators_carry_units_and_labels_from_the_catalogue(built):
    with (SEED_DIR / "indicator_catalogue.csv").open(encoding="utf-8", newline="") as handle:
        catalogue = {row["indicator_code"]: row for row in csv.DictReader(handle)}
    population_indicators = {
        c for c, row in catalogue.items() if row["source_id"] == "dopa_population"
    }
    rows = query(built["path"], "select * from marts.mart_area_indicators")
    satun = {
        r["indicator_code"]: r
        for r in rows
        if r["area_code"] == "91" and r["indicator_code"] in population_indicators
    }
    assert set(satun) == population_indicators
    # besides the population indicators, only the governance ones (no other source here)
    others = {r["indicator_code"] for r in rows} - population_indicators
    assert others == {"data_coverage_share", "data_freshness_days"}
    expected = ageing_figures(satun_province())
    # the coming elderly (mart_area_indicators only, not columns of mart_area_ageing)
    ages = [n for counts in satun_province().values() for age, n in counts.items() if 50 <= age <= 59]
    expected["pop_50_59"] = sum(ages)
    expected["pre_elderly_per_100_elderly"] = 100 * sum(ages) / expected["pop_60_plus"]
    for code, row in satun.items():
        assert row["unit"] == catalogue[code]["unit"]
        assert row["dimension"] == catalogue[code]["dimension"]
        assert row["value"] == pytest.approx(expected[code], rel=1e-12)
        assert row["period"] == PERIOD
        assert row["source_vintage"] == "2026-09"
        assert row["source_id"] == "dopa_population_thai"
        assert row["is_modelled"] is False
        assert row["quality_status"] == "partial_scope"
    assert satun["population_total"]["unit"] == "persons"
    assert satun["sex_ratio"]["unit"] == "males per 100 females"
    assert satun["share_60_plus"]["unit"] == "fraction"
    assert satun["old_age_dependency_ratio"]["unit"] == "per 100 aged 15-64"
    assert satun["ageing_index"]["unit"] == "per 100 aged 0-14"

    tiny = {
        r["indicator_code"]: r
        for r in rows
        if r["area_code"] == TINY_AREA and r["indicator_code"] in population_indicators
    }
    assert {r["quality_status"] for r in tiny.values()} == {"ok"}
    assert {r["is_modelled"] for r in tiny.values()} == {True}
    country = [
        r for r in rows if r["area_code"] == "TH" and r["indicator_code"] in population_indicators
    ]
    assert {r["quality_status"] for r in country} == {"partial_scope"}
    assert {r["source_id"] for r in country} == {"dopa_population,dopa_population_thai"}
    # 10 of the 40 catalogued indicators outside governance; fetched 8 days after Sep 2026
    governance = {r["indicator_code"]: r["value"] for r in rows if r["area_code"] == "91"}
    assert governance["data_coverage_share"] == pytest.approx(10 / 40)
    assert governance["data_freshness_days"] == 8


@pytest.mark.slow
def test_empty_sources_build_empty_marts(built):
    """The energy, transport, economy and district sources are empty in this build."""
    counts = query(
        built["path"],
        "select (select count(*) from marts.fct_vehicle_registrations) as vehicles, "
        "(select count(*) from marts.fct_electricity_consumption) as electricity, "
        "(select count(*) from marts.fct_road_deaths) as road_deaths, "
        "(select count(*) from marts.fct_industrial_waste) as industrial_waste, "
        "(select count(*) from marts.mart_dimension_mobility) as mobility, "
        "(select count(*) from marts.mart_dimension_energy) as energy, "
        "(select count(*) from marts.mart_dimension_environment) as environment, "
        "(select count(*) from marts.mart_dimension_economy) as economy, "
        "(select count(*) from marts.mart_dimension_people) as people, "
        "(select count(*) from marts.mart_dimension_living) as living, "
        "(select count(*) from marts.mart_dimension_governance) as governance, "
        "(select count(*) from marts.mart_area_profile) as profile",
    )[0]
    assert counts == {
        "vehicles": 0, "electricity": 0, "road_deaths": 0, "industrial_waste": 0, "mobility": 0,
        "energy": 0, "environment": 0, "economy": 0,
        # 91, 96, 'TH' and Satun's 7 districts, Sep 2026
        "people": 10, "living": 10, "governance": 10, "profile": 10,
    }  # fmt: skip
    coverage = query(
        built["path"],
        "select count(*) as n, count(*) filter (where has_value) as with_value from meta.coverage",
    )[0]
    assert coverage == {"n": 10 * 42, "with_value": 10 * 12}


# ---------------------------------------------------------------- fast checks


def load_seed_builder():
    path = REPO / "devtools" / "reference" / "build_reference_seeds.py"
    spec = importlib.util.spec_from_file_location("build_reference_seeds", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_seeds_are_built_from_the_geo_inputs():
    builder = load_seed_builder()
    for name, text in builder.build_all().items():
        assert (SEED_DIR / name).read_text(encoding="utf-8") == text, f"{name} is stale"


def test_reference_seeds_match_every_province_to_a_region():
    with (SEED_DIR / "ref_provinces.csv").open(encoding="utf-8", newline="") as handle:
        provinces = list(csv.DictReader(handle))
    with (SEED_DIR / "ref_regions.csv").open(encoding="utf-8", newline="") as handle:
        regions = {row["region_code"]: row["name_en"] for row in csv.DictReader(handle)}
    assert len(provinces) == 77 and len(regions) == 6
    assert all(row["region_code"] in regions for row in provinces)
    by_code = {row["area_code"]: row for row in provinces}
    assert regions[by_code["91"]["region_code"]] == "Southern"
    assert regions[by_code["10"]["region_code"]] == "Central"
    assert regions[by_code["50"]["region_code"]] == "Northern"  # Chiang Mai
    assert regions[by_code["40"]["region_code"]] == "Northeastern"  # Khon Kaen
    assert by_code["16"]["name_en"] == "Lop Buri"


def test_satun_fixture_is_the_published_sample():
    province = satun_province()
    assert sum(province["male"].values()) == 160_232
    assert sum(province["female"].values()) == 162_402
    assert add(*satun_districts().values()) == province
