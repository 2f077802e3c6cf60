"""DIW industrial waste: the parser on the real DataStore records, and the CKAN DataStore
client paging the loopback mirror as CKAN pages."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from devtools.mirror import Fault, Mirror
from extract.catalogue import load_catalogue, unverified_sources
from extract.errors import FetchError, NoDataYet, ParseError
from extract.http import ckan
from extract.http import client as http_client
from extract.parsers.diw_industrial_waste import parse_table, repaired_count, tonnes
from tests.conftest import REPO, parse_context

SOURCE = "diw_industrial_waste"
REAL_CSV = REPO / "devtools" / "snapshots" / "real" / "diw_industrial_waste__dataset_33_04__ec2d296d.csv"
NON_HAZARDOUS, HAZARDOUS, TOTAL = "ไม่อันตราย (ตัน)", "อันตราย (ตัน)", "ของเสียทั้งหมด (ตัน)"


def real_records() -> list[dict]:
    with REAL_CSV.open(encoding="utf-8", newline="") as handle:
        return [{**row, "_id": int(row["_id"])} for row in csv.DictReader(handle)]


def body(records: list[dict]) -> bytes:
    fields = [{"id": name, "type": "int" if name == "_id" else "text"} for name in records[0]]
    return json.dumps({"fields": fields, "records": records, "total": len(records)}, ensure_ascii=False).encode()


def by_id(records: list[dict], *ids: int) -> list[dict]:
    return [dict(r) for r in records if r["_id"] in ids]


def amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


@pytest.fixture(scope="module")
def real():
    records = real_records()
    return records, parse_table(body(records), parse_context(SOURCE, "2025-07")).to_pandas()


def test_every_real_record_parses_and_june_2566_duplicates_are_repaired(real):
    records, table = real
    assert len(records) == 4301
    assert len(table) == 4301 - 66 == 77 * 55  # 77 provinces x Jan 2021 .. Jul 2025
    assert repaired_count(parse_table(body(records), parse_context(SOURCE, "2025-07"))) == 66
    repaired = table[table["dropped_duplicate_ids"].notna()]
    assert set(repaired["period"].astype(str)) == {"2023-06-30"} and len(repaired) == 66
    assert not table.duplicated(["area_code", "period"]).any()


def test_each_province_month_equals_its_record_and_2565_adds_up(real):
    records, table = real
    expected_2565 = sum(amount(r[TOTAL]) for r in records if r["ปี"] == "2565")
    assert expected_2565 == Decimal("14408110.33")
    got_2565 = table[table["period"].astype(str).str.startswith("2022")]["total_tonnes"].sum()
    assert got_2565 == pytest.approx(float(expected_2565), abs=1e-6)
    lookup = {r["_id"]: r for r in records}
    for row in table.itertuples():
        record = lookup[row.record_id]
        assert row.non_hazardous_tonnes == float(amount(record[NON_HAZARDOUS]))
        assert row.hazardous_tonnes == float(amount(record[HAZARDOUS]))
        assert row.total_tonnes == float(amount(record[TOTAL]))


def test_real_bangkok_june_2566_keeps_the_finer_record():
    # _id 888: 10,691.65 / 4,872.00 / 15,563.65 ; _id 2311: 10691.651 / 4871.997 / 15563.648
    records = by_id(real_records(), 888, 2311)
    table = parse_table(body(records), parse_context(SOURCE, "2023-06")).to_pylist()
    assert len(table) == 1
    row = table[0]
    assert (row["area_code"], str(row["period"]), row["record_id"], row["dropped_duplicate_ids"]) == (
        "10", "2023-06-30", 2311, "888")
    assert (row["non_hazardous_tonnes"], row["hazardous_tonnes"], row["total_tonnes"]) == (
        10691.651, 4871.997, 15563.648)


def test_a_duplicate_that_disagrees_names_province_month_field_and_both_values():
    records = by_id(real_records(), 888, 2311)
    records[1][NON_HAZARDOUS] = "10691.671"  # 0.021 from 10,691.65: beyond either rounding
    records[1][TOTAL] = "15563.668"
    with pytest.raises(ParseError) as error:
        parse_table(body(records), parse_context(SOURCE, "2023-06"))
    message = str(error.value)
    assert error.value.field == NON_HAZARDOUS
    for part in ("กรุงเทพมหานคร", "มิ.ย. 2566", "10691.65", "10691.671", "_id 888 and 2311"):
        assert part in message, part


def test_a_month_name_contradicting_its_number_is_an_error():
    records = by_id(real_records(), 888)
    records[0]["เดือน"] = "ก.ค."  # July, while ลำดับเดือน says 6
    with pytest.raises(ParseError, match=r"field 'เดือน' in row _id 888 \(กรุงเทพมหานคร, ก\.ค\. 2566\): is month 7, but ลำดับเดือน says 6"):
        parse_table(body(records), parse_context(SOURCE, "2023-06"))


def test_a_total_that_is_not_the_sum_of_its_parts_is_an_error():
    records = by_id(real_records(), 2311)
    records[0][TOTAL] = "15564.648"
    with pytest.raises(ParseError, match=r"field 'ของเสียทั้งหมด \(ตัน\)' in row _id 2311 \(กรุงเทพมหานคร, มิ\.ย\. 2566\): is not"):
        parse_table(body(records), parse_context(SOURCE, "2023-06"))


def test_parts_cut_rather_than_rounded_are_within_rounding():
    # A real record: 93.35 + 2.76 = 96.11 against 96.126 (one unit of each shown place: 0.021).
    records = by_id(real_records(), 3425)
    assert (records[0][NON_HAZARDOUS], records[0][HAZARDOUS], records[0][TOTAL]) == ("93.35", "2.76", "96.126")
    assert parse_table(body(records), parse_context(SOURCE, "2024-08")).num_rows == 1


@pytest.mark.parametrize(("value", "expected"), [
    ("10,691.65", (Decimal("10691.65"), 2)), ("10691.651", (Decimal("10691.651"), 3)), ("0", (Decimal(0), 0)),
    ("๑,๒๓๔.๕", (Decimal("1234.5"), 1)), (12.5, (Decimal("12.5"), 1)), (7, (Decimal(7), 0)),
])
def test_tonnes_with_or_without_separators(value, expected):
    assert tonnes(value, source_id=SOURCE, field=TOTAL, row="r") == expected


@pytest.mark.parametrize("value", ["1,23.4", "-5", "", "abc", None, True])
def test_malformed_tonnes_are_errors(value):
    with pytest.raises(ParseError):
        tonnes(value, source_id=SOURCE, field=TOTAL, row="r")


def test_numbers_and_month_as_json_numbers_and_a_full_month_name():
    record = by_id(real_records(), 2311)[0]
    record.update({"ปี": 2566, "ลำดับเดือน": 6, "เดือน": "มิถุนายน", NON_HAZARDOUS: 10691.651})
    assert parse_table(body([record]), parse_context(SOURCE, "2023-06")).num_rows == 1


def test_a_gregorian_year_and_an_unknown_province_are_errors():
    record = by_id(real_records(), 2311)[0]
    with pytest.raises(ParseError, match=r"field 'ปี'.*Gregorian"):
        parse_table(body([{**record, "ปี": "2023"}]), parse_context(SOURCE, "2023-06"))
    with pytest.raises(ParseError, match=r"field 'จังหวัด'.*not a known province"):
        parse_table(body([{**record, "จังหวัด": "นครไม่มี"}]), parse_context(SOURCE, "2023-06"))


def test_an_unknown_or_missing_column_is_an_error():
    record = by_id(real_records(), 2311)[0]
    with pytest.raises(ParseError, match=r"field 'ของเสียรวม' in row fields: is not a known column"):
        parse_table(body([{**record, "ของเสียรวม": "1"}]), parse_context(SOURCE, "2023-06"))
    del record[HAZARDOUS]
    with pytest.raises(ParseError, match=r"อันตราย \(ตัน\).*missing"):
        parse_table(body([record]), parse_context(SOURCE, "2023-06"))


def test_a_vintage_holds_the_records_up_to_its_month_and_a_later_one_is_not_published_yet(real):
    records, _ = real
    table = parse_table(body(records), parse_context(SOURCE, "2022-12")).to_pandas()
    assert len(table) == 77 * 24 and str(table["period"].max()) == "2022-12-31"
    with pytest.raises(NoDataYet, match=r"no records for 2025-09 yet \(latest month 2025-07\)"):
        parse_table(body(records), parse_context(SOURCE, "2025-09"))


# --- the DataStore client over loopback ---------------------------------------------------


@pytest.fixture(scope="module")
def mirror():
    with Mirror() as running, pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIW_BASE_URL", running.base_url)
        yield running


def _offsets(mirror) -> list[int]:
    return [int(r["params"]["offset"]) for r in mirror.requests() if r["path"].endswith("datastore_search")]


def test_datastore_pages_until_total_with_the_limit_the_client_sends(mirror):
    feed = load_catalogue()[SOURCE].feed()
    session = http_client.make_session(total_retries=0)
    mirror.requests(clear=True)
    answer = ckan.datastore_search(session, SOURCE, feed, headers={}, max_bytes=20_000_000, page_size=500)
    assert answer.total == 4301 and answer.pages == 9
    assert _offsets(mirror) == list(range(0, 4301, 500))
    assert {r["params"]["limit"] for r in mirror.requests()} == {"500"}
    records = json.loads(answer.body)["records"]
    assert [r["_id"] for r in records] == list(range(1, 4302))
    assert records == sorted(real_records(), key=lambda r: r["_id"])
    # Another page size reads the same records.
    again = ckan.datastore_search(session, SOURCE, feed, headers={}, max_bytes=20_000_000, page_size=1000)
    assert again.sha256 == answer.sha256 and again.pages == 5


def test_the_mirror_answers_in_ckan_shape_with_its_default_page(mirror):
    session = http_client.make_session(total_retries=0)
    url = f"{mirror.base_url}/api/3/action/datastore_search?resource_id={load_catalogue()[SOURCE].feed().datastore_resource}"
    answer = json.loads(session.get(url, timeout=10).content)
    result = answer["result"]
    assert answer["success"] is True
    assert (len(result["records"]), result["limit"], result["offset"], result["total"]) == (100, 100, 0, 4301)
    assert result["_links"]["next"].endswith("offset=100&resource_id=ec2d296d-4a55-466c-9b75-683fde4bbb80")
    assert [f["id"] for f in result["fields"]][0] == "_id"
    capped = json.loads(session.get(url + "&limit=50000&offset=4300", timeout=10).content)["result"]
    assert capped["limit"] == 32000 and len(capped["records"]) == 1


def test_a_total_that_changes_while_paging_is_a_transient_fetch_error(mirror):
    feed = load_catalogue()[SOURCE].feed()
    changed = {"success": True, "result": {"records": [{"_id": 9999}], "total": 5000, "fields": []}}
    mirror.inject(Fault("body", body=json.dumps(changed), params={"offset": "1000"}))
    with pytest.raises(FetchError, match=r"total changed while paging \(4301 then 5000\)") as error:
        ckan.datastore_search(http_client.make_session(total_retries=0), SOURCE, feed, headers={},
                              max_bytes=20_000_000)
    assert error.value.transient


def test_the_size_cap_covers_every_page_together(mirror):
    feed = load_catalogue()[SOURCE].feed()
    with pytest.raises(FetchError, match=r"cap"):
        ckan.datastore_search(http_client.make_session(total_retries=0), SOURCE, feed, headers={},
                              max_bytes=600_000)


def test_the_api_key_header_goes_with_every_page(mirror):
    feed = load_catalogue()[SOURCE].feed()
    mirror.requests(clear=True)
    ckan.datastore_search(http_client.make_session(total_retries=0), SOURCE, feed,
                          headers={ckan.API_KEY_HEADER: "k-123"}, max_bytes=20_000_000)
    assert {r["headers"].get("api-key") for r in mirror.requests()} == {"k-123"}


def test_change_signal_skips_an_unchanged_resource():
    package = {"metadata_modified": "2025-08-15T00:00:00"}
    resource = {"last_modified": "2025-08-15T00:00:00"}
    signal = ckan.change_signal(package, resource)
    landed = {"parquet": "part.parquet", **signal}
    assert ckan.unchanged_since(landed, signal)
    assert not ckan.unchanged_since({**landed, "resource_last_modified": "2025-07-01T00:00:00"}, signal)
    assert not ckan.unchanged_since({**landed, "parquet": None}, signal)
    assert not ckan.unchanged_since(landed, ckan.change_signal({}, {}))


def test_catalogue_entry_is_a_datastore_feed_marked_unverified():
    source = load_catalogue()[SOURCE]
    feed = source.feed()
    assert feed.access == "ckan_datastore" and feed.publisher.base_url_env == "DIW_BASE_URL"
    assert source.verified is False and "unconfirmed" in feed.verified_note
    others = {s.id for s in unverified_sources()} - {SOURCE}
    assert others == {"electricity_sales", "rtddi_road_deaths", "nso_household_income"}


def test_extract_lands_once_then_skips_on_the_change_signal(mirror, tmp_path):
    from extract.run_config import Slice
    from extract.slices import extract_slice

    slc = Slice(SOURCE, None, "2025-07")
    first = extract_slice(slc, tmp_path)
    assert (first["status"], first["rows"], first["is_modelled"]) == ("downloaded", 4235, False)
    batch = json.loads(next(Path(tmp_path).rglob("_batch_manifest.json")).read_text(encoding="utf-8"))
    (manifest,) = batch["answers"]
    assert manifest["verified"] is False and manifest["datastore_total"] == 4301
    mirror.requests(clear=True)
    second = extract_slice(slc, tmp_path)
    assert second["status"] == "unchanged"
    assert [r["path"] for r in mirror.requests()] == ["/api/3/action/package_show"]
