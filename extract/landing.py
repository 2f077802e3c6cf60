"""Landing: a batch (source x period) of fetched answers becomes one Parquet file and
one manifest.

``raw/<source>/<period>/batch-<digest>.parquet`` holds the rows of every answer of the
batch, in slice-key order; ``raw/<source>/<period>/_batch_manifest.json`` lists every
answer (URL, ETag / Last-Modified, sha256, bytes, rows and where its rows start in the
file). The Parquet file is named by a digest of what it holds and written under a
temporary name and renamed; the manifest is renamed into place last and names the file,
so a killed run leaves either the previous batch or the new one, never a mix. A batch
whose answers are all as landed is not written at all: landing the same bytes twice
changes nothing, and the same answers always give the same file.

The layout of earlier versions (``<period>/<slice_key>/part.parquet`` + ``_manifest.json``,
one per answer) is still read; the first batch landed in a period takes those answers
into the batch file and removes their directories.

Whether a body is modelled (``is_modelled``) is a property of its bytes, not of where it
came from: ``SMARTCITY_MODELLED_BODIES`` may name a provenance-labels file listing the
sha256 of every body that is modelled, with how it was modelled. A body it does not list
is a published one; without the variable every body is. The bundled development snapshot
comes with a writer of such a file for its modelled answers.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from extract.errors import naming_full_disk
from smartcity import settings

PARQUET_NAME = "part.parquet"  # one answer, layout of earlier versions
MANIFEST_NAME = "_manifest.json"  # its manifest
BATCH_MANIFEST_NAME = "_batch_manifest.json"
BATCH_FORMAT = 2
KEEP = object()  # an answer whose landed rows stay as they are
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
    """Where an answer of the earlier per-answer layout lives."""
    return Path(data_dir) / "raw" / source_id / period / slice_key


def batch_dir(data_dir: Path, source_id: str, period: str) -> Path:
    return Path(data_dir) / "raw" / source_id / period


def read_batch_manifest(directory: Path) -> dict[str, Any] | None:
    path = directory / BATCH_MANIFEST_NAME
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _legacy_answers(directory: Path) -> dict[str, dict[str, Any]]:
    """Answers landed one per directory by earlier versions, by slice key."""
    return {
        path.parent.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob(f"*/{MANIFEST_NAME}"))
    }


def _landed(directory: Path) -> tuple[dict[str, dict[str, Any]], set[str]]:
    legacy = _legacy_answers(directory)
    answers: dict[str, dict[str, Any]] = {}
    for key, manifest in legacy.items():
        answers[key] = {
            **manifest,
            "_file": str(directory / key / PARQUET_NAME) if manifest.get("parquet") else None,
            "_offset": 0,
        }
    batch = read_batch_manifest(directory)
    for manifest in (batch or {}).get("answers", ()):
        answers[manifest["slice_key"]] = {
            **manifest,
            "_file": str(directory / batch["parquet"]) if manifest.get("parquet") else None,
            "_offset": manifest.get("row_offset") or 0,
        }
    return dict(sorted(answers.items())), set(legacy)


def landed_answers(directory: Path) -> dict[str, dict[str, Any]]:
    """Every answer landed in a batch directory (``batch_dir``), by slice key.

    Each manifest carries ``_file`` (the Parquet file holding its rows, or None) and
    ``_offset`` (its first row there). An answer of the batch manifest wins over one
    still in the earlier per-answer layout.
    """
    return _landed(directory)[0]


def read_answer(
    data_dir: Path, source_id: str, period: str, slice_key: str
) -> dict[str, Any] | None:
    """The landed manifest of one answer (either layout), or None."""
    return landed_answers(batch_dir(data_dir, source_id, period)).get(slice_key)


def _public(manifest: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in manifest.items() if not k.startswith("_") and k != "row_offset"}


def land_batch(
    directory: Path,
    updates: dict[str, tuple[dict[str, Any], Any]],
    *,
    schema: pa.Schema,
) -> dict[str, Any] | None:
    """Land a batch: ``updates`` maps slice keys to ``(manifest, rows)``.

    ``rows`` is a ``pyarrow.Table`` of ``schema`` (a new answer), None (the answer has
    no rows: no data) or ``KEEP`` (the landed rows stay; the manifest's keys update the
    landed manifest). Answers landed earlier and not in ``updates`` stay as they are.
    Returns the batch manifest written, or None when everything is as landed (then no
    file is touched).
    """
    landed, legacy = _landed(directory)
    changed = bool(legacy)  # answers still in the per-answer layout are moved in
    merged: dict[str, tuple[dict[str, Any], Any]] = {k: (m, KEEP) for k, m in landed.items()}
    for key, (manifest, rows) in updates.items():
        previous = landed.get(key)
        if rows is KEEP:
            if previous is None:
                rows = None
            else:
                manifest = {**previous, **manifest}
        if rows is not KEEP or _public(manifest) != _public(previous or {}):
            changed = True
        merged[key] = (manifest, rows)
    if not changed:
        return None
    cache: dict[str, pa.Table] = {}
    pieces: list[pa.Table] = []
    answers: list[dict[str, Any]] = []
    offset = 0
    for key in sorted(merged):
        manifest, rows = merged[key]
        if rows is KEEP:
            rows = _answer_rows(manifest, cache)
        count = 0 if rows is None else rows.num_rows
        if count:
            if rows.schema != schema:
                rows = rows.select(schema.names).cast(schema)
            pieces.append(rows)
        answers.append(
            {
                **_public(manifest),
                "slice_key": key,
                "rows": count,
                "row_offset": offset if count else None,
                "parquet": bool(count),
            }
        )
        offset += count
    digest = hashlib.sha256(
        "\n".join(
            f"{a['slice_key']} {a.get('sha256')} {a.get('parser_version')} "
            f"{a.get('is_modelled')} {a['rows']}"
            for a in answers
        ).encode()
    ).hexdigest()[:16]
    name = f"batch-{digest}.parquet" if pieces else None
    for answer in answers:
        answer["parquet"] = name if answer["parquet"] else None
    if pieces:
        table = pa.concat_tables(pieces) if len(pieces) > 1 else pieces[0]
        target = directory / name
        if not target.exists():  # named by what it holds: an existing one is this one
            atomic_write(
                target,
                lambda tmp: pq.write_table(table, tmp, compression="zstd", row_group_size=1 << 20),
            )
    document = {
        "format": BATCH_FORMAT,
        "source_id": answers[0].get("source_id"),
        "period": answers[0].get("period"),
        "parquet": name,
        "rows": offset,
        "answers": answers,
    }
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n"
    atomic_write(
        directory / BATCH_MANIFEST_NAME, lambda tmp: tmp.write_text(text, encoding="utf-8")
    )
    # Only now that the manifest names the new file: older files, migrated answers.
    for path in directory.glob("batch-*.parquet"):
        if path.name != name:
            path.unlink(missing_ok=True)
    for key in legacy:
        shutil.rmtree(directory / key, ignore_errors=True)
    return document


def _answer_rows(manifest: dict[str, Any], cache: dict[str, pa.Table]) -> pa.Table | None:
    path = manifest.get("_file")
    if not path or not manifest.get("rows"):
        return None
    if path not in cache:
        cache[path] = pq.read_table(path)
    return cache[path].slice(manifest.get("_offset") or 0, manifest["rows"])


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """The manifest of one answer in the per-answer layout of earlier versions."""
    path = directory / MANIFEST_NAME
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def atomic_write(path: Path, write, *, stage: str = "landing") -> None:
    """``write(tmp)`` then rename ``tmp`` to ``path``; the temporary file never outlives a
    failure, and a full disk raises ``DiskFullError`` naming ``path``."""
    with naming_full_disk(stage, path):
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
    """Write one answer in the per-answer layout of earlier versions (``slice_dir``):
    its Parquet and manifest atomically; returns the manifest written. Still read by
    ``landed_answers``; new landing goes through ``land_batch``."""
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
