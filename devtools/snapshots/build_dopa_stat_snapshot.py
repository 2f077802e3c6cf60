"""Build the snapshot of DOPA's yearly statistics files (``dopa_stat/``).

Both files are DOPA's own, served verbatim at their real paths on the statistics site
(``DOPA_BASE_URL``): ``/new_stat/file/67/stat_c67.txt`` (31 Dec 2567 BE, by province;
line endings may differ from the original) and ``/new_stat/file/68/stat_a68.txt``
(31 Dec 2568 BE, by registration office; complete and byte-exact).

    python -m devtools.snapshots.build_dopa_stat_snapshot [--real-dir DIR] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from devtools.snapshots.ckan_snapshot import SnapshotFolder, http_date, month_after

SNAPSHOTS_DIR = Path(__file__).resolve().parent
DEFAULT_REAL_DIR = SNAPSHOTS_DIR / "real"
DEFAULT_OUT_DIR = SNAPSHOTS_DIR / "dopa_stat"
TEXT_TYPE = "text/plain; charset=utf-8"
FILES = (  # bundled file, BE two-digit year, file kind
    ("dopa_stat_c67.txt", "67", "c"),
    ("dopa_stat_a68.txt", "68", "a"),
)
METHOD = "Real file, verbatim: DOPA's own yearly statistics file, at its real path."


def build(real_dir: Path = DEFAULT_REAL_DIR, out_dir: Path = DEFAULT_OUT_DIR) -> dict[str, Any]:
    folder = SnapshotFolder(
        publisher="dopa_stat",
        publisher_name="Department of Provincial Administration (DOPA), yearly statistics files",
        real_base_url="https://stat.bora.dopa.go.th",
        licence="DGA Open Government License (Thailand)",
        built_by="python -m devtools.snapshots.build_dopa_stat_snapshot",
    )
    for name, yy, kind in FILES:
        published = month_after(2500 + int(yy) - 543 + 1, 1)  # stand-in: early February
        folder.add(
            f"stat_{kind}{yy}.txt",
            (real_dir / name).read_bytes(),
            path=f"/new_stat/file/{yy}/stat_{kind}{yy}.txt",
            content_type=TEXT_TYPE,
            last_modified=http_date(published),
            is_modelled=False,
            method=METHOD,
            derived_from=[name],
        )
    return folder.write(out_dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real-dir", type=Path, default=DEFAULT_REAL_DIR)
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    args = parser.parse_args(argv)
    index = build(args.real_dir, args.out_dir)
    print(f"wrote {len(index['entries'])} responses to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
