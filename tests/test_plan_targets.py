"""The plan targets file: validated before the run (the plan step and check-conf)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.errors import RunConfigError
from warehouse import cli, plan_targets, refresh
from warehouse.plan_targets import PlanTargetsError, load_targets

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "docs" / "examples" / "plan_targets.example.yml"

GOOD_ENTRY = """\
  - area_code: "91"
    indicator_code: road_deaths_per_100k
    baseline_period: "2020-12"
    target_value: 10.0
    target_period: "2027-12"
    source: "Satun smart city master plan, KPI 2.3"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "targets.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_file_is_valid_and_typed():
    targets = load_targets(EXAMPLE)
    assert [(t.area_code, t.indicator_code) for t in targets] == [
        ("91", "road_deaths_per_100k"),
        ("91", "bev_share_of_fleet"),
        ("10", "road_deaths_per_100k"),
        ("50", "electricity_kwh_per_household"),
    ]
    first = targets[0]
    assert (first.entry_number, first.baseline_period, first.target_value, first.target_period) == (
        1, "2019-12", 10.0, "2027-12")  # fmt: skip
    assert "EXAMPLE ONLY" in first.source


def test_absent_default_file_means_no_local_targets(tmp_path, monkeypatch):
    monkeypatch.delenv(plan_targets.PLAN_TARGETS_ENV, raising=False)
    monkeypatch.setenv("SMARTCITY_DATA_DIR", str(tmp_path))
    assert plan_targets.targets_path() == tmp_path / "plan_targets.yml"
    assert load_targets() == []
    assert load_targets(write(tmp_path, "")) == []
    assert load_targets(write(tmp_path, "targets: []\n")) == []


def test_environment_variable_names_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, "targets:\n" + GOOD_ENTRY)
    monkeypatch.setenv(plan_targets.PLAN_TARGETS_ENV, str(path))
    assert plan_targets.targets_path() == path
    assert len(load_targets()) == 1
    monkeypatch.setenv(plan_targets.PLAN_TARGETS_ENV, str(tmp_path / "missing.yml"))
    with pytest.raises(PlanTargetsError, match="does not exist"):
        load_targets()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('area_code: "91"', 'area_code: "99"', r"entry 2 \(area_code '99'.*unknown area_code '99'"),
        ("indicator_code: road_deaths_per_100k", "indicator_code: road_deaths",
         r"entry 2 .*unknown indicator_code 'road_deaths'"),
        ('target_period: "2027-12"', 'target_period: "2019-12"',
         r"entry 2 .*target_period 2019-12 is not after baseline_period 2020-12"),
        ('baseline_period: "2020-12"', 'baseline_period: "2563-12"', r"entry 2 .*baseline_period 2563-12 looks like a Buddhist Era year"),
        ('baseline_period: "2020-12"', 'baseline_period: "2020-13"',
         r"entry 2 .*baseline_period '2020-13' is not a 'YYYY-MM' month"),
        ("    target_value: 10.0\n", "", r"entry 2 .*missing field\(s\) target_value"),
        ('    source: "Satun smart city master plan, KPI 2.3"\n', "",
         r"entry 2 .*missing field\(s\) source"),
        ("target_value: 10.0", "target_value: ten", r"entry 2 .*target_value 'ten' is not a number"),
        ("target_value: 10.0", "target_value: 10.0\n    owner: someone", r"entry 2 .*unknown field\(s\) owner"),
    ],
)  # fmt: skip
def test_bad_entry_is_refused_naming_it(tmp_path, old, new, message):
    second = GOOD_ENTRY.replace('area_code: "91"', 'area_code: "10"')
    bad = GOOD_ENTRY.replace(old, new)
    assert bad != GOOD_ENTRY
    path = write(tmp_path, "targets:\n" + second + bad)
    with pytest.raises(PlanTargetsError, match=message) as caught:
        load_targets(path)
    assert str(path) in str(caught.value)


def test_repeated_area_and_indicator_and_bad_shape(tmp_path):
    with pytest.raises(
        PlanTargetsError, match="entry 2 .*repeats the area and indicator of entry 1"
    ):
        load_targets(write(tmp_path, "targets:\n" + GOOD_ENTRY + GOOD_ENTRY))
    with pytest.raises(PlanTargetsError, match="expected a mapping with one key 'targets'"):
        load_targets(write(tmp_path, "- area_code: '91'\n"))
    with pytest.raises(PlanTargetsError, match="cannot be read as YAML"):
        load_targets(write(tmp_path, "targets: [\n"))


def test_plan_step_and_check_conf_refuse_a_bad_file_before_any_request(
    tmp_path, monkeypatch, capsys
):
    path = write(
        tmp_path, "targets:\n" + GOOD_ENTRY.replace('area_code: "91"', 'area_code: "9999"')
    )
    monkeypatch.setenv(plan_targets.PLAN_TARGETS_ENV, str(path))

    def no_requests(*args, **kwargs):
        raise AssertionError("a request was made")

    monkeypatch.setattr("warehouse.refresh.make_session", no_requests)
    with pytest.raises(RunConfigError, match="unknown area_code '9999'"):
        refresh.plan({"sources": ["dopa_population"], "provinces": ["91"]})
    assert cli.check_conf("{}") == 2
    assert "entry 1 (area_code '9999'" in capsys.readouterr().err
    monkeypatch.setenv(plan_targets.PLAN_TARGETS_ENV, str(EXAMPLE))
    assert refresh.plan({"sources": ["dopa_population"], "provinces": ["91"]})


@pytest.mark.parametrize("area_code", ["910101", "9199", "4099", "SC02", "TH"])
def test_every_level_of_dim_area_is_accepted(tmp_path, area_code):
    """Sub-districts and municipalities (reference seeds) and target areas (the target-area
    file) are areas a plan can set a target for."""
    entry = GOOD_ENTRY.replace('area_code: "91"', f'area_code: "{area_code}"')
    assert [t.area_code for t in load_targets(write(tmp_path, "targets:\n" + entry))] == [area_code]


def test_target_area_codes_come_from_the_target_areas_file(tmp_path, monkeypatch):
    areas = tmp_path / "areas.yml"
    areas.write_text(
        "target_areas:\n"
        "  - code: LOCAL1\n"
        '    name_th: "พื้นที่ทดลอง"\n'
        '    name_en: "Trial area"\n'
        "    province: null\n"
        "    membership_basis: unmapped\n"
        "    members: []\n"
        '    note: "Boundary not yet drawn."\n'
        '    source: "City plan"\n',
        encoding="utf-8",
    )
    path = write(tmp_path, "targets:\n" + GOOD_ENTRY.replace('area_code: "91"', 'area_code: "LOCAL1"'))
    with pytest.raises(PlanTargetsError, match="unknown area_code 'LOCAL1'"):
        load_targets(path)
    monkeypatch.setenv("SMARTCITY_TARGET_AREAS", str(areas))
    assert [t.area_code for t in load_targets(path)] == ["LOCAL1"]
    with pytest.raises(PlanTargetsError, match="unknown area_code 'SC02'"):
        load_targets(write(tmp_path, "targets:\n" + GOOD_ENTRY.replace('area_code: "91"', 'area_code: "SC02"')))
