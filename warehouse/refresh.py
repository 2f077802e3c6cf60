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

from extract import landing, target_areas
from extract.catalogue import load_catalogue
from extract.errors import FetchError
from extract.http_client import make_session
from extract.run_config import Slice, plan_slices
from extract.slices import DOWNLOADED, NO_DATA, extract_slice
from warehouse import paths

FAILED, STALE = "failed", "stale"


def plan(conf: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Validated work of a run configuration, one batch per source x period.

    A batch, not a single province, is the unit of an Airflow task: 77 provinces of one
    month are seconds of HTTP but minutes of per-task start-up when mapped one by one.
    ``RunConfigError`` is raised before any request.
    """
    slices = plan_slices(conf)
    target_areas.load()  # a bad target-area file is refused before any request
    batches = []
    for (source_id, period), group in itertools.groupby(
        slices, key=lambda s: (s.source_id, s.period)
    ):
        members = list(group)
        batches.append(
            {
                "source_id": source_id,
                "period": period,
                "provinces": sorted({s.province for s in members if s.province}),
                "slices": [s.as_dict() for s in members],  # provinces, offices or feeds
            }
        )
    return batches


def extract(batch: dict[str, Any], data_dir: Path | None = None) -> list[dict[str, Any]]:
    """Extract every province of a batch, a few requests at a time (polite to publishers).

    A publisher that stays unreachable after the client's retries gives ``failed``
    outcomes instead of an exception, so one publisher down does not sink the others.
    Bad content (``ParseError``) still raises: nothing may be published from it.
    """
    root = data_dir or paths.data_dir()
    local = threading.local()

    def one(item: dict[str, Any]) -> dict[str, Any]:
        if not hasattr(local, "session"):  # requests sessions are not shared across threads
            local.session = make_session()
        slc = Slice.from_dict(item)
        try:
            return extract_slice(slc, root, local.session)
        except FetchError as exc:
            return {
                **slc.as_dict(),
                "slice_key": slc.key,
                "url": exc.url,
                "status": FAILED,
                "error": str(exc),
                "rows": 0,
                "bytes": 0,
            }

    workers = int(os.environ.get("SMARTCITY_HTTP_CONCURRENCY", 4))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        items = batch.get("slices") or [
            {"source_id": batch["source_id"], "province": p, "period": batch["period"]}
            for p in batch["provinces"]
        ]
        return list(pool.map(one, items))


def record(
    run_id: str, batches: list[list[dict[str, Any]]], data_dir: Path | None = None
) -> dict[str, Any]:
    """Write the run's fetch log and decide whether a new release is needed.

    A failed slice that has an earlier landed vintage becomes ``stale`` (that vintage is
    used and marked); one without any landed data stays ``failed`` (missing).
    """
    from warehouse import changes, fetch_log, freshness

    root = data_dir or paths.data_dir()
    outcomes = [outcome for batch in batches for outcome in batch]
    for outcome in outcomes:
        if outcome["status"] == FAILED:
            landed = landing.read_manifest(
                landing.slice_dir(
                    root, outcome["source_id"], outcome["period"], outcome["slice_key"]
                )
            )
            if landed and landed.get("parquet"):
                outcome["status"] = STALE
    fetch_log.write(root, run_id, outcomes)
    reason = changes.rebuild_reason(root, outcomes)
    return {
        "run_id": run_id,
        "changed": reason is not None,
        "reason": reason or "every slice is unchanged since the published release: no new release",
        "stale_sources": sorted({o["source_id"] for o in outcomes if o["status"] == STALE}),
        "missing": sorted(
            {
                (o["source_id"], o["province"], o["period"])
                for o in outcomes
                if o["status"] == FAILED
            }
        ),
        "overdue": [f.message() for f in freshness.check(root) if f.overdue],
        "downloaded": sum(1 for o in outcomes if o["status"] == DOWNLOADED),
        "bytes": sum(o.get("bytes") or 0 for o in outcomes),
    }


def load(run_id: str, data_dir: Path | None = None) -> dict[str, Any]:
    """Load every landed slice into a fresh build file, with this run's source status."""
    from warehouse import fetch_log
    from warehouse.load import load_raw

    root = data_dir or paths.data_dir()
    outcomes = fetch_log.read_run(root, run_id)
    build = paths.build_path(run_id, root)
    counts = load_raw(build, root, fetch_log=outcomes)
    # The gate's coverage check is per province and month of mart_area_ageing: the
    # province-sliced population-by-age sources only.
    catalogue = load_catalogue()
    outcomes = [
        o
        for o in outcomes
        if o["source_id"] in catalogue
        and catalogue[o["source_id"]].slicing == "province"
        and catalogue[o["source_id"]].parser == "dopa_statpop"
    ]
    landed = {
        (o["province"], o["period"]) for o in outcomes if o["status"] not in {NO_DATA, FAILED}
    }
    info = {
        "run_id": run_id,
        "build_path": str(build),
        "raw_rows": counts,
        "requested": sorted(landed),
        "no_data": sorted(
            {(o["province"], o["period"]) for o in outcomes if o["status"] in {NO_DATA, FAILED}}
            - landed
        ),
    }
    if paths.warehouse_target() == "postgres":  # the build file becomes PostgreSQL schemas
        from warehouse import postgres_refresh

        return postgres_refresh.load(info)
    return info


def build(info: dict[str, Any]) -> dict[str, Any]:
    if info.get("warehouse") == "postgres":
        from warehouse import postgres_refresh

        return postgres_refresh.build(info)
    from warehouse.dbt_build import run_dbt_build

    outcome = run_dbt_build(Path(info["build_path"]), run_id=info["run_id"])
    return {**info, "dbt": outcome.as_dict()}


def gate(info: dict[str, Any], data_dir: Path | None = None) -> dict[str, Any]:
    if info.get("warehouse") == "postgres":
        from warehouse import postgres_refresh

        return postgres_refresh.gate(info, data_dir)
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
    if info.get("warehouse") == "postgres":
        from warehouse import postgres_refresh

        return postgres_refresh.publish(info, data_dir)
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
