import pytest

from dags.smartcity_refresh import SOURCE_IDS
from extract.catalogue import PROVINCE_CODES, load_catalogue
from extract.errors import RunConfigError
from extract.run_config import plan_slices


def test_default_plan_covers_every_province_and_default_period():
    slices = plan_slices({})
    population = [s for s in slices if s.source_id == "dopa_population"]
    assert len(population) == 77 * 3
    assert {s.period for s in population} == {"2020-12", "2021-06", "2025-12"}
    assert [s for s in slices if s.source_id == "dopa_population_thai"] == [
        s for s in slices if (s.source_id, s.province, s.period) == ("dopa_population_thai", "91", "2026-09")
    ]


def test_conf_narrows_sources_provinces_and_periods():
    slices = plan_slices({"sources": ["dopa_population"], "provinces": ["91", "10"], "periods": ["2026-09"]})
    assert [(s.province, s.period) for s in slices] == [("10", "2026-09"), ("91", "2026-09")]


@pytest.mark.parametrize(("conf", "message"), [
    ({"provinces": ["99"]}, "unknown province code '99'"),
    ({"provinces": ["../../etc"]}, "unknown province code"),
    ({"provinces": "91"}, "'provinces' must be a non-empty list"),
    ({"periods": ["2563-12"]}, "Buddhist Era"),
    ({"periods": ["2020-13"]}, "month 13"),
    ({"sources": ["nope"]}, "unknown source 'nope'"),
    ({"source": ["dopa_population"]}, "unknown run configuration keys"),
])
def test_bad_values_are_named_before_any_request(conf, message):
    with pytest.raises(RunConfigError, match=message):
        plan_slices(conf)


def test_url_is_the_real_shape_with_unencoded_inner_api():
    source = load_catalogue()["dopa_population"]
    url = source.url(province="91", period="2023-12")
    assert url == ("https://stat.bora.dopa.go.th/stat/statnew/connectSAPI/stat_forward.php"
                   "?API=/api/statpophouse/v1/statpop/list?action=23&yymm=6612&nat=999&popst=99&cc=91")


def test_base_url_comes_from_the_publisher_variable(monkeypatch):
    monkeypatch.setenv("DOPA_BASE_URL", "http://127.0.0.1:9/")
    url = load_catalogue()["dopa_population_thai"].url(province="91", period="2026-09")
    assert url.startswith("http://127.0.0.1:9/stat/statnew/") and url.endswith("nat=99&popst=99&cc=91")


def test_dag_assets_match_the_catalogue():
    assert set(SOURCE_IDS) == set(load_catalogue())
    assert len(PROVINCE_CODES) == 77
