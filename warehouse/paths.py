"""Where things live in the data directory (``smartcity.settings.data_dir()``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from extract import landing
from smartcity import settings

PUBLISHED_NAME = "planning.duckdb"


def data_dir() -> Path:
    return settings.data_dir()


def published_path(root: Path | None = None) -> Path:
    return (root or data_dir()) / PUBLISHED_NAME


def releases_dir(root: Path | None = None) -> Path:
    return (root or data_dir()) / "releases"


def run_key(run_id: str) -> str:
    """A file-name-safe key for an Airflow run id (which holds ':' and '+')."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).strip("_")[:120] or "run"


def build_path(run_id: str, root: Path | None = None) -> Path:
    return (root or data_dir()) / "build" / f"{run_key(run_id)}.duckdb"


def landed_manifests(data_dir: Path, source_ids: list[str]) -> list[dict[str, Any]]:
    """The manifest of every landed answer of ``source_ids`` (batch layout, and the
    per-answer layout of earlier versions), with the Parquet file holding its rows
    (``_file``, None when it has none)."""
    manifests = []
    for source_id in source_ids:
        root = data_dir / "raw" / source_id
        if not root.is_dir():
            continue
        for period in sorted(p for p in root.iterdir() if p.is_dir()):
            manifests.extend(landing.landed_answers(period).values())
    return manifests
