"""SYNTHETIC household answers for the benchmarks: the sub-district level with households.

The bundled snapshot (``devtools/snapshots/dopa_house``) holds DOPA's house API answers
(action 193 per province, action 194 per registration office: population by sex and
households per sub-district) for 31 Dec 2017, 2018 and 2020. The benchmark periods are
other years, so this module re-serves the 31 Dec 2020 answers unchanged under every
benchmark period: the real code asks for, parses, lands, loads, models and publishes
the real sub-district geography (about 7,400 sub-districts, 2,525 requests a year) at
each period. The bodies are real figures of 2020 in a reconstructed wire shape; served as
another year they are not a DOPA figure of that year, so every entry is labelled
``is_modelled: true`` and ``synthetic: true`` with the method below, and lands as
``is_modelled`` through the workspace's provenance-labels file.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
HOUSE_SNAPSHOT = REPO / "devtools" / "snapshots" / "dopa_house"
SOURCE = "dopa_households"
FOLDER = "dopa_house_bench"
BASE_YYMM = "6312"  # the bundled 31 Dec 2563 BE (2020) answers
ACTIONS = ("193", "194")
METHOD = (
    "SYNTHETIC for benchmarks only (bench/households.py): DOPA's house API answer of "
    "31 Dec 2563 BE from the bundled snapshot (real figures, reconstructed wire shape), "
    "served unchanged as the answer for {period}; not a DOPA figure of that date."
)


def _yymm(period: str) -> str:
    year, month = (int(part) for part in period.split("-"))
    return f"{(year + 543) % 100:02d}{month:02d}"


def generate(
    root: Path, *, periods: Sequence[str], provinces: Sequence[str] | None = None
) -> dict[str, Any]:
    """Write the folder under ``root``; returns ``{"sources", "folders", "responses"}``."""
    index = json.loads((HOUSE_SNAPSHOT / "index.json").read_text(encoding="utf-8"))
    chosen = set(provinces) if provinces else None
    base = [
        item
        for item in index["entries"]
        if item["query"].get("action") in ACTIONS
        and item["query"].get("yymmBegin") == BASE_YYMM
        and (chosen is None or item["query"].get("cc") in chosen)
    ]
    folder = Path(root) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for item in base:  # one copy of each body, served for every period
        target = folder / item["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(HOUSE_SNAPSHOT / item["file"], target)
    entries = []
    for period in periods:
        yymm = _yymm(period)
        for item in base:
            entries.append(
                {
                    **{k: v for k, v in item.items() if k not in {"label", "derived_from"}},
                    "query": {**item["query"], "yymmBegin": yymm, "yymmEnd": yymm},
                    "is_modelled": True,
                    "synthetic": True,
                    "method": METHOD.format(period=period),
                }
            )
    document = {
        "format": index.get("format"),
        "publisher": index.get("publisher", "dopa"),
        "publisher_name": index.get("publisher_name"),
        "licence": index.get("licence"),
        "is_modelled": True,
        "synthetic": True,
        "label": "SYNTHETIC: bundled 2020 house API answers re-served for the benchmark periods",
        "built_by": "python -m bench.run_all (bench/households.py)",
        "entries": entries,
    }
    (folder / "index.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return {"sources": [SOURCE] if base else [], "folders": [FOLDER], "responses": len(entries)}
