"""Where things live in the data directory (``smartcity.settings.data_dir()``)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from extract.landing import MANIFEST_NAME
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
    """The manifest of every landed slice of ``source_ids``, with its directory (``_dir``)."""
    manifests = []
    for source_id in source_ids:
        for path in sorted((data_dir / "raw" / source_id).glob(f"*/*/{MANIFEST_NAME}")):
            manifests.append(
                json.loads(path.read_text(encoding="utf-8")) | {"_dir": str(path.parent)}
            )
    return manifests
