"""Progress lines of a long run, the storage-version and outputs settings, pruning of
outputs: fast unit tests (no Airflow, no dbt)."""

from __future__ import annotations

import io
import logging

import duckdb
import pytest

from smartcity import settings
from warehouse import outputs, paths, progress
from warehouse.targets.duckdb.load import load_raw


def test_a_bar_logs_stage_done_of_total_and_elapsed(caplog):
    with caplog.at_level(logging.INFO, logger="smartcity.progress"):
        assert list(progress.track(range(7), "extract dopa_population 2020-12", 7)) == list(range(7))
    last = caplog.records[-1].getMessage()
    assert last.startswith("extract dopa_population 2020-12: 100%") and "7/7 [" in last
    assert progress.METER.search(last)["n"] == "7"


def test_watch_copies_the_log_and_sums_batches_into_the_run_total(tmp_path):
    lines = [
        "2026-12-01T00:00:00Z [info] run plan: 5 slices in 2 batches [smartcity.progress]\n",
        "[info] extract a 2020-12:  50%|#####     | 1/2 [00:00<00:00, 9.1slice/s] [smartcity.progress]\n",
        "[info] extract a 2020-12: 100%|##########| 2/2 [00:00<00:00, 9.1slice/s] [smartcity.progress]\n",
        "something else\n",
        "[info] extract b 2021-06: 100%|##########| 3/3 [00:01<00:00, 3.0slice/s] [smartcity.progress]\n",
        "[info] dbt build: 100%|##########| 40/40 [00:30<00:00, 1.3node/s] [smartcity.progress]\n",
    ]
    out = io.StringIO()
    progress.watch(iter(lines), tmp_path / "run.log", out=out)
    assert (tmp_path / "run.log").read_text(encoding="utf-8") == "".join(lines)
    drawn = out.getvalue()
    assert "extract: 100%" in drawn and "5/5" in drawn and "dbt build" in drawn and "40/40" in drawn


def test_storage_version_setting(monkeypatch):
    monkeypatch.delenv("SMARTCITY_DUCKDB_STORAGE_VERSION", raising=False)
    assert settings.duckdb_storage_version() == "v1.4.0"
    monkeypatch.setenv("SMARTCITY_DUCKDB_STORAGE_VERSION", "v1.5.0")
    assert settings.duckdb_storage_version() == "v1.5.0"


def test_load_creates_the_build_file_in_the_configured_storage_version(data_dir, monkeypatch):
    monkeypatch.delenv("SMARTCITY_DUCKDB_STORAGE_VERSION", raising=False)
    from warehouse import fetch_log

    build = paths.build_path("storage_run", data_dir)
    fetch_log.log_dir(data_dir).mkdir(parents=True)
    with duckdb.connect() as con:  # a fetch log of no run: load builds its view over the files
        con.execute(f"copy (select 'none' as run_id) to '{fetch_log.log_dir(data_dir) / 'x.parquet'}'")
    load_raw(build, data_dir)
    with duckdb.connect(str(build)) as con:  # reopened for writing, as dbt and publish do
        con.execute("create table meta.later as select 1 as x")
    with duckdb.connect(str(build), read_only=True) as con:
        tags = con.execute(
            "select tags['storage_version'] from duckdb_databases() where database_name = ?",
            [build.stem],
        ).fetchall()
    assert tags[0][0].startswith("v1.4.0")


def test_outputs_setting(monkeypatch):
    monkeypatch.setenv("SMARTCITY_OUTPUTS", "")
    assert settings.outputs() == ("exports", "site", "dbt_docs")
    monkeypatch.setenv("SMARTCITY_OUTPUTS", "none")
    assert settings.outputs() == ()
    monkeypatch.setenv("SMARTCITY_OUTPUTS", "site, exports")
    assert settings.outputs() == ("site", "exports")
    monkeypatch.setenv("SMARTCITY_OUTPUTS", "pdf")
    with pytest.raises(ValueError, match="pdf"):
        settings.outputs()


def test_outputs_of_pruned_releases_are_removed(data_dir):
    (data_dir / "releases").mkdir()
    (data_dir / "releases" / "r2.duckdb").write_bytes(b"")
    for base in ("exports", "site"):
        for name in ("r1", "r2", ".r3.tmp"):
            (data_dir / base / name).mkdir(parents=True)
        (data_dir / base / "latest").symlink_to("r2")
    removed = outputs.prune_outputs(data_dir)
    assert sorted(p.name for p in removed) == [".r3.tmp", ".r3.tmp", "r1", "r1"]
    for base in ("exports", "site"):
        assert sorted(p.name for p in (data_dir / base).iterdir()) == ["latest", "r2"]
