"""The PostgreSQL target (``SMARTCITY_WAREHOUSE=postgres``).

A run builds into its own schemas ``<name>__build_<key>`` of the warehouse database and
publish renames them to the published names in one transaction:

- ``load``: the DuckDB target's load reads the landed Parquet into a staging file; its
  ``raw`` and ``meta`` schemas are copied into the run's build schemas and the file is
  deleted (``warehouse.targets.postgres.load``).
- ``build``: one ``dbt build --target postgres`` into the run's build schemas.
- ``gate_io``: readers of the build schemas and of the published ``marts``; results into
  ``meta__build_<key>.quality_results`` (``warehouse.targets.postgres.gate``).
- ``publish``: the release rows, then the swap of schemas (``warehouse.targets.postgres.publish``).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from warehouse import paths
from warehouse.state import BuildResult, GatedBuild, LoadResult, Release
from warehouse.targets import Fingerprint, GateIO, ReleaseSummary
from warehouse.targets.postgres.connection import PostgresSettings, build_key, build_suffix

log = logging.getLogger(__name__)
NAME = "postgres"


class PostgresTarget:
    name = NAME

    def __init__(self, settings: PostgresSettings) -> None:
        self.settings = settings

    @classmethod
    def from_settings(cls) -> PostgresTarget:
        return cls(PostgresSettings.from_env())

    def describe(self) -> str:
        return self.settings.describe()

    def load(self, run_id: str, data_dir: Path, fetch_log: list[dict]) -> LoadResult:
        """The DuckDB load into a staging file, copied into the run's build schemas."""
        from warehouse.targets.duckdb.load import load_raw
        from warehouse.targets.postgres.load import load_build_file

        staging = paths.build_path(run_id, data_dir)
        counts = load_raw(staging, data_dir, fetch_log=fetch_log)
        copied = load_build_file(staging, self.settings, run_id)
        for leftover in (staging, staging.with_suffix(".duckdb.wal")):
            leftover.unlink(missing_ok=True)  # a staging copy only: the build lives in PostgreSQL
        log.info("copied %d tables into the build schemas", len(copied))
        key = build_key(run_id)
        return LoadResult(
            run_id=run_id,
            target=self.name,
            build_key=key,
            build_path=None,
            location=f"{self.settings.describe()} schemas *{build_suffix(key)}",
            dbt_dir=str(staging.with_suffix(".dbt")),
            raw_rows=counts,
            requested=[],
            no_data=[],
        )

    def build(self, load: LoadResult) -> BuildResult:
        from warehouse.dbt_build import check_outcome, invoke_dbt_build
        from warehouse.targets.postgres.gate import record_run_results

        run_results, run = invoke_dbt_build(
            target=NAME,
            target_dir=Path(load.dbt_dir),
            output=self.settings.dbt_output(),
            dbt_vars={"build_schema_suffix": build_suffix(load.build_key)},
            env=self.settings.dbt_secrets(),
        )
        record_run_results(self.settings, load.build_key, run_results, load.run_id)
        return BuildResult(load=load, dbt=check_outcome(run_results, run).as_dict())

    @contextmanager
    def gate_io(self, build: BuildResult, data_dir: Path) -> Iterator[GateIO]:
        from warehouse.targets.postgres.gate import gate_io

        with self.settings.connect() as conn:
            dbt_dir = Path(build.load.dbt_dir) if build.load.dbt_dir else None
            yield gate_io(conn, build.load.build_key, dbt_dir)

    def publish(self, gated: GatedBuild, data_dir: Path) -> Release:
        from warehouse.targets.postgres.publish import publish

        release = publish(
            self.settings,
            gated.load.build_key,
            run_id=gated.load.run_id,
            dbt=gated.build.dbt,
            quality_gate=gated.quality_gate,
        )
        shutil.rmtree(gated.load.dbt_dir, ignore_errors=True)
        return Release.from_dict(release)

    def published_fingerprint(self, data_dir: Path) -> Fingerprint | None:
        from warehouse.targets.postgres.publish import published_fingerprint

        return published_fingerprint(self.settings)

    def summary(self, example_query: str) -> ReleaseSummary | None:
        from warehouse.targets.postgres.publish import summary

        return summary(self.settings, example_query)
