"""Outputs follow the marts a release has: a small release file with target areas,
benchmarks and plan progress (the marts' documented columns) and without the single-age
table gets target-area workbooks and pages, benchmark and plan sections, and no pyramid.
Fast: no dbt, no docs."""

from __future__ import annotations

import shutil

import duckdb
import openpyxl
import pytest

from warehouse import outputs

RELEASE_ID = "20261201T000000Z-optional"


@pytest.fixture
def release_dir(data_dir):
    path = data_dir / "releases" / f"{RELEASE_ID}.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        con.execute("""
            create schema marts; create schema meta; create schema reference;
            create table meta.releases as select 'RID' as release_id, 'run' as run_id,
                timestamptz '2026-12-01 00:00:00+00' as published_at, 'test' as code_version;
            create table marts.dim_area (area_code varchar, area_level varchar, name_th varchar,
                name_en varchar, parent_code varchar, region varchar);
            insert into marts.dim_area values
                ('TH', 'country', 'ประเทศไทย', 'Thailand', null, null),
                ('90', 'province', 'สงขลา', 'Songkhla', 'TH', 'Southern'),
                ('91', 'province', 'สตูล', 'Satun', 'TH', 'Southern'),
                ('9101', 'district', 'เมืองสตูล', 'Mueang Satun', '91', 'Southern'),
                ('9102', 'district', 'ควนโดน', 'Khuan Don', '91', 'Southern'),
                ('SC01', 'target_area', 'เมืองอัจฉริยะสตูล', 'Satun Smart City', '91', 'Southern'),
                ('SC02', 'target_area', 'ยังไม่กำหนด', 'Unmapped area', '90', 'Southern');
            create table marts.dim_target_area_members as
                select 'SC01' as target_area_code, '9101' as member_code,
                       'district' as member_level, 'administrative_unit' as membership_basis;
            create table reference.indicator_catalogue (indicator_code varchar, dimension varchar,
                name_th varchar, name_en varchar, unit varchar, direction varchar);
            insert into reference.indicator_catalogue values
                ('population_total', 'people', 'จำนวนประชากร', 'Registered population', 'persons', 'neutral'),
                ('road_deaths_per_100k', 'mobility', 'ผู้เสียชีวิตจากอุบัติเหตุ', 'Road deaths per 100k', 'deaths per 100000 persons per year', 'lower_is_better');
            create table marts.mart_area_indicators as
            select area_code, period::date as period, dimension, indicator_code, value::double as value,
                   unit, 'src' as source_id, strftime(period::date, '%Y-%m') as source_vintage,
                   false as is_modelled, 'ok' as quality_status
            from (values
                ('90', '2020-12-31', 'people', 'population_total', 1400000, 'persons'),
                ('91', '2020-12-31', 'people', 'population_total', 320000, 'persons'),
                ('91', '2021-12-31', 'people', 'population_total', 322000, 'persons'),
                ('91', '2021-12-31', 'mobility', 'road_deaths_per_100k', 30.5, 'deaths per 100000 persons per year'),
                ('90', '2021-12-31', 'mobility', 'road_deaths_per_100k', 25.0, 'deaths per 100000 persons per year'),
                ('9101', '2021-12-31', 'people', 'population_total', 120000, 'persons'),
                ('9102', '2021-12-31', 'people', 'population_total', 30000, 'persons'),
                ('SC01', '2021-12-31', 'people', 'population_total', 120000, 'persons'),
                ('SC01', '2021-12-31', 'mobility', 'road_deaths_per_100k', 20.0, 'deaths per 100000 persons per year')
            ) t(area_code, period, dimension, indicator_code, value, unit);
            create table marts.mart_area_benchmarks as
            select '91' as area_code, date '2021-12-31' as period, 'road_deaths_per_100k' as indicator_code,
                   'all_provinces' as peer_group, 30.5 as value, 'lower_is_better' as direction,
                   2 as peer_count, 2 as rank, 0.0 as percentile, 0.0 as score_0_100,
                   27.0 as national_value, 27.0 as region_value, false as is_modelled, 'ok' as quality_status
            union all
            select '90', date '2021-12-31', 'road_deaths_per_100k', 'all_provinces', 25.0,
                   'lower_is_better', 2, 1, 1.0, 100.0, 27.0, 27.0, false, 'ok';
            create table marts.mart_plan_progress as
            select 'SC01' as area_code, 'road_deaths_per_100k' as indicator_code,
                   date '2020-12-31' as baseline_period, 25.0 as baseline_value,
                   date '2027-12-31' as target_period, 10.0 as target_value,
                   date '2021-12-31' as latest_period, 20.0 as latest_value,
                   (20.0 - 25.0) / (10.0 - 25.0) as progress_share, -2.14 as required_annual_change,
                   -5.0 as actual_annual_change, 'on_track' as status, 2 as u4ssc_band,
                   'Satun smart city master plan, KPI 2.3' as source;
        """)
        con.execute("update meta.releases set release_id = ?", [RELEASE_ID])
    shutil.copyfile(path, data_dir / "planning.duckdb")
    return data_dir


def test_target_areas_benchmarks_and_plan_progress_when_present(release_dir):
    summary = outputs.write_release_outputs(release_dir, exports=True, site=True, dbt_docs=False)
    assert summary["release_id"] == RELEASE_ID
    workbooks = release_dir / "exports" / "latest" / "workbooks"
    # Provinces and the target area with members; the unmapped one has no workbook.
    assert sorted(p.stem for p in workbooks.glob("*.xlsx")) == [
        "province-90", "province-91", "target_area-SC01",
    ]  # fmt: skip
    wb = openpyxl.load_workbook(workbooks / "target_area-SC01.xlsx")
    plan = list(wb["plan_progress"].iter_rows(values_only=True))
    assert plan[1][:2] == ("Area code", "Indicator code") and plan[2][-1].startswith("Satun")
    assert abs(plan[2][plan[1].index("progress_share")] - 1 / 3) < 1e-9
    bench = list(openpyxl.load_workbook(workbooks / "province-91.xlsx")["benchmarks"].iter_rows(values_only=True))
    assert "Score 0-100" in bench[1] and bench[2][bench[1].index("Rank")] == 2  # the mart's own rows
    site = release_dir / "site" / "latest" / "areas"
    target = (site / "target_area-SC01.html").read_text(encoding="utf-8")
    assert "Plan targets and progress" in target and "on_track" in target
    assert 'href="district-9101.html"' in target  # its member
    assert "Age pyramid" not in target  # no single-age mart in this release
    province = (site / "province-91.html").read_text(encoding="utf-8")
    assert "No targets for this area" in province
    assert "mean score among peers" in province and "all_provinces" in province
    assert 'href="target_area-SC01.html"' in province  # the target area lies in the province
    assert (site / "target_area-SC02.html").exists()  # listed with no figures
    index = (release_dir / "site" / "latest" / "index.html").read_text(encoding="utf-8")
    assert "Satun Smart City" in index and 'value="target_area"' in index


def test_areas_are_read_a_chunk_at_a_time_with_the_rows_of_the_whole_mart(release_dir):
    from warehouse.outputs.areas import AreaData
    from warehouse.outputs.release import Release

    with Release(release_dir / "planning.duckdb") as release:
        data = AreaData(release)
        whole: dict[str, list] = {}
        for row in release.rows(
            "select * from marts.mart_area_indicators order by area_code, indicator_code, period"
        ):
            whole.setdefault(row["area_code"], []).append(row)
        areas = data.page_areas()
        held = []
        for area in data.each(areas, chunk=2):
            held.append(len(data._cache))
            assert data.indicators.get(area.code, []) == whole.get(area.code, [])
            assert (area.code in data.plan) == (area.code == "SC01")
        assert max(held) == 2 and len(areas) > 2  # never more areas than a chunk in memory
        assert data._cache == {}
        assert data.indicators.get("91") == whole["91"]  # outside a chunk: read on its own
        assert [a.code for a in data.children["91"]] == ["9101", "9102", "SC01"]


def test_a_shared_peer_chart_encodes_as_plotly_encodes_the_whole_figure(release_dir):
    import json

    import plotly.io

    from warehouse.outputs import site
    from warehouse.outputs.areas import AreaData
    from warehouse.outputs.release import Release

    with Release(release_dir / "planning.duckdb") as release:
        data = AreaData(release)
        for code in ("90", "91"):
            figure, ranks = site.benchmark_figure(data, data.by_code[code])
            text = str(site._figure_json(figure))
            decoded = json.loads(text)
            assert text == plotly.io.to_json(decoded, validate=False, engine="json")
            deaths = next(t for t in decoded["data"] if t["name"] == "road_deaths_per_100k")
            assert deaths["x"] == ["Satun", "Songkhla"] and deaths["y"] == [30.5, 25.0]
            assert deaths["customdata"] == ["สตูล", "สงขลา"]  # highest first
            red = deaths["marker"]["color"].index(site.HIGHLIGHT)
            assert deaths["x"][red] == data.by_code[code].name_en
            assert deaths["marker"]["color"].count(site.HIGHLIGHT) == 1
            rank = next(r for r in ranks if r["indicator_code"] == "road_deaths_per_100k")
            assert rank["rank"] == (1 if code == "91" else 2) and rank["peer_count"] == 2


def test_failing_dbt_docs_fail_the_outputs_and_leave_no_folder_behind(release_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("SMARTCITY_DBT_PROJECT_DIR", str(tmp_path / "no-project"))
    with pytest.raises(outputs.OutputsError, match="dbt docs generate failed.*stays published"):
        outputs.write_release_outputs(release_dir, exports=False, site=True, dbt_docs=True)
    site = release_dir / "site"
    assert not (site / "latest").exists()  # nothing swapped in
    assert not [p for p in site.iterdir() if "dbt-docs" in p.name]  # the docs' folder is gone
