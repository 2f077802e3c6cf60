"""Progress of a long run: stage, items done of total and elapsed time, drawn by tqdm.

In a task log (not a terminal) a bar is one log line per update, at most every
``SMARTCITY_PROGRESS_INTERVAL`` seconds (default 5) and once at the end, in tqdm's usual
form::

    extract dopa_population 2020-12:  45%|####5     | 35/77 [00:03<00:04, 10.1slice/s]

``make run`` pipes Airflow's output through ``python -m warehouse.progress watch``, which
keeps the full log in a file and draws the same stages as live bars on the terminal.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from tqdm import tqdm

from smartcity import settings

T = TypeVar("T")
LOGGER = logging.getLogger("smartcity.progress")
PLAN_MARK = "run plan:"
# tqdm's meter: "<stage>:  45%|####5     | 35/77 [00:03<00:04, 10.1slice/s]"
METER = re.compile(r"(?P<stage>[\w .:/-]+?):\s+\d+%\|[^|]*\|\s*(?P<n>\d+)/(?P<total>\d+)\s+\[")
PLAN = re.compile(re.escape(PLAN_MARK) + r"\s+(?P<slices>\d+) slices in (?P<batches>\d+) batches")


def _interval() -> float:
    return settings.progress_interval()


class _LogFile:
    """A file for tqdm that turns each refresh of the bar into one log line."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger

    def write(self, text: str) -> None:
        line = text.strip("\r\n\x1b[A ")
        if line:
            self.logger.info(line)

    def flush(self) -> None:
        pass


def bar(stage: str, total: int, *, unit: str = "slice", logger: logging.Logger = LOGGER) -> tqdm:
    """A progress bar for ``stage`` that writes to ``logger`` (the task log)."""
    return tqdm(
        total=total,
        desc=stage,
        unit=unit,
        file=_LogFile(logger),
        ascii=True,
        ncols=100,
        mininterval=_interval(),
        maxinterval=max(_interval(), 10),
        dynamic_ncols=False,
    )


def track(
    items: Iterable[T], stage: str, total: int, *, unit: str = "slice"
) -> Iterator[T]:
    """Iterate ``items``, logging the progress of ``stage``."""
    with bar(stage, total, unit=unit) as progress:
        for item in items:
            yield item
            progress.update(1)


def log_plan(slices: int, batches: int, settled_slices: int = 0, settled_batches: int = 0) -> None:
    """The run's total to ask, read by ``watch`` for the whole-run extract bar; settled
    batches have no extract task and are not in it."""
    LOGGER.info(
        "%s %d slices in %d batches (%d slices in %d settled batches: not asked)",
        PLAN_MARK, slices, batches, settled_slices, settled_batches,
    )  # fmt: skip


def watch(stream: Iterable[str], log_path: Path, out=None) -> None:
    """Copy ``stream`` (Airflow's output) to ``log_path`` and draw its progress lines as
    bars on ``out``: one bar for the whole extract stage (slices done of the planned
    total), one per other stage (dbt nodes, areas of the outputs)."""
    out = out or sys.stderr
    started = time.monotonic()
    bars: dict[str, tqdm] = {}
    seen: dict[str, int] = {}

    def get(stage: str, total: int, unit: str) -> tqdm:
        if stage not in bars:
            bars[stage] = tqdm(total=total, desc=stage, unit=unit, file=out, ncols=100)
        return bars[stage]

    with log_path.open("a", encoding="utf-8") as log:
        for line in stream:
            log.write(line)
            log.flush()
            if plan := PLAN.search(line):
                get("extract", int(plan["slices"]), "slice")
                continue
            meter = METER.search(line)
            if not meter:
                continue
            stage, n, total = meter["stage"].strip(), int(meter["n"]), int(meter["total"])
            if stage.startswith("extract ") and "extract" in bars:
                overall = bars["extract"]
                overall.update(max(0, n - seen.get(stage, 0)))
                seen[stage] = n
                continue
            progress = get(stage, total, "")
            progress.total = total
            progress.update(max(0, n - progress.n))
    for progress in bars.values():
        progress.close()
    print(f"elapsed {time.monotonic() - started:.0f} s", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse.progress")
    sub = parser.add_subparsers(dest="command", required=True)
    watch_parser = sub.add_parser("watch", help="copy stdin to LOG and draw its progress")
    watch_parser.add_argument("log", type=Path)
    args = parser.parse_args(argv)
    args.log.parent.mkdir(parents=True, exist_ok=True)
    args.log.write_text("", encoding="utf-8")
    watch(sys.stdin, args.log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
