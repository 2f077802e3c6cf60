"""The CeleryExecutor for real, and the loss of workers.

As local processes on loopback, configured as docker-compose.yml configures its
containers: a Redis broker (with a password), a PostgreSQL metadata database (also the
Celery result backend), the API server, scheduler and DAG processor, and two
``airflow celery worker`` processes with their own Celery host names. Every process holds
the same JWT secret, API secret and Fernet key, and the ``warehouse_writer`` pool has one
slot. ``smartcity_refresh`` is triggered through the REST API.

1. A run with four mapped extract tasks: they run on both workers, the pool's tasks never
   overlap, and the published marts equal those of ``airflow dags test`` (what
   ``make run`` does) on the same inputs, run beside the stack while it starts.
2. Worker loss: one worker is SIGKILLed (with every process under it, as when its machine
   goes) while it runs extract tasks, and the other while it runs ``dbt_build``. The
   extract tasks are retried on the surviving worker; ``dbt_build`` is not retried
   (``retries=0``), so the run fails - and the previous release stays published, whole
   and readable, with no release half-made. With the workers back, the next run of the
   same inputs succeeds and leaves no build or temporary file behind.

One stack for the file (module-scoped fixture); every process it starts is stopped.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from devtools.airflow_stack import (
    AIRFLOW,
    Stack,
    airflow_env,
    children,
    prepare,
    publisher_variables,
    start_services,
    stop,
    write_passwords,
)
from devtools.digest import marts_digest, release_ids
from devtools.mirror import Fault, Mirror
from devtools.ports import free_port
from tests.conftest import REPO
from tests.postgres_server import find_bindir, running_server
from tests.worker_hostname import VARIABLE as HOSTNAME_VARIABLE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1200),  # a loaded machine: the runs are minutes each
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed"),
    pytest.mark.skipif(find_bindir() is None, reason="PostgreSQL server programs not found"),
]

DAG_ID = "smartcity_refresh"
# Four batches (source x month): four mapped extract tasks. Two of them ask for months
# the publisher has not released (404 after retries: missing slices, still published).
CONF = {
    "sources": ["dopa_population", "dopa_population_thai"],
    "provinces": ["91"],
    "periods": ["2021-06", "2026-09"],
}
# A second province: new data, so the next run builds a new release.
CONF_MORE = {**CONF, "provinces": ["90", "91"]}
WORKERS = ("worker-a", "worker-b")
POOL_TASKS = {"load", "dbt_build", "quality_gate", "publish"}
RUN_TIMEOUT_S = 420
START_TIMEOUT_S = 120


@dataclass
class CeleryStack:
    stack: Stack
    env: dict[str, str]
    mirror: Mirror
    reference: subprocess.Popen
    reference_dir: Path
    reference_started: float
    workers: dict[str, subprocess.Popen] = field(default_factory=dict)
    processes: list[subprocess.Popen] = field(default_factory=list)
    results: dict = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.stack.data_dir

    def start_worker(self, name: str) -> None:
        env = {
            **self.env,
            HOSTNAME_VARIABLE: name,
            # each worker serves its task logs on its own port, as on its own machine
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        }
        with (self.stack.home / f"{name}.log").open("ab") as log:
            proc = subprocess.Popen(
                [AIRFLOW, "celery", "worker", "--celery-hostname", f"{name}@%h",
                 "--concurrency", "2"],
                env=env, cwd=self.stack.home, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        self.workers[name] = proc
        self.processes.append(proc)

    def kill_worker(self, name: str) -> None:
        """SIGKILL the worker and every process under it: the machine is gone."""
        proc = self.workers.pop(name)
        doomed = [proc.pid, *children(proc.pid)]
        for pid in doomed:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def wait(self, what: str, check, timeout_s: float = RUN_TIMEOUT_S, pause_s: float = 1.0):
        return self.stack.wait(what, check, timeout_s, pause_s)

    # --- the REST API ---------------------------------------------------------------------

    def trigger(self, conf: dict) -> str:
        return self.stack.trigger(DAG_ID, conf)

    def state(self, run_id: str) -> str:
        return self.stack.state(DAG_ID, run_id)

    def finish(self, run_id: str) -> str:
        return self.stack.finish(DAG_ID, run_id, RUN_TIMEOUT_S)

    def task_instances(self, run_id: str) -> list[dict]:
        return self.stack.task_instances(DAG_ID, run_id)

    def tries(self, run_id: str) -> list[dict]:
        """Every try of every task instance of the run (hostname, dates, state)."""
        found = []
        for ti in self.task_instances(run_id):
            response = self.stack.api(
                "GET",
                f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{ti['task_id']}"
                f"/{ti.get('map_index', -1)}/tries",
            )
            assert response.ok, response.text
            found += response.json()["task_instances"]
        return found


def _summary(tis: list[dict]) -> list[tuple]:
    return sorted(
        (t["task_id"], t.get("map_index", -1), t["state"], t.get("try_number"), t.get("hostname"))
        for t in tis
    )


def _leftovers(data_dir: Path) -> list[Path]:
    build = data_dir / "build"
    return sorted(
        [p for p in data_dir.rglob("*.tmp")] + (list(build.iterdir()) if build.exists() else [])
    )


@pytest.fixture(scope="module")
def celery(tmp_path_factory) -> Iterator[CeleryStack]:
    root = tmp_path_factory.mktemp("celery")
    home = root / "airflow"
    home.mkdir()
    data_dir = root / "data"
    reference_dir = root / "reference-data"
    port = free_port()
    password, passwords_file = write_passwords(home)
    redis_port, redis_password = free_port(), secrets.token_hex(16)

    from cryptography.fernet import Fernet

    with Mirror() as mirror, running_server(find_bindir()) as pg:
        import psycopg

        db_password = secrets.token_hex(16)
        with psycopg.connect(pg.conninfo(), autocommit=True) as con:
            con.execute(f"create role airflow login password '{db_password}'")
            con.execute("create database airflow owner airflow")
        db = f"airflow:{db_password}@127.0.0.1:{pg.port}/airflow"

        # The reference: `airflow dags test` in this process's Airflow home (SQLite), the
        # same inputs, its own data directory; it runs while the stack starts.
        reference_env = {**os.environ, "SMARTCITY_DATA_DIR": str(reference_dir),
                         "SMARTCITY_HTTP_BACKOFF": "0.05", "SMARTCITY_HTTP_RETRIES": "1",
                         "SMARTCITY_WAREHOUSE": "duckdb"}
        for variable in publisher_variables():
            reference_env[variable] = mirror.base_url
        reference_log = (root / "reference.log").open("wb")
        reference_started = time.monotonic()
        reference = subprocess.Popen(
            [AIRFLOW, "dags", "test", DAG_ID, "-c", json.dumps(CONF)],
            env=reference_env, cwd=REPO, stdout=reference_log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        reference_log.close()

        env = airflow_env(
            home=home, data_dir=data_dir, port=port, passwords_file=passwords_file,
            publisher_url=mirror.base_url, executor="CeleryExecutor",
            database=f"postgresql+psycopg2://{db}",
            PYTHONPATH=str(REPO),  # tests.worker_hostname
            AIRFLOW__CORE__HOSTNAME_CALLABLE="tests.worker_hostname.hostname",
            # the image ships asyncpg for the async engine; the lock has psycopg 3, which is async too
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC=f"postgresql+psycopg://{db}",
            AIRFLOW__CELERY__RESULT_BACKEND=f"db+postgresql://{db}",
            AIRFLOW__CELERY__BROKER_URL=f"redis://:{redis_password}@127.0.0.1:{redis_port}/0",
            AIRFLOW__CORE__FERNET_KEY=Fernet.generate_key().decode(),
            # a lost worker's task instances are noticed in seconds, not the default 5 min
            AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT="20",
            AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL="5",
            AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT="90",
        )  # fmt: skip

        processes: list[subprocess.Popen] = [reference]
        cel = None
        try:
            redis_log = (home / "redis.log").open("wb")
            processes.append(subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                 "--requirepass", redis_password, "--save", "", "--appendonly", "no",
                 "--dir", str(home)],
                stdout=redis_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            ))
            redis_log.close()

            prepare(env, home)
            processes += start_services(env, home)
            stack = Stack(home, port, password, data_dir)
            cel = CeleryStack(stack, env, mirror, reference, reference_dir, reference_started,
                              processes=processes)
            for name in WORKERS:
                cel.start_worker(name)

            def up() -> bool:
                assert all(p.poll() is None for p in processes[1:]), stack.logs()
                return stack.healthy()

            cel.wait("the API server", up, START_TIMEOUT_S)
            stack.login()
            stack.unpause(DAG_ID, START_TIMEOUT_S)
            yield cel
        finally:
            stop(cel.processes if cel else processes)


def test_celery_workers_run_the_refresh_like_dags_test(celery: CeleryStack):
    started = time.monotonic()
    run_id = celery.trigger(CONF)
    state = celery.finish(run_id)
    celery_s = time.monotonic() - started
    tries = celery.tries(run_id)
    assert state == "success", f"{_summary(tries)}\n{celery.stack.logs()}"

    extract_hosts = {t["hostname"] for t in tries if t["task_id"] == "extract"}
    assert len([t for t in tries if t["task_id"] == "extract"]) == 4, _summary(tries)
    assert extract_hosts == set(WORKERS), _summary(tries)
    pool = celery.stack.api("GET", "/pools/warehouse_writer").json()
    assert pool["slots"] == 1, pool
    writers = [t for t in tries if t["task_id"] in POOL_TASKS]
    assert {t["pool"] for t in writers} == {"warehouse_writer"}, _summary(writers)
    celery.results["writers"] = writers

    # The reference run (started with the stack) publishes the same marts.
    assert celery.reference.wait(timeout=RUN_TIMEOUT_S) == 0, (
        celery.reference_dir.parent / "reference.log"
    ).read_text(errors="replace")[-4000:]
    reference_s = time.monotonic() - celery.reference_started  # an upper bound
    published = celery.data_dir / "planning.duckdb"
    digest = marts_digest(published)
    assert len(digest) >= 4, digest
    assert digest == marts_digest(celery.reference_dir / "planning.duckdb")
    celery.results.update(run_id=run_id, digest=digest, releases=release_ids(published))
    timeline = ", ".join(
        f"{t['task_id']}[{t.get('map_index', -1)}]@{t['hostname']} {t.get('duration') or 0:.1f}s"
        for t in sorted(tries, key=lambda t: t.get("start_date") or "")
    )
    print(f"\ncelery run: {celery_s:.0f} s from trigger to success; dags test of the same "
          f"inputs: {reference_s:.0f} s (beside the stack's start); {timeline}")


def test_lost_workers_lose_nothing_and_publish_nothing_half_made(celery: CeleryStack):
    assert celery.results.get("digest"), "needs the first run's release"
    before = celery.results["releases"]
    published = celery.data_dir / "planning.duckdb"

    # Every publisher answer takes 30 s: the extract tasks are running when the kill comes.
    celery.mirror.inject(Fault(kind="sleep", seconds=30, times=None))
    run_id = celery.trigger(CONF_MORE)

    def running(task_id: str) -> dict | None:
        for ti in celery.task_instances(run_id):
            if ti["task_id"] == task_id and ti["state"] == "running" and ti.get("hostname"):
                return ti
        return None

    first = celery.wait("an extract task to run", lambda: running("extract"))
    lost = first["hostname"]
    celery.kill_worker(lost)
    survivor = next(name for name in WORKERS if name != lost)
    celery.mirror.server.faults.clear()  # the publisher answers quickly again

    build = celery.wait("dbt_build to run", lambda: running("dbt_build"))
    assert build["hostname"] == survivor
    # dbt has started writing into the run's build when its target directory exists
    celery.wait("dbt to start", lambda: any((celery.data_dir / "build").glob("*.dbt")))
    celery.kill_worker(survivor)

    state = celery.finish(run_id)
    tries = celery.tries(run_id)
    summary = _summary(tries)
    assert state == "failed", summary
    extract = [t for t in tries if t["task_id"] == "extract"]
    retried = {t["map_index"] for t in extract if t["hostname"] == lost and t["try_number"] == 1}
    assert retried, summary
    for map_index in retried:  # each extract of the lost worker ran again on the other
        assert any(
            t["map_index"] == map_index and t["hostname"] == survivor and t["state"] == "success"
            for t in extract
        ), summary
    celery.results["writers"] += [t for t in tries if t["task_id"] in POOL_TASKS]
    states = {t["task_id"]: t["state"] for t in celery.task_instances(run_id)}
    assert states["dbt_build"] == "failed" and states["publish"] == "upstream_failed", states

    # The previous release is still published, whole and readable; nothing half-made.
    assert release_ids(published) == before
    assert marts_digest(published) == celery.results["digest"]
    assert sorted(p.stem for p in (celery.data_dir / "releases").glob("*.duckdb")) == before

    # Back to two workers: the same inputs publish, and nothing is left behind.
    for name in WORKERS:
        celery.start_worker(name)
    run_id = celery.trigger(CONF_MORE)
    state = celery.finish(run_id)
    tries = celery.tries(run_id)
    assert state == "success", _summary(tries)
    releases = release_ids(published)
    assert releases[:-1] == before and len(releases) == len(before) + 1
    assert _leftovers(celery.data_dir) == []
    import duckdb

    with duckdb.connect(str(published), read_only=True) as con:
        provinces = con.execute(
            "select distinct area_code from marts.mart_area_ageing where area_code in ('90', '91') order by 1"
        ).fetchall()
    assert provinces == [("90",), ("91",)]

    # The writer pool: no two writers of any run ever overlapped.
    writers = celery.results["writers"] + [t for t in tries if t["task_id"] in POOL_TASKS]
    spans = sorted((t["start_date"], t["end_date"], t["task_id"]) for t in writers if t["start_date"])
    for (_, end, task), (start, _, nxt) in zip(spans, spans[1:], strict=False):
        assert end and end <= start, f"{task} ended {end}, after {nxt} started {start}"
