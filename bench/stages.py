"""Benchmark stages that run the project's own code, one subprocess each.

``bench.run_all`` starts them inside a workspace (``bench.workspace``), so they see the
bench catalogue; each writes its figures as JSON:

    python -m bench.stages landing-load --snapshot DIR --data DIR --periods 2025-12 ... --out F
    python -m bench.stages bare --data DIR --periods ... --out F      (DOPA_BASE_URL: a mirror)
    python -m bench.stages gate --release FILE [--release FILE ...] --work DIR --out F
    python -m bench.stages queries --warehouse FILE --repeats 200 --out F
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.measure import latency_summary

BENCH_SOURCES = ("dopa_population", "dopa_population_thai")
# DuckDB 2.0's read_json slows down more than linearly with the number of files in one
# call (4,000 statpop files: 11 s; 8,000: 39 s; 73,000: not done after 10 minutes at
# 13 GB), so the baseline reads the files a thousand per call into one table.
READ_JSON_FILES_PER_CALL = 1000
DUCKDB_MEMORY_LIMIT = "4GB"
SNAPSHOT_BASE_URL = "http://snapshot.bench.invalid"


# --- landing + load vs DuckDB's reader -----------------------------------------------------


def _snapshot_adapter(snapshot: Any) -> Any:
    """A requests transport that answers from a loaded snapshot, as the mirror would.

    The extract code runs unchanged (conditional GET, size cap, body checks, sha256,
    parse, land); only the socket is left out, so what is timed is landing, not HTTP.
    """
    import requests
    from requests.adapters import BaseAdapter
    from requests.structures import CaseInsensitiveDict

    class SnapshotAdapter(BaseAdapter):
        def send(self, request, **kwargs):  # noqa: ANN001, ANN003, ANN201 (requests API)
            path, _, query = request.url.partition("://")[2].partition("/")[2].partition("?")
            entry = snapshot.lookup("/" + path, query)
            response = requests.Response()
            response.request, response.url = request, request.url
            if entry is None:
                response.status_code, body, headers = 404, b"{}", {}
            else:
                headers = {"ETag": entry.etag, "Last-Modified": entry.last_modified,
                           "Content-Type": entry.content_type}
                if request.headers.get("If-None-Match") == entry.etag:
                    response.status_code, body = 304, b""
                else:
                    response.status_code, body = 200, entry.body
            response.headers = CaseInsensitiveDict({**headers, "Content-Length": str(len(body))})
            response.raw = io.BytesIO(body)
            return response

        def close(self) -> None:
            pass

    return SnapshotAdapter()


def _tidy_from_json_sql(files_param: str = "$files") -> str:
    """DuckDB alone: the statpop answers read with read_json and unpivoted into the landed
    rows (area, period, sex, age, population)."""
    return f"""
        with answers as (
            select * from read_json({files_param}, format = 'array')
        ),
        long as (
            unpivot answers on columns('^lsAge[0-9]+$') into name age_field value population
        )
        select
            case when cast(lsageTT as varchar) not in ('0', '')
                 then cast(lsageRcode as varchar) || lpad(cast(lsageTT as varchar), 2, '0')
                 else cast(lsageRcode as varchar) end as area_code,
            last_day(make_date(1957 + cast(cast(lsageYYMM as varchar)[1:2] as integer),
                               cast(cast(lsageYYMM as varchar)[3:4] as integer), 1)) as period,
            case cast(lsageSex as varchar) when '1' then 'male' else 'female' end as sex,
            cast(substr(age_field, 6) as smallint) as age,
            cast(population as bigint) as population
        from long
    """


def landing_load(snapshot_dir: Path, data_dir: Path, periods: Sequence[str]) -> dict[str, Any]:
    """Rows per second of extract-to-Parquet plus load, against DuckDB's ``read_json``."""
    import duckdb

    from devtools.mirror import Snapshot
    from extract.http import client as http_client
    from warehouse import refresh
    from warehouse.targets.duckdb.load import load_raw

    os.environ["DOPA_BASE_URL"] = SNAPSHOT_BASE_URL
    snapshot = Snapshot([snapshot_dir])
    adapter = _snapshot_adapter(snapshot)
    make_session = http_client.make_session

    def session(*args: Any, **kwargs: Any) -> Any:
        made = make_session(*args, **kwargs)
        made.mount("http://", adapter)  # the socket left out
        return made

    # The project's extract step as the DAG's tasks run it: one batch (source x period)
    # at a time, its requests a few in flight, the batch landed as one file.
    refresh.make_session = session
    batches = refresh.plan({"sources": list(BENCH_SOURCES), "periods": list(periods)})
    slices = [s for b in batches for s in b["slices"]]
    workers = min(int(os.environ.get("SMARTCITY_HTTP_CONCURRENCY", 4)), 4)
    started = time.perf_counter()
    outcomes = [o for batch in batches for o in refresh.extract(batch, data_dir)]
    landing_s = time.perf_counter() - started
    statuses = sorted({o["status"] for o in outcomes})
    bytes_in = sum(o.get("bytes") or 0 for o in outcomes)

    # The fetch log and change check that follow extraction in the DAG, when it has them.
    started = time.perf_counter()
    if hasattr(refresh, "record"):
        refresh.record("bench_landing", [outcomes], data_dir)
    record_s = time.perf_counter() - started

    build = data_dir / "build" / "bench_load.duckdb"
    started = time.perf_counter()
    counts = load_raw(build, data_dir)
    load_s = time.perf_counter() - started
    rows = sum(counts.get(source_id, 0) for source_id in BENCH_SOURCES)

    # The same bytes (the snapshot files whose sha256 the landing recorded), read by DuckDB
    # alone into the same tidy rows.
    index = json.loads((snapshot_dir / "index.json").read_text(encoding="utf-8"))
    file_of = {item["sha256"]: item["file"] for item in index["entries"]}
    files = sorted(str(snapshot_dir / file_of[o["sha256"]]) for o in outcomes)
    baseline_db = data_dir / "build" / "bench_read_json.duckdb"
    baseline_db.unlink(missing_ok=True)
    with duckdb.connect(str(baseline_db)) as con:
        con.execute(f"set memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
        started = time.perf_counter()
        for start in range(0, len(files), READ_JSON_FILES_PER_CALL):
            batch = files[start : start + READ_JSON_FILES_PER_CALL]
            verb = "create table population as" if start == 0 else "insert into population"
            con.execute(f"{verb} {_tidy_from_json_sql()}", {"files": batch})
        duckdb_s = time.perf_counter() - started
        duckdb_rows = con.execute("select count(*) from population").fetchall()[0][0]
        threads = con.execute("select current_setting('threads')").fetchall()[0][0]
        # The landed rows and DuckDB's rows hold the same figures.
        con.execute(f"attach '{build}' as landed (read_only)")
        same = con.execute(f"""
            select (select sum(population) from population)
                 = ({' + '.join(f"(select coalesce(sum(population), 0) from landed.raw.{s})"
                               for s in BENCH_SOURCES)})
        """).fetchall()[0][0]
    total_s = landing_s + record_s + load_s
    return {
        "slices": len(slices),
        "batches": len(batches),
        "landed_files": sum(1 for _ in (data_dir / "raw").rglob("*.parquet")),
        "statuses": statuses,
        "bytes": bytes_in,
        "rows": rows,
        "landing_s": landing_s,
        "record_s": record_s,
        "load_s": load_s,
        "landing_load_s": total_s,
        "landing_load_rows_per_s": rows / total_s if total_s else None,
        "extract_workers": workers,
        "duckdb_read_json_s": duckdb_s,
        "duckdb_rows": duckdb_rows,
        "duckdb_rows_per_s": duckdb_rows / duckdb_s if duckdb_s else None,
        "duckdb_files_per_call": READ_JSON_FILES_PER_CALL,
        "duckdb_threads": int(threads),
        "same_population_sum": bool(same),
        "ratio_landing_load_to_duckdb": total_s / duckdb_s if duckdb_s else None,
    }


# --- the parts of a refresh, bare -------------------------------------------------------


def _dbt_cli(build: Path) -> float:
    project = Path(os.environ["SMARTCITY_DBT_PROJECT_DIR"])
    target = build.with_suffix(".dbt")
    env = {**os.environ, "SMARTCITY_BUILD_PATH": str(build)}
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "build", "--project-dir", str(project),
         "--profiles-dir", str(project), "--target", "duckdb",
         "--target-path", str(target / "target"), "--log-path", str(target / "logs"),
         "--no-use-colors", "--quiet"],
        env=env, check=True, stdout=subprocess.DEVNULL, timeout=7200,
    )
    return time.perf_counter() - started


def bare(data_dir: Path, periods: Sequence[str], sources: Sequence[str] = BENCH_SOURCES,
         run_id: str = "bench_bare") -> dict[str, Any]:
    """The steps of a refresh run one after another without Airflow.

    extract (the same batches and threads as the DAG's tasks) -> raw load -> one
    ``dbt build`` from the command line -> the GX quality gate -> publish. Each step's
    import cost is inside its time, as it is inside the DAG's task.
    """
    parts: dict[str, float | None] = {}
    conf = {"sources": list(sources), "periods": list(periods)}

    started = time.perf_counter()
    from warehouse import refresh

    batches = [refresh.extract(batch, data_dir) for batch in refresh.plan(conf)]
    outcomes = [o for batch in batches for o in batch]
    if hasattr(refresh, "record"):  # the fetch log, when the pipeline keeps one
        refresh.record(run_id, batches, data_dir)
    parts["extract_s"] = time.perf_counter() - started

    started = time.perf_counter()
    from warehouse.paths import build_path
    from warehouse.targets.duckdb.load import load_raw

    build = build_path(run_id, data_dir)
    counts = load_raw(build, data_dir, fetch_log=outcomes)
    parts["load_s"] = time.perf_counter() - started

    parts["dbt_build_cli_s"] = _dbt_cli(build)

    mart_rows = _mart_rows(build)
    started = time.perf_counter()
    from expectations.gate import run_quality_gate

    requested = sorted({(o["province"], o["period"]) for o in outcomes
                        if o["source_id"] in BENCH_SOURCES})
    gate = run_quality_gate(build, run_id=run_id, requested=requested, no_data=[],
                            previous_release=None, docs_dir=data_dir / "docs")
    parts["gx_gate_s"] = time.perf_counter() - started

    started = time.perf_counter()
    note = None
    try:
        from warehouse.state import BuildResult, GatedBuild, LoadResult

        load = LoadResult(run_id=run_id, target="duckdb", build_key=build.stem,
                          build_path=str(build), location=str(build),
                          dbt_dir=str(build.with_suffix(".dbt")), raw_rows=counts,
                          requested=requested, no_data=[])
        gated = GatedBuild(BuildResult(load, {"bare": True}), gate.as_dict())
        refresh.publish(gated.to_dict(), data_dir)
        parts["publish_s"] = time.perf_counter() - started
    except Exception as exc:  # the publish step's interface is not the benchmark's concern
        parts["publish_s"] = None
        note = f"publish not timed: {exc.__class__.__name__}: {exc}"[:300]
    return {
        **parts,
        "raw_rows": sum(counts.get(s, 0) for s in sources),
        "raw_rows_by_source": {s: counts.get(s, 0) for s in sources},
        "statuses": sorted({o["status"] for o in outcomes}),
        "slices": len(outcomes),
        "gate_point": {"release": "bare build", "rows": sum(mart_rows.values()),
                       "rows_by_mart": mart_rows, "seconds": parts["gx_gate_s"],
                       "s_per_million_rows": parts["gx_gate_s"] / sum(mart_rows.values()) * 1e6},
        "issue_parts_s": parts["load_s"] + parts["dbt_build_cli_s"] + parts["gx_gate_s"],
        "all_parts_s": sum(v for v in parts.values() if v is not None),
        "note": note,
    }


# --- GX seconds per million rows --------------------------------------------------------

def _mart_rows(build: Path) -> dict[str, int]:
    """Rows of the tables the quality gate validates (its suites' specs), as built."""
    import duckdb

    from expectations.suites import MART_SPECS

    with duckdb.connect(str(build), read_only=True) as con:
        present = {f"{r[0]}.{r[1]}" for r in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}
        return {spec.table: con.execute(f"select count(*) from {spec.table}").fetchall()[0][0]
                for spec in MART_SPECS if spec.table in present}



def gate_scaling(releases: Sequence[Path], work: Path) -> dict[str, Any]:
    """``run_quality_gate`` on writable copies of releases of growing size."""
    import duckdb

    from expectations.gate import run_quality_gate  # imported before any timing

    work.mkdir(parents=True, exist_ok=True)
    runs = []
    for n, release in enumerate(releases):
        build = work / f"gate_{n}.duckdb"
        shutil.copyfile(release, build)
        rows = _mart_rows(build)
        with duckdb.connect(str(build), read_only=True) as con:
            requested = con.execute(
                "select distinct area_code, strftime(period, '%Y-%m') from marts.mart_area_ageing "
                "where area_code <> 'TH'"
            ).fetchall()
        started = time.perf_counter()
        run_quality_gate(build, run_id=f"bench_gate_{n}", requested=requested, no_data=[],
                         previous_release=None, docs_dir=work / f"docs_{n}")
        seconds = time.perf_counter() - started
        total = sum(rows.values())
        runs.append({"release": release.name, "rows": total, "rows_by_mart": rows,
                     "seconds": seconds, "s_per_million_rows": seconds / total * 1e6})
        build.unlink(missing_ok=True)
    result: dict[str, Any] = {"runs": runs}
    if len(runs) >= 2 and runs[-1]["rows"] > runs[0]["rows"]:
        result["marginal_s_per_million_rows"] = (
            (runs[-1]["seconds"] - runs[0]["seconds"]) / (runs[-1]["rows"] - runs[0]["rows"]) * 1e6
        )
    return result


# --- analyst queries --------------------------------------------------------------------

QUERIES = {
    # one area's profile: every indicator of the area at the latest period, with its name
    "area_profile": """
        select d.name_en, d.area_level, i.dimension, i.indicator_code, i.value, i.unit,
               i.is_modelled, i.quality_status
        from marts.mart_area_indicators i
        join marts.dim_area d using (area_code)
        where i.area_code = $area and i.period = $period
        order by i.dimension, i.indicator_code
    """,
    # the same area's age pyramid (the largest mart)
    "area_age_pyramid": """
        select sex, age, population
        from marts.fct_population_by_age
        where area_code = $area and period = $period
        order by sex, age
    """,
    # all provinces ranked on one indicator
    "province_ranking": """
        select d.name_en, i.value, rank() over (order by i.value desc) as rank
        from marts.mart_area_indicators i
        join marts.dim_area d using (area_code)
        where d.area_level = 'province' and i.indicator_code = $indicator and i.period = $period
        order by i.value desc
    """,
    # one area over the last ten years
    "ten_year_trend": """
        select period, population_total, share_60_plus, old_age_dependency_ratio, ageing_stage
        from marts.mart_area_ageing
        where area_code = $area and period > $period - interval 10 year
        order by period
    """,
}


def queries(warehouse: Path, repeats: int = 200) -> dict[str, Any]:
    """Median and p95 latency of analyst queries on a read-only connection."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(str(warehouse), read_only=True)
    connect_s = time.perf_counter() - started
    try:
        latest = con.execute("select max(period) from marts.mart_area_ageing").fetchall()[0][0]
        areas = [r[0] for r in con.execute(
            "select distinct area_code from marts.mart_area_ageing where period = $p "
            "and area_code <> 'TH' order by hash(area_code) limit 500", {"p": latest}).fetchall()]
        indicators = [r[0] for r in con.execute(
            "select distinct indicator_code from marts.mart_area_indicators order by 1").fetchall()]
        periods = con.execute(
            "select count(distinct period) from marts.mart_area_ageing").fetchall()[0][0]
        result: dict[str, Any] = {"connect_ms": connect_s * 1000, "periods_in_marts": periods,
                                  "latest_period": str(latest)}
        for name, sql in QUERIES.items():
            timings, rows = [], 0
            for n in range(repeats):
                params = {"period": latest}
                if "$area" in sql:
                    params["area"] = areas[n % len(areas)]
                if "$indicator" in sql:
                    params["indicator"] = indicators[n % len(indicators)]
                started = time.perf_counter()
                rows = len(con.execute(sql, params).fetchall())
                timings.append(time.perf_counter() - started)
            result[name] = {**latency_summary(timings), "rows_last": rows}
        return result
    finally:
        con.close()


# --- command line -----------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="stage", required=True)
    one = sub.add_parser("landing-load")
    one.add_argument("--snapshot", type=Path, required=True)
    one.add_argument("--data", type=Path, required=True)
    one.add_argument("--periods", nargs="+", required=True)
    two = sub.add_parser("bare")
    two.add_argument("--data", type=Path, required=True)
    two.add_argument("--periods", nargs="+", required=True)
    two.add_argument("--sources", nargs="+", default=list(BENCH_SOURCES))
    three = sub.add_parser("gate")
    three.add_argument("--release", type=Path, action="append", required=True)
    three.add_argument("--work", type=Path, required=True)
    four = sub.add_parser("queries")
    four.add_argument("--warehouse", type=Path, required=True)
    four.add_argument("--repeats", type=int, default=200)
    for p in (one, two, three, four):
        p.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.stage == "landing-load":
        result = landing_load(args.snapshot, args.data, args.periods)
    elif args.stage == "bare":
        result = bare(args.data, args.periods, args.sources)
    elif args.stage == "gate":
        result = gate_scaling(args.release, args.work)
    else:
        result = queries(args.warehouse, args.repeats)
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
