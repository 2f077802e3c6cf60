"""Smoke run of the benchmark scripts on tiny synthetic data.

Nothing here asserts a time: only that each script runs and yields the figures and keys
``docs/benchmarks.md`` describes. Steps that need a whole refresh (dbt, GX, Airflow) are
covered by ``make bench`` itself; the report and targets are checked on a result of the
same shape.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import duckdb
import pytest
import requests
import yaml

from bench import executor_run, run_all, scale_generator, stages, workspace
from devtools.mirror import MODELLED_HEADER, Mirror
from extract.catalogue import load_catalogue
from extract.parsers import dopa_statpop
from extract.thai.buddhist_era import period_end
from tests.conftest import REPO

PERIODS = ["2024-12", "2025-12"]
FIGURES = {
    "landing + load time / DuckDB read_json", "airflow dags test / bare parts",
    "no-change refresh / full refresh", "DAG import beyond airflow.sdk (s)",
    "per-area query p95 (ms)", "province ranking p95 (ms)", "4x data: time / 1x time",
    "peak memory of a refresh (GiB)", "site + exports of a release (s)",
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("snapshot")
    return folder, scale_generator.generate(folder, scale="tiny", periods=PERIODS)


def test_generator_writes_labelled_deterministic_answers_the_mirror_serves(tiny, tmp_path):
    root, summary = tiny
    folder = root / scale_generator.DOPA_FOLDER
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert index["synthetic"] is True and index["is_modelled"] is True
    assert "SYNTHETIC" in index["method"] and "not DOPA figures" in index["method"]
    assert all(e["is_modelled"] and e["synthetic"] and e["method"] for e in index["entries"])
    assert summary["responses"] == len(index["entries"]) == 2 * (25 + 3)
    assert summary["province_codes"] == ["38", "91", "92"]
    assert scale_generator.read_summary(root) == summary
    for name in summary["folders"][1:]:  # vehicles and electricity, where the catalogue has them
        other = json.loads((root / name / "index.json").read_text(encoding="utf-8"))
        assert other["synthetic"] and all(e["is_modelled"] and e["synthetic"] for e in other["entries"])

    again = scale_generator.generate(tmp_path / "again", scale="tiny", periods=PERIODS[-1:])
    assert again["responses"] == 28
    for entry in index["entries"]:  # a period does not depend on the periods beside it
        if entry["query"]["yymm"] == "6812":
            repeat = tmp_path / "again" / scale_generator.DOPA_FOLDER / entry["file"]
            assert repeat.read_bytes() == (folder / entry["file"]).read_bytes()

    district = next(e for e in index["entries"] if e["level"] == "district")
    with Mirror(snapshot_dirs=[root / name for name in summary["folders"]]) as mirror:
        answer = requests.get(mirror.base_url + district["url"], timeout=10)
    assert answer.status_code == 200 and answer.headers[MODELLED_HEADER] == "true"
    rows = dopa_statpop.parse(answer.content, source_id="bench", area_code=district["query"]["rcode"],
                              period=period_end("2025-12" if district["query"]["yymm"] == "6812" else "2024-12"))
    assert len(rows) == 204 and all(r.population >= 0 for r in rows)


def test_provinces_hold_their_districts_and_subdistrict_codes_are_synthetic():
    areas = scale_generator.lowest_areas("subdistrict")
    codes = [a.code for a in areas]
    districts = {code for code, _ in scale_generator.read_districts()}
    assert 7_000 < len(codes) < 8_000 and len(set(codes)) == len(codes)
    assert all(len(c) == 6 and c[:4] in districts for c in codes)
    assert areas[0].query["action"] == "25" and areas[0].query["tt"] == codes[0][4:]

    params = scale_generator.AreaParameters.draw(areas[:20], scale_generator.DEFAULT_SEED)
    counts = scale_generator.period_counts(areas[:20], params, "2025-12", scale_generator.DEFAULT_SEED)
    assert counts.shape == (20, 2, 102) and (counts[:, :, :15].sum(axis=2) > 0).all()
    thai = counts.sum(axis=0)
    total = thai + scale_generator.non_thai_counts(thai, areas[0].province, "2025-12", 1)
    assert (total >= thai).all()


def test_bench_catalogue_asks_for_exactly_the_generated_answers(tiny, tmp_path):
    root, summary = tiny
    real = yaml.safe_load((REPO / "extract" / "sources.yml").read_text(encoding="utf-8"))
    path = tmp_path / "sources.yml"
    path.write_text(yaml.safe_dump(workspace.bench_catalogue(real, summary)), encoding="utf-8")
    catalogue = load_catalogue(path)
    assert set(real["sources"]) == set(catalogue)  # every other source kept, for its raw table
    index = json.loads((root / scale_generator.DOPA_FOLDER / "index.json").read_text(encoding="utf-8"))
    served = {e["url"] for e in index["entries"]}
    asked = {
        catalogue[source_id].url(province=code, period=period).removeprefix(
            catalogue[source_id].publisher.base_url)
        for source_id, codes in (("dopa_population", summary["province_codes"]),
                                 ("dopa_population_thai", summary["area_codes"]))
        for code in codes for period in PERIODS
    }
    assert asked == served

    sub = dict(summary, level="subdistrict")
    template = workspace.bench_catalogue(real, sub)["sources"]["dopa_population_thai"]["url_template"]
    assert template.format(province="910103", yymm="6812").endswith("cc=91&rcode=9101&tt=03")


def test_subdistrict_copy_knows_the_synthetic_codes_and_only_warns(tmp_path):
    dbt_dir = tmp_path / "dbt_project"
    shutil.copytree(REPO / "dbt_project", dbt_dir, ignore=shutil.ignore_patterns("target", "logs"))
    before = (dbt_dir / "seeds" / "ref_districts.csv").read_text(encoding="utf-8").splitlines()
    # 910101 and 910102 are real sub-districts (ref_subdistricts): listed once, not again
    assert workspace.add_synthetic_subdistricts(dbt_dir, ["910101", "910102", "910198", "910199"]) == 2
    after = (dbt_dir / "seeds" / "ref_districts.csv").read_text(encoding="utf-8").splitlines()
    assert after[: len(before)] == before and len(after) == len(before) + 2
    assert after[-1].startswith("910199,91,") and "Synthetic sub-district 910199" in after[-1]
    workspace.warn_only_tests(dbt_dir)
    project = yaml.safe_load((dbt_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    assert project["data_tests"][project["name"]]["+severity"] == "warn"


def test_run_all_without_refresh_reports_landing_and_dag_import(tmp_path):
    out = tmp_path / "result.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench.run_all", "--scale", "tiny", "--periods", "1", "--no-refresh",
         "--dag-import-repeats", "1", "--work-dir", str(tmp_path), "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["machine"]["cores"] >= 1 and result["machine"]["python"]
    landing = result["landing_load"]
    assert landing["rows"] == 28 * 204 == landing["duckdb_rows"] and landing["same_population_sum"]
    assert landing["statuses"] == ["downloaded"]
    assert landing["landing_load_rows_per_s"] > 0 and landing["ratio_landing_load_to_duckdb"] > 0
    assert set(result["dag_import"]) >= {"import_airflow_sdk_s", "dag_file_beyond_sdk_s"}
    assert {t["figure"] for t in result["targets"]} == FIGURES
    assert "targets" in run.stdout and "landing + load" in run.stdout
    assert not list(tmp_path.glob("smartcity-bench-*"))  # the workspace is removed


@pytest.fixture
def mini_warehouse(tmp_path):
    """Marts of the published shape, a few rows (the queries stage needs nothing more)."""
    path = tmp_path / "planning.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("""
            create schema marts;
            create table marts.dim_area as select * from (values
                ('TH', 'country', 'Thailand'), ('91', 'province', 'Satun'),
                ('92', 'province', 'Trang'), ('9101', 'district', 'Mueang Satun'))
                t(area_code, area_level, name_en);
            create table marts.mart_area_ageing as
                select a.area_code, p.period, 1000 + y.n as population_total,
                       0.2 as share_60_plus, 25.0 as old_age_dependency_ratio,
                       'aged' as ageing_stage
                from marts.dim_area a, range(10) y(n),
                     lateral (select last_day(make_date(2016 + y.n::int, 12, 1)) as period) p;
            create table marts.mart_area_indicators as
                select area_code, period, 'people' as dimension, c.code as indicator_code,
                       share_60_plus as value, 'fraction' as unit, true as is_modelled,
                       'ok' as quality_status
                from marts.mart_area_ageing, (values ('share_60_plus'), ('share_65_plus')) c(code);
            create table marts.fct_population_by_age as
                select area_code, period, s.sex, a.age::smallint as age, 10 as population
                from marts.mart_area_ageing, (values ('male'), ('female')) s(sex), range(102) a(age);
        """)
    return path


def test_queries_stage_reports_median_and_p95(mini_warehouse):
    result = stages.queries(mini_warehouse, repeats=5)
    assert result["periods_in_marts"] == 10
    for name in run_all.QUERY_NAMES:
        assert set(result[name]) >= {"median_ms", "p95_ms", "n"} and result[name]["n"] == 5
    assert result["province_ranking"]["rows_last"] == 2
    assert result["ten_year_trend"]["rows_last"] == 10
    assert result["area_age_pyramid"]["rows_last"] == 204


def test_task_times_targets_and_report_of_a_full_result():
    log = "\n".join([
        "2026-11-29T02:49:33.000000Z [info ] [DAG TEST] starting task_id=plan map_index=-1 [x]",
        "2026-11-29T02:49:35.500000Z [info ] [DAG TEST] end task task_id=plan map_index=-1 [x]",
        "2026-11-29T02:49:36.000000Z [info ] [DAG TEST] starting task_id=extract map_index=0 [x]",
        "2026-11-29T02:49:37.000000Z [info ] [DAG TEST] end task task_id=extract map_index=0 [x]",
        "2026-11-29T02:49:37.000000Z [info ] [DAG TEST] starting task_id=extract map_index=1 [x]",
        "2026-11-29T02:49:39.000000Z [info ] [DAG TEST] end task task_id=extract map_index=1 [x]",
    ])
    assert run_all.task_seconds(log) == {"plan": 2.5, "extract": 3.0}

    run = {"wall_s": 100.0, "tasks_s": {"plan": 2.5}, "tasks_total_s": 90.0, "outside_tasks_s": 10.0,
           "peak_tree_rss_bytes": 2 * run_all.GIB, "periods": 10,
           "outputs": {"exports_s": 20.0, "workbooks": 90, "site_s": 45.0, "site_pages": 1100}}
    result = {
        "machine": run_all.machine(), "scale": "subdistrict", "periods": 10, "seed": 1,
        "growth_factors": [1, 2, 4], "load_average_at_start": (1.0, 1.0, 1.0),
        "generate": {"responses": 10, "rows": 2040, "areas": 5, "level": "subdistrict",
                     "provinces": 1, "periods": 40},
        "landing_load": {"extract_workers": 4, "landing_s": 1.0, "record_s": 0.1, "load_s": 0.4,
                         "landing_load_s": 1.5, "rows": 2040, "landing_load_rows_per_s": 1360.0,
                         "duckdb_threads": 2, "duckdb_files_per_call": 1000, "duckdb_read_json_s": 1.0,
                         "duckdb_rows_per_s": 2040.0,
                         "ratio_landing_load_to_duckdb": 1.5},
        "full_refresh": run,
        "no_change_refresh": {**run, "wall_s": 5.0, "http": {"requests": 10, "conditional": 10},
                              "published_new_release": False},
        "bare": {"extract_s": 10.0, "load_s": 5.0, "dbt_build_cli_s": 30.0, "gx_gate_s": 10.0,
                 "publish_s": 1.0, "issue_parts_s": 45.0, "all_parts_s": 56.0,
                 "peak_tree_rss_bytes": run_all.GIB},
        "growth": [{"factor": 1, "periods": 10, "wall_s": 100.0, "peak_tree_rss_bytes": 1},
                   {"factor": 4, "periods": 40, "wall_s": 420.0, "peak_tree_rss_bytes": 1}],
        "gate": {"runs": [{"rows": 10, "seconds": 1.0, "s_per_million_rows": 1e5}]},
        "queries": {"periods_in_marts": 10, **{name: {"median_ms": 1.0, "p95_ms": 2.0, "rows_last": 1}
                                               for name in run_all.QUERY_NAMES}},
        "dag_import": {"import_airflow_sdk_s": 1.0, "dag_file_beyond_sdk_s": 0.1},
        "local_executor": {"wall_s": 80.0, "tasks_s": {"extract": 6.0}, "extract_tasks": 2,
                           "extract_span_s": 3.5, "extract_task_s": 6.0, "extract_most_at_once": 2},
    }
    result["targets"] = run_all.targets(result)
    met = {t["figure"]: t["met"] for t in result["targets"]}
    assert set(met) == FIGURES
    assert met["landing + load time / DuckDB read_json"] is True
    assert met["airflow dags test / bare parts"] is True  # 100 / 56
    assert met["no-change refresh / full refresh"] is True  # 0.05
    assert met["4x data: time / 1x time"] is True  # 4.2
    assert met["peak memory of a refresh (GiB)"] is True  # 2 GiB at sub-district x 10
    assert met["site + exports of a release (s)"] is False  # 65 s
    text = run_all.report(result)
    for heading in ("landing + load", "full refresh", "no-change refresh", "growth",
                    "GX quality gate", "analyst queries", "DAG import", "targets",
                    "extract in parallel (LocalExecutor"):
        assert heading in text


def test_executor_run_summary_counts_extract_tasks_running_at_once():
    def ti(task, map_index, start, end):
        return {"task_id": task, "map_index": map_index,
                "start_date": f"2026-12-02T10:00:{start:02d}Z", "end_date": f"2026-12-02T10:00:{end:02d}Z"}

    tis = [ti("plan", -1, 0, 2), ti("extract", 0, 3, 9), ti("extract", 1, 3, 5), ti("extract", 2, 5, 8),
           ti("extract", 3, 9, 12), {"task_id": "load", "map_index": -1, "start_date": None, "end_date": None}]
    summary = executor_run.summarise(tis)
    assert summary["extract_tasks"] == 4
    assert summary["extract_most_at_once"] == 2  # 1 ends at :05 when 2 starts; 0 ends as 3 starts
    assert summary["extract_span_s"] == 9.0 and summary["extract_task_s"] == 14.0
    assert summary["tasks_s"] == {"plan": 2.0, "extract": 14.0}
