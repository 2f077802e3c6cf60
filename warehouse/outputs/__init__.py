"""What planners and their tools open, built from a published release.

``write_release_outputs`` is called once after a release is swapped in (and by
``make site`` / ``python -m warehouse.outputs``). It writes, per release id:

- ``$SMARTCITY_DATA_DIR/exports/<release_id>/``: every mart as Parquet and CSV, one
  workbook per province and per target area (``warehouse.outputs.exports``);
- ``$SMARTCITY_DATA_DIR/site/<release_id>/``: the area-profile site with the dbt docs of
  the release (``warehouse.outputs.site``);

each into a temporary folder renamed into place, then ``exports/latest`` and
``site/latest`` are pointed at it (a symbolic link replaced by rename). Folders of
releases that were pruned are removed.

Outputs are not part of the quality gate: they are views of a release that already passed
it. If writing them fails, the release stays published and readable, the error is raised
(the publish task fails loudly and alerts) and ``make site`` rebuilds them.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from smartcity import settings
from warehouse import paths

LOGGER = logging.getLogger("smartcity.outputs")
LATEST = "latest"


class OutputsError(RuntimeError):
    """The outputs of a published release could not be written (the release stays published)."""


def exports_root(data_dir: Path | None = None) -> Path:
    return (data_dir or paths.data_dir()) / "exports"


def site_root(data_dir: Path | None = None) -> Path:
    return (data_dir or paths.data_dir()) / "site"


def current_release_path(data_dir: Path | None = None) -> Path:
    return paths.published_path(data_dir)


def _point_latest(root: Path, release_id: str) -> None:
    link = root / LATEST
    tmp = root / f".{LATEST}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(release_id, target_is_directory=True)  # relative: the data dir can move
    os.replace(tmp, link)


def _swap_in(tmp: Path, final: Path) -> None:
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)


def prune_outputs(data_dir: Path | None = None) -> list[Path]:
    """Remove export and site folders of releases no longer kept in ``releases/``."""
    root = data_dir or paths.data_dir()
    kept = {p.stem for p in paths.releases_dir(root).glob("*.duckdb")}
    doomed = []
    for base in (exports_root(root), site_root(root)):
        if not base.exists():
            continue
        for child in base.iterdir():
            if child.name == LATEST or child.is_symlink():
                continue
            if child.name.startswith("."):  # left by a killed build
                doomed.append(child)
            elif child.is_dir() and child.name not in kept:
                doomed.append(child)
    for path in doomed:
        shutil.rmtree(path, ignore_errors=True)
    return doomed


def write_release_outputs(
    data_dir: Path | None = None,
    *,
    exports: bool | None = None,
    site: bool | None = None,
    dbt_docs: bool | None = None,
) -> dict[str, Any]:
    """Exports and site of the current release; returns paths, sizes and seconds taken.

    What is written defaults to the ``SMARTCITY_OUTPUTS`` setting (``smartcity.settings.outputs``)."""
    from warehouse.outputs.areas import AreaData
    from warehouse.outputs.release import Release

    root = data_dir or paths.data_dir()
    chosen = settings.outputs()
    exports = "exports" in chosen if exports is None else exports
    site = "site" in chosen if site is None else site
    dbt_docs = "dbt_docs" in chosen if dbt_docs is None else dbt_docs
    if not (exports or site):
        return {"pruned": [str(p) for p in prune_outputs(root)]}
    published = current_release_path(root)
    summary: dict[str, Any] = {}
    try:
        with Release(published) as release:
            release_id = release.release_id
            # Read the release's own file: the published name may be swapped meanwhile.
            own = paths.releases_dir(root) / f"{release_id}.duckdb"
            if own.exists() and own.resolve() != published.resolve():
                release.close()
                release = Release(own)
            summary["release_id"] = release_id
            docs = None
            if site and dbt_docs:
                # Its own process, on the other core, while pages and workbooks are written.
                from warehouse.outputs.dbt_docs import DocsJob

                docs_dir = site_root(root) / f".{release_id}.dbt-docs.tmp"
                docs = DocsJob(release.path, docs_dir)
            try:
                started = time.monotonic()
                data = AreaData(release)
                summary["read_s"] = round(time.monotonic() - started, 2)
                if exports:
                    summary["exports"] = _write_exports(release, data, root)
                if site:
                    summary["site"] = _write_site(release, data, root, docs=docs)
            finally:
                if docs is not None:
                    docs.stop()
            release.close()
    except Exception as exc:
        raise OutputsError(
            f"outputs of the published release failed ({type(exc).__name__}: {exc}); "
            "the release stays published - rebuild them with `make site`"
        ) from exc
    summary["pruned"] = [str(p) for p in prune_outputs(root)]
    return summary


def _write_exports(release, data, root: Path) -> dict[str, Any]:
    from warehouse.outputs import exports

    started = time.monotonic()
    base = exports_root(root)
    base.mkdir(parents=True, exist_ok=True)
    tmp = base / f".{release.release_id}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    sizes = exports.export_marts(release, tmp)
    marts_s = time.monotonic() - started
    workbooks = exports.export_workbooks(data, tmp / "workbooks")
    final = base / release.release_id
    _swap_in(tmp, final)
    _point_latest(base, release.release_id)
    seconds = round(time.monotonic() - started, 2)
    LOGGER.info(
        "exports of %s: %d marts, %d workbooks in %.1f s (marts %.1f s)",
        release.release_id, len(sizes), len(workbooks), seconds, marts_s,
    )  # fmt: skip
    return {
        "path": str(final),
        "marts": len(sizes),
        "workbooks": len(workbooks),
        "bytes": sum(p.stat().st_size for p in final.rglob("*") if p.is_file()),
        "seconds": seconds,
        "marts_seconds": round(marts_s, 2),
    }


def _write_site(release, data, root: Path, *, docs=None) -> dict[str, Any]:
    from warehouse.outputs import site

    started = time.monotonic()
    base = site_root(root)
    base.mkdir(parents=True, exist_ok=True)
    tmp = base / f".{release.release_id}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    pages = site.build_site(data, tmp)
    pages_s = time.monotonic() - started
    docs_s = None
    if docs is not None:
        os.replace(docs.wait(), tmp / "dbt-docs")
        docs_s = docs.seconds
    final = base / release.release_id
    _swap_in(tmp, final)
    _point_latest(base, release.release_id)
    seconds = round(time.monotonic() - started, 2)
    LOGGER.info(
        "site of %s: %d pages in %.1f s (dbt docs %s s, alongside)",
        release.release_id, pages, seconds, docs_s,
    )  # fmt: skip
    return {
        "path": str(final),
        "index": str(base / LATEST / "index.html"),
        "pages": pages,
        "bytes": sum(p.stat().st_size for p in final.rglob("*") if p.is_file()),
        "seconds": seconds,
        "pages_seconds": round(pages_s, 2),
        "dbt_docs_seconds": docs_s,
    }


def where(data_dir: Path | None = None) -> str:
    """Where the current release's site, exports and SQL shell are (printed by make run)."""
    root = data_dir or paths.data_dir()
    lines = []
    if (site_root(root) / LATEST / "index.html").exists():
        lines.append(f"Area profiles: {site_root(root) / LATEST / 'index.html'}")
    if (exports_root(root) / LATEST).exists():
        lines.append(f"Exports:       {exports_root(root) / LATEST}/ (parquet/, csv/, workbooks/)")
    if paths.published_path(root).exists():
        lines.append(f"SQL shell:     make sql   (read-only on {paths.published_path(root)})")
    return "\n".join(lines)
