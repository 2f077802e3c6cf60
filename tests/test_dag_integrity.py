"""DagBag integrity: the DAG imports cleanly, is shaped as designed, and stays thin."""

import ast
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[1] / "dags"
HEAVY = {"duckdb", "dbt", "great_expectations", "pandas", "pyarrow", "requests",
         "extract", "warehouse", "expectations"}
LIGHT_ALERTS = "warehouse.alerts"


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "smartcity_refresh" in dagbag.dags


def test_shape_pools_retries_and_assets(dagbag):
    dag = dagbag.dags["smartcity_refresh"]
    assert dag.catchup is False and dag.doc_md
    order = ["plan", "extract", "record_fetches", "load", "dbt_build", "quality_gate", "publish"]
    assert sorted(dag.task_ids) == sorted(order)
    for upstream, downstream in zip(order, order[1:], strict=False):
        assert downstream in dag.get_task(upstream).downstream_task_ids
    for writer in ("load", "dbt_build", "quality_gate", "publish"):
        assert dag.get_task(writer).pool == "warehouse_writer"
    assert dag.get_task("extract").retries >= 2
    publish_outlets = {a.uri for a in dag.get_task("publish").outlets}
    assert publish_outlets == {"smartcity://warehouse/planning"}
    from extract.catalogue import load_catalogue

    assert {a.uri for a in dag.get_task("record_fetches").outlets} == {
        f"smartcity://raw/{source_id}" for source_id in load_catalogue()}


@pytest.mark.parametrize("path", sorted(DAGS.glob("*.py")), ids=lambda p: p.name)
def test_no_heavy_imports_at_module_level(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:  # module level only; imports inside tasks are fine
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        if names == [LIGHT_ALERTS]:  # notifiers for callbacks: imports airflow.sdk only
            continue
        assert not {n.split(".")[0] for n in names} & HEAVY, f"{path.name} imports {names} at top level"


def test_alerts_module_stays_light():
    import subprocess
    import sys

    heavy = sorted(HEAVY - {"warehouse"})
    code = f"import sys, warehouse.alerts; print(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_monthly_full_check_triggers_the_refresh_with_full_check(dagbag):
    dag = dagbag.dags["smartcity_full_check"]
    assert dag.catchup is False and dag.doc_md
    (trigger,) = dag.tasks
    assert trigger.trigger_dag_id == "smartcity_refresh" and trigger.conf == {"full_check": True}
    assert dag.schedule == "0 2 15 * *"  # monthly, mid-month
    refresh = dagbag.dags["smartcity_refresh"]
    assert refresh.get_task("extract").max_active_tis_per_dagrun >= 2
    from extract.run_config import full_check

    assert full_check(trigger.conf) is True  # the run configuration the refresh accepts
