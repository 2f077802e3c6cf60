"""Asking less: periods older than a source's revision window are settled (not asked),
unless the run is a full check; real HTTP over loopback, the real fetch log."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.mirror import Mirror
from extract.catalogue import CATALOGUE_PATH, load_catalogue
from extract.errors import RunConfigError
from warehouse import fetch_log, refresh

SOURCE, PERIOD = "dopa_population", "2020-12"
CONF = {"sources": [SOURCE], "provinces": ["10", "91"], "periods": [PERIOD]}
AS_OF = "2026-12"  # 2020-12 is years older than the 12-month window


@pytest.fixture
def dopa(monkeypatch):
    with Mirror() as mirror:
        monkeypatch.setenv("DOPA_BASE_URL", mirror.base_url)
        yield mirror


def _run(data_dir: Path, mirror: Mirror, conf: dict, run_id: str) -> tuple[list[dict], int]:
    mirror.requests(clear=True)
    outcomes = [o for b in refresh.plan(conf, as_of=AS_OF) for o in refresh.extract(b, data_dir)]
    refresh.record(run_id, [outcomes], data_dir)
    return outcomes, len(mirror.requests())


def test_the_window_counts_back_from_the_run_month():
    source = load_catalogue()[SOURCE]
    assert source.revision_window_months == 12
    assert not source.settled("2025-12", "2026-12")  # twelve months back: still revised
    assert source.settled("2025-11", "2026-12")
    assert not source.settled("2026-09", "2026-12")
    assert source.settled("2017-12", "2019-01") and not source.settled("2018-01", "2019-01")


def test_windows_and_request_limits_come_from_the_catalogue():
    catalogue = load_catalogue()
    assert catalogue["rtddi_road_deaths"].revision_window_months == 24
    assert catalogue["dlt_vehicles_by_fuel"].revision_window_months == 3
    assert catalogue[SOURCE].publisher.max_concurrent_requests == 4
    assert catalogue["dlt_new_registrations"].publisher.max_concurrent_requests == 2
    documented = (CATALOGUE_PATH.parents[1] / "docs" / "revisions.md").read_text(encoding="utf-8")
    windowed = [s.id for s in catalogue.values() if s.revision_window_months is not None]
    assert windowed and all(f"`{source_id}`" in documented for source_id in windowed)


def test_a_window_for_an_unknown_source_is_refused(tmp_path):
    text = CATALOGUE_PATH.read_text(encoding="utf-8")
    bad = tmp_path / "sources.yml"
    marker = "revision_window_months:\n  dopa_population: 12"
    assert marker in text
    bad.write_text(
        text.replace(marker, marker.replace(":\n", ":\n  no_such_source: 3\n", 1)), encoding="utf-8"
    )
    with pytest.raises(
        ValueError, match=r"revision_window_months names unknown ids \['no_such_source'\]"
    ):
        load_catalogue(bad)


@pytest.mark.parametrize("value", ["yes", 1, None, [True]])
def test_full_check_must_be_true_or_false(value):
    with pytest.raises(RunConfigError, match="'full_check' must be true or false"):
        refresh.plan({**CONF, "full_check": value})


def test_batches_carry_the_full_check_and_the_run_month():
    (batch,) = refresh.plan({**CONF, "full_check": True}, as_of=AS_OF)
    assert (batch["full_check"], batch["as_of"]) == (True, AS_OF)
    (batch,) = refresh.plan(CONF)
    assert batch["full_check"] is False and len(batch["as_of"]) == 7


def test_settled_periods_are_not_asked_unless_a_full_check(data_dir, dopa):
    first, sent = _run(data_dir, dopa, CONF, "first")
    assert [o["status"] for o in first] == ["downloaded"] * 2 and sent == 2  # never landed: asked

    again, sent = _run(data_dir, dopa, CONF, "again")
    assert sent == 0
    assert [o["status"] for o in again] == ["settled"] * 2
    assert [o["sha256"] for o in again] == [o["sha256"] for o in first]
    logged = fetch_log.read_run(data_dir, "again")
    assert [r["status"] for r in logged] == ["settled", "settled"]
    assert all("older than the 12-month revision window at 2026-12" in r["detail"] for r in logged)

    full, sent = _run(data_dir, dopa, {**CONF, "full_check": True}, "full")
    assert sent == 2 and [o["status"] for o in full] == ["not_modified"] * 2
    assert all(r["headers"].get("If-Modified-Since") for r in dopa.requests())

    # a province never landed in a settled period is asked, the landed one is not
    wider, sent = _run(data_dir, dopa, {**CONF, "provinces": ["10", "83"]}, "wider")
    assert sent == 1
    assert {o["slice_key"]: o["status"] for o in wider} == {
        "cc=10": "settled",
        "cc=83": "downloaded",
    }


def test_a_recent_period_is_always_asked(data_dir, dopa):
    conf = {**CONF, "periods": [PERIOD]}
    _run(data_dir, dopa, conf, "first")
    dopa.requests(clear=True)
    outcomes = [
        o for b in refresh.plan(conf, as_of="2021-06") for o in refresh.extract(b, data_dir)
    ]
    assert [o["status"] for o in outcomes] == ["not_modified"] * 2 and len(dopa.requests()) == 2


def test_the_plan_marks_a_batch_settled_only_when_nothing_of_it_is_asked(data_dir, dopa):
    assert [b["settled"] for b in refresh.plan(CONF, as_of=AS_OF)] == [False]  # never landed
    _run(data_dir, dopa, CONF, "first")
    (batch,) = refresh.plan(CONF, as_of=AS_OF)
    assert batch["settled"]
    dopa.requests(clear=True)
    recorded = refresh.settled_outcomes(batch, data_dir)
    assert recorded == refresh.extract(batch, data_dir) and not dopa.requests()
    assert [o["status"] for o in recorded] == ["settled"] * 2
    # not settled: a full check, a recent month, a province never landed
    assert not refresh.plan({**CONF, "full_check": True}, as_of=AS_OF)[0]["settled"]
    assert not refresh.plan(CONF, as_of="2021-06")[0]["settled"]
    assert not refresh.plan({**CONF, "provinces": ["10", "83"]}, as_of=AS_OF)[0]["settled"]


def test_a_settled_answer_removed_after_the_plan_is_logged_missing(data_dir, dopa):
    _run(data_dir, dopa, CONF, "first")
    (batch,) = refresh.plan(CONF, as_of=AS_OF)
    for path in (data_dir / "raw" / SOURCE / PERIOD).iterdir():
        path.unlink()
    outcomes = refresh.settled_outcomes(batch, data_dir)
    assert [o["status"] for o in outcomes] == ["failed"] * 2
    assert "the landed answer the plan found settled is gone" in outcomes[0]["error"]
