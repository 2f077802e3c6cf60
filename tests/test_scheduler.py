"""A real scheduler run: Airflow's scheduler, DAG processor and API server run as separate
processes on loopback (a temporary AIRFLOW_HOME, SQLite, LocalExecutor), and
``smartcity_refresh`` is triggered through the public REST API with a JWT from the
simple auth manager, as an operator or an external system would.

Cron scheduling is off (``[scheduler] use_job_schedule = False``) so unpausing the DAG
does not also start the monthly run; the triggered run is the only one. Every process
the test starts is stopped (process group and descendants), even when it fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import requests

from devtools.mirror import Mirror
from tests.conftest import REPO
from tests.postgres_server import free_port

pytestmark = pytest.mark.slow

DAG_ID = "smartcity_refresh"
CONF = {"sources": ["dopa_population_thai"], "provinces": ["91"], "periods": ["2026-09"]}
RUN_TIMEOUT_S = 360
START_TIMEOUT_S = 90
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
USER = "admin"


def _publisher_variables() -> list[str]:
    from extract import catalogue

    listed = getattr(catalogue, "base_url_variables", None)
    return sorted({"DOPA_BASE_URL", *(listed() if listed else [])})


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` that is still alive (read from /proc)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM each process group and every descendant, then SIGKILL what is left."""
    doomed = {p.pid: _children(p.pid) for p in processes}
    for proc in processes:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for proc in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    for proc in processes:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in doomed[proc.pid]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)


class Stack:
    def __init__(self, home: Path, base_url: str, password: str, data_dir: Path) -> None:
        self.home = home
        self.data_dir = data_dir
        self.base_url = base_url
        self.password = password
        self.session = requests.Session()

    def logs(self, lines: int = 40) -> str:
        parts = []
        for log in sorted(self.home.glob("*.log")):
            text = log.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {log.name}\n" + "\n".join(text))
        return "\n".join(parts)

    def login(self) -> None:
        response = self.session.post(
            f"{self.base_url}/auth/token",
            json={"username": USER, "password": self.password},
            timeout=30,
        )
        assert response.status_code == 201, response.text
        self.session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.session.request(method, f"{self.base_url}/api/v2{path}", timeout=30, **kwargs)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    home = tmp_path / "airflow"
    home.mkdir()
    data_dir = tmp_path / "data"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    password = secrets.token_urlsafe(16)
    passwords_file = home / "simple_auth_manager_passwords.json"
    passwords_file.write_text(json.dumps({USER: password}), encoding="utf-8")
    passwords_file.chmod(0o600)

    with Mirror() as mirror:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "SMARTCITY_PG_"))}
        env.update({
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": "4",
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__AUTH_MANAGER": (
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords_file),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": base_url,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base_url}/execution/",
            # shared by every process, as in the compose deployment
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
            "AIRFLOW__API__SECRET_KEY": secrets.token_hex(32),
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "task-logs"),
            "SMARTCITY_DATA_DIR": str(data_dir),
            "SMARTCITY_WAREHOUSE": "duckdb",
            "SMARTCITY_HTTP_BACKOFF": "0.05",
            "SMARTCITY_HTTP_RETRIES": "1",
            "GX_ANALYTICS_ENABLED": "False",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        })
        for variable in _publisher_variables():
            env[variable] = mirror.base_url

        def airflow(*args: str) -> None:
            result = subprocess.run(
                [AIRFLOW, *args], env=env, cwd=home, capture_output=True, text=True, timeout=180
            )
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

        airflow("db", "migrate")
        airflow("pools", "set", "warehouse_writer", "1", "One writer of warehouse files at a time")

        processes: list[subprocess.Popen] = []
        try:
            for command in (["api-server"], ["scheduler"], ["dag-processor"]):
                log = (home / f"{command[0]}.log").open("wb")
                processes.append(
                    subprocess.Popen(
                        [AIRFLOW, *command],
                        env=env,
                        cwd=home,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        start_new_session=True,  # its own process group, stopped as one
                    )
                )
                log.close()
            stack = Stack(home, base_url, password, data_dir)
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                assert all(p.poll() is None for p in processes), stack.logs()
                with contextlib.suppress(requests.RequestException):
                    if stack.session.get(f"{base_url}/api/v2/monitor/health", timeout=5).ok:
                        break
                assert time.monotonic() < deadline, "API server did not start:\n" + stack.logs()
                time.sleep(1)
            yield stack
        finally:
            _stop(processes)


def _wait_for(what: str, check, stack: Stack, timeout_s: float, pause_s: float = 2.0):
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}\n" + stack.logs()
        time.sleep(pause_s)


def test_scheduler_runs_the_refresh_triggered_through_the_rest_api(stack: Stack):
    started = time.monotonic()
    stack.login()
    _wait_for(
        "the DAG processor to parse smartcity_refresh",
        lambda: stack.api("GET", f"/dags/{DAG_ID}").ok,
        stack,
        START_TIMEOUT_S,
    )
    response = stack.api("PATCH", f"/dags/{DAG_ID}", json={"is_paused": False})
    assert response.ok and response.json()["is_paused"] is False, response.text
    response = stack.api("POST", f"/dags/{DAG_ID}/dagRuns", json={"logical_date": None, "conf": CONF})
    assert response.ok, response.text
    run_id = response.json()["dag_run_id"]

    def finished() -> str | None:
        state = stack.api("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}").json()["state"]
        return state if state in {"success", "failed"} else None

    state = _wait_for("the run to finish", finished, stack, RUN_TIMEOUT_S, pause_s=3.0)
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
