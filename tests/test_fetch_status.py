"""The fetch statuses are one enumeration whose values are the strings already stored."""

import json

import pyarrow as pa

from extract.status import FetchStatus
from warehouse import fetch_log


def test_values_are_the_stored_strings():
    assert [s.value for s in FetchStatus] == [
        "downloaded", "not_modified", "unchanged", "no_data", "failed", "stale", "settled",
    ]
    assert FetchStatus.NO_DATA == "no_data" and f"{FetchStatus.STALE}" == "stale"
    assert json.dumps({"status": FetchStatus.NOT_MODIFIED}) == '{"status": "not_modified"}'
    column = pa.array([FetchStatus.DOWNLOADED, FetchStatus.FAILED], pa.string())
    assert column.to_pylist() == ["downloaded", "failed"]
    assert fetch_log.STATUSES == tuple(FetchStatus)
