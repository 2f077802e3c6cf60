"""SIGKILL a real `airflow dags test` run at each stage: planning.duckdb stays the
previous complete release (readable), and the next run cleans up and completes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from devtools.mirror import Fault, Mirror
from tests.conftest import REPO
from warehouse import refresh

pytestmark = pytest.mark.slow
CONF = {"sources": ["dopa_population_thai"], "provinces": ["91"], "periods": ["2026-09"]}
# The release in place before the killed runs holds another slice, so every killed run
# has new data to build (an unchanged run would stop before load).
PREVIOUS_CONF = {"sources": ["dopa_population"], "provinces": ["91"], "periods": ["2021-06"]}
PREVIOUS_TOTAL, BOTH_TOTAL = 324_391, 324_391 + 322_634
AIRFLOW = str(Path(sys.executable).with_name("airflow"))


def _latest_task_states(db: Path) -> dict[str, str]:
    with sqlite3.connect(db, timeout=5) as con:
        rows = con.execute("""
            select task_id, state from task_instance where run_id = (
                select run_id from dag_run where dag_id = 'smartcity_refresh' order by id desc limit 1)
        """).fetchall()
    return {task: state for task, state in rows}


def _start_run(data_dir: Path, base_url: str) -> subprocess.Popen:
    env = {**os.environ, "SMARTCITY_DATA_DIR": str(data_dir), "DOPA_BASE_URL": base_url}
    with open(data_dir / "run.log", "w") as log:  # the child keeps its own descriptor
        return subprocess.Popen([AIRFLOW, "dags", "test", "smartcity_refresh", "-c", json.dumps(CONF)],
                                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _log_tail(data_dir: Path) -> str:
    return (data_dir / "run.log").read_text(errors="replace")[-3000:]


def _kill_when_running(proc: subprocess.Popen, task_id: str, db: Path, started_before: int,
                       data_dir: Path) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the run ended before {task_id} was running:\n{_log_tail(data_dir)}")
        try:
            if _run_count(db) > started_before and _latest_task_states(db).get(task_id) == "running":
                break
        except sqlite3.OperationalError:
            pass  # the database is busy or not yet created: poll again
        time.sleep(0.05)
    else:
        pytest.fail(f"{task_id} never ran")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _run_count(db: Path) -> int:
    with sqlite3.connect(db, timeout=5) as con:
        return con.execute("select count(*) from dag_run where dag_id = 'smartcity_refresh'").fetchall()[0][0]


def _published_release(data_dir: Path) -> tuple[str, int]:
    with duckdb.connect(str(data_dir / "planning.duckdb"), read_only=True) as con:
        release = con.execute("select release_id from meta.releases order by published_at desc limit 1").fetchall()
        total = con.execute("select sum(population_total) from marts.mart_area_ageing where area_code = '91'").fetchall()
    return release[0][0], total[0][0]


@pytest.fixture(scope="module")
def previous_release(tmp_path_factory):
    """A complete release made before the runs that get killed."""
    data_dir = tmp_path_factory.mktemp("data")
    with Mirror() as mirror:
        os.environ["DOPA_BASE_URL"] = mirror.base_url
        batches = [refresh.extract(b, data_dir) for b in refresh.plan(PREVIOUS_CONF)]
    os.environ.pop("DOPA_BASE_URL")
    refresh.record("before", batches, data_dir)
    info = refresh.gate(refresh.build(refresh.load("before", data_dir)), data_dir)
    release = refresh.publish(info, data_dir)
    return data_dir, release["release_id"]


@pytest.mark.parametrize("stage", ["extract", "load", "dbt_build", "quality_gate", "publish"])
def test_kill_at_stage_keeps_previous_release(previous_release, stage):
    data_dir, release_id = previous_release
    db = Path(os.environ["AIRFLOW_HOME"]) / "airflow.db"
    runs_before = _run_count(db)
    with Mirror() as mirror:
        if stage == "extract":  # a slow publisher keeps the run inside extract
            mirror.inject(Fault("sleep", seconds=30, times=1))
        proc = _start_run(data_dir, mirror.base_url)
        _kill_when_running(proc, stage, db, runs_before, data_dir)
    published, total = _published_release(data_dir)
    if stage == "publish":  # killed inside publish: the old or the new release, whole
        assert total in {PREVIOUS_TOTAL, BOTH_TOTAL}
    else:
        assert (published, total) == (release_id, PREVIOUS_TOTAL)


def test_next_run_cleans_up_and_completes(previous_release):
    data_dir, release_id = previous_release
    with Mirror() as mirror:
        proc = _start_run(data_dir, mirror.base_url)
        assert proc.wait(timeout=600) == 0, _log_tail(data_dir)
    published, total = _published_release(data_dir)
    assert published != release_id and total == BOTH_TOTAL
    assert not list((data_dir / "build").glob("*")), "leftover build files"
    assert not list(data_dir.glob(".planning.duckdb.*.tmp"))
    assert not list((data_dir / "raw").rglob(".*.tmp"))
