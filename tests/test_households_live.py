"""The issue's live run of ``dopa_households`` end to end: Phuket's real answers of
31 Dec 2020 re-served as 31 Dec 2021 (yymm 6412, a year the project never saw) on
loopback, into an empty data directory, through extract, load, dbt, the quality gate and
publish. Every sub-district, district, municipality and the province must hold exactly
DOPA's figures (by sex and households) of the yearly file the answers were built from.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from devtools.mirror import Mirror
from devtools.snapshots import build_dopa_house_snapshot as builder
from tests.test_households_extract import one_province_snapshot
from warehouse import refresh

pytestmark = pytest.mark.slow  # runs dbt and the gate

CONF = {"sources": ["dopa_households"], "provinces": ["83"], "periods": ["2021-12"]}
PERIOD = dt.date(2021, 12, 31)
MEASURES = {"population_total": "total", "population_male": "male",
            "population_female": "female", "households": "households"}  # fmt: skip


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    folder = one_province_snapshot(tmp_path_factory.mktemp("served"))
    data_dir = tmp_path_factory.mktemp("empty_data")
    with Mirror([folder]) as mirror, pytest.MonkeyPatch.context() as patch:
        patch.setenv("DOPA_BASE_URL", mirror.base_url)
        patch.setenv("SMARTCITY_DATA_DIR", str(data_dir))
        patch.setenv("SMARTCITY_HTTP_RETRIES", "0")
        outcomes = [refresh.extract(batch, data_dir) for batch in refresh.plan(CONF)]
        refresh.record("manual__households", outcomes, data_dir)
        loaded = refresh.load("manual__households", data_dir)
        release = refresh.publish(refresh.gate(refresh.build(loaded), data_dir), data_dir)
    with duckdb.connect(release["path"], read_only=True) as con:
        rows = con.execute(
            "select * from marts.fct_population_households where period = ?", [PERIOD]
        ).fetchdf()
    return {(r["area_level"], r["area_code"]): r for r in rows.to_dict("records")}


def expected_levels() -> dict[tuple[str, str], dict[str, int]]:
    """Phuket's figures in DOPA's 2020 yearly file, at every level the mart holds."""
    year = builder.read(2020)
    expected: dict[tuple[str, str], dict[str, int]] = {}

    def add(key, figures):
        current = expected.setdefault(key, dict.fromkeys(MEASURES.values(), 0))
        for measure in current:
            current[measure] += figures[measure]

    for office, subdistricts in year.offices.items():
        if office[:2] != "83":
            continue
        for code, figures in subdistricts.items():
            add(("subdistrict", code), figures)
            if office != code[:4]:  # a municipal registration office
                add(("municipality", office), figures)
    for code, figures in year.totals.items():
        if code[:2] == "83" and len(code) in (2, 4):
            expected[("province" if len(code) == 2 else "district", code)] = {
                m: figures[m] for m in MEASURES.values()
            }
    return expected


def test_every_level_of_phuket_holds_dopas_figures(published):
    expected = expected_levels()
    levels = {level for level, _ in expected}
    assert levels == {"province", "district", "subdistrict", "municipality"}
    found = {key: row for key, row in published.items() if key[0] in levels}
    assert sorted(found) == sorted(expected)
    for key, figures in expected.items():
        row = found[key]
        assert {m: row[m] for m in MEASURES} == {m: figures[f] for m, f in MEASURES.items()}, key
        assert not row["is_modelled"], key
    assert published[("country", "TH")]["quality_status"] == "partial_coverage"  # one province of 77
