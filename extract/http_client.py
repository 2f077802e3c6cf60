"""The one HTTP client every source uses.

Retries (exponential backoff, ``Retry-After`` honoured) come from urllib3's ``Retry``
mounted on a ``requests`` session; this module adds what urllib3 does not do: a size
cap while streaming, conditional GET, the body's sha256, and a check that the body is
the kind of document that was asked for (government portals answer HTML error pages
with status 200).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from extract.errors import FetchError

# The DOPA service sits behind a firewall that rejects non-browser clients.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36 smartcity-warehouse"
)
RETRY_STATUSES = (429, 500, 502, 503, 504)
MODELLED_HEADER = "X-Data-Modelled"
_CHUNK = 64 * 1024


@dataclasses.dataclass(frozen=True)
class FetchResult:
    url: str
    http_status: int
    body: bytes | None  # None when the publisher answered 304 Not Modified
    sha256: str | None
    etag: str | None
    last_modified: str | None
    duration_s: float
    # The bundled snapshot's mirror labels modelled answers; live publishers never do.
    modelled: bool = False

    @property
    def not_modified(self) -> bool:
        return self.http_status == 304


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def make_session(
    *, total_retries: int | None = None, backoff: float | None = None
) -> requests.Session:
    """A session with retries on connection errors, read errors, 429 and 5xx."""
    total = (
        int(os.environ.get("SMARTCITY_HTTP_RETRIES", 4)) if total_retries is None else total_retries
    )
    retry = Retry(
        total=total,
        connect=total,
        read=total,
        status=total,
        backoff_factor=_env_float("SMARTCITY_HTTP_BACKOFF", 1.0) if backoff is None else backoff,
        backoff_max=60,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json, text/csv, */*"})
    return session


def _looks_like_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml"))


def check_body_kind(source_id: str, url: str, body: bytes, expect: str) -> None:
    """Reject a body that is not the kind of document asked for (``json_array``, ``csv``, ...)."""
    if not body.strip():
        raise FetchError(source_id, url, "empty body")
    if _looks_like_html(body[:512]):
        raise FetchError(
            source_id, url, "got an HTML page instead of the data (publisher error page?)"
        )
    if expect == "json_array" and not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        raise FetchError(source_id, url, f"expected a JSON array, body starts {body[:60]!r}")


def fetch(
    session: requests.Session,
    source_id: str,
    url: str,
    *,
    expect: str,
    max_bytes: int,
    etag: str | None = None,
    last_modified: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: tuple[float, float] | None = None,
) -> FetchResult:
    """GET ``url`` once (urllib3 retries transient faults underneath) and check the body."""
    request_headers = dict(headers or {})
    if etag:
        request_headers["If-None-Match"] = etag
    if last_modified:
        request_headers["If-Modified-Since"] = last_modified
    timeout = timeout or (
        _env_float("SMARTCITY_HTTP_CONNECT_TIMEOUT", 10),
        _env_float("SMARTCITY_HTTP_READ_TIMEOUT", 60),
    )
    started = time.monotonic()
    try:
        with session.get(url, headers=request_headers, timeout=timeout, stream=True) as response:
            if response.status_code == 304:
                return FetchResult(
                    url, 304, None, None, etag, last_modified, time.monotonic() - started
                )
            if response.status_code != 200:
                raise FetchError(
                    source_id,
                    url,
                    f"HTTP {response.status_code} after retries",
                    transient=response.status_code in RETRY_STATUSES,
                )
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(
                    source_id, url, f"body of {declared} bytes exceeds the cap of {max_bytes}"
                )
            digest, chunks, size = hashlib.sha256(), [], 0
            for chunk in response.iter_content(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(source_id, url, f"body exceeds the cap of {max_bytes} bytes")
                digest.update(chunk)
                chunks.append(chunk)
            body = b"".join(chunks)
            if declared and declared.isdigit() and int(declared) != size:
                raise FetchError(
                    source_id, url, f"body cut off: {size} of {declared} bytes", transient=True
                )
            result = FetchResult(
                url,
                200,
                body,
                digest.hexdigest(),
                response.headers.get("ETag"),
                response.headers.get("Last-Modified"),
                time.monotonic() - started,
                modelled=response.headers.get(MODELLED_HEADER, "").lower() == "true",
            )
    except requests.exceptions.Timeout as exc:
        raise FetchError(
            source_id, url, f"timed out after retries ({exc.__class__.__name__})", transient=True
        ) from exc
    except requests.exceptions.RetryError as exc:
        raise FetchError(source_id, url, f"gave up after retries: {exc}", transient=True) from exc
    except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
        raise FetchError(
            source_id,
            url,
            f"connection failed or body cut off: {exc.__class__.__name__}",
            transient=True,
        ) from exc
    check_body_kind(source_id, url, result.body or b"", expect)
    return result
