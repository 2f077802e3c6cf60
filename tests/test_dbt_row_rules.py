"""Row-level rules are dbt data tests: a defect in a row of a mart fails dbt, with a
message naming the model and the test, and nothing is published (``dbt build`` failing
stops the run before the gate and publish: see tests/test_publish.py). The severity of
each test comes from the one quality policy (dbt_project.yml ``vars.quality_severity``),
and the dbt test results reach ``meta.quality_results`` beside the gate's (engine 'dbt').
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from expectations import policy
from expectations.results import ENGINE_DBT
from tests.test_dbt_project import PROJECT_DIR, run_build, write_raw
from warehouse.dbt_build import DbtBuildError, check_outcome, run_results_rows
from warehouse.targets.duckdb.gate import write_quality_results

pytestmark = pytest.mark.slow  # runs dbt

# one defect of each kind of row rule, each in its own row
DEFECTS = (
    # male + female = total
    "update marts.mart_area_ageing set population_male = population_male + 7 "
    "where area_code = '91'",
    # a count >= 0
    "update marts.fct_population_by_age set population = -5 "
    "where area_code = '96' and sex = 'male' and age = 10",
    # accepted values
    "update marts.mart_area_ageing set ageing_stage = 'elderly' where area_code = '96'",
    "update marts.mart_dimension_living set quality_status = 'fine' where area_code = '91'",
    # a share in [0, 1] (the catalogue's range of a fraction)
    "update marts.mart_dimension_living set share_80_plus = 1.5 where area_code = 'TH'",
)
# the dbt tests each defect fails (the start of the test's name)
CAUGHT_BY = (
    "expression_is_true_mart_area_ageing_population_male_population_female_population_total",
    "accepted_range_fct_population_by_age_population__0",
    "accepted_values_mart_area_ageing_ageing_stage",
    "expression_is_true_mart_area_ageing_ageing_stage_is_null",  # not what share_60_plus means
    "accepted_values_mart_dimension_living_quality_status",
    "expression_is_true_mart_dimension_living_",
)


def _dbt_test(tmp: Path, build_path: Path, models: list[str]) -> tuple[dict, object]:
    from dbt.cli.main import dbtRunner

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SMARTCITY_BUILD_PATH", str(build_path))
        mp.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
        result = dbtRunner().invoke(
            ["test", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
             "--target", "duckdb", "--target-path", str(tmp / "target"),
             "--log-path", str(tmp / "logs"), "--select", *models,
             "--exclude-resource-type", "unit_test", "--no-use-colors", "--quiet"]
        )  # fmt: skip
    return json.loads((tmp / "target" / "run_results.json").read_text(encoding="utf-8")), result


@pytest.fixture(scope="module")
def dbt_runs(tmp_path_factory):
    """ONE dbt build of the test_dbt_project build file, then ONE dbt test of three marts
    of a copy holding the defects."""
    tmp = tmp_path_factory.mktemp("row_rules")
    clean = tmp / "build.duckdb"
    write_raw(clean)
    built = run_build(tmp / "build", clean, unit_tests=False)
    corrupt = Path(shutil.copy(clean, tmp / "corrupt.duckdb"))
    with duckdb.connect(str(corrupt)) as con:
        for statement in DEFECTS:
            con.execute(statement)
    run_results, result = _dbt_test(
        tmp / "test",
        corrupt,
        ["mart_area_ageing", "fct_population_by_age", "mart_dimension_living"],
    )
    return {"built": built, "run_results": run_results, "result": result}


def test_each_row_defect_fails_its_dbt_test_and_stops_the_run(dbt_runs):
    run_results = dbt_runs["run_results"]
    failed = sorted(
        r["unique_id"].split(".")[2] for r in run_results["results"] if r["status"] == "fail"
    )
    for name in CAUGHT_BY:
        assert any(f.startswith(name) for f in failed), (name, failed)
    assert len(failed) == len(CAUGHT_BY), failed
    # the run stops: the refresh's build step raises with the model and test named
    with pytest.raises(DbtBuildError) as caught:
        check_outcome(run_results, dbt_runs["result"])
    message = str(caught.value)
    assert message.startswith(f"dbt build failed ({len(CAUGHT_BY)} failing nodes)")
    for name in CAUGHT_BY:
        assert f"test.smartcity.{name}" in message


def test_test_severities_are_the_policy(dbt_runs):
    manifest = dbt_runs["built"]["manifest"]
    tests = {
        uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "test"
    }
    # a generic test by the model it is attached to, a singular test by its own name
    warn = sorted(
        (n.get("attached_node") or n["name"]).rsplit(".", 1)[-1]
        for n in tests.values()
        if n["config"]["severity"].lower() == "warn"
    )
    # the two warning classes of row rules: consistency with the counts, an optional value
    assert policy.dbt_severities()["row_consistency"] == "warn"
    assert policy.dbt_severities()["optional_value"] == "warn"
    assert warn == ["assert_stat_file_offices_in_reference_geography", "mart_area_ageing", "mart_area_profile"]
    assert {n["config"]["severity"].lower() for n in tests.values()} <= {"error", "warn"}
    assert policy.severity("key") == policy.BLOCKING
    assert policy.severity("change_vs_previous") == policy.WARNING


def test_dbt_results_join_the_gate_results_in_meta_quality_results(dbt_runs, tmp_path):
    built = dbt_runs["built"]
    build = Path(shutil.copy(built["path"], tmp_path / "build.duckdb"))
    # where the pipeline's dbt build leaves them: meta.dbt_run_results and the manifest
    target = build.with_suffix(".dbt") / "target"
    target.mkdir(parents=True)
    (target / "manifest.json").write_text(json.dumps(built["manifest"]), encoding="utf-8")
    rows = run_results_rows(built["run_results"], "run-1")
    with duckdb.connect(str(build)) as con:
        con.execute(
            "create table meta.dbt_run_results (run_id varchar, unique_id varchar, "
            "status varchar, execution_time double, failures bigint, message varchar)"
        )
        con.executemany("insert into meta.dbt_run_results values (?, ?, ?, ?, ?, ?)", rows)

    written = write_quality_results(
        build, run_id="run-1", checked_at=dt.datetime.now(dt.UTC), outcomes=[]
    )

    tests = [r for r in rows if r[1].startswith("test.")]
    assert written == len(tests) > 200
    with duckdb.connect(str(build), read_only=True) as con:
        found = con.execute(
            "select engine, suite, check_name, severity, success, count(*) "
            "from meta.quality_results group by all order by all"
        ).fetchall()
    assert {r[0] for r in found} == {ENGINE_DBT}
    assert all(r[4] for r in found)
    checks = {(r[1], r[2], r[3]) for r in found}
    assert ("fct_population_by_age", "accepted_range population", "blocking") in checks
    assert ("mart_area_profile", "not_null area_level", "warning") in checks
