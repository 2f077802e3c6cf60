"""Sources not checked against a real file say so, and a live run names them first."""

from __future__ import annotations

import subprocess
import sys

import yaml

from extract.catalogue import CATALOGUE_PATH, load_catalogue, unverified_sources
from tests.conftest import REPO


def test_unverified_entries_carry_a_reason_and_default_to_verified():
    catalogue = load_catalogue()
    assert {s.id for s in unverified_sources()} == {
        "electricity_sales", "rtddi_road_deaths", "nso_household_income", "diw_industrial_waste"
    }
    for source in catalogue.values():
        assert source.verified or source.verified_note, source.id
    raw = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))["sources"]
    assert "verified" not in raw["dopa_population"] and catalogue["dopa_population"].verified


def test_the_cli_names_the_unverified_sources_of_a_run_configuration():
    def run(conf: str) -> str:
        return subprocess.run([sys.executable, "-m", "warehouse.cli", "unverified", conf], cwd=REPO,
                              capture_output=True, text=True, check=True).stdout

    out = run('{"sources": ["electricity_sales", "dlt_vehicles_by_fuel"]}')
    assert "Unverified sources in this run (1)" in out and "electricity_sales: PEA and MEA" in out
    assert "dlt_vehicles_by_fuel" not in out
    assert "Every source of this run is verified" in run('{"sources": ["dlt_new_registrations"]}')
    assert "(4)" in run("{}")
    script = (REPO / "scripts" / "run_refresh.sh").read_text(encoding="utf-8")
    live = script[script.index("\nelse\n"):script.index("\nfi\n", script.index("\nelse\n"))]
    assert "warehouse.cli unverified" in live  # named before the run starts
