"""Sources dopa_households (statpop 193 then 194 per office) and dopa_vital_events
(action 191): parsers, the province_offices slicing, the bundled snapshot, and one
province-year landed from a mirror that serves only that province and year."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from devtools.mirror import Mirror
from devtools.snapshots import build_dopa_house_snapshot as builder
from extract import landing
from extract.errors import NoDataYet, ParseError, RunConfigError
from extract.parsers import dopa_house, dopa_vital_events
from extract.run_config import plan_slices
from tests.conftest import parse_context

SNAPSHOT = builder.OUT_DIR


def body(rows: list[dict]) -> bytes:
    return json.dumps(rows).encode()


def house_row(
    aa: int, tt: int, rcode: str, male: int, female: int, households: int, **extra
) -> dict:
    return {"lscc": 91, "lsaa": aa, "lstt": tt, "lsmm": 0, "lsrcode": rcode, "lsmmDesc": "",
            "lssumtotMale": male, "lssumtotFemale": female, "lssumtotPop": male + female,
            "lssumtotHouse": households + 5, "lssumnotTermDate": households, "lssumtermDate": 5,
            **extra}  # fmt: skip


def satun_2020_parts() -> dict[str, bytes]:
    index = json.loads((SNAPSHOT / "index.json").read_text(encoding="utf-8"))
    parts = {}
    for entry in index["entries"]:
        q = entry["query"]
        if q["yymmBegin"] == "6312" and q["cc"] == "91" and q["API"].endswith("statpop/list"):
            name = "offices" if q["action"] == "193" else f"rcode={q['rcode']}"
            parts[name] = (SNAPSHOT / entry["file"]).read_bytes()
    return parts


# ---------------------------------------------------------------- parsers


def test_satun_2020_offices_and_subdistricts_hold_the_yearly_figures() -> None:
    ctx = parse_context("dopa_households", "2020-12", province="91")
    parts = satun_2020_parts()
    assert dopa_house.offices(parts["offices"], ctx) == [
        "9101", "9102", "9103", "9104", "9105", "9106", "9107",
        "9193", "9194", "9195", "9196", "9197", "9198", "9199",
    ]  # fmt: skip
    table = dopa_house.parse_parts(parts, ctx).to_pylist()
    offices = [r for r in table if r["row_kind"] == "office"]
    subdistricts = [r for r in table if r["row_kind"] == "subdistrict"]
    # Satun at 31 Dec 2020 in DOPA2020.xml: 325,295 persons.
    data = builder.read(2020)
    expected = data.totals["91"]
    for measure, column in (("total", "population_total"), ("male", "population_male"),
                            ("female", "population_female"), ("households", "households")):  # fmt: skip
        assert sum(r[column] for r in offices) == expected[measure]
    assert sum(r["population_total"] for r in subdistricts) == expected["total"]
    # Che Bilang (910108): non-municipal part by the district office 9101, municipal
    # part by Thesaban Tambon Che Bilang (9198): two rows, summed in staging.
    rows = {r["registration_office"]: r for r in subdistricts if r["area_code"] == "910108"}
    assert set(rows) == {"9101", "9198"}
    assert (
        sum(r["population_total"] for r in rows.values())
        == data.offices["9101"]["910108"]["total"] + data.offices["9198"]["910108"]["total"]
    )
    assert all(r["district_code"] == r["area_code"][:4] for r in subdistricts)


def test_rows_with_no_population_are_skipped_and_households_are_not_term_date() -> None:
    ctx = parse_context("dopa_households", "2021-12", province="91")
    listing = body([house_row(1, 0, "9101", 10, 12, 7), house_row(2, 0, "9102", 0, 0, 0)])
    assert dopa_house.offices(listing, ctx) == ["9101"]
    table = dopa_house.parse_parts(
        {"offices": listing, "rcode=9101": body([house_row(1, 1, "9101", 10, 12, 7),
                                                 house_row(1, 2, "9101", 0, 0, 0)])},
        ctx,
    ).to_pylist()  # fmt: skip
    assert [(r["row_kind"], r["area_code"], r["households"], r["houses_total"]) for r in table] == [
        ("office", "9101", 7, 12),
        ("subdistrict", "910101", 7, 12),
    ]


def test_codes_and_counts_may_be_strings() -> None:
    ctx = parse_context("dopa_households", "2021-12", province="91")
    row = {k: str(v) for k, v in house_row(1, 3, "9101", 4, 5, 2).items()}
    listing = body([{**row, "lstt": "0"}])
    table = dopa_house.parse_parts({"offices": listing, "rcode=9101": body([row])}, ctx)
    assert table.column("area_code").to_pylist() == ["9101", "910103"]


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (house_row(1, 1, "9101", 10, 12, 7, lssumtotPop=21), "lssumtotPop"),
        (house_row(1, 1, "9101", 10, 12, 7, lscc=90), "lscc"),
        (house_row(1, 1, "9101", 10, 12, 7, lsrcode="9102"), "lsrcode"),
        (house_row(1, 0, "9101", 10, 12, 7), "lstt"),
        (house_row(1, 1, "9101", 10, 12, 7, lssumtotMale=-1, lssumtotPop=11), "lssumtotMale"),
        (house_row(1, 1, "9101", 10, 12, 70, lssumtotHouse=3), "lssumnotTermDate"),
    ],
)
def test_bad_rows_raise_parse_error_naming_field_and_row(row: dict, field: str) -> None:
    ctx = parse_context("dopa_households", "2021-12", province="91")
    listing = body([house_row(1, 0, "9101", 10, 12, 7)])
    with pytest.raises(ParseError) as caught:
        dopa_house.parse_parts({"offices": listing, "rcode=9101": body([row])}, ctx)
    assert caught.value.field == field
    assert caught.value.row == "rcode=9101[0]"
    assert "dopa_households" in str(caught.value)


def test_an_office_listed_but_not_answered_is_a_parse_error() -> None:
    ctx = parse_context("dopa_households", "2021-12", province="91")
    listing = body([house_row(1, 0, "9101", 10, 12, 7), house_row(2, 0, "9102", 1, 1, 1)])
    with pytest.raises(ParseError, match="9102"):
        dopa_house.parse_parts({"offices": listing, "rcode=9101": body([])}, ctx)


def test_empty_office_list_is_no_data_yet() -> None:
    with pytest.raises(NoDataYet):
        dopa_house.offices(b"[]", parse_context("dopa_households", "2021-12", province="91"))


def vital(rows_by_event: dict[str, list[tuple[int, int]]]) -> dict[str, bytes]:
    parts = {}
    for event, rows in rows_by_event.items():
        fields = dopa_vital_events.EVENTS[event]
        parts[event] = body([{fields[0]: m, fields[1]: f, fields[2]: m + f} for m, f in rows])
    return parts


def test_vital_event_rows_are_summed() -> None:
    ctx = parse_context("dopa_vital_events", "2019-12", province="91")
    table = dopa_vital_events.parse_parts(
        vital({"births": [(100, 90), (5, 6)], "deaths": [(30, 20)], "moves_in": [(7, 8)],
               "moves_out": [(9, 10), (1, 1)]}), ctx,
    ).to_pylist()  # fmt: skip
    got = {r["event"]: (r["male"], r["female"], r["total"], r["source_rows"]) for r in table}
    assert got == {"births": (105, 96, 201, 2), "deaths": (30, 20, 50, 1),
                   "moves_in": (7, 8, 15, 1), "moves_out": (10, 11, 21, 2)}  # fmt: skip
    assert {r["area_code"] for r in table} == {"91"}


def test_vital_event_total_must_be_male_plus_female() -> None:
    ctx = parse_context("dopa_vital_events", "2019-12", province="91")
    parts = vital(
        {"births": [(1, 1)], "deaths": [(1, 1)], "moves_in": [(1, 1)], "moves_out": [(1, 1)]}
    )
    parts["deaths"] = body([{"lssumtotMale": 1, "lssumtotFemale": 1, "lssumtotTot": 3}])
    with pytest.raises(ParseError) as caught:
        dopa_vital_events.parse_parts(parts, ctx)
    assert (caught.value.field, caught.value.row) == ("lssumtotTot", "deaths[0]")


def test_vital_events_all_empty_is_no_data_yet() -> None:
    ctx = parse_context("dopa_vital_events", "2019-12", province="91")
    with pytest.raises(NoDataYet):
        dopa_vital_events.parse_parts({e: b"[]" for e in dopa_vital_events.EVENTS}, ctx)


# ---------------------------------------------------------------- snapshot


def test_snapshot_is_current_and_labelled_real_reconstructed() -> None:
    assert builder.main(["--check"]) == 0
    index = json.loads((SNAPSHOT / "index.json").read_text(encoding="utf-8"))
    assert index["label"] == "real figures, reconstructed wire shape"
    assert not index["is_modelled"]
    assert {e["label"] for e in index["entries"]} == {"real figures, reconstructed wire shape"}
    assert not any(e["is_modelled"] for e in index["entries"])
    years = {(e["query"]["action"], e["query"]["yymmBegin"]) for e in index["entries"]}
    assert ("191", "6312") not in years  # 2020 vital events: a bad vintage, left out
    assert {("191", "6012"), ("191", "6112"), ("193", "6312"), ("194", "6012")} <= years


@pytest.mark.parametrize("year", builder.HOUSE_YEARS)
def test_snapshot_offices_add_up_to_the_country(year: int) -> None:
    national = {2017: 66_188_503, 2018: 66_413_979, 2020: 66_186_727}[year]
    index = json.loads((SNAPSHOT / "index.json").read_text(encoding="utf-8"))
    total = 0
    for entry in index["entries"]:
        q = entry["query"]
        if q["action"] == "193" and q["yymmBegin"] == builder.yy(year):
            total += sum(
                r["lssumtotPop"] for r in json.loads((SNAPSHOT / entry["file"]).read_bytes())
            )
    assert total == national


# ---------------------------------------------------------------- slicing


def test_run_configuration_of_the_issue_is_one_province_slice() -> None:
    slices = plan_slices(
        {"sources": ["dopa_households"], "provinces": ["83"], "periods": ["2021-12"]}
    )
    assert [(s.source_id, s.province, s.period, s.key) for s in slices] == [
        ("dopa_households", "83", "2021-12", "cc=83")
    ]
    with pytest.raises(RunConfigError):
        plan_slices({"sources": ["dopa_households"], "provinces": ["99"]})


def one_province_snapshot(tmp_path: Path) -> Path:
    """Phuket's 2020 answers re-served as 2021 (yymm 6412): a year the project never saw."""
    index = json.loads((SNAPSHOT / "index.json").read_text(encoding="utf-8"))
    folder = tmp_path / "dopa_phuket"
    folder.mkdir()
    entries = []
    for entry in index["entries"]:
        q = entry["query"]
        if q["yymmBegin"] == "6312" and q["cc"] == "83" and q["action"] in ("193", "194"):
            content = (SNAPSHOT / entry["file"]).read_bytes()
            name = Path(entry["file"]).name
            (folder / name).write_bytes(content)
            entries.append({**entry, "file": name, "query": {**q, "yymmBegin": "6412", "yymmEnd": "6412"},
                            "sha256": hashlib.sha256(content).hexdigest()})  # fmt: skip
    (folder / "index.json").write_text(json.dumps({"publisher": "dopa", "entries": entries}))
    return folder


def test_the_issue_configuration_lands_the_province_and_nothing_else(
    tmp_path, data_dir, monkeypatch
) -> None:
    from warehouse import refresh

    folder = one_province_snapshot(tmp_path)
    expected = builder.read(2020)
    phuket_offices = sorted(o for o in expected.offices if o[:2] == "83")
    with Mirror([folder]) as mirror:
        monkeypatch.setenv("DOPA_BASE_URL", mirror.base_url)
        batches = refresh.plan(
            {"sources": ["dopa_households"], "provinces": ["83"], "periods": ["2021-12"]}
        )
        outcomes = [o for batch in batches for o in refresh.extract(batch, data_dir)]
        seen = mirror.requests()
    assert [o["status"] for o in outcomes] == ["downloaded"]
    actions = [r for r in seen]
    assert len(actions) == 1 + len(phuket_offices)
    assert all(r.get("status") == 200 for r in seen if "status" in r)
    landed = sorted(
        p.relative_to(data_dir).as_posix() for p in (data_dir / "raw").rglob("*") if p.is_file()
    )
    manifest = landing.read_answer(data_dir, "dopa_households", "2021-12", "cc=83")
    assert landed == ["raw/dopa_households/2021-12/_batch_manifest.json",
                      f"raw/dopa_households/2021-12/{manifest['parquet']}"]  # fmt: skip
    table = pq.read_table(manifest["_file"]).to_pylist()
    offices = {r["area_code"] for r in table if r["row_kind"] == "office"}
    assert sorted(offices) == phuket_offices
    assert (
        sum(r["population_total"] for r in table if r["row_kind"] == "subdistrict")
        == expected.totals["83"]["total"]
    )
    assert len(manifest["requests"]) == 1 + len(phuket_offices)
    assert manifest["is_modelled"] is False
