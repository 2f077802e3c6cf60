"""The provenance labels of the bundled snapshot: which recorded bodies are modelled.

Landing reads the file named by ``SMARTCITY_MODELLED_BODIES`` (see ``extract.landing``)
to set ``is_modelled``; this writes that file from the snapshot folders' ``index.json``
(every entry with ``is_modelled: true``, by sha256, with its method). ``make run`` and
the tests point the variable at it; a live run has no such file, so nothing it fetches
is labelled modelled.

    python -m devtools.snapshots.modelled_bodies --out FILE [--snapshot-dir DIR ...]
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from extract.landing import MODELLED_BODIES_FORMAT

SNAPSHOTS_ROOT = Path(__file__).resolve().parent


def snapshot_dirs(root: Path = SNAPSHOTS_ROOT) -> list[Path]:
    """Every publisher folder under the snapshots root (one with an ``index.json``)."""
    return sorted(path.parent for path in root.glob("*/index.json"))


def labels(folders: Sequence[Path] | None = None) -> dict[str, Any]:
    """The labels document of the modelled bodies of ``folders`` (default: all bundled)."""
    bodies: dict[str, dict[str, str]] = {}
    for folder in folders or snapshot_dirs():
        index = json.loads((Path(folder) / "index.json").read_text(encoding="utf-8"))
        for entry in index["entries"]:
            if entry.get("is_modelled"):
                bodies[entry["sha256"]] = {
                    "method": entry.get("method") or index.get("method") or "modelled",
                    "file": f"{Path(folder).name}/{entry['file']}",
                }
    return {"format": MODELLED_BODIES_FORMAT, "bodies": dict(sorted(bodies.items()))}


def write(path: Path, folders: Sequence[Path] | None = None) -> Path:
    """Write the labels file atomically (a reader never sees half of it); returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(
        json.dumps(labels(folders), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    os.replace(tmp, path)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--snapshot-dir", type=Path, action="append", default=None)
    args = parser.parse_args(argv)
    write(args.out, args.snapshot_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
