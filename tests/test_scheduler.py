"""A real scheduler run: Airflow's scheduler, DAG processor and API server run as separate
processes on loopback (a temporary AIRFLOW_HOME, SQLite, LocalExecutor), and
``smartcity_refresh`` is triggered through the public REST API with a JWT from the
simple auth manager, as an operator or an external system would.

Cron scheduling is off (``[scheduler] use_job_schedule = False``) so unpausing the DAG
does not also start the monthly run; the triggered run is the only one. Every process
the test starts is stopped (process group and descendants), even when it fails.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from devtools.airflow_stack import Stack, local_executor_stack
from devtools.mirror import Mirror

pytestmark = pytest.mark.slow

DAG_ID = "smartcity_refresh"
CONF = {"sources": ["dopa_population_thai"], "provinces": ["91"], "periods": ["2026-09"]}
RUN_TIMEOUT_S = 360
START_TIMEOUT_S = 90


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with (
        Mirror() as mirror,
        local_executor_stack(
            tmp_path / "airflow", tmp_path / "data", mirror.base_url,
            start_timeout_s=START_TIMEOUT_S,
        ) as stack,
    ):  # fmt: skip
        yield stack


def test_scheduler_runs_the_refresh_triggered_through_the_rest_api(stack: Stack):
    started = time.monotonic()
    stack.login()
    stack.unpause(DAG_ID, START_TIMEOUT_S)
    run_id = stack.trigger(DAG_ID, CONF)
    state = stack.finish(DAG_ID, run_id, RUN_TIMEOUT_S, pause_s=3.0)
    tasks = stack.task_instances(DAG_ID, run_id)
    summary = sorted(
        (t["task_id"], t.get("map_index", -1), t["state"], t.get("try_number"))
        for t in tasks
    )
    assert state == "success", f"{summary}\n{stack.logs()}"
    assert all(task_state in {"success", "skipped"} for _, _, task_state, _ in summary), summary
    assert {"plan", "load", "dbt_build", "quality_gate", "publish"} <= {t[0] for t in summary}

    published = stack.data_dir / "planning.duckdb"
    assert published.exists()
    with duckdb.connect(str(published), read_only=True) as con:
        releases = con.execute("select run_id from meta.releases").fetchall()
        total = con.execute(
            "select population_total from marts.mart_area_ageing "
            "where area_code = '91' and period = date '2026-09-30'"
        ).fetchall()
    assert releases == [(run_id,)]
    assert total == [(322_634,)]
    timeline = ", ".join(
        f"{t['task_id']}[{t.get('map_index', -1)}] {t.get('duration') or 0:.1f}s"
        for t in sorted(tasks, key=lambda t: t.get("start_date") or "")
    )
    print(f"\nscheduler run: {time.monotonic() - started:.0f} s after the API server was up; {timeline}")
