"""The warehouse target: where a run builds, validates and publishes.

A target is chosen once per run from ``SMARTCITY_WAREHOUSE`` (``target_from_settings``)
and the pipeline steps (``warehouse.refresh``), ``warehouse.changes`` and
``warehouse.cli`` call it only through :class:`WarehouseTarget`; none of them asks which
target it has. Two implementations:

- ``warehouse.targets.duckdb``: the build is a DuckDB file under the data directory;
  publish moves it into ``releases/`` and swaps ``planning.duckdb`` by rename.
- ``warehouse.targets.postgres``: the build is a set of schemas ``<name>__build_<key>``
  in a PostgreSQL database; publish renames them to the published names in one
  transaction.

A third target implements the same methods in its own sub-package and adds its name to
``smartcity.settings.WAREHOUSE_TARGETS`` and to ``_TARGETS`` below.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from smartcity import settings

if TYPE_CHECKING:
    from expectations.gate import ResultsWriter
    from expectations.readers import MartReader
    from warehouse.state import BuildResult, GatedBuild, LoadResult, Release

# published release's landed slices (source_id, vintage, slice_key, sha256) and code version
Fingerprint = tuple[set[tuple[str, str, str, str]], str | None]

_TARGETS = {
    "duckdb": "warehouse.targets.duckdb:DuckDBTarget",
    "postgres": "warehouse.targets.postgres:PostgresTarget",
}


@dataclasses.dataclass
class GateIO:
    """What the quality gate reads and writes: the build's marts, the published release
    to compare with (None when nothing is published), and the writer of its results."""

    marts: MartReader
    previous: MartReader | None
    write_results: ResultsWriter


@dataclasses.dataclass(frozen=True)
class ReleaseSummary:
    """The published release, as ``make run`` shows it (built positionally by the targets:
    location, then release id, run id and time as ``meta.LATEST_RELEASE_SQL`` gives them)."""

    location: str  # where readers find it
    release_id: str
    run_id: str
    published_at: dt.datetime
    mart_rows: list[tuple[str, int]]  # (mart, rows)
    example_hint: str  # how to run the example query there
    example_rows: list[tuple]
    last_run: list[tuple[str, str, int]] = ()  # (run_id, status, slices) of the latest fetch


@runtime_checkable
class WarehouseTarget(Protocol):
    """One warehouse: each method is one step of a run, or a question about the release."""

    name: str

    def load(self, run_id: str, data_dir: Path, fetch_log: list[dict]) -> LoadResult:
        """Load every landed slice and this run's fetch outcomes (``fetch_log``) into a
        fresh build (``requested`` and ``no_data`` are the caller's to fill in)."""
        ...

    def build(self, load: LoadResult) -> BuildResult:
        """Run the one ``dbt build`` into the build and record its run results there;
        raises ``DbtBuildError`` when a node failed."""
        ...

    def gate_io(self, build: BuildResult, data_dir: Path) -> AbstractContextManager[GateIO]:
        """The readers and the results writer the gate uses, open for the ``with`` block."""
        ...

    def publish(self, gated: GatedBuild, data_dir: Path) -> Release:
        """Record the release in the build's ``meta`` and make it the published one."""
        ...

    def published_fingerprint(self, data_dir: Path) -> Fingerprint | None:
        """Slices and code version of the published release; None when none is published.
        Raises when the release cannot be read."""
        ...

    def summary(self, example_query: str) -> ReleaseSummary | None:
        """The published release for the command line; None when none is published."""
        ...

    def describe(self) -> str:
        """Where the published warehouse is (no password)."""
        ...


def target_from_settings() -> WarehouseTarget:
    """The target ``SMARTCITY_WAREHOUSE`` names (default ``duckdb``), configured from the
    settings. Call it once per step and pass it on."""
    module, _, cls = _TARGETS[settings.warehouse_target()].partition(":")
    return getattr(importlib.import_module(module), cls).from_settings()


__all__ = [
    "Fingerprint",
    "GateIO",
    "ReleaseSummary",
    "WarehouseTarget",
    "target_from_settings",
]
