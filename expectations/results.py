"""Check outcomes and the rows of ``meta.quality_results`` they become (each target
writes them: ``WarehouseTarget.gate_io``).

``meta.quality_results`` is the one picture of a build's quality: a row per outcome of
the quality gate (``engine`` = ``gx``) and a row per dbt data test of the same run
(``engine`` = ``dbt``, from ``meta.dbt_run_results`` and the build's dbt manifest), each
with its severity under the one policy (``expectations.policy``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa

from expectations import policy
from warehouse.meta import QUALITY_RESULTS

ENGINE_GX = "gx"  # the quality gate (expectations.gate, expectations.checks)
ENGINE_DBT = "dbt"  # a dbt data test of the run's dbt build

# the scope most slices have; messages name the scope only when it is another one
DEFAULT_SCOPE = "all_nationalities"
_ARROW_TYPES = {
    "varchar": pa.string(),
    "boolean": pa.bool_(),
    "bigint": pa.int64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}
# The rows of meta.quality_results (its columns: warehouse.meta.QUALITY_RESULTS).
RESULTS_SCHEMA = pa.schema([(c.name, _ARROW_TYPES[c.type]) for c in QUALITY_RESULTS.columns])


@dataclasses.dataclass(frozen=True)
class CheckOutcome:
    """The outcome of one check, for the whole table or for one (area, period) slice."""

    suite: str
    check: str
    expectation: str
    severity: str
    success: bool
    columns: tuple[str, ...] = ()
    element_count: int | None = None
    unexpected_count: int | None = None
    observed: str | None = None
    area_code: str | None = None
    period: dt.date | None = None
    population_scope: str | None = None
    engine: str = ENGINE_GX

    @property
    def scope(self) -> str:
        parts = []
        if self.area_code is not None:
            parts.append(f"area {self.area_code}")
        if self.period is not None:
            parts.append(f"period {self.period:%Y-%m}")
        if self.population_scope is not None and self.population_scope != DEFAULT_SCOPE:
            parts.append(f"scope {self.population_scope}")
        return " ".join(parts)

    def message(self) -> str:
        """``<suite> <check> fails for area <a> period <YYYY-MM>[ scope <s>] (<what>)``."""
        text = f"{self.suite} {self.check} fails"
        if self.scope:
            text += f" for {self.scope}"
        if self.observed:
            text += f" ({self.observed})"
        return text


def format_value(value: object) -> str:
    """A value as a person reads it in a message: 31, 0.1234, 2026-09-30, null."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dt.datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6g}"
    if hasattr(value, "item"):  # numpy scalar
        return format_value(value.item())
    return str(value)


def _period_date(value: object) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"period must be a date, got {type(value).__name__}")


def quality_results_table(
    *, run_id: str, checked_at: dt.datetime, outcomes: Sequence[CheckOutcome]
) -> pa.Table:
    """The rows of ``meta.quality_results`` for the outcomes of one gate run."""
    checked_at_utc = checked_at.astimezone(dt.UTC).replace(tzinfo=None)
    columns: dict[str, list] = {name: [] for name in RESULTS_SCHEMA.names}
    for outcome in outcomes:
        columns["run_id"].append(run_id)
        columns["suite"].append(outcome.suite)
        columns["check_name"].append(outcome.check)
        columns["expectation"].append(outcome.expectation)
        columns["columns"].append(", ".join(outcome.columns) or None)
        columns["severity"].append(outcome.severity)
        columns["success"].append(bool(outcome.success))
        columns["element_count"].append(outcome.element_count)
        columns["unexpected_count"].append(outcome.unexpected_count)
        columns["observed"].append(outcome.observed)
        columns["area_code"].append(outcome.area_code)
        columns["period"].append(_period_date(outcome.period))
        columns["population_scope"].append(outcome.population_scope)
        columns["checked_at"].append(checked_at_utc)
        columns["engine"].append(outcome.engine)
    return pa.table(columns, schema=RESULTS_SCHEMA)


def _dbt_test_name(node: Mapping) -> tuple[str, str, tuple[str, ...]]:
    """(model tested, check name, columns) of a data test node of the dbt manifest."""
    attached = node.get("attached_node") or next(
        (n for n in node.get("depends_on", {}).get("nodes", []) if n.startswith("model.")), ""
    )
    model = attached.rsplit(".", 1)[-1] if attached else "dbt"
    column = node.get("column_name")
    kind = (node.get("test_metadata") or {}).get("name")
    if kind:
        check = f"{kind} {column}" if column else kind
        # several tests of a kind on one model (e.g. expression_is_true): dbt's name tells them apart
        if not column and kind in {"expression_is_true", "unique_combination_of_columns"}:
            check = node["name"]
    else:  # a singular test (dbt_project/tests/*.sql)
        check = node["name"]
    return model, check, (column,) if column else ()


def dbt_test_outcomes(
    rows: Iterable[tuple[str, str, int | None, str | None]], manifest: Mapping | None = None
) -> list[CheckOutcome]:
    """One outcome per dbt data test of ``meta.dbt_run_results`` rows (unique_id, status,
    failures, message); the manifest (``target/manifest.json``) names the model, column
    and configured severity, else the test's id and its status stand for them."""
    nodes = (manifest or {}).get("nodes", {})
    outcomes = []
    for unique_id, status, failures, message in rows:
        if not unique_id.startswith("test."):
            continue
        node = nodes.get(unique_id)
        if node:
            suite, check, columns = _dbt_test_name(node)
            configured = str(node.get("config", {}).get("severity", "error")).lower()
        else:
            suite, check, columns = "dbt", unique_id.split(".")[2], ()
            configured = "warn" if status == "warn" else "error"
        success = status in {"pass", "success"}
        outcomes.append(
            CheckOutcome(
                suite=suite,
                check=check,
                expectation=f"dbt.{(node or {}).get('test_metadata', {}).get('name') or 'test'}",
                severity=policy.FROM_DBT.get(configured, policy.BLOCKING),
                success=success,
                columns=columns,
                unexpected_count=failures,
                observed=(
                    f"dbt test {status}"
                    if success
                    else f"dbt test {status}: {(message or '').strip()[:500]}"
                ),
                engine=ENGINE_DBT,
            )
        )
    return outcomes


def dbt_outcomes_of_run(
    rows: Iterable[tuple[str, str, int | None, str | None]], dbt_dir: Path | None
) -> list[CheckOutcome]:
    """The dbt data tests of a run (``meta.DBT_TESTS_OF_RUN_SQL`` rows), named and given
    their severity from the run's dbt manifest (``<dbt_dir>/target/manifest.json``)."""
    manifest_path = Path(dbt_dir) / "target" / "manifest.json" if dbt_dir else None
    manifest = (
        json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest_path and manifest_path.is_file()
        else None
    )
    return dbt_test_outcomes(rows, manifest)
