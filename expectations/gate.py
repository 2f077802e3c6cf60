"""The quality gate: validate the marts of a build before it is published.

``validate_marts`` reads the marts through the :class:`~expectations.readers.MartReader`
the warehouse target gives it (``WarehouseTarget.gate_io``: read-only, only the columns
the suites need, the largest mart one period at a time; ``run_quality_gate`` is the same
for a DuckDB build file), runs each mart's suite through a ``ValidationDefinition`` and a
``Checkpoint`` on an ephemeral GX context with the pandas engine, adds the gate checks
that span slices, marts or releases (``expectations.checks``), builds the GX Data Docs,
hands every outcome to the target's writer of ``meta.quality_results`` and raises
``QualityGateError`` when a blocking check failed.
"""

from __future__ import annotations

import logging
import os

logging.getLogger("great_expectations").setLevel(logging.WARNING)
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import dataclasses  # noqa: E402
import datetime as dt  # noqa: E402
from collections.abc import Callable, Iterable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import great_expectations as gx  # noqa: E402
import pandas as pd  # noqa: E402
from great_expectations.core.run_identifier import RunIdentifier  # noqa: E402
from great_expectations.data_context.types.base import (  # noqa: E402
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

from expectations import checks  # noqa: E402
from expectations.errors import QualityGateError  # noqa: E402
from expectations.readers import MartReader, Partition  # noqa: E402
from expectations.results import CheckOutcome, format_value  # noqa: E402
from expectations.suites import BLOCKING, MART_SPECS, WARNING, MartSpec  # noqa: E402

log = logging.getLogger(__name__)

# (run_id, checked_at, outcomes) -> rows written to the build's meta.quality_results
ResultsWriter = Callable[[str, dt.datetime, Sequence[CheckOutcome]], int]

DOCS_SITE = "quality_gate"
MAX_MESSAGES = 10  # failing checks named in the error message
MAX_SLICES_PER_CHECK = 500  # failing (area, period) rows recorded per expectation
# COMPLETE gives the index of every failing row, so each failing area and period can be
# named. Unexpected values stay in the result (the Data Docs show a sample of them); the
# pandas query string that would repeat every index is not needed.
RESULT_FORMAT = {"result_format": "COMPLETE", "return_unexpected_index_query": False}


@dataclasses.dataclass(frozen=True)
class GateResult:
    """What the gate found. Returned when it passes; attached to ``QualityGateError``."""

    run_id: str
    passed: bool
    checks_evaluated: int  # distinct checks (expectations and gate checks) evaluated
    blocking_failed: int  # distinct blocking checks with at least one failure
    warnings: int  # distinct warning checks with at least one failure
    warning_messages: tuple[str, ...]
    failure_messages: tuple[str, ...]
    docs_index: Path
    results_written: int  # rows appended to meta.quality_results

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able values (for XCom and ``meta.releases``)."""
        return {
            **dataclasses.asdict(self),
            "docs_index": str(self.docs_index),
            "warning_messages": list(self.warning_messages),
            "failure_messages": list(self.failure_messages),
        }


def run_quality_gate(
    build_path: Path,
    *,
    run_id: str,
    requested: Iterable[tuple[str, str]],
    no_data: Iterable[tuple[str, str]] = (),
    previous_release: Path | None,
    docs_dir: Path,
    max_change_pct: float = 5.0,
) -> GateResult:
    """Validate the marts of ``build_path``; raise ``QualityGateError`` on a blocking failure.

    ``requested`` are the ``(area_code, 'YYYY-MM')`` slices the run asked for; those in
    ``no_data`` were reported by the publisher as not published yet (a warning, not a
    failure, when absent). ``previous_release`` (opened read-only; may be ``None``) is
    compared with the build for moves of ``population_total`` above ``max_change_pct``
    percent (a warning). Data Docs are built into ``docs_dir``.
    """
    from warehouse.targets.duckdb import file_gate_io  # the DuckDB target's reader and writer

    io = file_gate_io(Path(build_path), None)
    return validate_marts(
        io.marts,
        run_id=run_id,
        requested=requested,
        no_data=no_data,
        previous_release=previous_release,
        docs_dir=docs_dir,
        max_change_pct=max_change_pct,
        write_results=io.write_results,
    )


def validate_marts(
    marts: MartReader,
    *,
    run_id: str,
    requested: Iterable[tuple[str, str]],
    no_data: Iterable[tuple[str, str]] = (),
    previous_release: Path | MartReader | None,
    docs_dir: Path,
    write_results: ResultsWriter,
    max_change_pct: float = 5.0,
) -> GateResult:
    """The gate over any warehouse: ``run_quality_gate`` for a reader of marts.

    ``marts`` reads the build's marts (``expectations.readers``); ``previous_release`` is
    a DuckDB file or a reader of the published release; ``write_results`` records the
    outcomes in the build's ``meta.quality_results`` and returns the rows written.
    """
    docs_dir = Path(docs_dir)
    if max_change_pct < 0:
        raise ValueError("max_change_pct must be >= 0")
    requested_slices = checks.normalise_slices(requested)
    no_data_slices = checks.normalise_slices(no_data)
    checked_at = dt.datetime.now(dt.UTC)

    frames, partitioned, outcomes = _read_marts(marts)
    # A run that asked for no province slice (e.g. only a national DLT file) into a data
    # directory that never held population: the population marts may then be empty.
    population_optional = not requested_slices
    ageing = frames.get(checks.AGEING)
    if ageing is not None:
        outcomes += checks.requested_slices_present(ageing, requested_slices, no_data_slices)

    docs_dir.mkdir(parents=True, exist_ok=True)
    context = _ephemeral_context(docs_dir)
    datasource = context.data_sources.add_pandas(name="build")
    run_identifier = RunIdentifier(run_name=run_id, run_time=checked_at)
    for spec in MART_SPECS:
        if spec.name not in frames or spec.build_suite is None:
            continue
        may_be_empty = spec.may_be_empty or (population_optional and spec.name in POPULATION_MARTS)
        if may_be_empty and frames[spec.name].empty:
            outcomes.append(_empty_mart(spec))
            continue
        outcomes += _validate(context, datasource, spec, frames[spec.name], run_identifier)

    if ageing is not None:
        outcomes += checks.population_change_vs_previous_release(
            ageing, previous_release, max_change_pct
        )
    outcomes += checks.totals_reconcile(frames)
    for spec in partitioned:
        if (
            population_optional
            and spec.name in POPULATION_MARTS
            and not marts.distinct(spec.schema, spec.name, spec.partition_by or "")
        ):
            outcomes.append(_empty_mart(spec))
            continue
        outcomes += _validate_by_partition(
            marts, spec, frames, context, datasource, run_id, checked_at
        )

    context.build_data_docs(site_names=[DOCS_SITE])
    written = write_results(run_id, checked_at, outcomes)
    result = _summarise(run_id, outcomes, docs_dir / "index.html", written)
    log.info(
        "quality gate %s: %d checks, %d blocking failed, %d warnings; docs %s",
        "passed" if result.passed else "failed",
        result.checks_evaluated,
        result.blocking_failed,
        result.warnings,
        result.docs_index,
    )
    for message in result.warning_messages:
        log.warning("quality warning: %s", message)
    if not result.passed:
        raise QualityGateError(
            _failure_text(result.failure_messages),
            failures=list(result.failure_messages),
            result=result,
        )
    return result


# --- reading ---------------------------------------------------------------------------


POPULATION_MARTS = frozenset({checks.AGEING, checks.FCT})


def _read_marts(
    marts: MartReader,
) -> tuple[dict[str, pd.DataFrame], list[MartSpec], list[CheckOutcome]]:
    """The prepared frame of every mart that has its contract columns, read-only; marts
    validated by partition are listed instead of read."""
    frames: dict[str, pd.DataFrame] = {}
    partitioned: list[MartSpec] = []
    outcomes: list[CheckOutcome] = []
    for spec in MART_SPECS:
        if spec.optional and not marts.columns(spec.schema, spec.name):
            continue  # read for cross-level checks only, and not in this build
        schema_outcome = checks.table_has_columns(marts, spec)
        outcomes.append(schema_outcome)
        if not schema_outcome.success:
            continue
        if spec.partition_by:
            partitioned.append(spec)
            continue
        frames[spec.name] = _prepared(marts, spec)
    return frames, partitioned, outcomes


def _prepared(marts: MartReader, spec: MartSpec, where: Partition | None = None) -> pd.DataFrame:
    frame = marts.frame(spec.schema, spec.name, spec.columns, where)
    return spec.prepare(frame.reset_index(drop=True))


def _validate_by_partition(
    marts: MartReader,
    spec: MartSpec,
    frames: dict[str, pd.DataFrame],
    context: Any,
    datasource: Any,
    run_id: str,
    checked_at: dt.datetime,
) -> list[CheckOutcome]:
    """Every check of a large mart, one partition (e.g. one period) in memory at a time.

    The suite, the slice totals against ``mart_area_ageing`` and the reconciliations
    across area levels all group by keys that include the partition column, so each
    partition passes or fails them on its own; outcomes that do not name a period are
    labelled with the partition's.
    """
    column = spec.partition_by or ""
    values = marts.distinct(spec.schema, spec.name, column) or [None]  # empty: one pass
    ageing, outcomes = frames.get(checks.AGEING), []
    # the reconciliations of this mart only: with the area reference, not the other marts
    reference = {name: frames[name] for name in (checks.DIM_AREA,) if name in frames}
    for value in values:
        part = _prepared(marts, spec, (column, value))
        found: list[CheckOutcome] = []
        if spec.build_suite is not None:
            run = RunIdentifier(run_name=f"{run_id} {column} {value}", run_time=checked_at)
            found += _validate(context, datasource, spec, part, run)
        if spec.name == checks.FCT and ageing is not None:
            found += checks.fct_totals_match_ageing(part, ageing)
        found += checks.totals_reconcile({**reference, spec.name: part})
        if column == "period" and value is not None:
            period = pd.Timestamp(value).date()
            found = [o if o.period else dataclasses.replace(o, period=period) for o in found]
        outcomes += found
        del part  # the next partition replaces it
    return outcomes


# --- GX --------------------------------------------------------------------------------


def _ephemeral_context(docs_dir: Path) -> Any:
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={
            DOCS_SITE: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {
                    "class_name": "DefaultSiteIndexBuilder",
                    "show_cta_footer": False,
                },
            }
        },
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _validate(
    context: Any,
    datasource: Any,
    spec: MartSpec,
    frame: pd.DataFrame,
    run_identifier: RunIdentifier,
) -> list[CheckOutcome]:
    suite, checkpoint = _checkpoint(context, datasource, spec)
    checkpoint_result = checkpoint.run(batch_parameters={"dataframe": frame}, run_id=run_identifier)
    (suite_result,) = checkpoint_result.run_results.values()

    order = {e.meta.get("check"): i for i, e in enumerate(suite.expectations)}
    results = sorted(
        suite_result.results,
        key=lambda r: order.get((r.expectation_config.meta or {}).get("check"), len(order)),
    )
    outcomes: list[CheckOutcome] = []
    for expectation_result in results:
        outcomes += _outcomes_of(spec, frame, expectation_result)
    return outcomes


def _checkpoint(context: Any, datasource: Any, spec: MartSpec) -> tuple[Any, Any]:
    """The mart's suite and checkpoint, added to the context on first use (a partitioned
    mart runs the same checkpoint once per partition)."""
    name = f"{spec.name}_gate"
    if name not in {c.name for c in context.checkpoints.all()}:
        suite = context.suites.add(spec.build_suite())
        asset = datasource.add_dataframe_asset(name=spec.name)
        batch_definition = asset.add_batch_definition_whole_dataframe(name="whole_table")
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=spec.name, data=batch_definition, suite=suite)
        )
        context.checkpoints.add(
            gx.Checkpoint(
                name=name,
                validation_definitions=[validation],
                actions=[],
                result_format=RESULT_FORMAT,
            )
        )
    checkpoint = context.checkpoints.get(name)
    return checkpoint.validation_definitions[0].suite, checkpoint


def _empty_mart(spec: MartSpec) -> CheckOutcome:
    """A mart that may be empty and is: recorded, nothing to validate (no Data Docs page)."""
    return CheckOutcome(
        suite=spec.name,
        check="table has rows",
        expectation="mart_may_be_empty",
        severity=WARNING,
        success=True,
        element_count=0,
        unexpected_count=0,
        observed="no rows: none of its sources was landed in this build",
    )


def _columns_of(kwargs: dict[str, Any]) -> tuple[str, ...]:
    columns: list[str] = []
    for name in ("column", "column_A", "column_B"):
        if kwargs.get(name):
            columns.append(kwargs[name])
    columns += list(kwargs.get("column_list") or [])
    return tuple(columns)


def _raised(exception_info: Any) -> str | None:
    """The message of an exception GX caught while evaluating an expectation, if any."""
    if not exception_info:
        return None
    infos = (
        [exception_info]
        if "raised_exception" in exception_info
        else [i for i in exception_info.values() if isinstance(i, dict)]
    )
    for info in infos:
        if info.get("raised_exception"):
            return str(info.get("exception_message") or "error")
    return None


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _describe_row(row: pd.Series, template: str | None, columns: Sequence[str]) -> str:
    values = _Values({k: format_value(v) for k, v in row.items()})
    if not template:
        template = ", ".join(f"{c} {{{c}}}" for c in columns)
    return template.format_map(values)


def _outcomes_of(spec: MartSpec, frame: pd.DataFrame, er: Any) -> list[CheckOutcome]:
    config = er.expectation_config
    meta = config.meta or {}
    columns = _columns_of(config.kwargs)
    result = er.result or {}
    common = dict(
        suite=spec.name,
        check=meta.get("check") or config.type,
        expectation=config.type,
        severity=meta.get("severity", BLOCKING),
        columns=columns,
        element_count=result.get("element_count"),
    )
    raised = _raised(er.exception_info)
    if raised:
        return [CheckOutcome(**common, success=False, observed=f"could not be evaluated: {raised}")]
    unexpected_count = result.get("unexpected_count")
    if er.success:
        observed = (
            f"observed {format_value(result['observed_value'])}"
            if "observed_value" in result
            else f"{unexpected_count or 0} of {result.get('element_count', 0)} rows unexpected"
        )
        return [CheckOutcome(**common, success=True, unexpected_count=0, observed=observed)]

    indices = result.get("unexpected_index_list") or []
    if not indices or isinstance(indices[0], dict):
        observed = (
            f"observed {format_value(result['observed_value'])}"
            if "observed_value" in result
            else f"{unexpected_count} unexpected: {result.get('partial_unexpected_list')}"
        )
        return [
            CheckOutcome(
                **common, success=False, unexpected_count=unexpected_count, observed=observed
            )
        ]

    failing = frame.loc[indices]
    keys = [k for k in ("area_code", "period", "population_scope") if k in failing.columns]
    outcomes: list[CheckOutcome] = []
    groups = failing.groupby(keys, dropna=False, sort=True)
    for n, (key, rows) in enumerate(groups):
        if n == MAX_SLICES_PER_CHECK:
            rest = len(failing) - sum(o.unexpected_count or 0 for o in outcomes)
            outcomes.append(
                CheckOutcome(
                    **common,
                    success=False,
                    unexpected_count=rest,
                    observed=f"and {groups.ngroups - n} more slice(s), {rest} row(s)",
                )
            )
            break
        slice_ = {k: (None if pd.isna(v) else v) for k, v in zip(keys, key, strict=True)}
        observed = _describe_row(rows.iloc[0], meta.get("detail"), columns)
        if len(rows) > 1:
            observed += f"; {len(rows)} rows fail"
        period = slice_.get("period")
        outcomes.append(
            CheckOutcome(
                **common,
                success=False,
                unexpected_count=len(rows),
                observed=observed,
                area_code=None if slice_["area_code"] is None else str(slice_["area_code"]),
                period=None if period is None else pd.Timestamp(period).date(),
                population_scope=slice_.get("population_scope"),
            )
        )
    return outcomes


# --- summary ---------------------------------------------------------------------------


def _summarise(
    run_id: str, outcomes: Sequence[CheckOutcome], docs_index: Path, written: int
) -> GateResult:
    checks_seen = {(o.suite, o.check) for o in outcomes}
    failed_blocking = [o for o in outcomes if not o.success and o.severity != WARNING]
    failed_warning = [o for o in outcomes if not o.success and o.severity == WARNING]
    return GateResult(
        run_id=run_id,
        passed=not failed_blocking,
        checks_evaluated=len(checks_seen),
        blocking_failed=len({(o.suite, o.check) for o in failed_blocking}),
        warnings=len({(o.suite, o.check) for o in failed_warning}),
        warning_messages=tuple(o.message() for o in failed_warning),
        failure_messages=tuple(o.message() for o in failed_blocking),
        docs_index=docs_index,
        results_written=written,
    )


def _failure_text(failures: Sequence[str]) -> str:
    text = "quality gate failed: " + "; ".join(failures[:MAX_MESSAGES])
    if len(failures) > MAX_MESSAGES:
        text += f"; and {len(failures) - MAX_MESSAGES} more"
    return text
