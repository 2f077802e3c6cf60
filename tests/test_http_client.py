"""The one HTTP client against real loopback faults served by the snapshot mirror."""

import hashlib
import time

import pytest

from devtools.mirror import Fault, Mirror
from extract import landing
from extract.errors import FetchError
from extract.http.client import fetch, make_session

PATH = "/stat/statnew/connectSAPI/stat_forward.php"
QUERY = "?API=/api/statpophouse/v1/statpop/list?action=23&yymm=6909&nat=99&popst=99&cc=91"


@pytest.fixture
def mirror():
    with Mirror() as running:
        yield running


@pytest.fixture
def session():
    return make_session(total_retries=3, backoff=0.05)


def _get(session, mirror, **kwargs):
    kwargs.setdefault("max_bytes", 1_000_000)
    return fetch(session, "dopa_population_thai", mirror.base_url + PATH + QUERY, expect="json_array", **kwargs)


def test_ok_body_hash_etag_and_browser_user_agent(session, mirror):
    result = _get(session, mirror)
    assert result.http_status == 200 and result.body.startswith(b"[")
    assert result.sha256 == hashlib.sha256(result.body).hexdigest()
    assert result.etag and result.last_modified and landing.modelled_method(result.sha256) is None
    sent = mirror.requests()[0]
    assert sent["headers"]["User-Agent"].startswith("Mozilla/5.0")
    # The inner API= value travels unencoded, as the publisher's firewall requires.
    assert "API=/api/statpophouse/v1/statpop/list?action=23&yymm=6909" in sent["target"]


def test_conditional_get_answers_304_without_a_body(session, mirror):
    first = _get(session, mirror)
    again = _get(session, mirror, etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.body is None
    assert mirror.requests()[-1]["headers"]["If-None-Match"] == first.etag


def test_pooled_connection_is_reused_after_200_and_304(session, mirror):
    first = _get(session, mirror)
    for _ in range(3):
        _get(session, mirror, etag=first.etag, last_modified=first.last_modified)
    _get(session, mirror)
    ports = {sent["client_port"] for sent in mirror.requests()}
    assert len(mirror.requests()) == 5 and len(ports) == 1, ports


def test_500_then_200_is_retried(session, mirror):
    mirror.inject(Fault("status", status=500, times=1))
    assert _get(session, mirror).http_status == 200
    assert len(mirror.requests()) == 2


def test_connection_reset_is_retried(session, mirror):
    mirror.inject(Fault("reset", times=1))
    assert _get(session, mirror).http_status == 200
    assert len(mirror.requests()) == 2


def test_429_retry_after_is_honoured(session, mirror):
    mirror.inject(Fault("status", status=429, headers={"Retry-After": "1"}, times=1))
    started = time.monotonic()
    assert _get(session, mirror).http_status == 200
    # The client waited the second the publisher asked for, not its own 0.05 s backoff.
    assert time.monotonic() - started >= 0.9
    assert len(mirror.requests()) == 2


def test_persistent_5xx_gives_up_with_the_url(session, mirror):
    mirror.inject(Fault("status", status=503, times=None))
    with pytest.raises(FetchError, match=r"dopa_population_thai: .*(503|retries).*url http://127\.0\.0\.1") as info:
        _get(session, mirror)
    assert info.value.transient
    assert len(mirror.requests()) == 4  # first try + 3 retries


def test_timeout_is_retried_then_reported(session, mirror):
    mirror.inject(Fault("sleep", seconds=2, times=None))
    with pytest.raises(FetchError, match="timed out|gave up|connection failed") as info:
        _get(session, mirror, timeout=(2, 0.3))
    assert info.value.transient
    assert len(mirror.requests()) == 4


def test_truncated_body_is_an_error(session, mirror):
    mirror.inject(Fault("truncate", times=None))
    with pytest.raises(FetchError, match="cut off") as info:
        _get(session, mirror)
    assert info.value.transient


def test_html_error_page_with_200_is_rejected(session, mirror):
    mirror.inject(Fault("html", times=1))
    with pytest.raises(FetchError, match="HTML page instead of the data.*url http"):
        _get(session, mirror)


def test_wrong_json_shape_is_rejected(session, mirror):
    mirror.inject(Fault("body", body='{"error": "x"}', times=1))
    with pytest.raises(FetchError, match="expected a JSON array"):
        _get(session, mirror)


def test_empty_body_is_rejected(session, mirror):
    mirror.inject(Fault("body", body="", times=1))
    with pytest.raises(FetchError, match="empty body"):
        _get(session, mirror)


def test_size_cap(session, mirror):
    with pytest.raises(FetchError, match="exceeds the cap of 1000"):
        _get(session, mirror, max_bytes=1000)


def test_unknown_request_is_a_clear_404(session, mirror):
    url = mirror.base_url + PATH + QUERY.replace("cc=91", "cc=10")
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(session, "dopa_population_thai", url, expect="json_array", max_bytes=10_000)


def test_proxy_environment_is_honoured_and_no_proxy_bypasses_it(mirror, monkeypatch):
    # The mirror doubles as a forward proxy: it answers the absolute-form request line
    # "GET http://publisher.invalid/..." from its snapshot. A host that does not resolve
    # can only be reached through the proxy.
    url = "http://publisher.invalid" + PATH + QUERY
    monkeypatch.setenv("HTTP_PROXY", mirror.base_url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    session = make_session(total_retries=0, backoff=0)
    for _ in range(2):  # the second request uses the proxy settings read by the first
        result = fetch(session, "dopa_population_thai", url, expect="json_array", max_bytes=10**6)
        assert result.http_status == 200
    assert [r["target"] for r in mirror.requests()] == [url, url]

    monkeypatch.setenv("NO_PROXY", "publisher.invalid")
    with pytest.raises(FetchError, match="connection failed"):
        fetch(make_session(total_retries=0, backoff=0), "dopa_population_thai", url,
              expect="json_array", max_bytes=10**6)  # fmt: skip
    assert len(mirror.requests()) == 2


def test_netrc_credentials_are_sent_and_the_file_read_once_per_host(mirror, monkeypatch, tmp_path):
    import requests.utils

    from extract.http import client

    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login reader password secret\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    looked_up = []
    real = requests.utils.get_netrc_auth
    monkeypatch.setattr(client, "get_netrc_auth", lambda url: looked_up.append(url) or real(url))
    session = make_session(total_retries=0)
    for _ in range(3):
        _get(session, mirror)
    sent = [request["headers"].get("Authorization") for request in mirror.requests()]
    assert sent == ["Basic cmVhZGVyOnNlY3JldA=="] * 3  # reader:secret
    assert len(looked_up) == 1


def test_no_netrc_entry_sends_no_authorization(mirror, monkeypatch, tmp_path):
    monkeypatch.setenv("NETRC", str(tmp_path / "absent"))
    session = make_session(total_retries=0)
    _get(session, mirror)
    _get(session, mirror)
    assert all("Authorization" not in r["headers"] for r in mirror.requests())


def test_json_body_check_hands_its_document_on(session, mirror):
    import json

    result = _get(session, mirror)
    assert result.document == json.loads(result.body)
    again = _get(session, mirror, etag=result.etag)
    assert again.not_modified and again.document is None
