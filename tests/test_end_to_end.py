"""One real `airflow dags test` run of smartcity_refresh on a small slice, over loopback.

The publisher is the snapshot mirror answering with a response this project has never
seen for that request (a recording served for `dopa_population`, province 91, Sep 2026),
into an empty data directory: the published ageing mart must hold exactly the counts and
formulas of DESIGN.md computed here from the raw ages.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from devtools.mirror import Fault, Mirror
from tests.conftest import REPO, satun_wire

pytestmark = pytest.mark.slow
CONF = {"sources": ["dopa_population"], "provinces": ["91"], "periods": ["2026-09"]}


def dags_test(conf: dict, data_dir: Path, base_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SMARTCITY_DATA_DIR": str(data_dir), "DOPA_BASE_URL": base_url,
           "SMARTCITY_HTTP_BACKOFF": "0.05", "SMARTCITY_HTTP_RETRIES": "1"}
    return subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), "dags", "test", "smartcity_refresh", "-c", json.dumps(conf)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )


def expected_ageing(ages_by_sex: dict[str, list[int]]) -> dict[str, float | int | str]:
    male, female = ages_by_sex["1"], ages_by_sex["2"]
    both = [m + f for m, f in zip(male, female, strict=True)]
    total = sum(both)
    band = lambda lo, hi: sum(both[lo:hi + 1])  # noqa: E731
    p0_14, p15_64, p60, p65, p80 = band(0, 14), band(15, 64), band(60, 101), band(65, 101), band(80, 101)
    share60 = p60 / total
    stage = "super_aged" if share60 >= 0.28 else "aged" if share60 >= 0.20 else "ageing" if share60 >= 0.10 else "not_ageing"
    return {
        "population_total": total, "population_male": sum(male), "population_female": sum(female),
        "pop_0_14": p0_14, "pop_15_64": p15_64, "pop_60_plus": p60, "pop_65_plus": p65, "pop_80_plus": p80,
        "share_60_plus": share60, "share_65_plus": p65 / total, "share_80_plus": p80 / total,
        "old_age_dependency_ratio": 100 * p65 / p15_64,
        "total_dependency_ratio": 100 * (p0_14 + p65) / p15_64,
        "ageing_index": 100 * p60 / p0_14, "sex_ratio": 100 * sum(male) / sum(female),
        "ageing_stage": stage,
    }


def test_dags_test_publishes_exact_ageing_for_an_unseen_response(tmp_path):
    recording = satun_wire(as_strings=True)
    data_dir = tmp_path / "data"
    with Mirror() as mirror:
        mirror.inject(Fault("body", body=json.dumps(recording, ensure_ascii=False), times=None,
                            params={"yymm": "6909", "nat": "999", "cc": "91"}))
        run = dags_test(CONF, data_dir, mirror.base_url)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    published = data_dir / "planning.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        row = con.execute("""
            select * exclude (area_code, period) from marts.mart_area_ageing
            where area_code = '91' and period = date '2026-09-30'
        """).df().iloc[0].to_dict()
        release = con.execute("select run_id, sources from meta.releases").fetchall()
        raw_rows = con.execute("select count(*) from raw.dopa_population").fetchall()[0][0]
    ages = {"1": [int(v) for k, v in recording[0].items() if k.startswith("lsAge")],
            "2": [int(v) for k, v in recording[1].items() if k.startswith("lsAge")]}
    for column, value in expected_ageing(ages).items():
        expected = value if isinstance(value, str) else pytest.approx(value, rel=1e-12)
        assert row[column] == expected, column
    assert row["population_total"] == 322_634
    assert not row["is_modelled"]  # a live-shaped answer with no modelled label is real
    assert row["population_scope"] == "all_nationalities"
    assert raw_rows == 204
    assert len(release) == 1 and json.loads(release[0][1])["dopa_population"]["vintages"] == ["2026-09"]
    assert (data_dir / "docs" / "index.html").exists()
    assert list((data_dir / "releases").glob("*.duckdb"))


def test_a_settled_batch_gets_no_extract_task_and_is_still_logged(tmp_path):
    """A no-change run maps only the batches it asks: the period older than the revision
    window (already landed) has no extract task, its answers are logged `settled`."""
    data_dir = tmp_path / "data"
    conf = {**CONF, "periods": ["2020-12", "2026-09"]}  # 2020-12: years behind the window
    with Mirror() as mirror:
        mirror.inject(Fault("body", body=json.dumps(satun_wire(), ensure_ascii=False), times=None,
                            params={"yymm": "6909", "nat": "999", "cc": "91"}))
        runs = [dags_test(conf, data_dir, mirror.base_url) for _ in range(2)]
        asked = mirror.requests()
    for run in runs:
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    extract_tasks = [
        re.findall(r"starting task_id=extract map_index=(\d+)", run.stdout + run.stderr) for run in runs
    ]
    assert [len(tasks) for tasks in extract_tasks] == [2, 1]
    assert [r["params"]["yymm"] for r in asked].count("6312") == 1  # 2020-12 asked once
    logs = {p.stem: pq.read_table(p).to_pylist() for p in (data_dir / "log" / "fetch_log").glob("*.parquet")}
    statuses = sorted(sorted((r["period"], r["status"]) for r in rows) for rows in logs.values())
    assert statuses == [
        [("2020-12", "downloaded"), ("2026-09", "downloaded")],
        [("2020-12", "settled"), ("2026-09", "unchanged")],  # same bytes again
    ]
