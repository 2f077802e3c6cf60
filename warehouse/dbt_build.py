"""One ``dbt build`` per run (the only writer of the build file while it runs).

dbt's ``run_results.json`` is loaded into ``meta.dbt_run_results`` so per-model and
per-test status travels with the release.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

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
    rows = run_results_rows(run_results, run_id)
    with duckdb.connect(str(build_path)) as con:
        con.execute("create schema if not exists meta")
        con.execute("""
            create table if not exists meta.dbt_run_results (
                run_id varchar, unique_id varchar, status varchar,
                execution_time double, failures bigint, message varchar)
        """)
        if rows:
            con.executemany("insert into meta.dbt_run_results values (?, ?, ?, ?, ?, ?)", rows)


class _NodeProgress:
    """dbt's events as a progress bar: nodes (models, seeds, tests) done of the total."""

    def __init__(self) -> None:
        self.bar = None

    def __enter__(self) -> _NodeProgress:
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            # node_count also counts nodes that finish without a NodeFinished event
            self.bar.total = max(self.bar.n, 1)
            self.bar.close()

    def __call__(self, event: Any) -> None:
        from warehouse import progress

        name = event.info.name
        if name == "ConcurrencyLine" and self.bar is None:
            self.bar = progress.bar("dbt build", event.data.node_count, unit="node")
        elif name == "NodeFinished" and self.bar is not None:
            self.bar.update(1)


def invoke_dbt_build(
    *, target: str, target_dir: Path, dbt_vars: dict[str, str] | None = None
) -> tuple[dict, Any]:
    """One ``dbt build`` of the project on ``target``; returns ``run_results.json`` and
    dbt's result. Raises ``DbtBuildError`` when dbt did not run at all."""
    from dbt.cli.main import dbtRunner  # heavy: import only when a build runs

    project = dbt_project_dir()
    args = [
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
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    with _NodeProgress() as callback:
        result = dbtRunner(callbacks=[callback]).invoke(args)
    results_file = target_dir / "target" / "run_results.json"
    if not results_file.exists():
        raise DbtBuildError(f"dbt build did not run: {result.exception or 'no run_results.json'}")
    return json.loads(results_file.read_text(encoding="utf-8")), result


def check_outcome(run_results: dict, result: Any) -> DbtOutcome:
    """The outcome of a build; raises ``DbtBuildError`` when a node failed."""
    outcome = _summarise(run_results)
    if not outcome.success or not result.success:
        shown = "\n  ".join(outcome.failures[:15])
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


def run_dbt_build(build_path: Path, *, run_id: str, target: str = "duckdb") -> DbtOutcome:
    """Build every model, seed and test into ``build_path``; raises ``DbtBuildError`` on failure."""
    os.environ["SMARTCITY_BUILD_PATH"] = str(build_path)
    run_results, result = invoke_dbt_build(target=target, target_dir=build_path.with_suffix(".dbt"))
    _record(build_path, run_results, run_id)
    return check_outcome(run_results, result)
