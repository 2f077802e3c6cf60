"""Shared fixtures: real samples in the DOPA wire shape, and an isolated data directory."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The same Airflow settings as the Makefile, so `pytest` also works when run directly.
os.environ.setdefault("AIRFLOW_HOME", str(REPO / "airflow_home"))
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _WORKER:
    # `make test` runs the suite in parallel workers (pytest-xdist): each worker's
    # `airflow dags test` runs get their own copy of the migrated metadata database
    # (with the warehouse_writer pool), never one SQLite file shared by two writers.
    _base = Path(os.environ["AIRFLOW_HOME"])
    _home = _base / "workers" / _WORKER
    shutil.rmtree(_home, ignore_errors=True)
    _home.mkdir(parents=True)
    shutil.copy2(_base / "airflow.db", _home / "airflow.db")
    os.environ["AIRFLOW_HOME"] = str(_home)
    os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_home / 'airflow.db'}"
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO / "dags"))
if not os.environ.get("SMARTCITY_MODELLED_BODIES"):
    # What `make run` does: the bundled snapshot's modelled bodies are labelled by the
    # provenance-labels file landing reads (one per worker, beside its Airflow home).
    from devtools.snapshots import modelled_bodies

    _labels = Path(os.environ["AIRFLOW_HOME"]) / "modelled_bodies.json"
    os.environ["SMARTCITY_MODELLED_BODIES"] = str(modelled_bodies.write(_labels))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")

FIXTURES = Path(__file__).parent / "fixtures"
SATUN = FIXTURES / "real" / "dopa_statpop_satun_6909_thai.json"


def satun_wire(counts_by_sex: dict[str, list[int]] | None = None, *, as_strings: bool = False) -> list[dict]:
    """The real Satun Sep 2569 province figures in the statpop API's wire shape."""
    counts_by_sex = counts_by_sex or json.loads(SATUN.read_text(encoding="utf-8"))["prov_thai"]
    records = []
    for sex_code in ("1", "2"):
        ages = counts_by_sex[sex_code]
        record: dict = {"lsageSex": sex_code if as_strings else int(sex_code), "lsageYYMM": "6909",
                        "lsageRcode": "91" if as_strings else 91, "lageNat": 99}
        for age, n in enumerate(ages):
            record[f"lsAge{age}"] = str(n) if as_strings else n
        record["lsSumTotTot"] = str(sum(ages)) if as_strings else sum(ages)
        records.append(record)
    return records


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setenv("SMARTCITY_DATA_DIR", str(root))
    return root


def parse_context(source_id: str, period: str, *, province: str | None = None, office: str | None = None,
                  feed: str | None = None, resource=None, modelled: bool = False):
    """What a parser is given for one slice of a catalogue source (no HTTP involved)."""
    from extract.catalogue import load_catalogue
    from extract.parsers import ParseContext
    from extract.run_config import Slice

    source = load_catalogue()[source_id]
    slc = Slice(source_id, province, period, office=office, feed=feed if source.multi_feed else None)
    return ParseContext(source=source, feed=source.feed(slc.feed), slice=slc, sha256="0" * 64,
                        is_modelled=modelled, resource=resource)
