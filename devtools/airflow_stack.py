"""An Airflow deployment as local processes on loopback, for the scheduler and Celery
tests and the benchmark's executor run: the environment every process shares (as docker-compose.yml configures its
containers), the simple auth manager's password file, starting the API server, scheduler
and DAG processor, the REST API client with a JWT, and stopping every process the test
started (process group and descendants), even when the test fails."""

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

import requests

from devtools.ports import free_port

REPO = Path(__file__).resolve().parents[1]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
USER = "admin"
SERVICES = (["api-server"], ["scheduler"], ["dag-processor"])


def publisher_variables() -> list[str]:
    from extract import catalogue

    listed = getattr(catalogue, "base_url_variables", None)
    return sorted({"DOPA_BASE_URL", *(listed() if listed else [])})


def write_passwords(home: Path) -> tuple[str, Path]:
    """A fresh admin password in the simple auth manager's file (mode 600)."""
    password = secrets.token_urlsafe(16)
    passwords_file = home / "simple_auth_manager_passwords.json"
    passwords_file.write_text(json.dumps({USER: password}), encoding="utf-8")
    passwords_file.chmod(0o600)
    return password, passwords_file


def airflow_env(
    *,
    home: Path,
    data_dir: Path,
    port: int,
    passwords_file: Path,
    publisher_url: str,
    executor: str,
    database: str,
    dags_folder: Path = REPO / "dags",
    base_env: dict[str, str] | None = None,
    **extra: str,
) -> dict[str, str]:
    """The environment of every Airflow process of one deployment: ``base_env`` (default
    this process's environment) without its Airflow and PostgreSQL-target settings, plus
    the shared secrets, the API server's address and the warehouse's settings; ``extra``
    last."""
    base_url = f"http://127.0.0.1:{port}"
    env = {
        k: v
        for k, v in (os.environ if base_env is None else base_env).items()
        if not k.startswith(("AIRFLOW__", "SMARTCITY_PG_"))
    }
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": executor,
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": "4",
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database,
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
            # no cron runs: the triggered runs are the only ones
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "task-logs"),
            "SMARTCITY_DATA_DIR": str(data_dir),
            "SMARTCITY_WAREHOUSE": "duckdb",
            "SMARTCITY_HTTP_BACKOFF": "0.05",
            "SMARTCITY_HTTP_RETRIES": "1",
            "GX_ANALYTICS_ENABLED": "False",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        }
    )
    env.update({variable: publisher_url for variable in publisher_variables()})
    env.update(extra)
    return env


def prepare(env: dict[str, str], home: Path, timeout_s: int = 300) -> None:
    """Migrate the metadata database and create the one-slot writer pool."""
    for args in (
        ["db", "migrate"],
        ["pools", "set", "warehouse_writer", "1", "One writer of warehouse files at a time"],
    ):
        result = subprocess.run(
            [AIRFLOW, *args], env=env, cwd=home, capture_output=True, text=True, timeout=timeout_s
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def start_services(env: dict[str, str], home: Path) -> list[subprocess.Popen]:
    """The API server, scheduler and DAG processor, each in its own process group."""
    processes = []
    for command in SERVICES:
        with (home / f"{command[0]}.log").open("wb") as log:
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
    return processes


def children(pid: int) -> list[int]:
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


def stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM each process group and every descendant, then SIGKILL what is left."""
    doomed = {p.pid: children(p.pid) for p in processes}
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
    """A running deployment seen from outside: its logs and its REST API."""

    def __init__(self, home: Path, port: int, password: str, data_dir: Path) -> None:
        self.home = home
        self.data_dir = data_dir
        self.base_url = f"http://127.0.0.1:{port}"
        self.password = password
        self.session = requests.Session()

    def logs(self, lines: int = 40) -> str:
        parts = []
        for log in sorted(self.home.glob("*.log")):
            text = log.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {log.name}\n" + "\n".join(text))
        return "\n".join(parts)

    def healthy(self) -> bool:
        with contextlib.suppress(requests.RequestException):
            return self.session.get(f"{self.base_url}/api/v2/monitor/health", timeout=5).ok
        return False

    def wait(self, what: str, check, timeout_s: float, pause_s: float = 1.0):
        """``check()``'s first true value; fails with the logs after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = check()
            if value:
                return value
            assert time.monotonic() < deadline, f"timed out waiting for {what}\n" + self.logs()
            time.sleep(pause_s)

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

    def unpause(self, dag_id: str, timeout_s: float) -> None:
        """Wait for the DAG processor to parse ``dag_id``, then unpause it."""
        self.wait(
            f"the DAG processor to parse {dag_id}",
            lambda: self.api("GET", f"/dags/{dag_id}").ok,
            timeout_s,
        )
        response = self.api("PATCH", f"/dags/{dag_id}", json={"is_paused": False})
        assert response.ok and response.json()["is_paused"] is False, response.text

    def trigger(self, dag_id: str, conf: dict) -> str:
        """Trigger a run of ``dag_id`` with ``conf`` through the REST API; its run id."""
        response = self.api(
            "POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf}
        )
        assert response.ok, response.text
        return response.json()["dag_run_id"]

    def state(self, dag_id: str, run_id: str) -> str:
        return self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}").json()["state"]

    def finish(self, dag_id: str, run_id: str, timeout_s: float, pause_s: float = 2.0) -> str:
        """Wait for the run to end; ``success`` or ``failed``."""
        return self.wait(
            f"run {run_id} to finish",
            lambda: (s := self.state(dag_id, run_id)) in {"success", "failed"} and s,
            timeout_s,
            pause_s,
        )

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        response = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances")
        assert response.ok, response.text
        return response.json()["task_instances"]


@contextlib.contextmanager
def local_executor_stack(
    home: Path,
    data_dir: Path,
    publisher_url: str,
    *,
    start_timeout_s: float = 90,
    **env_options,
) -> Iterator[Stack]:
    """API server, scheduler and DAG processor with the LocalExecutor and a SQLite
    metadata database in ``home``, up and answering; stopped on exit, even on failure.
    ``env_options`` go to :func:`airflow_env` (e.g. ``dags_folder``, ``base_env``)."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    password, passwords_file = write_passwords(home)
    env = airflow_env(
        home=home, data_dir=data_dir, port=port, passwords_file=passwords_file,
        publisher_url=publisher_url, executor="LocalExecutor",
        database=f"sqlite:///{home / 'airflow.db'}", **env_options,
    )  # fmt: skip
    prepare(env, home, timeout_s=180)
    processes: list[subprocess.Popen] = []
    try:
        processes = start_services(env, home)
        stack = Stack(home, port, password, data_dir)

        def up() -> bool:
            assert all(p.poll() is None for p in processes), stack.logs()
            return stack.healthy()

        stack.wait("the API server", up, start_timeout_s)
        yield stack
    finally:
        stop(processes)
