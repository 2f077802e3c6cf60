"""The bad-input catalogue (docs/operations.md): every row is fed through the real
loopback mirror into a refresh that already has a good release. Each either ends in a
clear error naming the dataset, field and value - with nothing landed or published from
it - or is a documented repair.

The good release also holds the DIW industrial waste of the bundled snapshot (real
DataStore records): it is checked end to end against the records themselves."""

from __future__ import annotations

import copy
import csv
import json
import os
from decimal import Decimal

import duckdb
import pytest

from devtools.mirror import Fault, Mirror
from extract import landing
from extract.errors import ParseError
from extract.thai.province_names import province_code
from tests.conftest import REPO, satun_wire
from warehouse import refresh

pytestmark = pytest.mark.slow
# full checks: the bad answers must be asked for, whatever the revision windows settle
CONF = {"sources": ["dopa_population_thai"], "provinces": ["91"], "periods": ["2026-09"],
        "full_check": True}
WASTE_CONF = {"sources": ["diw_industrial_waste"], "periods": ["2025-07"], "full_check": True}
DIW_SNAPSHOT = REPO / "devtools" / "snapshots" / "diw_ckan"
DIW_REAL = REPO / "devtools" / "snapshots" / "real" / "diw_industrial_waste__dataset_33_04__ec2d296d.csv"
DIW_RESOURCE = "ec2d296d-4a55-466c-9b75-683fde4bbb80"
NON_HAZARDOUS, HAZARDOUS, TOTAL = "ไม่อันตราย (ตัน)", "อันตราย (ตัน)", "ของเสียทั้งหมด (ตัน)"


def _renamed(records):
    records[0]["lsAge05"] = records[0].pop("lsAge5")
    return records


def _missing(records):
    del records[1]["lsSumTotTot"]
    return records


def _wrong_type(records):
    records[0]["lsAge3"] = "abc"
    return records


def _duplicate(records):
    return [records[0], copy.deepcopy(records[0])]


def _negative(records):
    records[1]["lsAge40"] = -12
    return records


def _sum_mismatch(records):
    records[0]["lsSumTotTot"] += 10
    return records


def _ce_period(records):
    for record in records:
        record["lsageYYMM"] = "2609"  # a Gregorian 2026-09 where the API answers BE 6909
    return records


BAD = {
    "renamed column": (_renamed, r"field 'lsAge5' in row 0: is missing"),
    "missing column": (_missing, r"field 'lsSumTotTot' in row 1: is missing"),
    "wrong type": (_wrong_type, r"field 'lsAge3' in row 0: is not an integer \(value 'abc'\)"),
    "duplicate rows": (_duplicate, r"field 'lsageSex'.*one male and one female"),
    "negative count": (_negative, r"field 'lsAge40' in row 1: is negative \(value -12\)"),
    "sum mismatch": (_sum_mismatch, r"field 'lsSumTotTot' in row 0: does not equal the sum"),
    "CE period where BE is due": (_ce_period, r"field 'lsageYYMM' in row 0: .*6909.*\(value '2609'\)"),
}


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    with Mirror() as mirror:
        os.environ["DOPA_BASE_URL"] = os.environ["DIW_BASE_URL"] = mirror.base_url
        batches = [refresh.extract(b, data_dir) for conf in (CONF, WASTE_CONF) for b in refresh.plan(conf)]
    refresh.record("good", batches, data_dir)
    release = refresh.publish(refresh.gate(refresh.build(refresh.load("good", data_dir)), data_dir), data_dir)
    yield data_dir, release["release_id"]
    os.environ.pop("DOPA_BASE_URL", None)
    os.environ.pop("DIW_BASE_URL", None)


def _manifest_sha(data_dir):
    return landing.read_answer(data_dir, "dopa_population_thai", "2026-09", "cc=91")["sha256"]


def _extract_with_body(data_dir, body: str):
    with Mirror() as mirror:
        mirror.inject(Fault("body", body=body, times=None, params={"cc": "91"}))
        os.environ["DOPA_BASE_URL"] = mirror.base_url
        return [refresh.extract(b, data_dir) for b in refresh.plan(CONF)]


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_input_is_named_and_nothing_is_landed_or_published(good, case):
    data_dir, release_id = good
    mutate, message = BAD[case]
    landed_before = _manifest_sha(data_dir)
    with pytest.raises(ParseError, match=r"^dopa_population_thai: " + message):
        _extract_with_body(data_dir, json.dumps(mutate(satun_wire())))
    assert _manifest_sha(data_dir) == landed_before
    with duckdb.connect(str(data_dir / "planning.duckdb"), read_only=True) as con:
        assert con.execute("select release_id from meta.releases order by published_at desc limit 1").fetchall() == [(release_id,)]
        assert con.execute("select population_total from marts.mart_area_ageing where area_code = '91'").fetchall() == [(322_634,)]


REPAIRED = {
    "Thai digits": lambda r: [{**r[0], "lsAge0": "๑๒๐๔"}, r[1]],
    "thousands separators": lambda r: [{**r[0], "lsAge0": "1,204"}, r[1]],
    "extra descriptive column": lambda r: [{**r[0], "lsNewField": "x"}, {**r[1], "lsNewField": 1}],
    "counts as strings": lambda r: satun_wire(as_strings=True),
}


@pytest.mark.parametrize("case", list(REPAIRED), ids=list(REPAIRED))
def test_documented_repairs_give_the_published_figures(good, case):
    data_dir, _ = good
    batches = _extract_with_body(data_dir, json.dumps(REPAIRED[case](satun_wire()), ensure_ascii=False))
    outcome = batches[0][0]
    assert outcome["status"] in {"downloaded", "unchanged"} and outcome["rows"] == 204


def test_utf8_bom_is_repaired(good):
    data_dir, _ = good
    body = "\ufeff" + json.dumps(satun_wire())
    assert _extract_with_body(data_dir, body)[0][0]["rows"] == 204


# --- DIW industrial waste (CKAN DataStore) -----------------------------------------------


def _real_waste_records() -> list[dict]:
    with DIW_REAL.open(encoding="utf-8", newline="") as handle:
        return [{**row, "_id": int(row["_id"])} for row in csv.DictReader(handle)]


def _bangkok_june_2566(records):
    return [r for r in records if r["จังหวัด"] == "กรุงเทพมหานคร" and (r["ปี"], r["ลำดับเดือน"]) == ("2566", "6")]


def _waste_duplicate_disagrees(records):
    finer = _bangkok_june_2566(records)[1]  # _id 2311, to 3 decimals; _id 888 says 4,872.00
    finer[HAZARDOUS], finer[TOTAL] = "4875.997", "15567.648"
    return records


def _waste_month_contradicts_number(records):
    _bangkok_june_2566(records)[0]["เดือน"] = "ก.ค."
    return records


def _waste_total_not_the_sum(records):
    record = next(r for r in records if r["_id"] == 1499)  # Bangkok, Jan 2564
    record[TOTAL] = "15,351.66"  # the parts say 15,341.66
    return records


WASTE_BAD = {
    "waste duplicate that disagrees": (
        _waste_duplicate_disagrees,
        r"field 'อันตราย \(ตัน\)' in row กรุงเทพมหานคร มิ\.ย\. 2566 \(_id 888 and 2311\): "
        r"duplicate records .* disagree: 4872\.00 and 4875\.997",
    ),
    "waste month name contradicting its number": (
        _waste_month_contradicts_number,
        r"field 'เดือน' in row _id 888 \(กรุงเทพมหานคร, ก\.ค\. 2566\): is month 7, but ลำดับเดือน says 6",
    ),
    "waste total not the sum of its parts": (
        _waste_total_not_the_sum,
        r"field 'ของเสียทั้งหมด \(ตัน\)' in row _id 1499 \(กรุงเทพมหานคร, ม\.ค\. 2564\): is not",
    ),
}


def _waste_manifest(data_dir):
    return landing.read_answer(data_dir, "diw_industrial_waste", "2025-07", "national")


def _extract_waste_with_records(data_dir, records):
    """Serve changed records: the package's change signal moves and every page answers them."""
    package = json.loads((DIW_SNAPSHOT / "package_show_dataset_33_04.json").read_text(encoding="utf-8"))
    package["result"]["metadata_modified"] = "2025-09-15T00:00:00"
    package["result"]["resources"][0]["last_modified"] = "2025-09-15T00:00:00"
    fields = [{"id": "_id", "type": "int"}] + [{"id": k, "type": "text"} for k in records[0] if k != "_id"]
    answer = {"success": True, "result": {"resource_id": DIW_RESOURCE, "fields": fields, "records": records,
                                          "total": len(records), "limit": len(records), "offset": 0}}
    with Mirror() as mirror:
        mirror.inject(Fault("body", body=json.dumps(package, ensure_ascii=False), times=None,
                            params={"id": "dataset_33_04"}))
        mirror.inject(Fault("body", body=json.dumps(answer, ensure_ascii=False), times=None,
                            params={"resource_id": DIW_RESOURCE}))
        os.environ["DIW_BASE_URL"] = mirror.base_url
        return [refresh.extract(b, data_dir) for b in refresh.plan(WASTE_CONF)]


@pytest.mark.parametrize("case", list(WASTE_BAD), ids=list(WASTE_BAD))
def test_bad_waste_records_are_named_and_nothing_is_landed_or_published(good, case):
    data_dir, release_id = good
    mutate, message = WASTE_BAD[case]
    landed_before = _waste_manifest(data_dir)
    with pytest.raises(ParseError, match=r"^diw_industrial_waste: " + message):
        _extract_waste_with_records(data_dir, mutate(_real_waste_records()))
    assert _waste_manifest(data_dir) == landed_before
    with duckdb.connect(str(data_dir / "planning.duckdb"), read_only=True) as con:
        assert con.execute("select release_id from meta.releases order by published_at desc limit 1").fetchall() == [(release_id,)]
        assert con.execute("""
            select non_hazardous_tonnes, hazardous_tonnes, total_tonnes from marts.fct_industrial_waste
            where area_code = '10' and period = date '2023-06-30'
        """).fetchall() == [(10691.651, 4871.997, 15563.648)]


def test_published_waste_equals_the_real_records_after_the_duplicate_repair(good):
    data_dir, _ = good
    groups: dict[tuple[str, int, int], list[dict]] = {}
    for record in _real_waste_records():
        code = province_code(record["จังหวัด"], source_id="test", field="จังหวัด")
        groups.setdefault((code, int(record["ปี"]) - 543, int(record["ลำดับเดือน"])), []).append(record)
    duplicated = {key: group for key, group in groups.items() if len(group) > 1}
    assert len(duplicated) == 66 and {(y, m) for _, y, m in duplicated} == {(2023, 6)}
    with duckdb.connect(str(data_dir / "planning.duckdb"), read_only=True) as con:
        published = {
            (area, period.year, period.month): values
            for area, period, *values in con.execute("""
                select area_code, period, non_hazardous_tonnes, hazardous_tonnes, total_tonnes
                from marts.fct_industrial_waste where area_code <> 'TH'
            """).fetchall()
        }
        national_2565 = con.execute("""
            select sum(total_tonnes) from marts.fct_industrial_waste
            where area_code = 'TH' and period between date '2022-01-01' and date '2022-12-31'
        """).fetchall()[0][0]
        repaired = con.execute("""
            select count(*) from raw.diw_industrial_waste where dropped_duplicate_ids is not null
        """).fetchall()[0][0]
    assert set(published) == set(groups) and repaired == 66
    for key, group in groups.items():
        # The repair keeps the record with the most decimals (the 3-decimal one of a pair).
        record = max(group, key=lambda r: (min(len(r[f].partition(".")[2]) for f in (NON_HAZARDOUS, HAZARDOUS, TOTAL)), -r["_id"]))
        expected = [float(Decimal(record[f].replace(",", ""))) for f in (NON_HAZARDOUS, HAZARDOUS, TOTAL)]
        assert published[key] == expected, key
    real_2565 = sum(Decimal(r[TOTAL].replace(",", "")) for r in _real_waste_records() if r["ปี"] == "2565")
    assert real_2565 == Decimal("14408110.33")
    assert national_2565 == pytest.approx(float(real_2565), abs=1e-4)
