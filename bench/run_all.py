"""``make bench``: what a refresh costs and how it grows, each figure beside its baseline.

    python -m bench.run_all                        # make bench: 928 districts, 3 yearly periods
                                                   # at 1x (growth runs 6 and 12)
    python -m bench.run_all --scale tiny           # a quick run (3 provinces' districts)
    python -m bench.run_all --scale subdistrict --periods 10 --growth 1 --skip landing bare
                                                   # national sub-district, ten periods
    python -m bench.run_all --scale subdistrict --provinces 91 --periods 1   # a quick one

``make bench BENCH='<options>'`` passes options; ``--help`` lists them.
One run generates SYNTHETIC responses (``bench.scale_generator``) for ``periods`` x the
largest growth factor, serves them on loopback with the project's snapshot mirror, and
in a copy of the project with a bench catalogue (``bench.workspace``) measures:

1. landing + load (rows/s) against DuckDB's ``read_json`` of the same bytes;
2. a full refresh through ``airflow dags test`` against its parts run bare;
3. a second, no-change refresh against the full one;
4. the DAG file's import time beyond ``import airflow.sdk`` (``bench.dag_import``);
5. GX validation seconds per million mart rows, on releases of growing size;
6. analyst queries on the published marts (median, p95);
7. peak memory of the refresh;
8. full refreshes at 1x, 2x, 4x the periods;
9. with ``--local-executor``: the full refresh under a real scheduler with the
   LocalExecutor (extract tasks in parallel) beside ``airflow dags test``
   (``bench.executor_run``).

Figures are printed as a table with their ratios and targets and written as JSON
(default ``$SMARTCITY_DATA_DIR/bench/latest-<scale>.json``). Nothing is asserted on
time: see ``docs/benchmarks.md`` for the targets and what the figures mean.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import psutil

from bench import dag_import, executor_run, scale_generator, workspace
from bench.measure import Measured, ratio, run_measured

REPO = Path(__file__).resolve().parents[1]
GIB = 1024**3
DEFAULT_PERIODS = {"tiny": 2, "district": 3, "subdistrict": 10}
DAG_ID = "smartcity_refresh"
QUERY_NAMES = ("area_profile", "area_age_pyramid", "province_ranking", "ten_year_trend")
SKIPPABLE = ("landing", "bare", "gate", "queries", "dag-import")
_TASK_LINE = re.compile(
    r"^(?P<ts>\S+)\s.*\[DAG TEST\] (?P<what>starting|end task) task_id=(?P<task>\S+) "
    r"map_index=(?P<map>-?\d+)"
)


# --- machine ----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    versions = {}
    for package in ("apache-airflow", "dbt-core", "dbt-duckdb", "duckdb", "great-expectations",
                    "pandas", "pyarrow"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    try:
        revision = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO,
                                  capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        revision = None
    return {
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "ram_gib": round(psutil.virtual_memory().total / GIB, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "packages": versions,
        "code_version": revision,
    }


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


# --- stages in the workspace --------------------------------------------------------------


def run_stage(ws: workspace.Workspace, name: str, args: Sequence[str], *,
              data_dir: Path | None = None, base_url: str | None = None) -> tuple[dict, Measured]:
    out = ws.logs / f"{name}.json"
    measured = run_measured(
        [sys.executable, "-m", "bench.stages", name, *args, "--out", str(out)],
        env=ws.env(data_dir=data_dir, base_url=base_url), cwd=ws.code, log=ws.logs / f"{name}.log",
    )
    if measured.returncode != 0:
        raise RuntimeError(f"stage {name} failed:\n{_tail(measured.log)}")
    return json.loads(out.read_text(encoding="utf-8")), measured


def dags_test(ws: workspace.Workspace, label: str, data_dir: Path, periods: Sequence[str],
              base_url: str) -> dict[str, Any]:
    """One ``airflow dags test`` of the refresh DAG; wall time, memory and task times."""
    conf = json.dumps(ws.conf(list(periods)))
    measured = run_measured(
        [str(workspace.BIN / "airflow"), "dags", "test", DAG_ID, "-c", conf],
        env=ws.env(data_dir=data_dir, base_url=base_url), cwd=ws.code,
        log=ws.logs / f"dags-test-{label}.log",
    )
    text = measured.log.read_text(encoding="utf-8", errors="replace")
    # The run's own verdict; `airflow dags test` can still exit non-zero after it (e.g. in
    # a callback), which is reported but does not void the timing of a successful run.
    marked = re.search(r"Marking run <DagRun .*> (successful|failed)", text)
    if not marked or marked.group(1) != "successful":
        raise RuntimeError(f"airflow dags test ({label}) failed:\n{_tail(measured.log)}")
    tasks = task_seconds(text)
    peaks = task_peak_rss(text, measured.samples)
    exports = re.search(r"exports of \S+: (\d+) marts, (\d+) workbooks in ([\d.]+) s", text)
    site = re.search(r"site of \S+: (\d+) pages in ([\d.]+) s", text)
    return {
        # what publish writes for planners (exports of every mart, a workbook per province
        # and target area, the area-profile site with the dbt docs), when it ran
        "outputs": {
            "exports_s": float(exports.group(3)) if exports else None,
            "workbooks": int(exports.group(2)) if exports else None,
            "site_s": float(site.group(2)) if site else None,
            "site_pages": int(site.group(1)) if site else None,
        },
        "label": label,
        "exit_code": measured.returncode,
        "periods": len(periods),
        "wall_s": measured.wall_s,
        "tasks_s": tasks,
        "tasks_total_s": sum(tasks.values()),
        "outside_tasks_s": measured.wall_s - sum(tasks.values()),
        "peak_tree_rss_bytes": measured.peak_tree_rss_bytes,
        "max_rss_bytes": measured.max_rss_bytes,
        "task_peak_rss_bytes": peaks,
        "releases": len(list((data_dir / "releases").glob("*.duckdb"))),
        **dbt_outcome(data_dir / "planning.duckdb"),
    }


def dbt_outcome(published: Path) -> dict[str, Any]:
    """dbt node statuses of the published release (warnings matter at sub-district scale)."""
    if not published.exists():
        return {}
    import duckdb

    try:
        with duckdb.connect(str(published), read_only=True) as con:
            latest = "(select run_id from meta.releases order by published_at desc limit 1)"
            statuses = dict(con.execute(
                f"select status, count(*) from meta.dbt_run_results where run_id = {latest} "
                "group by status order by status").fetchall())
            warned = [r[0] for r in con.execute(
                f"select unique_id from meta.dbt_run_results where run_id = {latest} "
                "and status = 'warn' order by unique_id limit 20").fetchall()]
    except duckdb.Error as exc:
        return {"dbt_statuses": f"not readable: {exc.__class__.__name__}"}
    return {"dbt_statuses": statuses, "dbt_warned": warned}


def task_windows(log_text: str) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """(task id, start, end) of every task instance in an ``airflow dags test`` log."""
    started: dict[tuple[str, str], dt.datetime] = {}
    windows = []
    for line in log_text.splitlines():
        match = _TASK_LINE.match(line)
        if not match:
            continue
        try:
            stamp = dt.datetime.fromisoformat(match["ts"].replace("Z", "+00:00"))
        except ValueError:
            continue
        key = (match["task"], match["map"])
        if match["what"] == "starting":
            started[key] = stamp
        elif key in started:
            windows.append((match["task"], started.pop(key), stamp))
    return windows


def task_seconds(log_text: str) -> dict[str, float]:
    """Seconds per task id (mapped instances summed) from an ``airflow dags test`` log."""
    seconds: dict[str, float] = {}
    for task, start, end in task_windows(log_text):
        seconds[task] = seconds.get(task, 0.0) + (end - start).total_seconds()
    return seconds


def task_peak_rss(log_text: str, samples: Sequence[tuple[float, int]]) -> dict[str, int]:
    """The highest sampled RSS of the run's process tree while each task ran."""
    peaks: dict[str, int] = {}
    for task, start, end in task_windows(log_text):
        inside = [rss for when, rss in samples if start.timestamp() <= when <= end.timestamp()]
        if inside:
            peaks[task] = max(peaks.get(task, 0), *inside)
    return peaks


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _conditional_requests(mirror: Any) -> dict[str, int]:
    requests = mirror.requests(clear=True)
    conditional = sum(
        1 for r in requests if any(k.lower() == "if-none-match" for k in r["headers"])
    )
    return {"requests": len(requests), "conditional": conditional}


# --- the run ------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    from devtools.mirror import Mirror

    periods_1x = args.periods or DEFAULT_PERIODS[args.scale]
    args.airflow = args.airflow and args.refresh
    factors = sorted(set(args.growth)) if args.airflow else [1]
    all_periods = scale_generator.periods_ending(args.end, periods_1x * max(factors))
    result: dict[str, Any] = {
        "started_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "load_average_at_start": os.getloadavg(),
        "command": "python -m bench.run_all " + " ".join(args.argv),
        "machine": machine(),
        "scale": args.scale,
        "periods": periods_1x,
        "growth_factors": factors,
        "seed": args.seed,
        "provinces": args.provinces,
        "skipped": args.skip,
    }
    run_started = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="smartcity-bench-", dir=args.work_dir))
    result["workspace"] = str(root) if args.keep else None
    try:
        started = time.perf_counter()
        summary = scale_generator.generate(root / "snapshot", scale=args.scale,
                                           periods=all_periods, seed=args.seed,
                                           provinces=args.provinces)
        result["generate"] = {
            "seconds": time.perf_counter() - started,
            "responses": summary["responses"], "bytes": summary["bytes"], "rows": summary["rows"],
            "level": summary["level"], "areas": len(summary["area_codes"]),
            "provinces": len(summary["province_codes"]), "periods": len(all_periods),
            "province_sources": summary["province_sources"],
            "province_series_responses": summary["province_series_responses"],
            "household_responses": summary.get("household_responses", 0),
        }
        _say(f"generated {summary['responses']:,} synthetic responses "
             f"({summary['rows']:,} rows) in {result['generate']['seconds']:.1f} s")
        started = time.perf_counter()
        ws = workspace.create(root, summary, airflow=args.airflow)
        result["workspace_setup_s"] = time.perf_counter() - started
        periods = all_periods[-periods_1x:]
        with Mirror(snapshot_dirs=ws.snapshot_dirs) as mirror:
            _measure(args, ws, mirror, periods, all_periods, factors, out=result)
    except Exception as exc:  # keep what was measured; main() reports the failure
        result["error"] = f"{exc.__class__.__name__}: {exc}"[-4000:]
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    result["finished_at"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    result["load_average_at_end"] = os.getloadavg()
    result["wall_s"] = time.perf_counter() - run_started
    result["bench_process_cpu_s"] = sum(
        getattr(resource.getrusage(resource.RUSAGE_SELF), f) for f in ("ru_utime", "ru_stime"))
    result["cpu_s"] = sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF),
                      resource.getrusage(resource.RUSAGE_CHILDREN))
    )
    result["targets"] = targets(result)
    return result


def _measure(args: argparse.Namespace, ws: workspace.Workspace, mirror: Any,
             periods: list[str], all_periods: list[str], factors: list[int],
             out: dict[str, Any]) -> None:
    """Every measurement, written into ``out`` as it is taken."""
    url = mirror.base_url

    if "landing" not in args.skip:
        _say("landing + load vs DuckDB read_json ...")
        out["landing_load"], _ = run_stage(
            ws, "landing-load",
            ["--snapshot", str(ws.snapshot / scale_generator.DOPA_FOLDER),
             "--data", str(ws.data_dir("landing")), "--periods", *periods],
        )

    releases: list[Path] = []
    if args.airflow:
        _say("full refresh through airflow dags test ...")
        full_dir = ws.data_dir("full")
        mirror.requests(clear=True)
        full = dags_test(ws, "full", full_dir, periods, url)
        full["http"] = _conditional_requests(mirror)
        _say(f"  {full['wall_s']:.1f} s")
        _say("no-change refresh (same data directory, same answers) ...")
        before = _release_signature(full_dir)
        again = dags_test(ws, "no-change", full_dir, periods, url)
        again["http"] = _conditional_requests(mirror)
        again["published_new_release"] = _release_signature(full_dir) != before
        _say(f"  {again['wall_s']:.1f} s")
        out["full_refresh"], out["no_change_refresh"] = full, again
        releases.append(full_dir / "planning.duckdb")
        if args.local_executor:
            _say("the full refresh under a scheduler with the LocalExecutor ...")
            out["local_executor"] = executor_run.refresh(
                ws, ws.data_dir("local_executor"), periods, url
            )
            mirror.requests(clear=True)
            _say(f"  {out['local_executor']['wall_s']:.1f} s")

    if args.refresh and ("bare" not in args.skip or not args.airflow):
        _say("the same refresh, its parts run bare ...")
        bare_dir = ws.data_dir("bare")
        out["bare"], bare_run = run_stage(
            ws, "bare", ["--data", str(bare_dir), "--periods", *periods, "--sources", *ws.sources],
            data_dir=bare_dir, base_url=url,
        )
        out["bare"]["process_wall_s"] = bare_run.wall_s
        out["bare"]["peak_tree_rss_bytes"] = bare_run.peak_tree_rss_bytes
        if not releases:
            releases.append(bare_dir / "planning.duckdb")
        mirror.requests(clear=True)

    growth = out["growth"] = []
    if args.airflow:
        growth.append({"factor": 1, **_growth_row(out["full_refresh"])})
        for factor in factors:
            if factor == 1:
                continue
            _say(f"full refresh at {factor}x the data ...")
            data_dir = ws.data_dir(f"growth_{factor}x")
            run = dags_test(ws, f"growth-{factor}x", data_dir, all_periods[-factor * len(periods):],
                            url)
            mirror.requests(clear=True)
            growth.append({"factor": factor, **_growth_row(run)})
            releases.append(data_dir / "planning.duckdb")
            _say(f"  {run['wall_s']:.1f} s")

    if args.airflow and "gate" not in args.skip:
        _say("GX quality gate on the published releases (growing size) ...")
        gate_args = [arg for release in releases for arg in ("--release", str(release))]
        out["gate"], _ = run_stage(ws, "gate", [*gate_args, "--work", str(ws.root / "gate")])
    elif "bare" in out:  # one size only: the bare run's gate is the figure
        out["gate"] = {"runs": [out["bare"]["gate_point"]], "from": "the bare run's quality gate"}

    if releases and "queries" not in args.skip:
        _say("analyst queries on the published marts ...")
        out["queries"], _ = run_stage(
            ws, "queries", ["--warehouse", str(releases[-1]), "--repeats", str(args.query_repeats)]
        )

    if "dag-import" not in args.skip:
        _say("DAG file import time ...")
        out["dag_import"] = dag_import.run(args.dag_import_repeats)


def _growth_row(run: dict[str, Any]) -> dict[str, Any]:
    return {"periods": run["periods"], "wall_s": run["wall_s"],
            "peak_tree_rss_bytes": run["peak_tree_rss_bytes"], "tasks_s": run["tasks_s"]}


def _release_signature(data_dir: Path) -> tuple:
    published = data_dir / "planning.duckdb"
    releases = sorted(p.name for p in (data_dir / "releases").glob("*.duckdb"))
    stat = published.stat() if published.exists() else None
    return (tuple(releases), stat.st_ino if stat else None)


# --- targets and the table ----------------------------------------------------------------


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the issue with the measured value; ``met`` is None when not measured."""
    rows: list[dict[str, Any]] = []

    def add(name: str, value: float | None, target: str, met: bool | None, note: str = "") -> None:
        rows.append({"figure": name, "value": value, "target": target, "met": met, "note": note})

    load = r.get("landing_load", {}).get("ratio_landing_load_to_duckdb")
    add("landing + load time / DuckDB read_json", load, "<= 1.5x",
        None if load is None else load <= 1.5)
    full = r.get("full_refresh", {}).get("wall_s")
    bare = r.get("bare", {}).get("all_parts_s")
    orchestration = ratio(full, bare)
    add("airflow dags test / bare parts", orchestration, "<= 2x",
        None if orchestration is None else orchestration <= 2)
    again = r.get("no_change_refresh", {}).get("wall_s")
    no_change = ratio(again, full)
    add("no-change refresh / full refresh", no_change, "< 0.10",
        None if no_change is None else no_change < 0.10)
    made = (r.get("full_refresh") or {}).get("outputs") or {}
    outputs = (
        made["exports_s"] + made["site_s"]
        if made.get("exports_s") is not None and made.get("site_s") is not None
        else None
    )
    add("site + exports of a release (s)", outputs, "< 60 s", None if outputs is None else outputs < 60)
    dag = r.get("dag_import", {}).get("dag_file_beyond_sdk_s")
    add("DAG import beyond airflow.sdk (s)", dag, "< 1 s", None if dag is None else dag < 1)
    queries = r.get("queries", {})
    per_area = max((queries[q]["p95_ms"] for q in ("area_profile", "area_age_pyramid")
                    if q in queries), default=None)
    add("per-area query p95 (ms)", per_area, "< 50 ms", None if per_area is None else per_area < 50)
    ranking = queries.get("province_ranking", {}).get("p95_ms")
    add("province ranking p95 (ms)", ranking, "< 200 ms", None if ranking is None else ranking < 200)
    growth = {g["factor"]: g["wall_s"] for g in r.get("growth", [])}
    four = ratio(growth.get(4), growth.get(1))
    add("4x data: time / 1x time", four, "<= 4.5x", None if four is None else four <= 4.5)
    peak = max([(run or {}).get("peak_tree_rss_bytes") or 0
                for run in (r.get("full_refresh"), r.get("no_change_refresh"), r.get("bare"))]
               + [g.get("peak_tree_rss_bytes") or 0 for g in r.get("growth", [])])
    national = r.get("scale") == "subdistrict" and r.get("periods", 0) >= 10
    add("peak memory of a refresh (GiB)", peak / GIB if peak else None, "< 4 GiB",
        (peak < 4 * GIB) if (peak and national) else None,
        "" if national else "target applies at national sub-district scale over ten periods")
    return rows


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def report(r: dict[str, Any]) -> str:
    """The figures as text: each measured figure beside its baseline, then the targets."""
    m, g = r["machine"], r["generate"]
    lines = [
        f"Smart City warehouse benchmark - scale {r['scale']}, {r['periods']} periods at 1x "
        f"(growth {', '.join(f'{f}x' for f in r['growth_factors'])}), seed {r['seed']}",
        f"machine: {m['cores']} cores ({m['cores_usable']} usable), {m['ram_gib']} GiB RAM, "
        f"Python {m['python']}, {m['cpu']}; load average at start "
        f"{', '.join(f'{x:.1f}' for x in r.get('load_average_at_start', ()))}",
        f"data: {g['responses']:,} SYNTHETIC responses, {g['rows']:,} rows ({g['areas']:,} "
        f"{g['level']} areas + {g['provinces']} provinces x {g['periods']} periods); "
        f"{g.get('household_responses', 0):,} house API answers (sub-districts with "
        "households, real 2020 figures re-served per period, labelled SYNTHETIC)",
        "",
    ]
    ll = r.get("landing_load")
    if ll:
        lines += [
            "landing + load",
            f"  extract to Parquet + manifest ({ll['extract_workers']} threads, no socket; "
            f"{ll.get('slices', 0):,} answers in {ll.get('landed_files', 0):,} files) "
            f"{ll['landing_s']:.2f} s + fetch log {ll['record_s']:.2f} s + load {ll['load_s']:.2f} s"
            f" = {ll['landing_load_s']:.2f} s for {ll['rows']:,} rows "
            f"({_fmt(ll['landing_load_rows_per_s'], 0)} rows/s)",
            f"  DuckDB read_json -> the same rows ({ll['duckdb_threads']} threads, "
            f"{ll['duckdb_files_per_call']:,} files a call): "
            f"{ll['duckdb_read_json_s']:.2f} s ({_fmt(ll['duckdb_rows_per_s'], 0)} rows/s)"
            f"   ratio {_fmt(ll['ratio_landing_load_to_duckdb'])}x",
        ]
    bare, full, again = r.get("bare"), r.get("full_refresh"), r.get("no_change_refresh")
    if full:
        lines += [
            "full refresh",
            f"  airflow dags test {full['wall_s']:.1f} s (in tasks {full['tasks_total_s']:.1f} s, "
            f"outside tasks {full['outside_tasks_s']:.1f} s)"
            + (f"  vs  bare parts {bare['all_parts_s']:.1f} s   ratio "
               f"{_fmt(ratio(full['wall_s'], bare['all_parts_s']))}x" if bare else ""),
            "  tasks: " + ", ".join(f"{k} {v:.1f}" for k, v in full["tasks_s"].items()),
        ]
        made = full.get("outputs") or {}
        if made.get("site_s") is not None:
            lines.append(
                f"  outputs in publish: exports {made['exports_s']:.1f} s "
                f"({made['workbooks']} workbooks), site {made['site_s']:.1f} s "
                f"({made['site_pages']} pages, with dbt docs)"
            )
        if full.get("task_peak_rss_bytes"):
            lines.append("  peak memory while (GiB): " + ", ".join(
                f"{k} {v / GIB:.2f}" for k, v in full["task_peak_rss_bytes"].items()))
        if isinstance(full.get("dbt_statuses"), dict):
            lines.append("  dbt nodes: " + ", ".join(
                f"{k} {v}" for k, v in full["dbt_statuses"].items()))
    if bare:
        lines.append(
            "  bare: " + ", ".join(
                f"{k.removesuffix('_s')} {v:.1f}" for k, v in bare.items()
                if k.endswith("_s") and k not in ("issue_parts_s", "all_parts_s", "process_wall_s")
                and v is not None)
            + f"; load+dbt+GX {bare['issue_parts_s']:.1f} s, all parts {bare['all_parts_s']:.1f} s"
        )
    if again:
        lines += [
            "no-change refresh",
            f"  {again['wall_s']:.1f} s vs full {full['wall_s']:.1f} s   ratio "
            f"{_fmt(ratio(again['wall_s'], full['wall_s']))}; conditional requests "
            f"{again['http']['conditional']:,} of {again['http']['requests']:,}; new release "
            f"published: {'yes' if again['published_new_release'] else 'no'}",
            "  tasks: " + ", ".join(f"{k} {v:.1f}" for k, v in again["tasks_s"].items()),
        ]
    local = r.get("local_executor")
    if local and full:
        extract = full["tasks_s"].get("extract", 0.0)
        lines += [
            "extract in parallel (LocalExecutor, a real scheduler)",
            f"  run {local['wall_s']:.1f} s from trigger to end vs airflow dags test "
            f"{full['wall_s']:.1f} s   ratio {_fmt(ratio(local['wall_s'], full['wall_s']))}",
            f"  {local['extract_tasks']} extract tasks, at most {local['extract_most_at_once']} at "
            f"once: {local['extract_span_s']:.1f} s from first start to last end vs "
            f"{extract:.1f} s one after another   ratio "
            f"{_fmt(ratio(local['extract_span_s'], extract))}",
            "  tasks: " + ", ".join(f"{k} {v:.1f}" for k, v in local["tasks_s"].items()),
        ]
    if r.get("growth"):
        base = r["growth"][0]["wall_s"]
        lines += ["growth (full refresh through airflow dags test)"] + [
            f"  {row['factor']}x ({row['periods']} periods): {row['wall_s']:.1f} s, ratio "
            f"{row['wall_s'] / base:.2f}, peak {row['peak_tree_rss_bytes'] / GIB:.2f} GiB"
            for row in r["growth"]
        ]
    gate = r.get("gate")
    if gate:
        lines += ["GX quality gate"] + [
            f"  {run['rows']:,} rows validated: {run['seconds']:.1f} s = "
            f"{run['s_per_million_rows']:.1f} s per million rows" for run in gate["runs"]
        ]
        if "marginal_s_per_million_rows" in gate:
            lines.append(f"  marginal: {gate['marginal_s_per_million_rows']:.1f} s per million rows")
    q = r.get("queries")
    if q:
        lines += [f"analyst queries (read-only, {q['periods_in_marts']} periods in the marts)"] + [
            f"  {name}: median {q[name]['median_ms']:.1f} ms, p95 {q[name]['p95_ms']:.1f} ms "
            f"({q[name]['rows_last']} rows)" for name in QUERY_NAMES if name in q
        ]
    d = r.get("dag_import")
    if d:
        lines += [
            "DAG import",
            f"  import airflow.sdk {d['import_airflow_sdk_s']:.2f} s; the DAG file beyond it "
            f"{d['dag_file_beyond_sdk_s']:.3f} s",
        ]
    if "wall_s" in r:
        lines.append(f"benchmark run: {r['wall_s'] / 60:.1f} min wall, {r['cpu_s'] / 60:.1f} min CPU "
                     f"(of which the benchmark process - generator, loopback mirror - "
                     f"{r['bench_process_cpu_s'] / 60:.1f} min); load average at end "
                     f"{', '.join(f'{x:.1f}' for x in r.get('load_average_at_end', ()))}")
    lines += ["", "targets"]
    for t in r["targets"]:
        verdict = {True: "met", False: "MISSED", None: "n/a"}[t["met"]]
        lines.append(f"  {t['figure']:<42} {_fmt(t['value']):>10}  target {t['target']:<9} "
                     f"{verdict}{'  (' + t['note'] + ')' if t['note'] else ''}")
    return "\n".join(lines)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=scale_generator.SCALES, default="district")
    parser.add_argument("--periods", type=int, default=None,
                        help="yearly periods at 1x (default: tiny 2, district 3, subdistrict 10)")
    parser.add_argument("--growth", type=int, nargs="+", default=[1, 2, 4],
                        help="data multiples for the growth runs (default: 1 2 4)")
    parser.add_argument("--provinces", type=lambda text: text.split(","), default=None,
                        help="only the areas of these provinces, e.g. 91,92 (a quick run at "
                        "any scale; default: all, tiny: 38,91,92)")
    parser.add_argument("--end", default=scale_generator.DEFAULT_END)
    parser.add_argument("--seed", type=int, default=scale_generator.DEFAULT_SEED)
    parser.add_argument("--no-airflow", dest="airflow", action="store_false",
                        help="skip the airflow dags test runs (orchestration, no-change, growth)")
    parser.add_argument("--skip", nargs="+", default=[], choices=SKIPPABLE,
                        help="leave out these measurements (e.g. at national scale: landing bare)")
    parser.add_argument("--no-refresh", dest="refresh", action="store_false",
                        help="skip every refresh (no dbt, GX or queries): landing and DAG import only")
    parser.add_argument("--local-executor", action="store_true",
                        help="also run the full refresh under a scheduler with the "
                        "LocalExecutor (extract tasks in parallel)")
    parser.add_argument("--query-repeats", type=int, default=200)
    parser.add_argument("--dag-import-repeats", type=int, default=5)
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="where the temporary workspace goes (default: the system temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the workspace (logs, data)")
    parser.add_argument("--out", type=Path, default=None,
                        help="results JSON (default: $SMARTCITY_DATA_DIR/bench/latest-<scale>.json)")
    args = parser.parse_args(argv)
    args.argv = list(argv if argv is not None else sys.argv[1:])
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args)
    data_dir = Path(os.environ.get("SMARTCITY_DATA_DIR") or REPO / "data")
    out = args.out or data_dir / "bench" / f"latest-{args.scale}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    if "generate" in result:
        print(report(result))
    if "error" in result:
        print(f"\nthe benchmark stopped early (figures so far in {out}):\n{result['error']}",
              file=sys.stderr)
        return 1
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
