"""The bad-input catalogue (docs/operations.md): every row is fed through the real
loopback mirror into a refresh that already has a good release. Each either ends in a
clear error naming the dataset, field and value - with nothing landed or published from
it - or is a documented repair."""

from __future__ import annotations

import copy
import json
import os

import duckdb
import pytest

from devtools.mirror import Fault, Mirror
from extract.errors import ParseError
from tests.conftest import satun_wire
from warehouse import refresh

pytestmark = pytest.mark.slow
CONF = {"sources": ["dopa_population_thai"], "provinces": ["91"], "periods": ["2026-09"]}


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
        os.environ["DOPA_BASE_URL"] = mirror.base_url
        batches = [refresh.extract(b, data_dir) for b in refresh.plan(CONF)]
    refresh.record("good", batches, data_dir)
    release = refresh.publish(refresh.gate(refresh.build(refresh.load("good", data_dir)), data_dir), data_dir)
    yield data_dir, release["release_id"]
    os.environ.pop("DOPA_BASE_URL", None)


def _manifest_sha(data_dir):
    path = data_dir / "raw" / "dopa_population_thai" / "2026-09" / "cc=91" / "_manifest.json"
    return json.loads(path.read_text())["sha256"]


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
