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

from devtools.mirror import Mirror
from tests.airflow_stack import Stack, airflow_env, prepare, start_services, stop, write_passwords
from tests.postgres_server import free_port

pytestmark = pytest.mark.slow

DAG_ID = "smartcity_refresh"
CONF = {"sources": ["dopa_population_thai"], "provinces": ["91"], "periods": ["2026-09"]}
RUN_TIMEOUT_S = 360
START_TIMEOUT_S = 90


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    home = tmp_path / "airflow"
    home.mkdir()
    data_dir = tmp_path / "data"
    port = free_port()
    password, passwords_file = write_passwords(home)
    with Mirror() as mirror:
        env = airflow_env(
            home=home, data_dir=data_dir, port=port, passwords_file=passwords_file,
            publisher_url=mirror.base_url, executor="LocalExecutor",
            database=f"sqlite:///{home / 'airflow.db'}",
        )  # fmt: skip
        prepare(env, home, timeout_s=180)
        processes = []
        try:
            processes = start_services(env, home)
            stack = Stack(home, port, password, data_dir)

            def up() -> bool:
                assert all(p.poll() is None for p in processes), stack.logs()
                return stack.healthy()

            stack.wait("the API server", up, START_TIMEOUT_S)
            yield stack
        finally:
            stop(processes)


def test_scheduler_runs_the_refresh_triggered_through_the_rest_api(stack: Stack):
    started = time.monotonic()
    stack.login()
    stack.unpause(DAG_ID, START_TIMEOUT_S)
    response = stack.api("POST", f"/dags/{DAG_ID}/dagRuns", json={"logical_date": None, "conf": CONF})
    assert response.ok, response.text
    run_id = response.json()["dag_run_id"]

    def finished() -> str | None:
        state = stack.api("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}").json()["state"]
        return state if state in {"success", "failed"} else None

    state = stack.wait("the run to finish", finished, RUN_TIMEOUT_S, pause_s=3.0)
    tasks = stack.api("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances").json()
    summary = sorted(
        (t["task_id"], t.get("map_index", -1), t["state"], t.get("try_number"))
        for t in tasks["task_instances"]
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
        for t in sorted(tasks["task_instances"], key=lambda t: t.get("start_date") or "")
    )
    print(f"\nscheduler run: {time.monotonic() - started:.0f} s after the API server was up; {timeline}")
