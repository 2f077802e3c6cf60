"""The steps of a refresh as plain functions over plain dicts.

The DAG's tasks call these one by one; tests and benchmarks call them without Airflow.
Every step is idempotent: running it again with the same input gives the same result.
"""

from __future__ import annotations

import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from extract.catalogue import load_catalogue
from extract.http_client import make_session
from extract.run_config import Slice, plan_slices
from extract.slices import NO_DATA, extract_slice
from warehouse import paths


def plan(conf: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Validated work of a run configuration, one batch per source x period.

    A batch, not a single province, is the unit of an Airflow task: 77 provinces of one
    month are seconds of HTTP but minutes of per-task start-up when mapped one by one.
    ``RunConfigError`` is raised before any request.
    """
    slices = plan_slices(conf)
    return [
        {"source_id": source_id, "period": period, "provinces": [s.province for s in group]}
        for (source_id, period), group in itertools.groupby(slices, key=lambda s: (s.source_id, s.period))
    ]


def extract(batch: dict[str, Any], data_dir: Path | None = None) -> list[dict[str, Any]]:
    """Extract every province of a batch, a few requests at a time (polite to publishers)."""
    root = data_dir or paths.data_dir()
    local = threading.local()

    def one(province: str) -> dict[str, Any]:
        if not hasattr(local, "session"):  # requests sessions are not shared across threads
            local.session = make_session()
        return extract_slice(Slice(batch["source_id"], province, batch["period"]), root, local.session)

    workers = int(os.environ.get("SMARTCITY_HTTP_CONCURRENCY", 4))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, batch["provinces"]))


def load(
    run_id: str, batches: list[list[dict[str, Any]]], data_dir: Path | None = None
) -> dict[str, Any]:
    """Load every landed slice into a fresh build file; ``batches`` are the extract outcomes."""
    from warehouse.load import load_raw

    outcomes = [outcome for batch in batches for outcome in batch]
    root = data_dir or paths.data_dir()
    build = paths.build_path(run_id, root)
    counts = load_raw(build, root, fetch_log=outcomes, run_id=run_id)
    requested = sorted({(o["province"], o["period"]) for o in outcomes if o["status"] != NO_DATA})
    no_data = sorted(
        {(o["province"], o["period"]) for o in outcomes if o["status"] == NO_DATA} - set(requested)
    )
    return {
        "run_id": run_id,
        "build_path": str(build),
        "raw_rows": counts,
        "requested": requested,
        "no_data": no_data,
    }


def build(info: dict[str, Any]) -> dict[str, Any]:
    from warehouse.dbt_build import run_dbt_build

    outcome = run_dbt_build(Path(info["build_path"]), run_id=info["run_id"])
    return {**info, "dbt": outcome.as_dict()}


def gate(info: dict[str, Any], data_dir: Path | None = None) -> dict[str, Any]:
    from expectations.gate import run_quality_gate

    root = data_dir or paths.data_dir()
    previous = paths.published_path(root)
    result = run_quality_gate(
        Path(info["build_path"]),
        run_id=info["run_id"],
        requested=[tuple(p) for p in info["requested"]],
        no_data=[tuple(p) for p in info["no_data"]],
        previous_release=previous if previous.exists() else None,
        docs_dir=root / "docs",
    )
    return {**info, "quality_gate": result.as_dict()}


def publish(info: dict[str, Any], data_dir: Path | None = None) -> dict[str, Any]:
    from warehouse.publish import publish as publish_release

    release = publish_release(
        Path(info["build_path"]),
        data_dir or paths.data_dir(),
        run_id=info["run_id"],
        dbt=info["dbt"],
        quality_gate=info["quality_gate"],
    )
    return {k: release[k] for k in ("release_id", "run_id", "published_at", "path", "sources")}


def source_ids() -> list[str]:
    return list(load_catalogue())
