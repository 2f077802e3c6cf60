"""Landing: one fetched slice becomes ``part.parquet`` + ``_manifest.json``.

Both files are written to temporary names and renamed into place (the manifest last),
so a killed run never leaves a half-written slice; a slice whose body hash equals the
landed one is left untouched, so landing the same bytes twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

PARQUET_NAME = "part.parquet"
MANIFEST_NAME = "_manifest.json"

POPULATION_SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("period", pa.date32()),
        ("sex", pa.string()),
        ("age", pa.int16()),
        ("population", pa.int64()),
        ("population_scope", pa.string()),
        ("is_modelled", pa.bool_()),
        ("source_id", pa.string()),
        ("source_sha256", pa.string()),
    ]
)


def slice_dir(data_dir: Path, source_id: str, period: str, slice_key: str) -> Path:
    return Path(data_dir) / "raw" / source_id / period / slice_key


def read_manifest(directory: Path) -> dict[str, Any] | None:
    path = directory / MANIFEST_NAME
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def land(directory: Path, table: pa.Table, manifest: dict[str, Any]) -> dict[str, Any]:
    """Write the slice's Parquet and manifest atomically; returns the manifest written."""
    # A slice is small (one answer: 204 rows for a statpop area) and always read whole:
    # column statistics and dictionaries would take about half the time of writing it.
    atomic_write(
        directory / PARQUET_NAME,
        lambda tmp: pq.write_table(
            table, tmp, compression="zstd", write_statistics=False, use_dictionary=False
        ),
    )
    return _write_manifest(directory, {**manifest, "rows": table.num_rows, "parquet": PARQUET_NAME})


def land_manifest_only(directory: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Record a slice with no data (the publisher has not released the month yet)."""
    (directory / PARQUET_NAME).unlink(missing_ok=True)
    return _write_manifest(directory, {**manifest, "rows": 0, "parquet": None})


def update_manifest(directory: Path, changes: dict[str, Any]) -> dict[str, Any] | None:
    """Rewrite the landed manifest with ``changes`` (the data files stay as they are)."""
    manifest = read_manifest(directory)
    if manifest is None or all(manifest.get(k) == v for k, v in changes.items()):
        return manifest
    return _write_manifest(directory, {**manifest, **changes})


def _write_manifest(directory: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
    atomic_write(directory / MANIFEST_NAME, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return manifest


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
