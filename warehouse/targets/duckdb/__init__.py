"""The DuckDB target (``SMARTCITY_WAREHOUSE=duckdb``, the default): the build is a DuckDB
file under the data directory (``build/<run key>.duckdb``) and a release is that file,
moved into ``releases/`` and swapped in as ``planning.duckdb`` by rename.

- ``load``: the landed Parquet and manifests into ``raw`` (``warehouse.targets.duckdb.load``).
- ``build``: one ``dbt build --target duckdb`` into the file, results into ``meta.dbt_run_results``.
- ``gate_io``: readers of the build and the published file; results into ``meta.quality_results``.
- ``publish``: ``meta.releases`` / ``meta.release_sources``, then the rename.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from smartcity import settings
from warehouse import meta, paths
from warehouse.state import BuildResult, GatedBuild, LoadResult, Release
from warehouse.targets import Fingerprint, GateIO, ReleaseSummary

NAME = "duckdb"


def file_gate_io(build_path: Path, published: Path | None) -> GateIO:
    """The gate's reader of ``build_path``, of the ``published`` file when there is one,
    and the writer of the build's quality results."""
    from warehouse.targets.duckdb.gate import DuckDBFileReader, write_quality_results

    if not build_path.is_file():
        raise FileNotFoundError(f"build file not found: {build_path}")

    def write(run_id: str, checked_at: Any, outcomes: Any) -> int:
        return write_quality_results(
            build_path, run_id=run_id, checked_at=checked_at, outcomes=outcomes
        )

    previous = DuckDBFileReader(published) if published and published.is_file() else None
    return GateIO(marts=DuckDBFileReader(build_path), previous=previous, write_results=write)


def record_run_results(build_path: Path, run_results: dict, run_id: str) -> None:
    """dbt's results into the build's ``meta.dbt_run_results``."""
    from warehouse.dbt_build import run_results_rows

    rows = run_results_rows(run_results, run_id)
    with duckdb.connect(str(build_path)) as con:
        con.execute(f"create schema if not exists {meta.SCHEMA}")
        con.execute(meta.create_table(meta.DBT_RUN_RESULTS, NAME))
        if rows:
            con.executemany(meta.insert_values(meta.DBT_RUN_RESULTS), rows)


class DuckDBTarget:
    name = NAME

    @classmethod
    def from_settings(cls) -> DuckDBTarget:
        return cls()

    def describe(self) -> str:
        return str(paths.published_path())

    def load(self, run_id: str, data_dir: Path, fetch_log: list[dict]) -> LoadResult:
        from warehouse.targets.duckdb.load import load_raw

        build = paths.build_path(run_id, data_dir)
        counts = load_raw(build, data_dir, fetch_log=fetch_log)
        return LoadResult(
            run_id=run_id,
            target=self.name,
            build_key=build.stem,
            build_path=str(build),
            location=str(build),
            dbt_dir=str(build.with_suffix(".dbt")),
            raw_rows=counts,
            requested=[],
            no_data=[],
        )

    def build(self, load: LoadResult) -> BuildResult:
        from warehouse.dbt_build import check_outcome, invoke_dbt_build

        build_path = Path(load.build_path or "")
        output = {
            "path": str(build_path),
            "settings": {"memory_limit": settings.duckdb_memory_limit()},
        }
        run_results, run = invoke_dbt_build(
            target=NAME, target_dir=Path(load.dbt_dir), output=output
        )
        record_run_results(build_path, run_results, load.run_id)
        return BuildResult(load=load, dbt=check_outcome(run_results, run).as_dict())

    @contextmanager
    def gate_io(self, build: BuildResult, data_dir: Path) -> Iterator[GateIO]:
        yield file_gate_io(Path(build.load.build_path or ""), paths.published_path(data_dir))

    def publish(self, gated: GatedBuild, data_dir: Path) -> Release:
        from warehouse.targets.duckdb.publish import publish

        release = publish(
            Path(gated.load.build_path or ""),
            data_dir,
            run_id=gated.load.run_id,
            dbt=gated.build.dbt,
            quality_gate=gated.quality_gate,
        )
        return Release.from_dict(release)

    def published_fingerprint(self, data_dir: Path) -> Fingerprint | None:
        published = paths.published_path(data_dir)
        if not published.exists():
            return None
        with duckdb.connect(str(published), read_only=True) as con:
            slices = con.execute(meta.PUBLISHED_SLICES_SQL).fetchall()
            latest = con.execute(meta.LATEST_RELEASE_SQL).fetchall()
        return {tuple(row) for row in slices}, (latest[0][3] if latest else None)

    def summary(self, example_query: str) -> ReleaseSummary | None:
        published = paths.published_path()
        if not published.exists():
            return None
        with duckdb.connect(str(published), read_only=True) as con:
            latest = con.execute(meta.LATEST_RELEASE_SQL).fetchall()[0]
            counts = con.execute(
                "select table_name, estimated_size from duckdb_tables() "
                "where schema_name = 'marts' order by 1"
            ).fetchall()
            example = con.execute(example_query).fetchall()
            last_run = con.execute("""
                select run_id, status, count(*) from meta.fetch_log
                where logged_at = (select max(logged_at) from meta.fetch_log) group by all order by 2
            """).fetchall()
        hint = f"duckdb -readonly {published}"
        return ReleaseSummary(str(published), *latest[:3], counts, hint, example, last_run)
