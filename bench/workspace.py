"""A throw-away copy of the project in which a benchmark runs the real pipeline.

The benchmark does not patch the code it measures. It copies the packages (``extract``,
``warehouse``, ``expectations``, ``smartcity``, ``dags``, ``dbt_project``, ``bench``,
``devtools``) into a
temporary folder and changes only the catalogue there (``extract/sources.yml``), so the synthetic
areas are what the pipeline plans, fetches and lands:

- ``dopa_population`` keeps its real URL template (statpop action 23, all
  nationalities); only its default provinces and periods become the generated ones;
- ``dopa_population_thai`` becomes the generated lower level, Thai nationals, in the
  real URL shape of statpop action 24 (district: ``cc`` + ``rcode``) or 25 (sub-district:
  ``cc`` + ``rcode`` + ``tt``). The catalogue fills URL templates only with a slice's
  area code and period, so the template takes ``cc`` and ``rcode`` from the leading
  digits of the code (``{province:.2}``, ``{province:.4}``);
- the province-level sources the generator wrote answers for (vehicles, electricity:
  ``bench.province_series``) are kept as they are and requested for the same periods;
- every other catalogue entry is kept as is and not requested, so its raw table exists
  (empty) for the dbt project.

At sub-district scale the copy of the dbt project changes in two more places, because
the project's geography stops at districts: the reference seed ``ref_districts.csv``
also lists the synthetic sub-district codes (named "Synthetic sub-district <code>"), so
``dim_area`` and the quality gate's "area_code in dim_area" check know them; and every
dbt data test is set to severity ``warn`` (``data_tests: +severity: warn``), since tests
written for the district geography (928 districts, 4-digit codes) fail on them. Every
test still runs (its cost is measured) and the warnings are reported with the results.

Subprocesses run with ``PYTHONPATH`` set to the copy, their own Airflow home (a fresh
metadata database with the ``warehouse_writer`` pool) and their own data directories.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from devtools.snapshots import modelled_bodies

REPO = Path(__file__).resolve().parents[1]
PACKAGES = (
    "extract",
    "warehouse",
    "expectations",
    "smartcity",
    "dags",
    "dbt_project",
    "bench",
    "devtools",
)
IGNORED = shutil.ignore_patterns(
    "__pycache__", "*.pyc", "target", "logs", "dbt_packages", ".user.yml", "results"
)
BIN = Path(sys.executable).parent
PROVINCE_SOURCE = "dopa_population"
LOWER_LEVEL_SOURCE = "dopa_population_thai"
BENCH_SOURCES = (PROVINCE_SOURCE, LOWER_LEVEL_SOURCE)
STATPOP = "/stat/statnew/connectSAPI/stat_forward.php?API=/api/statpophouse/v1/statpop/list?"
LOWER_LEVEL_TEMPLATES = {
    "district": STATPOP + "action=24&yymm={yymm}&nat=99&popst=99&cc={province:.2}&rcode={province}",
    "subdistrict": STATPOP
    + "action=25&yymm={yymm}&nat=99&popst=99&cc={province:.2}&rcode={province:.4}"
    + "&tt={province[4]}{province[5]}",
}


@dataclasses.dataclass
class Workspace:
    root: Path
    summary: dict[str, Any]  # of the generated snapshot (bench.scale_generator)

    @property
    def code(self) -> Path:
        return self.root / "code"

    @property
    def snapshot(self) -> Path:
        return self.root / "snapshot"

    @property
    def airflow_home(self) -> Path:
        return self.root / "airflow_home"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def modelled_bodies(self) -> Path:
        """The provenance labels of the generated answers (all modelled), as landing reads them."""
        return self.root / "modelled_bodies.json"

    def data_dir(self, name: str) -> Path:
        path = self.root / "runs" / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def env(self, *, data_dir: Path | None = None, base_url: str | None = None) -> dict[str, str]:
        """The environment of a pipeline subprocess in this workspace."""
        env = {
            **os.environ,
            "PYTHONPATH": str(self.code),
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "AIRFLOW_HOME": str(self.airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.code / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": "4",
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
            "SMARTCITY_DBT_PROJECT_DIR": str(self.code / "dbt_project"),
            "SMARTCITY_MODELLED_BODIES": str(self.modelled_bodies),
            "GX_ANALYTICS_ENABLED": "False",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        }
        if data_dir is not None:
            env["SMARTCITY_DATA_DIR"] = str(data_dir)
        if base_url is not None:  # every publisher is the mirror
            for variable in self.base_url_variables:
                env[variable] = base_url
        return env

    @property
    def base_url_variables(self) -> list[str]:
        catalogue = yaml.safe_load((self.code / "extract" / "sources.yml").read_text("utf-8"))
        return sorted({p["base_url_env"] for p in catalogue["publishers"].values()})

    @property
    def snapshot_dirs(self) -> list[Path]:
        return [self.snapshot / name for name in self.summary["folders"]]

    @property
    def sources(self) -> list[str]:
        """Every catalogue source with generated answers (the refresh asks for these)."""
        return [
            *BENCH_SOURCES,
            *self.summary.get("province_sources", []),
            *self.summary.get("household_sources", []),
        ]

    def conf(self, periods: list[str]) -> dict[str, Any]:
        """The run configuration of a refresh over the generated data of ``periods``."""
        return {"sources": self.sources, "periods": list(periods)}


def bench_catalogue(real: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:
    """The real catalogue with the two DOPA sources pointed at the generated areas."""
    catalogue = yaml.safe_load(yaml.safe_dump(real))  # a deep copy
    sources = catalogue["sources"]
    for source_id in BENCH_SOURCES:
        if source_id not in sources:
            raise KeyError(f"the catalogue has no {source_id!r}: the benchmark needs it")
    periods = list(summary["periods"])
    province = sources[PROVINCE_SOURCE]
    province.update(default_provinces=list(summary["province_codes"]), default_periods=periods)
    lower = sources[LOWER_LEVEL_SOURCE]
    level = summary["level"]
    lower.update(
        title=f"BENCHMARK ONLY: synthetic Thai nationals per {level} (statpop "
        f"action {'24' if level == 'district' else '25'} shape), bench/scale_generator.py",
        url_template=LOWER_LEVEL_TEMPLATES[level],
        population_scope="thai_nationals",
        default_provinces=list(summary["area_codes"]),
        default_periods=periods,
    )
    for source_id in BENCH_SOURCES:
        sources[source_id]["max_bytes"] = max(int(sources[source_id].get("max_bytes", 0)), 2_000_000)
    for source_id in summary.get("household_sources", []):  # the provinces generated
        sources[source_id].update(default_provinces=list(summary["province_codes"]),
                                  default_periods=periods)
    return catalogue


def warn_only_tests(dbt_dir: Path) -> None:
    """Make every dbt data test of the copy warn instead of fail (each still runs)."""
    path = dbt_dir / "dbt_project.yml"
    project = yaml.safe_load(path.read_text(encoding="utf-8"))
    tests = project.setdefault("data_tests", {}).setdefault(project["name"], {})
    tests["+severity"] = "warn"
    path.write_text(yaml.safe_dump(project, sort_keys=False, allow_unicode=True), encoding="utf-8")


def add_synthetic_subdistricts(dbt_dir: Path, area_codes: list[str]) -> int:
    """List the synthetic sub-district codes that are not real sub-district codes of
    ``ref_subdistricts`` in the copy's district seed (marked as synthetic by name), so
    ``dim_area`` knows every area code the marts hold and holds each once."""
    with (dbt_dir / "seeds" / "ref_subdistricts.csv").open(encoding="utf-8", newline="") as handle:
        real = {row["area_code"] for row in csv.DictReader(handle)}
    path = dbt_dir / "seeds" / "ref_districts.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = list(reader.fieldnames or []), list(reader)
    area_codes = [code for code in area_codes if code not in real]
    for code in area_codes:
        row = dict.fromkeys(columns, "")
        row.update(area_code=code, province_code=code[:2],
                   name_th=f"ตำบลสังเคราะห์ {code}", name_en=f"Synthetic sub-district {code}")
        rows.append({k: v for k, v in row.items() if k in columns})
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(area_codes)


def copy_code(dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for name in PACKAGES:
        shutil.copytree(REPO / name, dest / name, ignore=IGNORED, dirs_exist_ok=True)


def _airflow(ws: Workspace, *args: str) -> None:
    log = ws.logs / "airflow-setup.log"
    with log.open("ab") as handle:
        subprocess.run([str(BIN / "airflow"), *args], env=ws.env(), cwd=ws.code, check=True,
                       stdout=handle, stderr=subprocess.STDOUT, timeout=600)


def create(root: Path, summary: dict[str, Any], *, airflow: bool = True) -> Workspace:
    """Copy the code, write the bench catalogue and (optionally) an Airflow home."""
    ws = Workspace(Path(root), summary)
    ws.logs.mkdir(parents=True, exist_ok=True)
    copy_code(ws.code)
    modelled_bodies.write(ws.modelled_bodies, ws.snapshot_dirs)
    catalogue_path = ws.code / "extract" / "sources.yml"
    real = yaml.safe_load(catalogue_path.read_text(encoding="utf-8"))
    catalogue_path.write_text(
        "# BENCHMARK COPY: written by bench/workspace.py, not the project's catalogue.\n"
        + yaml.safe_dump(bench_catalogue(real, summary), sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    if summary["level"] == "subdistrict":
        add_synthetic_subdistricts(ws.code / "dbt_project", list(summary["area_codes"]))
        warn_only_tests(ws.code / "dbt_project")
    if airflow:
        ws.airflow_home.mkdir(parents=True, exist_ok=True)
        _airflow(ws, "db", "migrate")
        _airflow(ws, "pools", "set", "warehouse_writer", "1", "One writer of warehouse files")
    return ws
