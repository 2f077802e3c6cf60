"""Publish on the DuckDB target: a build that passed the gate becomes the release readers open.

The build file is closed, moved into ``releases/`` and hard-linked to a temporary name
that replaces ``planning.duckdb`` with one ``rename``: a reader opens either the old
release or the new one, never a half-written file, and a reader that already holds the
old file keeps reading it even after it is pruned.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import duckdb

from smartcity import settings
from warehouse import meta
from warehouse.paths import published_path, releases_dir

DEFAULT_KEEP = settings.DEFAULT_KEEP_RELEASES


def _previous_releases(published: Path) -> list[tuple]:
    if not published.exists():
        return []
    with duckdb.connect(str(published), read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'meta' and table_name = 'releases'"
        ).fetchall()[0][0]
        return con.execute("select * from meta.releases").fetchall() if exists else []


def _write_release_rows(build_path: Path, release: dict[str, Any], history: list[tuple]) -> None:
    insert = meta.insert_values(meta.RELEASES)
    with duckdb.connect(str(build_path)) as con:
        con.execute(meta.create_table(meta.RELEASES, "duckdb", replace=True))
        if history:
            con.executemany(insert, history)
        con.execute(insert, meta.release_row(release))
        con.execute(meta.create_table(meta.RELEASE_SOURCES, "duckdb", replace=True))
        con.execute(
            "insert into meta.release_sources "
            + meta.RELEASE_SOURCES_SELECT.format(release_id="?", raw="raw"),
            [release["release_id"]],
        )
        con.execute("checkpoint")


def source_summary(build_path: Path) -> dict[str, Any]:
    """Per source: vintages (periods), slices, and a sha256 over the slices' hashes."""
    with duckdb.connect(str(build_path), read_only=True) as con:
        rows = con.execute("""
            select source_id, list(distinct period order by period), count(*),
                   sha256(string_agg(sha256, ',' order by period, slice_key)), bool_or(is_modelled)
            from raw.landing_manifests where status = 'downloaded' group by source_id order by source_id
        """).fetchall()
    return meta.summarise_sources(rows)


def publish(
    build_path: Path,
    data_dir: Path,
    *,
    run_id: str,
    dbt: dict,
    quality_gate: dict,
    keep: int | None = None,
) -> dict[str, Any]:
    """Record the release in ``meta``, move the build into ``releases/`` and swap it in."""
    published = published_path(data_dir)
    release = meta.new_release(run_id, source_summary(build_path), dbt, quality_gate)
    release_id = release["release_id"]
    _write_release_rows(build_path, release, _previous_releases(published))
    target = releases_dir(data_dir) / f"{release_id}.duckdb"
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(build_path, target)
    staging = published.with_name(f".{published.name}.{release_id}.tmp")
    staging.unlink(missing_ok=True)
    try:
        os.link(target, staging)
    except OSError:  # file systems without hard links: a copy, still swapped in by rename
        shutil.copy2(target, staging)
    os.replace(staging, published)
    _fsync_dir(published.parent)
    prune_releases(data_dir, keep=keep)
    shutil.rmtree(build_path.with_suffix(".dbt"), ignore_errors=True)
    return {
        **release,
        "published_at": release["published_at"].isoformat(),
        "path": str(published),
        "release_path": str(target),
    }


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prune_releases(data_dir: Path, *, keep: int | None = None) -> list[Path]:
    """Delete all but the newest ``keep`` releases (``SMARTCITY_KEEP_RELEASES``, default 5)."""
    keep = keep or settings.keep_releases()
    releases = sorted(releases_dir(data_dir).glob("*.duckdb"))
    doomed = releases[:-keep] if len(releases) > keep else []
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed
