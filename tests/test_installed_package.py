"""The package as the image installs it: a wheel, installed non-editable, run from elsewhere.

The wheel is built from a copy of the project, holds only the product packages (no
mirror, snapshot, recorded response or builder), and is installed with the locked
dependencies into a fresh virtual environment outside the repository. From a directory
outside the repository, with copies of ``dags/`` and ``dbt_project/`` beside it as the
Dockerfile places them, ``airflow dags test`` refreshes one small slice against the
loopback mirror (run here, from the repository's devtools) and publishes a release.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from devtools.mirror import Mirror
from extract.catalogue import base_url_variables
from tests.conftest import REPO

pytestmark = pytest.mark.slow

CONF = {"sources": ["dopa_population_thai"], "provinces": ["91"]}
COPY_IGNORED = shutil.ignore_patterns(
    ".git", ".venv", ".tools", "airflow_home", "data", "build", "dist", "*.egg-info",
    "__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache", "target", "logs", "dbt_packages",
)
PRODUCT_PACKAGES = {"extract", "warehouse", "expectations", "smartcity"}


def _uv() -> str:
    found = shutil.which("uv") or str(REPO / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        pytest.skip("uv is not installed (make setup installs it)")
    return found


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=900, **kwargs)
    assert result.returncode == 0, f"{args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(root, venv python, wheel path): the wheel installed in a venv outside the repo."""
    uv = _uv()
    root = tmp_path_factory.mktemp("installed")
    assert REPO not in root.parents
    source = root / "source"
    shutil.copytree(REPO, source, ignore=COPY_IGNORED)
    _run([uv, "build", "--wheel", "--out-dir", str(root / "dist"), str(source)])
    (wheel,) = (root / "dist").glob("*.whl")
    requirements = root / "requirements.txt"
    _run([uv, "export", "--project", str(source), "--frozen", "--no-dev", "--no-emit-project",
          "--format", "requirements.txt", "--output-file", str(requirements), "--quiet"])
    venv = root / "venv"
    _run([uv, "venv", "--python", sys.executable, str(venv)])
    python = venv / "bin" / "python"
    _run([uv, "pip", "install", "--python", str(python), "--requirement", str(requirements)])
    _run([uv, "pip", "install", "--python", str(python), "--no-deps", str(wheel)])
    return root, python, wheel


def test_wheel_holds_the_product_packages_only(installed):
    _, _, wheel = installed
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/", 1)[0] for name in names if not name.split("/", 1)[0].endswith(".dist-info")}
    assert top == PRODUCT_PACKAGES
    assert not [n for n in names if "devtools" in n or "mirror" in n or "snapshots/" in n]
    assert not [n for n in names if Path(n).name.startswith("build_") or n.endswith(".json")]
    assert "extract/sources.yml" in names
    assert {"extract/reference/dopa_registration_offices.csv",
            "extract/reference/province_name_variants.csv",
            "extract/reference/target_areas.yml"} <= set(names)


def test_refresh_from_the_installed_package_publishes_a_release(installed):
    root, python, _ = installed
    work = root / "work"  # the image's /opt/airflow: dags/ and dbt_project/ beside the data
    work.mkdir()
    shutil.copytree(REPO / "dags", work / "dags", ignore=COPY_IGNORED)
    shutil.copytree(REPO / "dbt_project", work / "dbt_project", ignore=COPY_IGNORED)
    home = work / "airflow_home"
    home.mkdir()
    shutil.copy2(Path(os.environ["AIRFLOW_HOME"]) / "airflow.db", home / "airflow.db")
    data_dir = work / "data"
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "VIRTUAL_ENV"} and not k.startswith(("SMARTCITY_", "AIRFLOW"))}
    env.update({
        "PATH": f"{python.parent}{os.pathsep}{env.get('PATH', '')}",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGS_FOLDER": str(work / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "SMARTCITY_DATA_DIR": str(data_dir),
        "SMARTCITY_DBT_PROJECT_DIR": str(work / "dbt_project"),
        "SMARTCITY_HTTP_RETRIES": "1",
        "SMARTCITY_HTTP_BACKOFF": "0.05",
    })
    where = _run([str(python), "-c", "import extract, warehouse, expectations; "
                  "print(extract.__file__, warehouse.__file__, expectations.__file__)"],
                 cwd=work, env=env).stdout.split()
    assert all(Path(p).is_relative_to(root / "venv") for p in where), where
    assert subprocess.run([str(python), "-c", "import devtools"], cwd=work, env=env,
                          capture_output=True).returncode != 0

    with Mirror() as mirror:
        labels = mirror.write_modelled_bodies(work / "modelled_bodies.json")
        env["SMARTCITY_MODELLED_BODIES"] = str(labels)
        env.update(dict.fromkeys(base_url_variables(), mirror.base_url))
        run = subprocess.run(
            [str(python.parent / "airflow"), "dags", "test", "smartcity_refresh", "-c", json.dumps(CONF)],
            cwd=work, env=env, capture_output=True, text=True, timeout=900,
        )
        served = mirror.requests()
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert any(r["params"].get("cc") == "91" for r in served)
    with duckdb.connect(str(data_dir / "planning.duckdb"), read_only=True) as con:
        releases = con.execute("select code_version, sources from meta.releases").fetchall()
        rows = con.execute(
            "select count(*), sum(population), bool_or(is_modelled) from raw.dopa_population_thai"
        ).fetchall()[0]
    assert len(releases) == 1 and releases[0][0].startswith("0.1.0+")
    assert json.loads(releases[0][1])["dopa_population_thai"]["vintages"] == ["2026-09"]
    assert rows == (204, 322_634, False)  # the real Satun answer, Thai nationals
