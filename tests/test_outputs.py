"""What planners and their tools open, from one small published release (Satun and its
districts): a DuckDB 1.4 reader opens the file, the README's queries run as printed, the
exports and the site are there, and a headless Chromium draws the pages offline."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import openpyxl
import pytest

from devtools.mirror import Mirror
from warehouse import outputs, refresh

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
CONF = {
    "sources": ["dopa_population_thai", "dopa_population_district_thai"],
    "provinces": ["91"],
    "periods": ["2026-09"],
}
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """One release published with every output (exports, site, dbt docs)."""
    data_dir = tmp_path_factory.mktemp("data")
    saved = {k: os.environ.get(k) for k in ("SMARTCITY_DATA_DIR", "DOPA_BASE_URL", "SMARTCITY_OUTPUTS")}
    os.environ.update(SMARTCITY_DATA_DIR=str(data_dir), SMARTCITY_OUTPUTS="exports,site,dbt_docs")
    try:
        with Mirror() as mirror:
            os.environ["DOPA_BASE_URL"] = mirror.base_url
            batches = [refresh.extract(batch, data_dir) for batch in refresh.plan(CONF)]
        refresh.record("outputs_run", batches, data_dir)
        info = refresh.gate(refresh.build(refresh.load("outputs_run", data_dir)), data_dir)
        release = refresh.publish(info, data_dir)
        release["_gated"] = info
        yield data_dir, release
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _marts(path: Path) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()]


def _uv() -> str:
    found = shutil.which("uv") or str(REPO / ".tools" / "bin" / "uv")
    assert Path(found).exists(), "uv is needed (make setup installs it under .tools/ when missing)"
    return found


# -- 1. a DuckDB 1.x reader ------------------------------------------------------------------


def test_duckdb_1_4_reader_opens_the_release_and_every_mart(published, tmp_path):
    data_dir, release = published
    venv = tmp_path / "duckdb14"
    env = {**os.environ, "UV_PYTHON": sys.executable}
    env.pop("VIRTUAL_ENV", None)
    subprocess.run([_uv(), "venv", "-q", str(venv)], check=True, env=env)
    python = venv / "bin" / "python"
    subprocess.run([_uv(), "pip", "install", "-q", "--python", str(python), "duckdb==1.4.*"],
                   check=True, env=env)
    script = textwrap.dedent("""
        import json, sys, duckdb
        con = duckdb.connect(sys.argv[1], read_only=True)
        marts = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
        counts = {m: con.execute(f"select count(*) from marts.{m}").fetchall()[0][0] for m in marts}
        print(json.dumps({"version": duckdb.__version__, "counts": counts}))
    """)
    for path in (data_dir / "planning.duckdb", data_dir / "releases" / f"{release['release_id']}.duckdb"):
        result = subprocess.run([str(python), "-c", script, str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        answer = json.loads(result.stdout)
        assert answer["version"].startswith("1.4.")
        assert sorted(answer["counts"]) == _marts(path) and len(answer["counts"]) >= 4
        assert answer["counts"]["mart_area_ageing"] > 0 and answer["counts"]["dim_area"] > 900


# -- 2. the README's queries, as printed -------------------------------------------------------


def _readme_examples() -> tuple[list[str], list[str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Query it", 1)[1].split("\n## ", 1)[0]
    python = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    shell = []
    for block in re.findall(r"```(?:sh|bash|shell)\n(.*?)```", section, flags=re.S):
        shell += [c.strip() for c in re.split(r"\n(?=\S)", block) if c.strip() and not c.startswith("#")]
    return shell, python


def test_readme_examples_run_as_printed(published, tmp_path):
    data_dir, _ = published
    shell, python = _readme_examples()
    assert shell and python, "README's 'Query it' section lost its examples"
    # A checkout as the README assumes it: the virtual environment and data/ beside it.
    (tmp_path / ".venv").symlink_to(REPO / ".venv")
    (tmp_path / "data").symlink_to(data_dir)
    for command in shell:
        result = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True,
                                env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
        assert result.returncode == 0, f"{command}\n{result.stderr}"
        assert "91" in result.stdout or "Satun" in result.stdout, result.stdout
    for code in python:
        result = subprocess.run([".venv/bin/python", "-c", code], cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 0, f"{code}\n{result.stderr}"
        assert result.stdout.strip()


# -- 3. exports ------------------------------------------------------------------------------


def test_every_mart_is_exported_as_parquet_and_csv_with_bom(published):
    data_dir, release = published
    base = data_dir / "exports" / release["release_id"]
    assert (data_dir / "exports" / "latest").resolve() == base.resolve()
    marts = _marts(data_dir / "planning.duckdb")
    assert sorted(p.stem for p in (base / "parquet").glob("*.parquet")) == marts
    assert sorted(p.stem for p in (base / "csv").glob("*.csv")) == marts
    with duckdb.connect(str(data_dir / "planning.duckdb"), read_only=True) as con:
        for mart in marts:
            expected = con.execute(f"select count(*) from marts.{mart}").fetchall()[0][0]
            in_parquet = con.execute("select count(*) from read_parquet(?)", [str(base / "parquet" / f"{mart}.parquet")]).fetchall()[0][0]
            raw = (base / "csv" / f"{mart}.csv").read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf"), mart
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
            assert in_parquet == expected == len(rows) - 1, mart
    names = {r[0]: r for r in csv.reader(io.StringIO((base / "csv" / "dim_area.csv").read_text("utf-8-sig")))}
    assert "สตูล" in names["91"]


def test_one_workbook_per_province_with_thai_and_english_headers(published):
    data_dir, release = published
    base = data_dir / "exports" / "latest" / "workbooks"
    with duckdb.connect(str(data_dir / "planning.duckdb"), read_only=True) as con:
        provinces = {r[0] for r in con.execute("select area_code from marts.dim_area where area_level = 'province'").fetchall()}
        targets = {r[0] for r in con.execute("""
            select distinct target_area_code from marts.dim_target_area_members
        """).fetchall()} if "dim_target_area_members" in _marts(data_dir / "planning.duckdb") else set()
    files = {p.stem for p in base.glob("*.xlsx")}
    assert files == {f"province-{c}" for c in provinces} | {f"target_area-{c}" for c in targets}
    wb = openpyxl.load_workbook(base / "province-91.xlsx")
    assert {"profile", "indicators", "age_pyramid", "benchmarks", "provenance"} <= set(wb.sheetnames)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A3", ws.title
        thai, english = [c.value for c in ws[1]], [c.value for c in ws[2]]
        assert any(re.search("[\u0e00-\u0e7f]", str(v)) for v in thai), ws.title
        assert all(v and re.fullmatch(r"[\x20-\x7e]+", str(v)) for v in english), ws.title
    indicators = wb["indicators"]
    header = [c.value for c in indicators[2]]
    rows = list(indicators.iter_rows(min_row=3, values_only=True))
    assert rows and {"Source", "Source vintage", "Is modelled", "Quality status", "Unit"} <= set(header)
    values = [r[header.index("Value")] for r in rows]
    assert all(isinstance(v, int | float) for v in values if v is not None)
    population = next(r for r in rows if r[header.index("Indicator code")] == "population_total")
    assert population[header.index("Value")] == 322634  # Satun, Thai nationals, Sep 2569
    pyramid = list(wb["age_pyramid"].iter_rows(min_row=3, values_only=True))
    assert len(pyramid) == 102 and sum(r[4] for r in pyramid) == 322634
    provenance = list(wb["provenance"].iter_rows(min_row=3, values_only=True))
    assert {r[0] for r in provenance} == set(release["sources"])


# -- 4. the site -----------------------------------------------------------------------------


def test_site_has_an_index_and_a_page_per_area_with_dbt_docs(published):
    data_dir, release = published
    site = data_dir / "site" / "latest"
    assert site.resolve() == (data_dir / "site" / release["release_id"]).resolve()
    with duckdb.connect(str(data_dir / "planning.duckdb"), read_only=True) as con:
        areas = con.execute("""
            select area_level || '-' || area_code from marts.dim_area
            where area_level in ('country', 'province', 'district', 'target_area')
        """).fetchall()
    assert {p.stem for p in (site / "areas").glob("*.html")} == {a[0] for a in areas}
    page = (site / "areas" / "province-91.html").read_text(encoding="utf-8")
    for section in ("Age pyramid", "Trends", "seven dimensions", "Data quality"):
        assert section in page, section
    assert "Against its peers" not in page  # the only province of this release has no peers
    district = (site / "areas" / "district-9101.html").read_text(encoding="utf-8")
    assert "Against its peers" in district and "the districts of Satun" in district
    assert "สตูล" in page and "dopa_population_thai" in page and "thai_nationals" in page
    assert 'href="../dbt-docs/index.html"' in page
    docs = (site / "dbt-docs" / "index.html").read_text(encoding="utf-8")
    assert "mart_area_ageing" in docs and "area_profile_site" in docs  # models and exposures
    # Nothing is loaded from another machine: every src/href is relative or a fragment.
    for path in [site / "index.html", *sorted((site / "areas").glob("*.html"))[:50]]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["'](https?:)?//""", text), path.name


def test_failing_outputs_leave_the_release_published(published, monkeypatch):
    data_dir, release = published
    from warehouse.outputs import site

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(site, "build_site", broken)
    with pytest.raises(outputs.OutputsError, match="stays published"):
        outputs.write_release_outputs(data_dir, exports=False, site=True, dbt_docs=False)
    with duckdb.connect(str(data_dir / "planning.duckdb"), read_only=True) as con:
        assert con.execute("select release_id from meta.releases").fetchall()[-1][0] == release["release_id"]
    assert (data_dir / "site" / "latest" / "index.html").exists()  # the last good site stays


def test_a_retried_publish_rebuilds_only_the_outputs(published, monkeypatch):
    data_dir, release = published
    monkeypatch.setenv("SMARTCITY_OUTPUTS", "exports")
    before = sorted(p.name for p in (data_dir / "releases").iterdir())
    again = refresh.publish(release["_gated"], data_dir)  # the build file is gone: published
    assert again["release_id"] == release["release_id"]
    assert sorted(p.name for p in (data_dir / "releases").iterdir()) == before
    with duckdb.connect(str(data_dir / "planning.duckdb"), read_only=True) as con:
        (mapped,) = con.execute(
            "select count(distinct target_area_code) from marts.dim_target_area_members"
        ).fetchone()
    assert mapped == 11
    assert again["outputs"]["exports"]["workbooks"] == 77 + mapped  # provinces and mapped target areas


# -- 5. a real browser -----------------------------------------------------------------------


def test_pages_render_in_headless_chromium_offline(published, tmp_path):
    from playwright.sync_api import sync_playwright

    data_dir, _ = published
    assert Path(CHROMIUM).exists(), "Debian's chromium package is needed (.ci/run installs it)"
    fonts = subprocess.run(["fc-list", ":lang=th", "family"], capture_output=True, text=True).stdout
    assert fonts.strip(), "no Thai font installed (fonts-thai-tlwg)"
    site = (data_dir / "site" / "latest").resolve()
    pages = {"index": site / "index.html", "province-91": site / "areas" / "province-91.html",
             "district-9101": site / "areas" / "district-9101.html"}
    requests: list[str] = []
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a new, empty user-data-dir
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            viewport={"width": 1280, "height": 900},
        )
        context.on("request", lambda r: requests.append(r.url))
        page = context.new_page()
        page.goto(pages["index"].as_uri())
        page.fill("#search", "สตูล")
        visible = page.locator("#areas tbody tr:not([hidden])")
        assert visible.count() >= 1 and "Satun" in visible.first.inner_text()
        page.select_option("#level", "district")
        page.fill("#search", "ละงู")
        assert page.locator("#areas tbody tr:not([hidden])").count() == 1
        page.screenshot(path=str(tmp_path / "index.png"))
        for name in ("province-91", "district-9101"):
            page.goto(pages[name].as_uri())
            page.wait_for_selector(".chart .main-svg")
            charts = page.eval_on_selector_all(
                ".chart", "els => els.map(e => [e.id, e.querySelectorAll('svg.main-svg').length,"
                " Array.from(e.querySelectorAll('path.point, path.js-line, .barlayer path'))"
                "   .filter(p => (p.getAttribute('d') || '').length > 2).length,"
                " e.getBoundingClientRect().height])")
            assert charts, name
            for chart_id, svgs, marks, height in charts:
                assert svgs > 0 and marks > 0 and height > 100, (name, chart_id, svgs, marks, height)
            # Thai is drawn in a Thai font (shaped), not as boxes in a Latin fallback.
            cdp = context.new_cdp_session(page)
            cdp.send("DOM.enable")
            cdp.send("CSS.enable")
            root = cdp.send("DOM.getDocument")["root"]["nodeId"]
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
            used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            families = {f["familyName"] for f in used}
            assert families & set(fonts.replace(",", "\n").split()), (families, fonts)
            page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
        context.close()
    assert requests
    offsite = [u for u in requests if not re.match(r"(file:|data:|blob:|about:|https?://(127\.0\.0\.1|localhost)[:/])", u)]
    assert not offsite, offsite
    assert all((tmp_path / f"{n}.png").stat().st_size > 10_000 for n in pages)
