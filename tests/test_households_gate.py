"""The gate checks of the sub-district population, households and vital events
(expectations.households), and the bad 2020 vital-event vintage stopped end to end."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from devtools.snapshots import build_dopa_house_snapshot as builder
from expectations import households as gate

Y2020 = pd.Timestamp("2020-12-31")


def frame_of(year_data: builder.Year, provinces: tuple[str, ...]) -> pd.DataFrame:
    """fct_population_households rows for some provinces, as the marts compute them."""
    rows = []
    period = pd.Timestamp(f"{year_data.year}-12-31")

    def add(code: str, level: str, figures: dict[str, int]) -> None:
        rows.append({"area_code": code, "area_level": level, "period": period,
                     "population_male": figures["male"], "population_female": figures["female"],
                     "population_total": figures["total"], "households": figures["households"]})  # fmt: skip

    subdistricts: dict[str, dict[str, int]] = {}
    for office, subs in year_data.offices.items():
        if office[:2] not in provinces:
            continue
        for code, figures in subs.items():
            current = subdistricts.setdefault(code, dict.fromkeys(builder.MEASURES, 0))
            for m in builder.MEASURES:
                current[m] += figures[m]
    for code, figures in subdistricts.items():
        add(code, "subdistrict", figures)
    districts = {c[:4] for c in subdistricts}
    for district in districts:
        figures = {
            m: sum(f[m] for c, f in subdistricts.items() if c[:4] == district)
            for m in builder.MEASURES
        }
        figures["households"] += year_data.unallocated.get(district, 0)
        add(district, "district", figures)
    for province in provinces:
        add(province, "province", year_data.totals[province])
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def year_2020() -> builder.Year:
    return builder.read(2020)


def failures(outcomes) -> list:
    return [o for o in outcomes if not o.success]


def test_real_2020_levels_reconcile(year_2020) -> None:
    frame = frame_of(year_2020, ("91", "40", "72"))
    outcomes = gate.levels_reconcile(frame, None, None)
    assert outcomes and not failures(outcomes)


def test_a_subdistrict_that_does_not_add_up_names_area_period_measure_expected_found(
    year_2020,
) -> None:
    frame = frame_of(year_2020, ("91",))
    row = (frame["area_code"] == "910101").idxmax()
    frame.loc[row, ["population_male", "population_total"]] += 7
    bad = failures(gate.levels_reconcile(frame, None, None))
    district = bad[0]
    assert (district.area_code, district.period, district.columns) == (
        "9101",
        dt.date(2020, 12, 31),
        ("population_male",),
    )
    assert "expected" in district.observed and "found" in district.observed
    message = district.message()
    assert "area 9101" in message and "period 2020-12" in message and "population_male" in message
    # the district no longer matches its sub-districts; the province still matches its districts
    assert {(o.expectation, o.area_code) for o in bad} == {
        ("subdistricts_add_up_to_district", "9101"),
    }


def test_households_may_exceed_the_subdistricts_only_by_a_few(year_2020) -> None:
    frame = frame_of(year_2020, ("91",))
    district = (frame["area_code"] == "9101").idxmax()
    frame.loc[district, "households"] += 3  # houses with nobody registered: allowed
    assert not failures(gate.levels_reconcile(frame, None, None)[:1])
    frame.loc[district, "households"] += 5_000
    bad = failures(gate.levels_reconcile(frame, None, None))
    assert ("subdistricts_add_up_to_district", "9101", ("households",)) in {
        (o.expectation, o.area_code, o.columns) for o in bad
    }


def test_office_rows_must_equal_their_subdistrict_rows() -> None:
    rows = pd.DataFrame(
        [
            ("office", "9101", Y2020, 10, 12, 22, 9),
            ("subdistrict", "9101", Y2020, 6, 7, 13, 5),
            ("subdistrict", "9101", Y2020, 4, 4, 8, 4),
        ],
        columns=["row_kind", "registration_office", "period", *gate.MEASURES],
    )
    bad = failures(gate.offices_reconcile(rows))
    assert [(o.area_code, o.columns) for o in bad] == [
        ("9101", ("population_female",)),
        ("9101", ("population_total",)),
    ]
    assert "expected 11" in bad[0].observed and "found 12" in bad[0].observed


def test_target_areas_must_equal_the_sum_of_their_members(year_2020) -> None:
    frame = frame_of(year_2020, ("91",))
    members = pd.DataFrame({"target_area_code": ["SC99", "SC99"], "member_code": ["9101", "9102"],
                            "member_level": ["district", "district"]})  # fmt: skip
    two = frame[frame["area_code"].isin(["9101", "9102"])]
    target = {m: int(two[m].sum()) for m in gate.MEASURES}
    frame = pd.concat(
        [
            frame,
            pd.DataFrame(
                [{"area_code": "SC99", "area_level": "target_area", "period": Y2020, **target}]
            ),
        ]
    )
    assert not failures(gate.levels_reconcile(frame, None, members))
    frame.loc[frame["area_code"] == "SC99", "households"] += 1
    bad = failures(gate.levels_reconcile(frame, None, members))
    assert [(o.expectation, o.area_code, o.columns) for o in bad] == [
        ("target_areas_add_up_to_members", "SC99", ("households",))
    ]


def vital_frame(year_data: builder.Year, provinces: tuple[str, ...]) -> pd.DataFrame:
    period = pd.Timestamp(f"{year_data.year}-12-31")
    return pd.DataFrame(
        [
            {
                "area_code": p,
                "area_level": "province",
                "period": period,
                **{e: year_data.vital[p][e]["total"] for e in gate.EVENTS},
            }  # fmt: skip
            for p in provinces
        ]
    )


def test_real_2017_rates_are_plausible() -> None:
    data = builder.read(2017)
    provinces = tuple(sorted(data.vital))
    outcomes = gate.rates_plausible(frame_of(data, provinces), vital_frame(data, provinces))
    assert outcomes and not failures(outcomes)


def test_the_bad_2020_vital_events_fail_the_plausibility_checks(year_2020) -> None:
    """DOPA2020.xml gives every province the national births (587,368): Satun's crude
    birth rate would be about 1,800 per 1,000."""
    provinces = ("91", "10")
    assert {year_2020.vital[p]["births"]["total"] for p in provinces} == {587_368}
    bad = failures(
        gate.rates_plausible(frame_of(year_2020, provinces), vital_frame(year_2020, provinces))
    )
    named = {(o.area_code, o.period, o.columns) for o in bad}
    assert ("91", dt.date(2020, 12, 31), ("crude_birth_rate",)) in named
    assert ("91", dt.date(2020, 12, 31), ("crude_death_rate",)) in named
    satun = next(o for o in bad if o.area_code == "91" and o.columns == ("crude_birth_rate",))
    assert "expected between 1.0 and 40.0" in satun.observed and "found 18" in satun.observed


# ---------------------------------------------------------------- end to end


def bad_vintage_snapshot(tmp_path: Path, provinces: tuple[str, ...]) -> Path:
    """The bundled 2020 house-API answers of some provinces plus the 2020 vital events
    rebuilt from DOPA2020.xml (the vintage that is not bundled)."""
    data = builder.read(2020)
    index = json.loads((builder.OUT_DIR / "index.json").read_text(encoding="utf-8"))
    folder = tmp_path / "dopa_2020"
    folder.mkdir()
    entries = []
    for entry in index["entries"]:
        q = entry["query"]
        if q["yymmBegin"] == "6312" and q["cc"] in provinces:
            content = (builder.OUT_DIR / entry["file"]).read_bytes()
            name = Path(entry["file"]).name
            (folder / name).write_bytes(content)
            entries.append({**entry, "file": name})
    for name, query, content in builder.vital_event_bodies(data):
        if query["cc"] in provinces:
            (folder / Path(name).name).write_bytes(content)
            entries.append(builder.entry(Path(name).name, query, content, 2020))
    assert all(
        e["sha256"] == hashlib.sha256((folder / e["file"]).read_bytes()).hexdigest()
        for e in entries
    )
    (folder / "index.json").write_text(json.dumps({"publisher": "dopa", "entries": entries}))
    return folder


@pytest.mark.slow
def test_gate_stops_the_bad_2020_vital_events_and_nothing_is_published(
    tmp_path, data_dir, monkeypatch
) -> None:
    from devtools.mirror import Mirror
    from expectations.errors import QualityGateError
    from warehouse import paths, refresh

    folder = bad_vintage_snapshot(tmp_path, ("91",))
    conf = {
        "sources": ["dopa_households", "dopa_vital_events"],
        "provinces": ["91"],
        "periods": ["2020-12"],
    }
    with Mirror([folder]) as mirror:
        monkeypatch.setenv("DOPA_BASE_URL", mirror.base_url)
        batches = refresh.plan(conf)
        outcomes = [refresh.extract(batch, data_dir) for batch in batches]
    assert {o["status"] for batch in outcomes for o in batch} == {"downloaded"}
    run_id = "bad_vintage_2020"
    refresh.record(run_id, outcomes, data_dir)
    monkeypatch.setenv("SMARTCITY_DATA_DIR", str(data_dir))
    info = refresh.build(refresh.load(run_id, data_dir))
    with pytest.raises(QualityGateError) as caught:
        refresh.gate(info, data_dir)
    text = str(caught.value)
    assert "crude_birth_rate" in text and "area 91" in text and "period 2020-12" in text
    assert "expected between" in text and "found" in text
    assert not paths.published_path(data_dir).exists()  # nothing published
