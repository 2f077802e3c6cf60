"""Load on the DuckDB target: every landed slice into the ``raw`` schema of a fresh build file.

dbt reads its sources from these tables, so the build file is self-contained: a reader
of a release can always trace a mart back to the raw rows and their manifests.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from extract.catalogue import load_catalogue
from extract.parsers import schema_of
from extract.status import FetchStatus
from smartcity import settings
from warehouse import plan_targets
from warehouse.fetch_log import create_view as create_fetch_log_view
from warehouse.paths import landed_manifests

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MANIFEST_COLUMNS = {
    "source_id": pa.string(),
    "period": pa.string(),
    "slice_key": pa.string(),
    "status": pa.string(),
    "url": pa.string(),
    "sha256": pa.string(),
    "bytes": pa.int64(),
    "rows": pa.int64(),
    "fetched_at": pa.string(),
    "etag": pa.string(),
    "last_modified": pa.string(),
    "is_modelled": pa.bool_(),
    "population_scope": pa.string(),
    "licence": pa.string(),
    "publisher": pa.string(),
    "parser_version": pa.string(),
}


def _table_name(source_id: str) -> str:
    # Catalogue ids become table names: keep them plain identifiers, never quoted input.
    if not _IDENTIFIER.match(source_id):
        raise ValueError(f"catalogue id {source_id!r} is not a plain lowercase identifier")
    return source_id


def _source_status(
    con: duckdb.DuckDBPyConnection, source_ids: list[str], fetch_log: list[dict[str, Any]]
) -> None:
    """``raw.source_status``: fresh, stale (publisher failed, last vintage used) or not requested."""
    rows = []
    for source_id in source_ids:
        attempts = [o for o in fetch_log if o["source_id"] == source_id]
        stale = [o for o in attempts if o["status"] in {FetchStatus.STALE, FetchStatus.FAILED}]
        status = "not_requested" if not attempts else "stale" if stale else "fresh"
        detail = "; ".join(sorted({o.get("error") or "" for o in stale}))[:2000] or None
        rows.append({"source_id": source_id, "status": status, "detail": detail})
    con.register(
        "source_status",
        pa.Table.from_pylist(
            rows,
            schema=pa.schema(
                [("source_id", pa.string()), ("status", pa.string()), ("detail", pa.string())]
            ),
        ),
    )
    con.execute("create table raw.source_status as select * from source_status")
    con.unregister("source_status")


def _orphan_releases(data_dir: Path) -> list[Path]:
    """Release files the published file does not list: a publish killed between moving
    its build into ``releases/`` and swapping it in."""
    from warehouse.paths import published_path, releases_dir

    files = sorted(releases_dir(data_dir).glob("*.duckdb"))
    published = published_path(data_dir)
    if not files:
        return []
    if not published.exists():
        return files
    with duckdb.connect(str(published), read_only=True) as con:
        known = {row[0] for row in con.execute("select release_id from meta.releases").fetchall()}
    return [p for p in files if p.stem not in known and not p.samefile(published)]


TARGET_AREA_COLUMNS = {
    "target_area_code": pa.string(),
    "name_th": pa.string(),
    "name_en": pa.string(),
    "province_code": pa.string(),
    "membership_basis": pa.string(),
    "note": pa.string(),
    "source": pa.string(),
}
TARGET_AREA_MEMBER_COLUMNS = {
    "target_area_code": pa.string(),
    "member_code": pa.string(),
    "member_level": pa.string(),
    "membership_basis": pa.string(),
}


def _target_areas(con: duckdb.DuckDBPyConnection) -> None:
    """``raw.target_areas`` and ``raw.target_area_members`` from the target-area file."""
    from extract import target_areas

    areas = target_areas.load()
    for table, rows, columns in (
        ("target_areas", target_areas.area_rows(areas), TARGET_AREA_COLUMNS),
        ("target_area_members", target_areas.member_rows(areas), TARGET_AREA_MEMBER_COLUMNS),
    ):
        con.register("incoming", pa.Table.from_pylist(rows, schema=pa.schema(list(columns.items()))))
        con.execute(f"create table raw.{table} as select * from incoming")
        con.unregister("incoming")


def clean_leftovers(data_dir: Path, keep: Path | None = None) -> list[Path]:
    """Remove what killed or failed runs left: other builds, temporary files of landing
    and publishing, release files never published. Runs never overlap (one active run,
    one writer), so nothing here is in use; the build of the current run is kept."""
    doomed: list[Path] = _orphan_releases(data_dir)
    build_dir = data_dir / "build"
    if build_dir.exists():
        doomed += [
            p for p in build_dir.iterdir() if keep is None or not p.name.startswith(keep.stem)
        ]
    doomed += list(data_dir.glob(".planning.duckdb.*.tmp"))
    doomed += list((data_dir / "raw").glob("*/*/.*.tmp"))
    doomed += list((data_dir / "raw").glob("*/*/*/.*.tmp")) + list(
        (data_dir / "log").glob("*/.*.tmp")
    )
    for path in doomed:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return doomed


def load_raw(
    build_path: Path, data_dir: Path, *, fetch_log: list[dict[str, Any]] = ()
) -> dict[str, int]:
    """Create ``build_path`` afresh with ``raw.<source>`` tables; returns rows per table."""
    build_path.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(data_dir)  # a re-run of this run starts from nothing too
    catalogue = load_catalogue()
    source_ids = list(catalogue)
    manifests = landed_manifests(data_dir, source_ids)
    counts: dict[str, int] = {}
    build_path.unlink(missing_ok=True)  # the storage version applies to a new file only
    with duckdb.connect(
        str(build_path),
        config={"storage_compatibility_version": settings.duckdb_storage_version()},
    ) as con:
        con.execute("set memory_limit = $limit", {"limit": settings.duckdb_memory_limit()})
        con.execute("create schema raw; create schema meta")
        for source_id in source_ids:
            table = _table_name(source_id)
            # one file per batch (source x period), or per answer in the earlier layout
            files = sorted(
                {m["_file"] for m in manifests if m["source_id"] == source_id and m.get("_file")}
            )
            if files:
                # Slice directories look like hive partitions (cc=91, rcode=9101): not columns.
                con.execute(
                    f"create table raw.{table} as "
                    "select * from read_parquet(?, hive_partitioning = false)",
                    [files],
                )
            else:
                con.register("empty_slice", schema_of(catalogue[source_id]).empty_table())
                con.execute(f"create table raw.{table} as select * from empty_slice")
                con.unregister("empty_slice")
            counts[table] = con.execute(f"select count(*) from raw.{table}").fetchall()[0][0]
        rows = [{k: m.get(k) for k in MANIFEST_COLUMNS} for m in manifests]
        con.register(
            "manifests",
            pa.Table.from_pylist(rows, schema=pa.schema(list(MANIFEST_COLUMNS.items()))),
        )
        con.execute("""
            create table raw.landing_manifests as
            select * replace (cast(fetched_at as timestamptz) as fetched_at) from manifests
        """)
        _source_status(con, source_ids, fetch_log)
        counts["plan_targets"] = plan_targets.write_raw(con, plan_targets.load_targets())
        _target_areas(con)
        create_fetch_log_view(con, data_dir)
    return counts
