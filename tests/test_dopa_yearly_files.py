"""DOPA's own yearly files: stat_c / stat_a (real, bundled) and the single-age files
<yymm>cc<cc>.txt (real excerpt: Bangkok, khet Phra Nakhon and its 12 khwaeng), parsed,
mapped to DOPA codes through the reference geography, and the age file end to end over
loopback into mart_area_ageing; in the same live run, the house API of a province and
year the project never saw, into fct_population_households.

The age file served end to end is the real excerpt with one change, said here: the
excerpt holds 1 of Bangkok's 50 khet, so its province line (all of Bangkok) would not be
the sum of its districts and the parser refuses it (tested below); the served file's
province line is the khet's line under the province's name. Every other line is verbatim.
"""

from __future__ import annotations

import hashlib
import json

import duckdb
import pytest

from devtools.mirror import Mirror
from devtools.snapshots import build_dopa_house_snapshot as house_builder
from devtools.snapshots import build_dopa_stat_snapshot as stat_builder
from extract.errors import ParseError
from extract.parsers import dopa_age_yearly, dopa_stat_yearly
from tests.conftest import FIXTURES, parse_context
from tests.test_end_to_end import expected_ageing
from tests.test_households_extract import one_province_snapshot
from warehouse import refresh

EXCERPT = FIXTURES / "real" / "dopa_age_6812cc10_excerpt.txt"
PHRA_NAKHON = FIXTURES / "real" / "dopa_subdistricts_phra_nakhon.csv"
AGE_CONF = {"sources": ["dopa_age_yearly"], "provinces": ["10"], "periods": ["2025-12"]}
HOUSE_CONF = {"sources": ["dopa_households"], "provinces": ["83"], "periods": ["2021-12"]}
HOUSE_MEASURES = {"population_total": "total", "population_male": "male",
                  "population_female": "female", "households": "households"}  # fmt: skip


def stat(name: str, period: str, feed: str):
    body = (stat_builder.DEFAULT_REAL_DIR / name).read_bytes()
    return dopa_stat_yearly.parse_table(body, parse_context("dopa_stat_yearly", period, feed=feed)).to_pylist()


def age_lines() -> list[str]:
    return EXCERPT.read_text(encoding="utf-8").splitlines()


def served_age_file() -> bytes:
    lines = age_lines()
    khet = lines[1].split("|")
    return ("\n".join(["|".join(["กรุงเทพมหานคร", *khet[1:]]), *lines[1:]]) + "\n").encode()


def parse_age(body: bytes):
    return dopa_age_yearly.parse_table(body, parse_context("dopa_age_yearly", "2025-12", province="10")).to_pylist()


@pytest.fixture
def phra_nakhon(monkeypatch):
    monkeypatch.setenv("SMARTCITY_SUBDISTRICTS_PATH", str(PHRA_NAKHON))


def test_stat_c67_provinces_and_households():
    rows = stat("dopa_stat_c67.txt", "2024-12", "c")
    country = next(r for r in rows if r["area_code"] == "TH")
    assert (country["total"], country["households"]) == (65_951_210, 29_128_519)
    assert len([r for r in rows if r["area_kind"] == "province"]) == 77
    bangkok = next(r for r in rows if r["area_code"] == "10")
    assert (bangkok["male"], bangkok["female"], bangkok["households"]) == (2_544_400, 2_910_620, 3_304_462)


def test_stat_a68_every_registration_office():
    rows = stat("dopa_stat_a68.txt", "2025-12", "a")
    assert len(rows) == 2540
    country = next(r for r in rows if r["area_code"] == "TH")
    assert country["total"] == 65_809_011
    kinds = {}
    for r in rows:
        kinds[r["office_kind"]] = kinds.get(r["office_kind"], 0) + 1
    assert kinds == {None: 78, "district_office": 875, "municipal_office": 1536, "bangkok_khet": 50, "pattaya": 1}
    phra_nakhon = next(r for r in rows if r["area_code"] == "1001")
    assert (phra_nakhon["total"], phra_nakhon["households"]) == (38_408, 18_848)


def test_stat_file_checks_name_the_line():
    body = (stat_builder.DEFAULT_REAL_DIR / "dopa_stat_c67.txt").read_bytes().replace(b"|2544400|", b"|2544401|", 1)
    with pytest.raises(ParseError, match=r"field 'total' in row line 2: is not male \+ female"):
        dopa_stat_yearly.parse_table(body, parse_context("dopa_stat_yearly", "2024-12", feed="c"))
    with pytest.raises(ParseError, match=r"field 'yymm' in row line 1: is not the file's year-end \(6812\)"):
        stat("dopa_stat_c67.txt", "2025-12", "c")


def test_age_file_lines_map_to_codes_through_the_reference(phra_nakhon):
    rows = parse_age(served_age_file())
    codes = {(r["area_level"], r["area_code"]) for r in rows}
    assert codes == {("province", "10"), ("district", "1001"), *(("subdistrict", f"1001{n:02d}") for n in range(1, 13))}
    assert {r["area_name_raw"] for r in rows if r["area_level"] == "district"} == {"เขตพระนคร"}  # trailing space gone
    ages = [r for r in rows if r["measure"] == "age"]
    assert {r["population_scope"] for r in ages} == {"thai_nationals"} and len(ages) == 14 * 204
    extra = {(r["measure"], r["sex"]): r["population"] for r in rows if r["area_code"] == "1001" and r["measure"] != "age"}
    assert extra[("total", "total")] == 38_408 and extra[("other_nationality", "male")] == 388
    district = sum(r["population"] for r in ages if r["area_code"] == "1001")
    subdistricts = sum(r["population"] for r in ages if r["area_level"] == "subdistrict")
    assert district == subdistricts == 38_408 - 436 - 644 - 4  # total minus the extra fields


def test_without_a_sub_district_reference_the_lines_are_kept_uncoded(monkeypatch, tmp_path):
    monkeypatch.setenv("SMARTCITY_SUBDISTRICTS_PATH", str(tmp_path / "none.csv"))
    rows = parse_age(served_age_file())
    assert {r["area_code"] for r in rows if r["area_level"] == "subdistrict"} == {None}
    assert {r["area_code"] for r in rows if r["area_level"] == "district"} == {"1001"}  # ref_districts seed


def test_the_verbatim_excerpt_is_refused_its_province_is_not_its_one_khet(phra_nakhon):
    with pytest.raises(ParseError, match=r"field 'male age 0' in row line 1: is not the sum of its districts \(52\)"):
        parse_age(EXCERPT.read_bytes())


def test_male_total_rule_and_names_are_checked_on_every_line(phra_nakhon):
    lines = served_age_file().decode().splitlines()
    fields = lines[3].split("|")
    fields[1] = str(int(fields[1]) + 1)  # one more boy aged 0 in a khwaeng, totals unchanged
    broken = "\n".join([*lines[:3], "|".join(fields), *lines[4:]]).encode()
    with pytest.raises(ParseError, match=r"field 'male total' in row line 4: is not the male ages"):
        parse_age(broken)
    renamed = "\n".join([*lines[:3], lines[3].replace("แขวง", "หมู่บ้าน", 1), *lines[4:]]).encode()
    with pytest.raises(ParseError, match=r"in row line 4: is not a province, district .* or sub-district"):
        parse_age(renamed)


@pytest.fixture(scope="module")
def age_release(tmp_path_factory):
    """One live run into an empty data directory: the age file of Bangkok (2025-12) and,
    beside it, Phuket's house-API answers (test_households_extract: its real figures of
    31 Dec 2020 re-served as 2021-12, a year the project never saw), one build."""
    folder = tmp_path_factory.mktemp("dopa_site")
    body = served_age_file()
    (folder / "6812cc10.txt").write_bytes(body)
    (folder / "index.json").write_text(json.dumps({
        "format": 1, "publisher": "dopa_age", "entries": [{
            "path": "/new_stat/file/6812/6812cc10.txt", "query": {}, "file": "6812cc10.txt",
            "sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body),
            "content_type": "text/plain; charset=utf-8", "last_modified": "Sun, 01 Feb 2026 00:00:00 GMT",
            "is_modelled": False}]}), encoding="utf-8")
    phuket = one_province_snapshot(tmp_path_factory.mktemp("dopa_house"))
    data_dir = tmp_path_factory.mktemp("empty_data")
    with Mirror([folder, phuket]) as mirror, pytest.MonkeyPatch.context() as patch:
        patch.setenv("DOPA_BASE_URL", mirror.base_url)
        patch.setenv("SMARTCITY_DATA_DIR", str(data_dir))
        patch.setenv("SMARTCITY_SUBDISTRICTS_PATH", str(PHRA_NAKHON))
        patch.setenv("SMARTCITY_HTTP_RETRIES", "0")
        batches = [*refresh.plan(AGE_CONF), *refresh.plan(HOUSE_CONF)]
        outcomes = [refresh.extract(batch, data_dir) for batch in batches]
        refresh.record("manual__age", outcomes, data_dir)
        release = refresh.publish(refresh.gate(refresh.build(refresh.load("manual__age", data_dir)), data_dir), data_dir)
    with duckdb.connect(release["path"], read_only=True) as con:
        yield con


def ages_of(line: str) -> dict[str, list[int]]:
    values = [int(v) for v in line.split("|")[1:205]]
    return {"1": values[0::2], "2": values[1::2]}


@pytest.mark.slow
def test_district_ageing_row_is_the_formulas_on_the_files_single_ages(age_release):
    expected = expected_ageing(ages_of(age_lines()[1]))
    row = age_release.execute(
        "select * from marts.mart_area_ageing where area_code = '1001' and period = date '2025-12-31'").fetchdf()
    assert len(row) == 1
    got = row.iloc[0].to_dict()
    for column, value in expected.items():
        assert got[column] == (pytest.approx(value) if isinstance(value, float) else value), column
    assert got["population_scope"] == "thai_nationals"


@pytest.mark.slow
def test_the_district_is_the_sum_of_its_sub_districts_in_the_build(age_release):
    fct = age_release.execute("""
        select sum(population) from marts.fct_population_by_age
        where area_code = '1001' and period = date '2025-12-31'""").fetchone()[0]
    khwaeng = sum(sum(v) for line in age_lines()[2:] for v in ages_of(line).values())
    assert fct == khwaeng == 37_324


@pytest.mark.slow
def test_every_sub_district_ageing_row_is_the_formulas_on_its_line(age_release):
    """Each khwaeng of the file is its own mart_area_ageing row (a sub-district of
    dim_area, found by its Thai name), and the khet's counts are the sums of its khwaeng's."""
    rows = {
        r["name_th"]: r
        for r in age_release.execute("""
            select a.*, d.name_th from marts.mart_area_ageing a
            join marts.dim_area d on d.area_code = a.area_code and d.area_level = 'subdistrict'
            where a.period = date '2025-12-31'""").fetchdf().to_dict("records")
    }  # fmt: skip
    lines = {line.split("|")[0].strip().removeprefix("แขวง"): line for line in age_lines()[2:]}
    assert len(lines) == 12 and set(rows) == set(lines)
    for name, line in lines.items():
        got = rows[name]
        for column, value in expected_ageing(ages_of(line)).items():
            assert got[column] == (pytest.approx(value) if isinstance(value, float) else value), (name, column)
        assert got["population_scope"] == "thai_nationals"
    district = age_release.execute(
        "select * from marts.mart_area_ageing where area_code = '1001' and period = date '2025-12-31'"
    ).fetchdf().iloc[0]
    for column in ("population_total", "population_male", "population_female", "pop_0_14", "pop_15_64",
                   "pop_60_plus", "pop_65_plus", "pop_80_plus"):  # fmt: skip
        assert district[column] == sum(r[column] for r in rows.values()), column


def expected_phuket_levels() -> dict[tuple[str, str], dict[str, int]]:
    """Phuket's figures in DOPA's 2020 yearly file, at every level the mart holds."""
    year = house_builder.read(2020)
    expected: dict[tuple[str, str], dict[str, int]] = {}

    def add(key, figures):
        current = expected.setdefault(key, dict.fromkeys(HOUSE_MEASURES.values(), 0))
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
            level = "province" if len(code) == 2 else "district"
            expected[(level, code)] = {m: figures[m] for m in HOUSE_MEASURES.values()}
    return expected


@pytest.mark.slow
def test_every_level_of_an_unseen_household_year_holds_dopas_figures(age_release):
    """The issue's live run of dopa_households: every sub-district, district, municipality
    and the province hold exactly DOPA's figures by sex and households."""
    rows = age_release.execute(
        "select * from marts.fct_population_households where period = date '2021-12-31'"
    ).fetchdf().to_dict("records")
    published = {(r["area_level"], r["area_code"]): r for r in rows}
    expected = expected_phuket_levels()
    levels = {level for level, _ in expected}
    assert levels == {"province", "district", "subdistrict", "municipality"}
    found = {key: row for key, row in published.items() if key[0] in levels}
    assert sorted(found) == sorted(expected)
    for key, figures in expected.items():
        row = found[key]
        assert {m: row[m] for m in HOUSE_MEASURES} == {m: figures[f] for m, f in HOUSE_MEASURES.items()}, key
        assert not row["is_modelled"], key
    assert published[("country", "TH")]["quality_status"] == "partial_coverage"  # one province of 77
