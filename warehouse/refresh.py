"""The steps of a refresh as plain functions over plain dicts.

The DAG's tasks call these one by one; tests and benchmarks call them without Airflow.
Every step is idempotent: running it again with the same input gives the same result.
The dicts are the typed run state of ``warehouse.state`` (``to_dict`` / ``from_dict``);
the steps from ``load`` on call the warehouse target the settings choose
(``warehouse.targets``) and never ask which one it is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from extract import landing, parsers, target_areas
from extract.catalogue import load_catalogue
from extract.errors import FetchError, naming_full_disk
from extract.http.client import make_session
from extract.run_config import Slice, full_check, plan_slices
from extract.slices import Answer, answer_slice, land_answers
from extract.status import FetchStatus
from smartcity import settings
from warehouse import paths, progress
from warehouse.state import BuildResult, GatedBuild, LoadResult, PlanBatch
from warehouse.targets import target_from_settings


def plan(
    conf: dict[str, Any] | None, as_of: str | None = None, data_dir: Path | None = None
) -> list[dict[str, Any]]:
    """Validated work of a run configuration, one batch per source x period.

    ``as_of`` (YYYY-MM, default the current month, UTC) is the month each source's
    revision window counts back from; ``{"full_check": true}`` asks about every period.
    A batch whose period is older than its source's window and whose every answer is
    landed (by the current parser) is marked ``settled``: nothing of it will be asked,
    so the DAG gives it no extract task (``settled_outcomes`` records it).

    A batch, not a single province, is the unit of an Airflow task: 77 provinces of one
    month are seconds of HTTP but minutes of per-task start-up when mapped one by one.
    ``RunConfigError`` is raised before any request, and so is ``PlanTargetsError`` (a
    ``RunConfigError``) for a bad plan targets file (``SMARTCITY_PLAN_TARGETS``).
    """
    from warehouse.plan_targets import load_targets

    root = data_dir or paths.data_dir()
    slices = plan_slices(conf)
    check_all = full_check(conf)
    as_of = as_of or dt.datetime.now(dt.UTC).strftime("%Y-%m")
    target_areas.load()  # a bad target-area file is refused before any request
    load_targets()  # validated now, so a bad file stops the run before any request
    catalogue = load_catalogue()
    batches = []
    for (source_id, period), group in itertools.groupby(
        slices, key=lambda s: (s.source_id, s.period)
    ):
        members = list(group)
        settled = False
        if not check_all and catalogue[source_id].settled(period, as_of):
            landed = landing.landed_answers(landing.batch_dir(root, source_id, period))
            version = _parser_version(catalogue[source_id])
            settled = all(_is_settled(landed.get(s.key), version) for s in members)
        batch = PlanBatch(
            source_id=source_id,
            period=period,
            provinces=sorted({s.province for s in members if s.province}),
            slices=[s.as_dict() for s in members],  # provinces, offices or feeds
            full_check=check_all,
            as_of=as_of,
            settled=settled,
        )
        batches.append(batch.to_dict())
    settled = [b for b in batches if b["settled"]]
    progress.log_plan(
        len(slices) - sum(len(b["slices"]) for b in settled),
        len(batches) - len(settled),
        sum(len(b["slices"]) for b in settled),
        len(settled),
    )
    return batches


def _parser_version(source) -> str:
    return parsers.get(source.parser).PARSER_VERSION


def _is_settled(previous: dict[str, Any] | None, parser_version: str) -> bool:
    """A landed answer of a settled period that need not be asked again."""
    return bool(
        previous and previous.get("parquet") and previous.get("parser_version") == parser_version
    )


def _settled_answer(slc: Slice, previous: dict[str, Any], window: int, as_of: str) -> Answer:
    return Answer(
        {
            **slc.as_dict(),
            "slice_key": slc.key,
            "url": previous.get("url"),
            "status": FetchStatus.SETTLED,
            "detail": (
                f"{slc.period} is older than the {window}-month revision window at {as_of}: "
                "not asked"
            ),
            "rows": previous.get("rows", 0),
            "bytes": 0,
            "sha256": previous.get("sha256"),
            "is_modelled": previous.get("is_modelled"),
        }
    )


def settled_outcomes(batch: dict[str, Any], data_dir: Path | None = None) -> list[dict[str, Any]]:
    """The fetch outcomes of a ``settled`` batch, from its landed manifest: no request,
    nothing landed. The DAG records these beside the extract tasks' outcomes."""
    root = data_dir or paths.data_dir()
    source = load_catalogue()[batch["source_id"]]
    landed = landing.landed_answers(landing.batch_dir(root, batch["source_id"], batch["period"]))
    version = _parser_version(source)
    outcomes = []
    for item in batch["slices"]:
        slc = Slice.from_dict(item)
        previous = landed.get(slc.key)
        if _is_settled(previous, version):
            window = source.revision_window_months
            outcomes.append(_settled_answer(slc, previous, window, batch["as_of"]).outcome)
        else:  # removed since the plan (not by this project): missing, the next run asks
            outcomes.append(
                {
                    **slc.as_dict(),
                    "slice_key": slc.key,
                    "status": FetchStatus.FAILED,
                    "error": f"{batch['source_id']} {batch['period']} {slc.key}: the landed "
                    "answer the plan found settled is gone",
                    "rows": 0,
                    "bytes": 0,
                }
            )
    return outcomes


def extract(batch: dict[str, Any], data_dir: Path | None = None) -> list[dict[str, Any]]:
    """Extract every province of a batch, a few requests at a time (polite to publishers).

    A publisher that stays unreachable after the client's retries gives ``failed``
    outcomes instead of an exception, so one publisher down does not sink the others.
    Bad content (``ParseError``) still raises: nothing may be published from it.
    """
    root = data_dir or paths.data_dir()
    local = threading.local()
    directory = landing.batch_dir(root, batch["source_id"], batch["period"])
    landed = landing.landed_answers(directory)
    source = load_catalogue()[batch["source_id"]]
    settled = (
        not batch.get("full_check")
        and batch.get("as_of") is not None
        and source.settled(batch["period"], batch["as_of"])
    )
    parser_version = _parser_version(source)

    def one(item: dict[str, Any]) -> Answer:
        if not hasattr(local, "session"):  # requests sessions are not shared across threads
            local.session = make_session()
        slc = Slice.from_dict(item)
        previous = landed.get(slc.key) or {}
        if settled and _is_settled(previous, parser_version):
            # Older than the revision window and landed: not asked (a full check asks).
            return _settled_answer(slc, previous, source.revision_window_months, batch["as_of"])
        try:
            return answer_slice(slc, previous, local.session)
        except FetchError as exc:
            return Answer(
                {
                    **slc.as_dict(),
                    "slice_key": slc.key,
                    "url": exc.url,
                    "status": FetchStatus.FAILED,
                    "error": str(exc),
                    "rows": 0,
                    "bytes": 0,
                }
            )

    # Requests in flight: the setting, never more than the publisher allows.
    limit = source.publisher.max_concurrent_requests
    workers = min(settings.http_concurrency(), limit or settings.http_concurrency())
    items = batch.get("slices") or [
        {"source_id": batch["source_id"], "province": p, "period": batch["period"]}
        for p in batch["provinces"]
    ]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        stage = f"extract {batch['source_id']} {batch['period']}"
        answers = list(progress.track(pool.map(one, items), stage, len(items)))
    # The whole batch lands at once, in one file: after every answer is in and parsed.
    with naming_full_disk("landing", directory):
        land_answers(directory, batch["source_id"], {a.outcome["slice_key"]: a for a in answers})
    return [a.outcome for a in answers]


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
    batch_answers: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for outcome in outcomes:
        if outcome["status"] == FetchStatus.FAILED:
            key = (outcome["source_id"], outcome["period"])
            if key not in batch_answers:  # one read of a batch's manifest, not one per answer
                batch_answers[key] = landing.landed_answers(landing.batch_dir(root, *key))
            landed = batch_answers[key].get(outcome["slice_key"])
            if landed and landed.get("parquet"):
                outcome["status"] = FetchStatus.STALE
    fetch_log.write(root, run_id, outcomes)
    reason = changes.rebuild_reason(root, outcomes)
    return {
        "run_id": run_id,
        "changed": reason is not None,
        "reason": reason or "every slice is unchanged since the published release: no new release",
        "stale_sources": sorted(
            {o["source_id"] for o in outcomes if o["status"] == FetchStatus.STALE}
        ),
        "missing": sorted(
            {
                (o["source_id"], o["province"], o["period"])
                for o in outcomes
                if o["status"] == FetchStatus.FAILED
            }
        ),
        "overdue": [f.message() for f in freshness.check(root) if f.overdue],
        "downloaded": sum(1 for o in outcomes if o["status"] == FetchStatus.DOWNLOADED),
        "bytes": sum(o.get("bytes") or 0 for o in outcomes),
    }


def load(run_id: str, data_dir: Path | None = None) -> dict[str, Any]:
    """Load every landed slice into a fresh build, with this run's source status."""
    from warehouse import fetch_log

    root = data_dir or paths.data_dir()
    outcomes = fetch_log.read_run(root, run_id)
    result = target_from_settings().load(run_id, root, outcomes)
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
        (o["province"], o["period"])
        for o in outcomes
        if o["status"] not in {FetchStatus.NO_DATA, FetchStatus.FAILED}
    }
    missing = {
        (o["province"], o["period"])
        for o in outcomes
        if o["status"] in {FetchStatus.NO_DATA, FetchStatus.FAILED}
    }
    result = dataclasses.replace(result, requested=sorted(landed), no_data=sorted(missing - landed))
    return result.to_dict()


def build(info: dict[str, Any]) -> dict[str, Any]:
    """The one ``dbt build`` into the run's build."""
    return target_from_settings().build(LoadResult.from_dict(info)).to_dict()


def gate(info: dict[str, Any], data_dir: Path | None = None) -> dict[str, Any]:
    """The quality gate on the build's marts; raises ``QualityGateError`` on a blocking failure."""
    from expectations.gate import validate_marts

    root = data_dir or paths.data_dir()
    built = BuildResult.from_dict(info)
    with (
        naming_full_disk("quality gate", root / "docs"),
        target_from_settings().gate_io(built, root) as io,
    ):
        result = validate_marts(
            io.marts,
            run_id=built.load.run_id,
            requested=built.load.requested,
            no_data=built.load.no_data,
            previous_release=io.previous,
            docs_dir=root / "docs",
            write_results=io.write_results,
        )
    return GatedBuild(build=built, quality_gate=result.as_dict()).to_dict()


def publish(info: dict[str, Any], data_dir: Path | None = None) -> dict[str, Any]:
    """Publish a build that passed the gate."""
    gated = GatedBuild.from_dict(info)
    return target_from_settings().publish(gated, data_dir or paths.data_dir()).to_dict()


def source_ids() -> list[str]:
    return list(load_catalogue())
