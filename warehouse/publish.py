"""Publish: a build that passed the gate becomes the release readers open.

The build file is closed, moved into ``releases/`` and hard-linked to a temporary name
that replaces ``planning.duckdb`` with one ``rename``: a reader opens either the old
release or the new one, never a half-written file, and a reader that already holds the
old file keeps reading it even after it is pruned.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import duckdb

from warehouse.paths import dbt_project_dir, published_path, releases_dir, run_key

DEFAULT_KEEP = 5


# The code that shapes the marts: the installed packages, wherever they are installed, and
# these folders of the dbt project (SMARTCITY_DBT_PROJECT_DIR), never the source tree.
CODE_PACKAGES = ("extract", "warehouse", "expectations")
DBT_CODE_DIRS = ("models", "seeds", "macros", "tests")


def _package_dir(name: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {name!r} is not installed")
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def _code_dirs() -> list[tuple[str, Path]]:
    """(label, directory) of the code hashed into the code version."""
    project = dbt_project_dir()
    return [(name, _package_dir(name)) for name in CODE_PACKAGES] + [
        (f"dbt_project/{name}", project / name) for name in DBT_CODE_DIRS
    ]


@functools.cache
def code_version() -> str:
    """Package version, git commit when known, and a hash of the code that shapes the marts.

    The tree hash changes with any edit, committed or not, so a release built by other
    code is never mistaken for a current one.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version("smartcity-warehouse")
    except PackageNotFoundError:
        package = "0+unknown"
    digest = hashlib.sha256()
    for label, directory in _code_dirs():
        for path in sorted(directory.rglob("*")):
            if path.is_file() and path.suffix in {".py", ".sql", ".yml", ".yaml", ".csv"}:
                digest.update(f"{label}/{path.relative_to(directory).as_posix()}".encode())
                digest.update(path.read_bytes())
    digest.update((dbt_project_dir() / "dbt_project.yml").read_bytes())
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=_package_dir("warehouse"),
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = "nogit"
    return f"{package}+g{commit}.tree{digest.hexdigest()[:12]}"


def _previous_releases(published: Path) -> list[tuple]:
    if not published.exists():
        return []
    with duckdb.connect(str(published), read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'meta' and table_name = 'releases'"
        ).fetchall()[0][0]
        return con.execute("select * from meta.releases").fetchall() if exists else []


def _write_release_rows(build_path: Path, release: dict[str, Any], history: list[tuple]) -> None:
    with duckdb.connect(str(build_path)) as con:
        con.execute("""
            create or replace table meta.releases (
                release_id varchar primary key, run_id varchar, published_at timestamptz,
                code_version varchar, sources json, dbt json, quality_gate json)
        """)
        if history:
            con.executemany("insert into meta.releases values (?, ?, ?, ?, ?, ?, ?)", history)
        con.execute(
            "insert into meta.releases values (?, ?, ?, ?, ?, ?, ?)",
            [
                release["release_id"],
                release["run_id"],
                release["published_at"],
                release["code_version"],
                json.dumps(release["sources"]),
                json.dumps(release["dbt"]),
                json.dumps(release["quality_gate"]),
            ],
        )
        # Sources and vintages of this release, one row per landed slice.
        con.execute(
            """
            create or replace table meta.release_sources as
            select ? as release_id, source_id, period as vintage, slice_key, sha256, is_modelled,
                   population_scope, url, fetched_at, licence
            from raw.landing_manifests where status = 'downloaded'
        """,
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
    return {
        sid: {"vintages": periods, "slices": n, "sha256": digest, "any_modelled": modelled}
        for sid, periods, n, digest, modelled in rows
    }


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
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    release_id = f"{now:%Y%m%dT%H%M%SZ}-{run_key(run_id)[-40:]}"
    published = published_path(data_dir)
    release = {
        "release_id": release_id,
        "run_id": run_id,
        "published_at": now,
        "code_version": code_version(),
        "sources": source_summary(build_path),
        "dbt": dbt,
        "quality_gate": quality_gate,
    }
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
        "published_at": now.isoformat(),
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
    keep = keep or int(os.environ.get("SMARTCITY_KEEP_RELEASES", DEFAULT_KEEP))
    releases = sorted(releases_dir(data_dir).glob("*.duckdb"))
    doomed = releases[:-keep] if len(releases) > keep else []
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed
