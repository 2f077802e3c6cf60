"""One ``dbt build`` per run (the only writer of the build while it runs), on any target.

The target says where dbt builds (``output``: the values of its dbt profile output, e.g.
the DuckDB file's path, or the PostgreSQL host and database). They are written into a
``profiles.yml`` of the run's own in the run's dbt directory, from the project's
``profiles.yml`` with those values filled in, so nothing is handed over through this
process's environment and the project's profile keeps working for dbt run by hand.
Secrets never go into that file: a value the profile reads with ``env_var`` that is not
in the environment (``env``, e.g. a password given in ``SMARTCITY_PG_DSN``) is passed to
a dbt child process in its environment; otherwise dbt runs in this process.

dbt's ``run_results.json`` is returned with rows for ``meta.dbt_run_results`` so
per-model and per-test status travels with the release.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from smartcity import settings

PROFILE = "smartcity"
PROFILES_FILE = "profiles.yml"


class DbtBuildError(RuntimeError):
    """``dbt build`` failed: a model error or a failing data test."""


@dataclasses.dataclass(frozen=True)
class DbtOutcome:
    success: bool
    counts: dict[str, int]  # status -> number of nodes
    failures: list[str]
    elapsed_s: float

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DbtOutcome:
        return cls(
            success=bool(data.get("success")),
            counts=dict(data.get("counts") or {}),
            failures=list(data.get("failures") or []),
            elapsed_s=float(data.get("elapsed_s") or 0.0),
        )


@dataclasses.dataclass(frozen=True)
class DbtRun:
    """What dbt reported besides ``run_results.json``."""

    success: bool
    error: str | None = None


def _summarise(run_results: dict) -> DbtOutcome:
    counts: dict[str, int] = {}
    failures = []
    for result in run_results.get("results", []):
        counts[result["status"]] = counts.get(result["status"], 0) + 1
        if result["status"] in {"error", "fail", "runtime error"}:
            message = (result.get("message") or "").strip().splitlines()
            failures.append(
                f"{result['unique_id']}: {result['status']}: {message[0] if message else ''}"
            )
    success = not failures and bool(run_results.get("results"))
    return DbtOutcome(success, counts, failures, round(run_results.get("elapsed_time", 0.0), 2))


def write_profile(target: str, target_dir: Path, output: Mapping[str, Any]) -> Path:
    """``<target_dir>/profiles.yml``: the project's ``target`` output with ``output`` filled in."""
    project = yaml.safe_load(
        (settings.dbt_project_dir() / PROFILES_FILE).read_text(encoding="utf-8")
    )
    merged = {**project[PROFILE]["outputs"][target], **output}
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / PROFILES_FILE
    path.write_text(
        yaml.safe_dump({PROFILE: {"target": target, "outputs": {target: merged}}}),
        encoding="utf-8",
    )
    return path


def _dbt(args: list[str], env: Mapping[str, str]) -> DbtRun:
    missing = {k: v for k, v in env.items() if os.environ.get(k) != v}
    if not missing:
        from dbt.cli.main import dbtRunner  # heavy: import only when a build runs

        result = dbtRunner().invoke(args)
        return DbtRun(bool(result.success), str(result.exception) if result.exception else None)
    done = subprocess.run(
        [sys.executable, "-m", "dbt.cli.main", *args],
        env={**os.environ, **missing},
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    error = (done.stderr or "").strip()[-2000:] or f"dbt exited with {done.returncode}"
    return DbtRun(done.returncode == 0, None if done.returncode == 0 else error)


def invoke_dbt_build(
    *,
    target: str,
    target_dir: Path,
    output: Mapping[str, Any],
    dbt_vars: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
) -> tuple[dict, DbtRun]:
    """One ``dbt build`` of the project on ``target``, built where ``output`` says; returns
    ``run_results.json`` and what dbt reported. Raises ``DbtBuildError`` when dbt did not
    run at all."""
    profiles_dir = write_profile(target, target_dir, output).parent
    args = [
        "build",
        "--project-dir",
        str(settings.dbt_project_dir()),
        "--profiles-dir",
        str(profiles_dir),
        "--target",
        target,
        "--target-path",
        str(target_dir / "target"),
        "--log-path",
        str(target_dir / "logs"),
        "--no-use-colors",
    ]
    if dbt_vars:
        args += ["--vars", json.dumps(dict(dbt_vars))]
    results_file = target_dir / "target" / "run_results.json"
    results_file.unlink(missing_ok=True)  # an earlier attempt's results are not this build's
    run = _dbt(args, env or {})
    if not results_file.exists():
        raise DbtBuildError(f"dbt build did not run: {run.error or 'no run_results.json'}")
    return json.loads(results_file.read_text(encoding="utf-8")), run


def check_outcome(run_results: dict, run: DbtRun) -> DbtOutcome:
    """The outcome of a build; raises ``DbtBuildError`` when a node failed."""
    outcome = _summarise(run_results)
    if not outcome.success or not run.success:
        shown = "\n  ".join(outcome.failures[:15] or [run.error or "dbt reported a failure"])
        raise DbtBuildError(f"dbt build failed ({len(outcome.failures)} failing nodes):\n  {shown}")
    return outcome


def run_results_rows(run_results: dict, run_id: str) -> list[tuple]:
    """Rows of ``meta.dbt_run_results``: run_id, unique_id, status, execution_time, failures, message."""
    return [
        (
            run_id,
            r["unique_id"],
            r["status"],
            r.get("execution_time"),
            r.get("failures"),
            (r.get("message") or "")[:2000],
        )
        for r in run_results.get("results", [])
    ]
