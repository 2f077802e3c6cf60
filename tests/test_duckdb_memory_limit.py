"""DuckDB's memory limit for the pipeline's writers: one default, overridable."""

from __future__ import annotations

import duckdb
import yaml

from smartcity import settings as paths
from tests.conftest import REPO


def test_load_and_dbt_share_one_default_and_the_environment_overrides_it(monkeypatch):
    profile = yaml.safe_load((REPO / "dbt_project" / "profiles.yml").read_text(encoding="utf-8"))
    setting = profile["smartcity"]["outputs"]["duckdb"]["settings"]["memory_limit"]
    assert setting == (
        "{{ env_var('SMARTCITY_DUCKDB_MEMORY_LIMIT', '"
        + paths.DEFAULT_DUCKDB_MEMORY_LIMIT
        + "') }}"
    )
    monkeypatch.delenv("SMARTCITY_DUCKDB_MEMORY_LIMIT", raising=False)
    assert paths.duckdb_memory_limit() == paths.DEFAULT_DUCKDB_MEMORY_LIMIT
    monkeypatch.setenv("SMARTCITY_DUCKDB_MEMORY_LIMIT", "512MB")
    assert paths.duckdb_memory_limit() == "512MB"
    with duckdb.connect() as con:  # the value is one DuckDB accepts
        con.execute("set memory_limit = $limit", {"limit": paths.duckdb_memory_limit()})
        shown = con.execute("select current_setting('memory_limit')").fetchall()[0][0]
        assert shown == "488.2 MiB"  # 512 MB
