"""One ``dbt build`` per run (the only writer of the build file while it runs).

dbt's ``run_results.json`` is loaded into ``meta.dbt_run_results`` so per-model and
per-test status travels with the release.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import duckdb

from warehouse.paths import dbt_project_dir


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


def _record(build_path: Path, run_results: dict, run_id: str) -> None:
    rows = [
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
    with duckdb.connect(str(build_path)) as con:
        con.execute("create schema if not exists meta")
        con.execute("""
            create table if not exists meta.dbt_run_results (
                run_id varchar, unique_id varchar, status varchar,
                execution_time double, failures bigint, message varchar)
        """)
        if rows:
            con.executemany("insert into meta.dbt_run_results values (?, ?, ?, ?, ?, ?)", rows)


def run_dbt_build(build_path: Path, *, run_id: str, target: str = "duckdb") -> DbtOutcome:
    """Build every model, seed and test into ``build_path``; raises ``DbtBuildError`` on failure."""
    from dbt.cli.main import dbtRunner  # heavy: import only when a build runs

    project = dbt_project_dir()
    target_dir = build_path.with_suffix(".dbt")
    os.environ["SMARTCITY_BUILD_PATH"] = str(build_path)
    result = dbtRunner().invoke(
        [
            "build",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target",
            target,
            "--target-path",
            str(target_dir / "target"),
            "--log-path",
            str(target_dir / "logs"),
            "--no-use-colors",
        ]
    )
    results_file = target_dir / "target" / "run_results.json"
    if not results_file.exists():
        raise DbtBuildError(f"dbt build did not run: {result.exception or 'no run_results.json'}")
    run_results = json.loads(results_file.read_text(encoding="utf-8"))
    _record(build_path, run_results, run_id)
    outcome = _summarise(run_results)
    if not outcome.success or not result.success:
        shown = "\n  ".join(outcome.failures[:15])
        raise DbtBuildError(f"dbt build failed ({len(outcome.failures)} failing nodes):\n  {shown}")
    return outcome
