"""The target-area file: the shipped areas, and refusal of a bad file before any request."""

from __future__ import annotations

import copy

import pytest
import yaml

from extract import target_areas
from extract.errors import RunConfigError

GOOD = {
    "target_areas": [
        {
            "code": "T1",
            "name_th": "ทดสอบ",
            "name_en": "Test",
            "province": "91",
            "membership_basis": "administrative_unit",
            "members": ["9102", "9199"],
            "note": None,
            "source": "test",
        }
    ]
}


def with_change(**changes) -> dict:
    document = copy.deepcopy(GOOD)
    area = document["target_areas"][0]
    for key, value in changes.items():
        if value is KeyError:
            area.pop(key)
        else:
            area[key] = value
    return document


def test_the_shipped_file_holds_the_37_certified_areas() -> None:
    areas = target_areas.load(target_areas.DEFAULT_PATH)
    assert len(areas) == 37
    assert len({a.code for a in areas}) == 37
    by_basis = {}
    for area in areas:
        by_basis.setdefault(area.membership_basis, []).append(area.code)
    assert {k: len(v) for k, v in by_basis.items()} == {
        "administrative_unit": 9,
        "approximate": 2,
        "unmapped": 26,
    }
    khon_kaen = next(a for a in areas if a.name_en == "Khon Kaen Smart City")
    assert khon_kaen.members == ("4099",)
    rows = target_areas.member_rows(areas)
    assert {r["member_level"] for r in rows} == {"municipality", "district", "subdistrict"}
    assert all(not a.members for a in areas if a.membership_basis == "unmapped")


def test_a_good_file_parses_with_member_levels() -> None:
    (area,) = target_areas.parse(GOOD)
    assert area.members == ("9102", "9199")
    assert [r["member_level"] for r in target_areas.member_rows([area])] == [
        "district",
        "municipality",
    ]


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"members": ["9102", "123456"]}, "members", "unknown code '123456'"),
        ({"members": ["91", "9102"]}, "members", "'9102' lies inside member '91'"),
        ({"members": ["9101", "9199"]}, "members", "'9199' lies inside member '9101'"),
        ({"members": ["9101", "910101"]}, "members", "'910101' lies inside member '9101'"),
        ({"members": ["9199", "910101"]}, "members", "'910101' lies inside member '9199'"),
        ({"members": ["9102", "9102"]}, "members", "listed twice"),
        ({"name_en": KeyError}, "name_en", "missing"),
        ({"source": ""}, "source", "missing"),
        ({"province": "99"}, "province", "unknown province"),
        ({"membership_basis": "guess"}, "membership_basis", "is not one of"),
        ({"membership_basis": "approximate"}, "note", "missing"),
        ({"membership_basis": "unmapped", "note": "n"}, "members", "has no members"),
        ({"members": []}, "members", "missing"),
        ({"code": "9101"}, "code", "not a DOPA code"),
        ({"colour": "red"}, "colour", "unknown field"),
    ],
)
def test_a_bad_file_names_the_area_and_the_field(changes, field, problem) -> None:
    with pytest.raises(target_areas.TargetAreaError) as caught:
        target_areas.parse(with_change(**changes))
    message = str(caught.value)
    assert f"area {changes.get('code', 'T1')!r}" in message
    assert f"field {field!r}" in message
    assert problem in message


def test_a_duplicate_code_is_refused() -> None:
    document = copy.deepcopy(GOOD)
    document["target_areas"].append({**document["target_areas"][0], "members": ["9103"]})
    with pytest.raises(target_areas.TargetAreaError, match="area 'T1', field 'code': duplicate"):
        target_areas.parse(document)


def test_the_file_is_checked_before_any_request(tmp_path, monkeypatch) -> None:
    from warehouse import refresh

    bad = tmp_path / "areas.yml"
    bad.write_text(yaml.safe_dump(with_change(members=["9101", "9199"])), encoding="utf-8")
    monkeypatch.setenv("SMARTCITY_TARGET_AREAS", str(bad))
    assert target_areas.target_areas_path() == bad
    with pytest.raises(RunConfigError, match="lies inside member '9101'"):
        refresh.plan({"sources": ["dopa_households"], "provinces": ["91"], "periods": ["2020-12"]})
