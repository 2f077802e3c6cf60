"""The generic CKAN client over real loopback HTTP: package_show, resource choice, API key."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from devtools.mirror import Fault, Mirror
from extract import landing
from extract.catalogue import load_catalogue
from extract.errors import FetchError, NoDataYet
from extract.http import ckan
from extract.http.client import make_session
from extract.run_config import Slice
from extract.slices import extract_slice

SECRET = "k-SECRET-7f3a9"
DLT_PACKAGE = "/api/3/action/package_show"


@pytest.fixture
def mirror(monkeypatch):
    with Mirror() as running:
        for variable in ("DLT_BASE_URL", "DATAGOTH_BASE_URL", "PEA_BASE_URL", "MEA_BASE_URL"):
            monkeypatch.setenv(variable, running.base_url)
        monkeypatch.delenv("DATAGOTH_API_KEY", raising=False)
        yield running


def dlt_feed():
    return load_catalogue()["dlt_vehicles_by_fuel"].feed()


def resource(name, url, fmt="CSV", modified="2026-03-01T00:00:00"):
    return {"name": name, "url": url, "format": fmt, "last_modified": modified}


def test_package_show_and_resource_of_the_month_over_http(mirror):
    session = make_session(total_retries=0)
    package_url, chosen = ckan.find_resource(session, "dlt_vehicles_by_fuel", dlt_feed(), "2026-02", headers={})
    assert package_url == f"{mirror.base_url}/api/3/action/package_show?id=dataset_1_1_04"
    assert chosen.period == "2026-02" and chosen.as_at == dt.date(2026, 2, 28)
    assert chosen.format == "csv"
    # The real download URL, moved onto the configured base URL (here the mirror).
    assert chosen.url == (f"{mirror.base_url}/dataset/e8b7d87e-5a3c-4b8b-854c-974d3b600256/resource/"
                          "e5a037c6-3cc2-415e-b559-e6e85cfba2ca/download/stt_car_fuel_at_25690228.csv")
    assert [r["path"] for r in mirror.requests()] == [DLT_PACKAGE]


def test_resource_choice_by_period_then_format_then_newest():
    base = "https://gdcatalog.dlt.go.th/dataset/p/resource"
    package = {"resources": [
        resource("ม.ค.", f"{base}/a/download/stt_car_fuel_at_25690131.csv"),
        resource("ก.พ. xlsx", f"{base}/b/download/stt_car_fuel_at_25690228.xlsx", "XLSX", "2026-03-09T00:00:00"),
        resource("ก.พ. old", f"{base}/c/download/stt_car_fuel_at_25690228.csv", "CSV", "2026-03-01T00:00:00"),
        resource("ก.พ. fixed", f"{base}/d/download/stt_car_fuel_at_25690228.csv", "CSV", "2026-03-05T00:00:00"),
        resource("dictionary", f"{base}/e/download/data_dictionary.pdf", "PDF"),
        resource("bad date", f"{base}/f/download/stt_car_fuel_at_25691399.csv"),
    ]}
    feed = dlt_feed()
    assert ckan.choose(package, feed, "2026-01", "dlt").url.endswith("/a/download/stt_car_fuel_at_25690131.csv")
    assert ckan.choose(package, feed, "2026-02", "dlt").name == "ก.พ. fixed"  # csv first, newest
    with pytest.raises(NoDataYet, match=r"no resource for 2026-03 \(resources for \['2026-01', '2026-02'\]\)"):
        ckan.choose(package, feed, "2026-03", "dlt")


@pytest.mark.parametrize(("groups", "expected"), [
    ({"be_date": "25690228"}, dt.date(2026, 2, 28)), ({"be_month": "256701"}, dt.date(2024, 1, 31)),
    ({"be_year": "2558"}, dt.date(2015, 12, 31)), ({"be_yy": "63"}, dt.date(2020, 12, 31)),
])
def test_resource_dates_from_the_named_groups(groups, expected):
    assert ckan.resource_date(groups) == expected


def test_resource_urls_are_rebased_and_foreign_hosts_refused(monkeypatch):
    publisher = dlt_feed().publisher
    monkeypatch.setenv("DLT_BASE_URL", "http://127.0.0.1:9")
    assert ckan.rebase("https://gdcatalog.dlt.go.th/dataset/x/download/a.csv", publisher, "dlt") == \
        "http://127.0.0.1:9/dataset/x/download/a.csv"
    assert ckan.rebase("/dataset/x/download/a.csv", publisher, "dlt") == "http://127.0.0.1:9/dataset/x/download/a.csv"
    with pytest.raises(FetchError, match="not on the publisher's host"):
        ckan.rebase("https://evil.example/a.csv", publisher, "dlt")
    with pytest.raises(FetchError, match="not on the publisher's host"):
        ckan.rebase("https://gdcatalog.dlt.go.th.evil.example/a.csv", publisher, "dlt")


def test_ckan_failure_answer_is_a_fetch_error(mirror):
    mirror.inject(Fault("body", body=json.dumps({"success": False, "error": {"message": "Not found"}})))
    with pytest.raises(FetchError, match="package_show did not succeed.*Not found"):
        ckan.find_resource(make_session(total_retries=0), "dlt", dlt_feed(), "2026-02", headers={})


def test_html_instead_of_package_is_a_fetch_error(mirror):
    mirror.inject(Fault("html"))
    with pytest.raises(FetchError, match="HTML page instead of the data"):
        ckan.find_resource(make_session(total_retries=0), "dlt", dlt_feed(), "2026-02", headers={})


def test_api_key_is_sent_but_never_logged_or_landed(mirror, monkeypatch, data_dir, caplog):
    monkeypatch.setenv("DATAGOTH_API_KEY", SECRET)
    caplog.set_level(logging.DEBUG)
    outcome = extract_slice(Slice("nso_household_income", None, "2015-12"), data_dir, make_session(total_retries=0))
    assert outcome["status"] == "downloaded" and outcome["rows"] == 762
    sent = mirror.requests()
    assert [r["path"].split("/")[-1] for r in sent] == ["package_show", "average-income-41-58-by-provinces.csv"]
    assert all(r["headers"].get("api-key") == SECRET for r in sent)
    landed = list((data_dir / "raw").rglob("*"))
    assert landed and not any(SECRET.encode() in p.read_bytes() for p in landed if p.is_file())
    assert SECRET not in json.dumps(outcome) and SECRET not in caplog.text
    manifest = landing.read_answer(data_dir, "nso_household_income", "2015-12", "national")
    assert manifest["package_url"].endswith("package_show?id=7049410f-5bb8-4c75-9e94-112ca18b63e2")
    # A failure message names the URL, never the key.
    mirror.inject(Fault("status", status=503, times=None))
    with pytest.raises(FetchError) as info:
        extract_slice(Slice("nso_household_income", None, "2015-12"), data_dir, make_session(total_retries=0))
    assert SECRET not in str(info.value) and SECRET not in caplog.text


def test_no_key_configured_sends_no_header(mirror, data_dir):
    extract_slice(Slice("dlt_vehicles_by_fuel", None, "2026-02"), data_dir, make_session(total_retries=0))
    assert all("api-key" not in r["headers"] for r in mirror.requests())


def test_key_from_an_airflow_connection_inside_airflow(monkeypatch):
    pytest.importorskip("airflow.sdk")  # the lookup runs only where Airflow is loaded
    monkeypatch.delenv("DATAGOTH_API_KEY", raising=False)
    monkeypatch.setenv("AIRFLOW_CONN_DATAGOTH_API", json.dumps({"conn_type": "http", "password": SECRET}))
    publisher = load_catalogue()["rtddi_road_deaths"].publisher
    assert ckan.api_headers(publisher) == {"api-key": SECRET}
    monkeypatch.delenv("AIRFLOW_CONN_DATAGOTH_API")
    assert ckan.api_headers(publisher) == {}
