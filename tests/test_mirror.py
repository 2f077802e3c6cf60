"""The loopback mirror over real HTTP: snapshot answers, conditional GET, injected faults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from devtools.mirror import Fault, Mirror, clear_faults, inject_fault, serve_snapshot
from devtools.snapshots.build_dopa_snapshot import DEFAULT_OUT_DIR

REPO_ROOT = Path(__file__).resolve().parents[1]
FORWARD = "/stat/statnew/connectSAPI/stat_forward.php"
SATUN_6312 = (
    f"{FORWARD}?API=/api/statpophouse/v1/statpop/list?action=23&yymm=6312&nat=999&popst=99&cc=91"
)
BANGKOK_6312 = SATUN_6312.replace("cc=91", "cc=10")
SATUN_6312_FILE = DEFAULT_OUT_DIR / "a23_y6312_n999_p99_cc91.json"


@pytest.fixture(scope="module")
def running() -> Iterator[Mirror]:
    with Mirror() as mirror:
        yield mirror


@pytest.fixture()
def mirror(running: Mirror) -> Mirror:
    running.clear_faults()
    running.requests(clear=True)
    return running


def get(mirror: Mirror, target: str, **kwargs: object) -> requests.Response:
    kwargs.setdefault("timeout", 5)
    return requests.get(mirror.base_url + target, **kwargs)  # type: ignore[arg-type]


def test_serves_the_recorded_body_with_validators(mirror: Mirror) -> None:
    response = get(mirror, SATUN_6312)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.content == SATUN_6312_FILE.read_bytes()
    assert response.headers["ETag"].startswith('"') and len(response.headers["ETag"]) == 66
    assert response.headers["Last-Modified"] == "Fri, 01 Jan 2021 00:00:00 GMT"
    assert response.headers["X-Data-Modelled"] == "true"
    # The inner API= value reaches the server unencoded, as the live service wants it.
    assert mirror.requests()[-1]["target"] == SATUN_6312


def test_encoded_and_reordered_queries_find_the_same_response(mirror: Mirror) -> None:
    plain = get(mirror, SATUN_6312)
    encoded = get(
        mirror,
        f"{FORWARD}?API=%2Fapi%2Fstatpophouse%2Fv1%2Fstatpop%2Flist%3Faction%3D23"
        "%26yymm%3D6312%26nat%3D999%26popst%3D99%26cc%3D91",
    )
    reordered = get(
        mirror,
        f"{FORWARD}?cc=91&popst=99&API=/api/statpophouse/v1/statpop/list?nat=999&yymm=6312&action=23",
    )
    assert plain.content == encoded.content == reordered.content
    assert plain.headers["ETag"] == encoded.headers["ETag"] == reordered.headers["ETag"]


def test_a_target_asked_again_is_served_the_same_and_a_fault_still_applies(mirror: Mirror) -> None:
    first = get(mirror, SATUN_6312)
    again = get(mirror, SATUN_6312, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    other = get(mirror, BANGKOK_6312)  # a target remembered does not answer for another
    assert other.status_code == 200 and other.content != first.content
    mirror.inject(Fault(kind="status", status=503, times=1))
    assert get(mirror, SATUN_6312).status_code == 503  # faults come before the lookup
    assert get(mirror, SATUN_6312).content == first.content
    assert get(mirror, SATUN_6312 + "&cc=92").status_code == 404  # a repeated key


def test_real_recordings_are_not_labelled_modelled(mirror: Mirror) -> None:
    target = SATUN_6312.replace("yymm=6312&nat=999", "yymm=6909&nat=99")
    response = get(mirror, target)
    assert response.status_code == 200
    assert response.headers["X-Data-Modelled"] == "false"
    assert response.json()[0]["lsSumTotTot"] == 160_232


def test_if_none_match_gives_304(mirror: Mirror) -> None:
    etag = get(mirror, SATUN_6312).headers["ETag"]
    response = get(mirror, SATUN_6312, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["ETag"] == etag
    stale = get(mirror, SATUN_6312, headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200


def test_if_modified_since_gives_304_only_when_not_newer(mirror: Mirror) -> None:
    last_modified = get(mirror, SATUN_6312).headers["Last-Modified"]
    assert get(mirror, SATUN_6312, headers={"If-Modified-Since": last_modified}).status_code == 304
    older = "Tue, 01 Dec 2020 00:00:00 GMT"
    assert get(mirror, SATUN_6312, headers={"If-Modified-Since": older}).status_code == 200


def test_head_sends_headers_only(mirror: Mirror) -> None:
    response = requests.head(mirror.base_url + SATUN_6312, timeout=5)
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == SATUN_6312_FILE.stat().st_size
    assert response.content == b""


@pytest.mark.parametrize(
    "target",
    [
        SATUN_6312.replace("yymm=6312", "yymm=6612"),
        SATUN_6312.replace("cc=91", "cc=99"),
        SATUN_6312 + "&rcode=9101",
        "/nowhere",
    ],
)
def test_unknown_request_is_404_with_a_json_reason(mirror: Mirror, target: str) -> None:
    response = get(mirror, target)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"] == "not_in_snapshot"
    assert "bundled snapshot" in body["message"]


def test_status_fault_for_the_next_n_requests(mirror: Mirror) -> None:
    mirror.inject(Fault("status", times=2, status=500, path=FORWARD))
    assert [get(mirror, SATUN_6312).status_code for _ in range(3)] == [500, 500, 200]


def test_429_with_retry_after(mirror: Mirror) -> None:
    mirror.inject(Fault("status", status=429, headers={"Retry-After": "2"}))
    response = get(mirror, SATUN_6312)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert get(mirror, SATUN_6312).status_code == 200


def test_fault_matches_only_the_given_params(mirror: Mirror) -> None:
    mirror.inject(Fault("status", status=503, params={"cc": "10"}))
    assert get(mirror, SATUN_6312).status_code == 200
    assert get(mirror, BANGKOK_6312).status_code == 503
    assert get(mirror, BANGKOK_6312).status_code == 200


def test_sleep_fault_makes_the_client_time_out(mirror: Mirror) -> None:
    mirror.inject(Fault("sleep", seconds=2.0))
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        get(mirror, SATUN_6312, timeout=0.3)
    assert time.monotonic() - started < 1.5
    assert get(mirror, SATUN_6312).status_code == 200


def test_truncate_fault_breaks_the_body(mirror: Mirror) -> None:
    mirror.inject(Fault("truncate"))
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        get(mirror, SATUN_6312)
    assert get(mirror, SATUN_6312).status_code == 200


def test_html_fault_answers_200_with_an_error_page(mirror: Mirror) -> None:
    mirror.inject(Fault("html"))
    response = get(mirror, SATUN_6312)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text.lstrip().lower().startswith("<!doctype html")


def test_reset_fault_drops_the_connection(mirror: Mirror) -> None:
    mirror.inject(Fault("reset"))
    with pytest.raises(requests.exceptions.ConnectionError):
        get(mirror, SATUN_6312)
    assert get(mirror, SATUN_6312).status_code == 200


def test_body_fault_serves_an_empty_month(mirror: Mirror) -> None:
    mirror.inject(Fault("body", body="[]"))
    response = get(mirror, SATUN_6312)
    assert (response.status_code, response.json()) == (200, [])


def test_fault_until_cleared(mirror: Mirror) -> None:
    mirror.inject(Fault("status", times=None, status=502))
    assert [get(mirror, SATUN_6312).status_code for _ in range(4)] == [502] * 4
    mirror.clear_faults()
    assert get(mirror, SATUN_6312).status_code == 200


def test_faults_through_the_control_endpoint() -> None:
    with serve_snapshot() as base_url:
        queued = inject_fault(base_url, kind="status", status=500, times=1)
        assert queued[0]["kind"] == "status"
        assert requests.get(base_url + SATUN_6312, timeout=5).status_code == 500
        assert requests.get(base_url + SATUN_6312, timeout=5).status_code == 200
        inject_fault(base_url, kind="status", status=500, times=None)
        clear_faults(base_url)
        assert requests.get(base_url + SATUN_6312, timeout=5).status_code == 200
        bad = requests.post(f"{base_url}/_mirror/faults", json={"kind": "explode"}, timeout=5)
        assert bad.status_code == 400
        log = requests.get(f"{base_url}/_mirror/requests", timeout=5).json()["requests"]
        assert [item["params"].get("cc") for item in log] == ["91"] * 3
        health = requests.get(f"{base_url}/_mirror/health", timeout=5).json()
        indexes = [json.loads(path.read_text(encoding="utf-8")) for path in DEFAULT_OUT_DIR.parent.glob("*/index.json")]
        assert health["entries"] == sum(len(index["entries"]) for index in indexes)
        assert health["entries"] >= 169  # the DOPA recording alone holds 169 responses


def test_cli_writes_the_bound_port(tmp_path: Path) -> None:
    port_file = tmp_path / "mirror.port"
    process = subprocess.Popen(
        [sys.executable, "-m", "devtools.mirror", "--port", "0", "--port-file", str(port_file)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists() and time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            time.sleep(0.05)
        port = int(port_file.read_text())
        response = requests.get(f"http://127.0.0.1:{port}{SATUN_6312}", timeout=5)
        assert response.status_code == 200
        assert json.loads(response.content)[0]["lsSumTotTot"] > 0
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0
    assert not port_file.exists()
