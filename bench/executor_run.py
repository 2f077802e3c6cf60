"""The full refresh under a real scheduler with the LocalExecutor, beside ``airflow dags test``.

``airflow dags test`` runs the mapped extract tasks one after another; an executor that
runs tasks in parallel runs up to ``max_active_tis_per_dagrun`` (4) of a run's extract
tasks at once. This runs the same refresh (same workspace, conf and answers) through the
API server, scheduler and DAG processor of ``devtools.airflow_stack`` (LocalExecutor,
SQLite metadata database), triggered through the REST API, and reads every task
instance's start and end from the API.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import workspace
from devtools.airflow_stack import local_executor_stack

DAG_ID = "smartcity_refresh"
START_TIMEOUT_S = 180
RUN_TIMEOUT_S = 4 * 3600


def _window(ti: dict[str, Any]) -> tuple[dt.datetime, dt.datetime] | None:
    if not ti.get("start_date") or not ti.get("end_date"):
        return None
    return (
        dt.datetime.fromisoformat(ti["start_date"].replace("Z", "+00:00")),
        dt.datetime.fromisoformat(ti["end_date"].replace("Z", "+00:00")),
    )


def most_at_once(windows: Sequence[tuple[dt.datetime, dt.datetime]]) -> int:
    """The largest number of the windows that overlap at one moment."""
    events = sorted([(start, 1) for start, _ in windows] + [(end, -1) for _, end in windows])
    running = peak = 0
    for _, step in events:  # an end sorts before a start at the same instant
        running += step
        peak = max(peak, running)
    return peak


def summarise(tis: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Seconds per task id (mapped instances summed), the extract tasks' span from the
    first start to the last end, and how many extract tasks ran at once at most."""
    tasks_s: dict[str, float] = {}
    extract = []
    for ti in tis:
        window = _window(ti)
        if window is None:
            continue
        seconds = (window[1] - window[0]).total_seconds()
        tasks_s[ti["task_id"]] = tasks_s.get(ti["task_id"], 0.0) + seconds
        if ti["task_id"] == "extract":
            extract.append(window)
    span = (max(e for _, e in extract) - min(s for s, _ in extract)).total_seconds() if extract else 0
    return {
        "tasks_s": tasks_s,
        "extract_tasks": len(extract),
        "extract_span_s": span,
        "extract_task_s": tasks_s.get("extract", 0.0),
        "extract_most_at_once": most_at_once(extract),
    }


def refresh(
    ws: workspace.Workspace, data_dir: Path, periods: Sequence[str], base_url: str
) -> dict[str, Any]:
    """One full refresh triggered through the REST API; wall time from trigger to end."""
    home = ws.root / "airflow-local-executor"
    with local_executor_stack(
        home,
        data_dir,
        base_url,
        start_timeout_s=START_TIMEOUT_S,
        dags_folder=ws.code / "dags",
        base_env=ws.env(data_dir=data_dir, base_url=base_url),
    ) as stack:
        stack.login()
        stack.unpause(DAG_ID, START_TIMEOUT_S)
        started = time.perf_counter()
        run_id = stack.trigger(DAG_ID, ws.conf(list(periods)))
        state = stack.finish(DAG_ID, run_id, RUN_TIMEOUT_S)
        wall_s = time.perf_counter() - started
        tis = stack.task_instances(DAG_ID, run_id)
        if state != "success":
            raise RuntimeError(f"the LocalExecutor run ended {state}:\n{stack.logs()}")
    return {"executor": "LocalExecutor", "wall_s": wall_s, "periods": len(periods), **summarise(tis)}
