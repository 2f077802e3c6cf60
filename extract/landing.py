"""Landing: one fetched slice becomes ``part.parquet`` + ``_manifest.json``.

Both files are written to temporary names and renamed into place (the manifest last),
so a killed run never leaves a half-written slice; a slice whose body hash equals the
landed one is left untouched, so landing the same bytes twice changes nothing.

Whether a body is modelled (``is_modelled``) is a property of its bytes, not of where it
came from: ``SMARTCITY_MODELLED_BODIES`` may name a provenance-labels file listing the
sha256 of every body that is modelled, with how it was modelled. A body it does not list
is a published one; without the variable every body is. The bundled development snapshot
comes with a writer of such a file for its modelled answers.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from smartcity import settings

PARQUET_NAME = "part.parquet"
MANIFEST_NAME = "_manifest.json"
MODELLED_BODIES_ENV = settings.MODELLED_BODIES
MODELLED_BODIES_FORMAT = 1

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


def _write_manifest(directory: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
    atomic_write(directory / MANIFEST_NAME, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return manifest


def modelled_bodies_path() -> Path | None:
    """``SMARTCITY_MODELLED_BODIES``: the provenance-labels file of modelled bodies, if any.

    JSON: ``{"format": 1, "bodies": {"<sha256>": {"method": "<how it was modelled>"}}}``.
    """
    return settings.modelled_bodies()


@functools.cache
def _modelled_bodies(path: Path, mtime_ns: int) -> dict[str, str]:
    document = json.loads(path.read_text(encoding="utf-8"))
    bodies = document.get("bodies") if isinstance(document, dict) else None
    if not isinstance(bodies, dict) or document.get("format") != MODELLED_BODIES_FORMAT:
        raise ValueError(
            f"{MODELLED_BODIES_ENV}={path}: expected "
            f'{{"format": {MODELLED_BODIES_FORMAT}, "bodies": {{"<sha256>": {{"method": ...}}}}}}'
        )
    return {
        str(sha).lower(): str((label or {}).get("method") or "") for sha, label in bodies.items()
    }


def modelled_method(sha256: str | None) -> str | None:
    """How the body of this sha256 was modelled, or None for a published body."""
    path = modelled_bodies_path()
    if path is None or not sha256:
        return None
    try:
        mtime_ns = path.stat().st_mtime_ns
    except FileNotFoundError:
        # A labels file that was asked for and is missing must not turn modelled into real.
        raise FileNotFoundError(f"{MODELLED_BODIES_ENV}={path}: no such file") from None
    return _modelled_bodies(path, mtime_ns).get(sha256.lower())


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
