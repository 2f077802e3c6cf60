"""Does a run need a new release? Only if the landed data or the code differ from it.

The published release lists the slices it was built from (``meta.release_sources``,
with their sha256) and its code version. When every slice landed now is in it with the
same hash, and the code is the same, a rebuild would give the same marts: skip it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from extract.catalogue import load_catalogue
from extract.status import FetchStatus
from warehouse.load import landed_manifests
from warehouse.paths import published_path, warehouse_target
from warehouse.publish import code_version


def landed_fingerprint(data_dir: Path) -> set[tuple[str, str, str, str]]:
    return {
        (m["source_id"], m["period"], m["slice_key"], m["sha256"])
        for m in landed_manifests(data_dir, list(load_catalogue()))
        if m.get("parquet")
    }


def published_fingerprint(published: Path) -> tuple[set[tuple[str, str, str, str]], str | None]:
    with duckdb.connect(str(published), read_only=True) as con:
        slices = con.execute(
            "select source_id, vintage, slice_key, sha256 from meta.release_sources"
        ).fetchall()
        version = con.execute(
            "select code_version from meta.releases order by published_at desc limit 1"
        ).fetchall()
    return {tuple(row) for row in slices}, (version[0][0] if version else None)


def rebuild_reason(data_dir: Path, outcomes: list[dict]) -> str | None:
    """Why this run must build a release, or None when the published one is still current."""
    failed = sorted(
        {o["source_id"] for o in outcomes if o["status"] in {FetchStatus.FAILED, FetchStatus.STALE}}
    )
    if failed:
        return f"sources failed this run and must be marked stale: {', '.join(failed)}"
    if warehouse_target() == "postgres":  # the release lives in PostgreSQL, not in a file
        from warehouse.postgres_publish import published_fingerprint as postgres_fingerprint

        try:
            found = postgres_fingerprint()
        except Exception as exc:  # noqa: BLE001 - any failure means: rebuild
            return f"the published release cannot be compared ({exc.__class__.__name__})"
        if found is None:
            return "no release published yet"
        slices, version = found
    else:
        published = published_path(data_dir)
        if not published.exists():
            return "no release published yet"
        try:
            slices, version = published_fingerprint(published)
        except duckdb.Error as exc:
            return f"the published release cannot be compared ({exc.__class__.__name__})"
    if version != code_version():
        return f"code changed since the published release ({version} -> {code_version()})"
    landed = landed_fingerprint(data_dir)
    if landed != slices:
        return f"{len(landed - slices)} new or changed slices, {len(slices - landed)} gone"
    return None
