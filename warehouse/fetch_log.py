"""``meta.fetch_log``: every fetch attempt of every run, release or not.

Each run appends one Parquet file under ``log/fetch_log/`` (atomically), and every
release exposes them all as the view ``meta.fetch_log``, so a run that finds nothing
changed - and therefore publishes nothing - still shows why.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from extract.landing import atomic_write
from extract.status import FetchStatus
from warehouse.paths import run_key

STATUSES = tuple(FetchStatus)  # the values of meta.fetch_log.status
SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("source_id", pa.string()),
        ("province", pa.string()),
        ("period", pa.string()),
        ("slice_key", pa.string()),
        ("url", pa.string()),
        ("status", pa.string()),
        ("http_status", pa.int32()),
        ("bytes", pa.int64()),
        ("sha256", pa.string()),
        ("rows", pa.int64()),
        ("duration_s", pa.float64()),
        ("is_modelled", pa.bool_()),
        ("error", pa.string()),
        ("logged_at", pa.timestamp("s", tz="UTC")),
    ]
)


def log_dir(data_dir: Path) -> Path:
    return data_dir / "log" / "fetch_log"


def write(data_dir: Path, run_id: str, outcomes: list[dict[str, Any]]) -> Path:
    """Write this run's attempts (replacing an earlier attempt of the same run)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    rows = [
        {**{k: o.get(k) for k in SCHEMA.names}, "run_id": run_id, "logged_at": now}
        for o in outcomes
    ]
    path = log_dir(data_dir) / f"{run_key(run_id)}.parquet"
    atomic_write(path, lambda tmp: pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), tmp))
    return path


def read_run(data_dir: Path, run_id: str) -> list[dict[str, Any]]:
    path = log_dir(data_dir) / f"{run_key(run_id)}.parquet"
    return pq.read_table(path).to_pylist() if path.exists() else []


def create_view(con: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    """``meta.fetch_log`` over every run's log file (the path is fixed at build time)."""
    pattern = str(log_dir(data_dir).resolve() / "*.parquet").replace("'", "''")
    con.execute(f"create or replace view meta.fetch_log as select * from read_parquet('{pattern}')")
