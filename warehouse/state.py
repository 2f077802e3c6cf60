"""The typed state a run passes from task to task.

Each step of ``warehouse.refresh`` takes the state of the step before and returns its
own; between Airflow tasks they travel as plain dicts (``to_dict`` / ``from_dict``, JSON
values only, for XCom). The keys are the same whichever warehouse target the run uses:
what differs between targets is in the values (``build_path`` is the DuckDB build file,
or None on PostgreSQL where the build lives in schemas named by ``build_key``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

Slice = tuple[str, str]  # (area_code, 'YYYY-MM')


def _slices(values: Any) -> list[Slice]:
    return [(str(a), str(p)) for a, p in values or ()]


@dataclasses.dataclass(frozen=True)
class PlanBatch:
    """One source x period of a run: the unit of an extract task."""

    source_id: str
    period: str
    provinces: list[str]
    slices: list[dict[str, Any]]  # provinces, offices or feeds (extract.run_config.Slice)
    full_check: bool = False  # ask about settled periods too (run configuration)
    as_of: str | None = None  # the run's month (YYYY-MM) the revision window counts from
    settled: bool = False  # every answer older than the window and landed: nothing to ask

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanBatch:
        return cls(
            source_id=data["source_id"],
            period=data["period"],
            provinces=list(data.get("provinces") or []),
            slices=[dict(s) for s in data.get("slices") or []],
            full_check=bool(data.get("full_check", False)),
            as_of=data.get("as_of"),
            settled=bool(data.get("settled", False)),
        )


@dataclasses.dataclass(frozen=True)
class LoadResult:
    """The landed data loaded into a fresh build of the run."""

    run_id: str
    target: str  # the target's name, for people reading the task's return value
    build_key: str  # names the build: the file's stem on DuckDB, the schema suffix on PostgreSQL
    build_path: str | None  # the DuckDB build file; None where the build is not a file
    location: str  # where the build is, for logs (a path, or a URL without password)
    dbt_dir: str  # dbt's target, logs and per-run profile for this build
    raw_rows: dict[str, int]  # rows per raw table
    requested: list[Slice]  # province x month slices landed (the gate checks they are present)
    no_data: list[Slice]  # asked for but not published yet (or failed with nothing landed)

    def to_dict(self) -> dict[str, Any]:
        return {
            **dataclasses.asdict(self),
            "requested": [tuple(s) for s in self.requested],
            "no_data": [tuple(s) for s in self.no_data],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LoadResult:
        return cls(
            run_id=data["run_id"],
            target=data["target"],
            build_key=data["build_key"],
            build_path=data.get("build_path"),
            location=data.get("location") or "",
            dbt_dir=data["dbt_dir"],
            raw_rows=dict(data.get("raw_rows") or {}),
            requested=_slices(data.get("requested")),
            no_data=_slices(data.get("no_data")),
        )


@dataclasses.dataclass(frozen=True)
class BuildResult:
    """The one ``dbt build`` of the run, into its build."""

    load: LoadResult
    dbt: dict[str, Any]  # warehouse.dbt_build.DbtOutcome.as_dict()

    def to_dict(self) -> dict[str, Any]:
        return {**self.load.to_dict(), "dbt": self.dbt}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BuildResult:
        return cls(load=LoadResult.from_dict(data), dbt=dict(data.get("dbt") or {}))


@dataclasses.dataclass(frozen=True)
class GatedBuild:
    """A build whose marts passed the quality gate (``expectations.gate.GateResult``)."""

    build: BuildResult
    quality_gate: dict[str, Any]  # expectations.gate.GateResult.as_dict()

    @property
    def load(self) -> LoadResult:
        return self.build.load

    def to_dict(self) -> dict[str, Any]:
        return {**self.build.to_dict(), "quality_gate": self.quality_gate}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GatedBuild:
        return cls(
            build=BuildResult.from_dict(data), quality_gate=dict(data.get("quality_gate") or {})
        )


@dataclasses.dataclass(frozen=True)
class Release:
    """A published release."""

    release_id: str
    run_id: str
    published_at: str  # ISO 8601, UTC
    path: str  # where readers open it: the published file, or the database and schema
    sources: dict[str, Any]  # per source: vintages, slices, sha256, any_modelled
    # what was written for planners (warehouse.outputs: exports, site), empty if nothing
    outputs: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Release:
        return cls(
            **{f.name: data[f.name] for f in dataclasses.fields(cls) if f.name != "outputs"},
            outputs=dict(data.get("outputs") or {}),
        )
