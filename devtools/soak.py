"""Soak: many consecutive refreshes against the loopback mirror, with random publisher
faults, random bad answers and random kills, and a reader that never stops reading.

    python -m devtools.soak --count 40 --seed 7          (make soak SOAK=40)

Each refresh runs the steps of ``warehouse.refresh`` (what the DAG's tasks call, without
Airflow's scheduler) in a child process, ``python -m devtools.soak refresh``, which says
which step it starts; a refresh picked for a kill is SIGKILLed (its whole process group,
dbt included) at a random step, after a random pause. Before a refresh, faults are queued
on the mirror: 5xx answers, connection resets, truncated bodies, slow answers, HTML error
pages, and bad answers (bodies breaking the parser's rules, empty answers).

After every refresh the soak checks: the published release is whole and readable (every
mart reads, ``meta.releases`` names it), no more than ``SMARTCITY_KEEP_RELEASES`` release
files are kept, no temporary or build file is left but those of a refresh killed just now
(and the next refresh removes them), and the data directory stays under a bound. A reader
thread opens the published file and reads every mart, over and over, the whole time; any
error it meets is counted. At the end one refresh of every input without faults runs, and
its marts must equal those of a clean run of the same inputs in an empty data directory.

Everything random comes from ``--seed``: the same seed gives the same refreshes, faults
and kill points. Prints the figures (and ``--report FILE`` writes them as JSON).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

STAGES = ("extract", "record", "load", "build", "gate", "publish")
# Small inputs the refreshes choose among: each lands other slices, so most refreshes
# make a new release (real months of the bundled snapshot; DOPA 2-digit provinces).
CONFS = (
    {"sources": ["dopa_population"], "provinces": ["91"], "periods": ["2021-06"]},
    {"sources": ["dopa_population"], "provinces": ["90"], "periods": ["2021-06"]},
    {"sources": ["dopa_population"], "provinces": ["91"], "periods": ["2020-12"]},
    {"sources": ["dopa_population"], "provinces": ["92", "93"], "periods": ["2020-12"]},
    {"sources": ["dopa_population_thai"], "provinces": ["91"], "periods": ["2026-09"]},
)
# Every slice any refresh asks for, each once: the final refresh and the clean run.
FINAL_CONFS = CONFS
# Bad answers: bodies that break the statpop parser's rules, and an empty answer.
BAD_BODIES = (
    '[{"lsageSex": 1, "lsageYYMM": "6406", "lsageRcode": 91}]',
    '{"error": "maintenance"}',
    "[]",
)
FAULTS = ("status", "reset", "truncate", "sleep", "html")
EXIT_PUBLISHED, EXIT_UNCHANGED = 0, 3


# --- one refresh (the child process) -----------------------------------------------------


def run_refresh(run_id: str, confs: list[dict], force: bool) -> int:
    from warehouse import refresh

    def stage(name: str) -> None:
        print(f"stage {name}", flush=True)

    stage("extract")
    batches = [refresh.extract(b) for conf in confs for b in refresh.plan(conf)]
    stage("record")
    decision = refresh.record(run_id, batches)
    if not decision["changed"] and not force:
        print("unchanged", flush=True)
        return EXIT_UNCHANGED
    stage("load")
    loaded = refresh.load(run_id)
    stage("build")
    built = refresh.build(loaded)
    stage("gate")
    gated = refresh.gate(built)
    stage("publish")
    release = refresh.publish(gated)
    print(f"published {release['release_id']}", flush=True)
    return EXIT_PUBLISHED


# --- checks -----------------------------------------------------------------------------


def leftovers(data_dir: Path) -> list[Path]:
    build = data_dir / "build"
    return sorted(
        list(data_dir.rglob("*.tmp"))
        + (list(build.iterdir()) if build.exists() else [])
    )


def disk_use(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def read_release(published: Path) -> tuple[str, int]:
    """Open the published file as a reader does; read every mart. Returns (release, rows)."""
    import duckdb

    with duckdb.connect(str(published), read_only=True) as con:
        latest = con.execute(
            "select release_id from meta.releases order by published_at desc limit 1"
        ).fetchall()
        if not latest:
            raise AssertionError("meta.releases is empty")
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        if not marts:
            raise AssertionError("no marts")
        rows = 0
        for mart in marts:
            rows += con.execute(f'select count(*) from marts."{mart}"').fetchall()[0][0]
        ageing = con.execute("select count(*) from marts.mart_area_ageing").fetchall()[0][0]
        if ageing == 0:
            raise AssertionError("mart_area_ageing is empty")
        return latest[0][0], rows


class Reader(threading.Thread):
    """Reads the published release over and over until stopped; counts what fails."""

    def __init__(self, published: Path) -> None:
        super().__init__(daemon=True)
        self.published = published
        self.stopping = threading.Event()
        self.reads = 0
        self.errors: list[str] = []
        self.releases_seen: set[str] = set()

    def run(self) -> None:
        while not self.stopping.is_set():
            if self.published.exists():
                try:
                    release, _ = read_release(self.published)
                    self.releases_seen.add(release)
                    self.reads += 1
                except Exception as exc:  # every failure of a reader is a finding
                    self.errors.append(f"{type(exc).__name__}: {exc}")
            self.stopping.wait(0.05)


# --- the soak ---------------------------------------------------------------------------


@dataclass
class Figures:
    seed: int
    refreshes: int = 0
    published: int = 0
    unchanged: int = 0
    failed: int = 0
    killed: int = 0
    kills_by_stage: dict[str, int] = field(default_factory=dict)
    faults_injected: int = 0
    faults_by_kind: dict[str, int] = field(default_factory=dict)
    bad_answers_injected: int = 0
    releases_kept_max: int = 0
    disk_bytes_max: int = 0
    disk_bytes_bound: int = 0
    reader_reads: int = 0
    reader_errors: int = 0
    reader_releases_seen: int = 0
    final_equals_clean: bool | None = None
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"refreshes run:        {self.refreshes} (published {self.published}, "
            f"unchanged {self.unchanged}, failed {self.failed}, killed {self.killed})",
            f"kills by stage:       {dict(sorted(self.kills_by_stage.items()))}",
            f"faults injected:      {self.faults_injected} {dict(sorted(self.faults_by_kind.items()))}",
            f"bad answers injected: {self.bad_answers_injected}",
            f"releases published:   {self.published} (kept at most {self.releases_kept_max})",
            f"disk use:             max {self.disk_bytes_max:,} bytes (bound {self.disk_bytes_bound:,})",
            f"reader:               {self.reader_reads} reads of {self.reader_releases_seen} "
            f"releases, errors seen by readers: {self.reader_errors}",
            f"final state equals a clean run's: {self.final_equals_clean}",
            f"seconds:              {self.seconds:.0f}",
        ]


class Soak:
    def __init__(self, data_dir: Path, seed: int, keep: int, kill_rate: float,
                 fault_rate: float, bad_rate: float) -> None:
        self.data_dir = data_dir
        self.rng = random.Random(seed)
        self.keep = keep
        self.kill_rate, self.fault_rate, self.bad_rate = kill_rate, fault_rate, bad_rate
        self.figures = Figures(seed=seed)
        self.faults: Counter[str] = Counter()
        self.kills: Counter[str] = Counter()
        self.stages: list[str] = []
        self.dirty = False  # a killed refresh's files are there until a load removes them

    def env(self, data_dir: Path, base_url: str) -> dict[str, str]:
        from extract import catalogue

        env = {**os.environ, "SMARTCITY_DATA_DIR": str(data_dir),
               "SMARTCITY_KEEP_RELEASES": str(self.keep), "SMARTCITY_WAREHOUSE": "duckdb",
               "SMARTCITY_HTTP_RETRIES": "1", "SMARTCITY_HTTP_BACKOFF": "0.05",
               "SMARTCITY_HTTP_READ_TIMEOUT": "2"}
        env.pop("SMARTCITY_PG_DSN", None)
        for variable in {"DOPA_BASE_URL", *catalogue.base_url_variables()}:
            env[variable] = base_url
        return env

    def child(self, env: dict[str, str], run_id: str, confs: list[dict], *, force: bool = False,
              kill_at: str | None = None, kill_after: float = 0.0) -> tuple[str, str]:
        """One refresh in a child process; returns (outcome, last lines of its output).
        ``self.stages`` holds the steps it started."""
        command = [sys.executable, "-m", "devtools.soak", "refresh", "--run-id", run_id,
                   "--confs", json.dumps(confs)] + (["--force"] if force else [])
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, start_new_session=True, cwd=Path(__file__).resolve().parents[1])
        output: list[str] = []
        killed = False
        timer = None
        assert proc.stdout is not None
        self.stages = []
        for line in proc.stdout:
            output.append(line.rstrip())
            if line.startswith("stage "):
                self.stages.append(line.split()[1])
            if kill_at and not killed and line.strip() == f"stage {kill_at}":
                def kill() -> None:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                timer = threading.Timer(kill_after, kill)
                timer.start()
                killed = True
        code = proc.wait()
        if timer:
            timer.join()
        tail = "\n".join(output[-12:])
        if code == -signal.SIGKILL:
            return "killed", tail
        if code == EXIT_PUBLISHED:
            return "published", tail
        if code == EXIT_UNCHANGED:
            return "unchanged", tail
        return "failed", tail

    def inject(self, mirror) -> None:
        from devtools.mirror import Fault

        if self.rng.random() < self.fault_rate:
            for _ in range(self.rng.randint(1, 3)):
                kind = self.rng.choice(FAULTS)
                extra = {"status": {"status": self.rng.choice([500, 502, 503])},
                         "sleep": {"seconds": 3.0}}.get(kind, {})
                mirror.inject(Fault(kind, times=self.rng.randint(1, 2), **extra))
                self.faults[kind] += 1
        if self.rng.random() < self.bad_rate:
            body = self.rng.choice(BAD_BODIES)
            mirror.inject(Fault("body", body=body, times=None))
            self.figures.bad_answers_injected += 1

    def check(self, outcome: str, base_size: int) -> None:
        published = self.data_dir / "planning.duckdb"
        figures = self.figures
        # A killed refresh leaves its temporaries, and a build that failed after its load
        # is kept for inspection; the next load removes both.
        if outcome == "killed" or (outcome == "failed" and "load" in self.stages):
            self.dirty = True
        elif "load" in self.stages:
            self.dirty = False
        if published.exists():
            read_release(published)  # whole and readable, or this raises
            from devtools.digest import release_ids

            releases = release_ids(published)
            files = sorted((self.data_dir / "releases").glob("*.duckdb"))
            current = [f for f in files if published.samefile(f)]
            assert current and current[0].stem == releases[-1], (releases[-1], files)
            # a publish killed after moving its build into releases/ leaves one file that
            # was never published; the next refresh's load removes it
            orphans = [f for f in files if f.stem not in releases]
            assert len(orphans) <= (1 if self.dirty else 0), (
                f"never published: {orphans}"
            )
            kept = len(files) - len(orphans)
            figures.releases_kept_max = max(figures.releases_kept_max, kept)
            assert kept <= self.keep, f"{kept} release files kept (keep {self.keep})"
            largest = max(f.stat().st_size for f in files)
            # raw/, log/, docs/ + the kept releases + one build in progress
            figures.disk_bytes_bound = max(figures.disk_bytes_bound,
                                           base_size + (self.keep + 2) * largest + (8 << 20))
        left = leftovers(self.data_dir)
        if not self.dirty:
            assert not left, f"left behind after a {outcome} refresh: {left}"
        else:  # at most one build (its file, WAL, dbt directory) and landing temporaries
            builds = {p.name.split(".")[0] for p in left if p.parent.name == "build"}
            assert len(builds) <= 1, f"builds of more than one run left: {left}"
        use = disk_use(self.data_dir)
        figures.disk_bytes_max = max(figures.disk_bytes_max, use)
        if figures.disk_bytes_bound:
            assert use <= figures.disk_bytes_bound, f"disk use {use:,} over {figures.disk_bytes_bound:,}"

    def run(self, count: int) -> Figures:
        from devtools.digest import marts_digest
        from devtools.mirror import Mirror

        started = time.monotonic()
        figures = self.figures
        with Mirror() as mirror:
            env = self.env(self.data_dir, mirror.base_url)
            reader = Reader(self.data_dir / "planning.duckdb")
            reader.start()
            try:
                for number in range(1, count + 1):
                    mirror.server.faults.clear()
                    first = number == 1  # the first refresh makes the first release
                    confs = [self.rng.choice(CONFS)] if not first else list(CONFS[:1])
                    kill_at = None
                    if not first and self.rng.random() < self.kill_rate:
                        kill_at = self.rng.choice(STAGES)
                    kill_after = self.rng.uniform(0, 8.0 if kill_at == "build" else 0.5)
                    if not first:
                        self.inject(mirror)
                    outcome, tail = self.child(env, f"soak_{number:04d}", confs,
                                               kill_at=kill_at, kill_after=kill_after)
                    figures.refreshes += 1
                    setattr(figures, outcome, getattr(figures, outcome) + 1)
                    if outcome == "killed":
                        self.kills[kill_at] += 1
                    if outcome == "failed":
                        figures.failures.append(tail.splitlines()[-1] if tail else "")
                    if first:
                        assert outcome == "published", tail
                    base = sum(disk_use(self.data_dir / d) for d in ("raw", "log", "docs")
                               if (self.data_dir / d).exists())
                    self.check(outcome, base)
                    print(f"refresh {number}: {outcome}"
                          + (f" (killed at {kill_at})" if outcome == "killed" else ""), flush=True)
                # The end: every input once more, without faults, and a clean run of them.
                mirror.server.faults.clear()
                outcome, tail = self.child(env, "soak_final", list(FINAL_CONFS), force=True)
                assert outcome == "published", tail
                figures.refreshes += 1
                figures.published += 1
                self.check(outcome, 0)
            finally:
                reader.stopping.set()
                reader.join(10)
            clean_dir = Path(tempfile.mkdtemp(prefix="soak-clean-"))
            try:
                outcome, tail = self.child(self.env(clean_dir, mirror.base_url), "clean",
                                           list(FINAL_CONFS), force=True)
                assert outcome == "published", tail
                figures.final_equals_clean = marts_digest(
                    self.data_dir / "planning.duckdb") == marts_digest(clean_dir / "planning.duckdb")
            finally:
                shutil.rmtree(clean_dir, ignore_errors=True)
        figures.kills_by_stage = dict(self.kills)
        figures.faults_by_kind = dict(self.faults)
        figures.faults_injected = sum(self.faults.values())
        figures.reader_reads = reader.reads
        figures.reader_errors = len(reader.errors)
        figures.reader_releases_seen = len(reader.releases_seen)
        figures.failures += [f"reader: {e}" for e in reader.errors[:5]]
        figures.seconds = time.monotonic() - started
        return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.soak", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    one = sub.add_parser("refresh", help="one refresh (the soak's child process)")
    one.add_argument("--run-id", required=True)
    one.add_argument("--confs", required=True, help="JSON list of run configurations")
    one.add_argument("--force", action="store_true", help="build and publish even if unchanged")
    parser.add_argument("--count", type=int, default=20, help="refreshes (default 20)")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--keep", type=int, default=3, help="SMARTCITY_KEEP_RELEASES (default 3)")
    parser.add_argument("--kill-rate", type=float, default=0.3)
    parser.add_argument("--fault-rate", type=float, default=0.5)
    parser.add_argument("--bad-rate", type=float, default=0.2)
    parser.add_argument("--data-dir", type=Path, help="default: a new temporary directory")
    parser.add_argument("--report", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    if args.command == "refresh":
        return run_refresh(args.run_id, json.loads(args.confs), args.force)

    if not os.environ.get("SMARTCITY_MODELLED_BODIES"):
        from devtools.snapshots import modelled_bodies

        labels = Path(tempfile.mkdtemp(prefix="soak-labels-")) / "modelled_bodies.json"
        os.environ["SMARTCITY_MODELLED_BODIES"] = str(modelled_bodies.write(labels))
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="soak-data-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    soak = Soak(data_dir, args.seed, args.keep, args.kill_rate, args.fault_rate, args.bad_rate)
    print(f"soak: {args.count} refreshes, seed {args.seed}, data in {data_dir}", flush=True)
    figures = soak.run(args.count)
    print("\n".join(figures.lines()))
    if args.report:
        args.report.write_text(json.dumps(asdict(figures), indent=2) + "\n", encoding="utf-8")
    ok = figures.reader_errors == 0 and figures.final_equals_clean
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
