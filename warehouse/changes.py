"""Does a run need a new release? Only if the landed data or the code differ from it.

The published release lists the slices it was built from (``meta.release_sources``,
with their sha256) and its code version. When every slice landed now is in it with the
same hash, and the code is the same, a rebuild would give the same marts: skip it.
"""

from __future__ import annotations

from pathlib import Path

from extract.catalogue import load_catalogue
from extract.status import FetchStatus
from warehouse.meta import code_version
from warehouse.paths import landed_manifests
from warehouse.targets import WarehouseTarget, target_from_settings


def landed_fingerprint(data_dir: Path) -> set[tuple[str, str, str, str]]:
    return {
        (m["source_id"], m["period"], m["slice_key"], m["sha256"])
        for m in landed_manifests(data_dir, list(load_catalogue()))
        if m.get("parquet")
    }


def rebuild_reason(
    data_dir: Path, outcomes: list[dict], target: WarehouseTarget | None = None
) -> str | None:
    """Why this run must build a release, or None when the published one is still current."""
    failed = sorted(
        {o["source_id"] for o in outcomes if o["status"] in {FetchStatus.FAILED, FetchStatus.STALE}}
    )
    if failed:
        return f"sources failed this run and must be marked stale: {', '.join(failed)}"
    try:
        found = (target or target_from_settings()).published_fingerprint(data_dir)
    except Exception as exc:  # noqa: BLE001 - any failure to read it means: rebuild
        return f"the published release cannot be compared ({exc.__class__.__name__})"
    if found is None:
        return "no release published yet"
    slices, version = found
    if version != code_version():
        return f"code changed since the published release ({version} -> {code_version()})"
    landed = landed_fingerprint(data_dir)
    if landed != slices:
        return f"{len(landed - slices)} new or changed slices, {len(slices - landed)} gone"
    return None
