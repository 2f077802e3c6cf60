"""Timing and memory of a subprocess, and small statistics helpers."""

from __future__ import annotations

import dataclasses
import math
import os
import signal
import statistics
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import psutil

SAMPLE_INTERVAL_S = 0.1


@dataclasses.dataclass(frozen=True)
class Measured:
    returncode: int
    wall_s: float
    peak_tree_rss_bytes: int  # sampled sum of RSS over the process and its children
    max_rss_bytes: int  # the kernel's high-water mark of the largest process (wait4)
    log: Path
    samples: tuple[tuple[float, int], ...] = ()  # (unix time, tree RSS) every sample


def run_measured(
    cmd: Sequence[str], *, env: dict[str, str], cwd: Path, log: Path, timeout_s: float = 3600
) -> Measured:
    """Run ``cmd`` to completion with its output in ``log``; time it and track its memory."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as handle:
        started = time.perf_counter()
        proc = subprocess.Popen(list(cmd), env=env, cwd=cwd, stdout=handle,
                                stderr=subprocess.STDOUT, start_new_session=True)
        peak = 0
        samples: list[tuple[float, int]] = []
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            try:
                root = psutil.Process(proc.pid)
            except psutil.Error:
                return
            while not done.is_set():
                try:
                    members = [root, *root.children(recursive=True)]
                except psutil.Error:
                    return
                total = 0
                for member in members:
                    try:
                        total += member.memory_info().rss
                    except psutil.Error:
                        pass
                peak = max(peak, total)
                samples.append((time.time(), total))
                done.wait(SAMPLE_INTERVAL_S)

        def watchdog() -> None:
            if not done.wait(timeout_s):
                os.killpg(proc.pid, signal.SIGTERM)  # the group this run started

        threads = [threading.Thread(target=f, daemon=True) for f in (sample, watchdog)]
        for thread in threads:
            thread.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        for thread in threads:
            thread.join(timeout=5)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(proc.returncode, wall, peak, usage.ru_maxrss * 1024, log, tuple(samples))


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by the nearest-rank method."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(seconds),
        "median_ms": statistics.median(seconds) * 1000,
        "p95_ms": percentile(seconds, 95) * 1000,
        "max_ms": max(seconds) * 1000,
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator
