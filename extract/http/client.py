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
import json
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.sessions import merge_setting
from requests.utils import get_environ_proxies, get_netrc_auth
from urllib3.util.retry import Retry

from extract.errors import FetchError
from smartcity import settings

# The DOPA service sits behind a firewall that rejects non-browser clients.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36 smartcity-warehouse"
)
RETRY_STATUSES = (429, 500, 502, 503, 504)
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
    # The body as parsed by the JSON body check (``json`` / ``json_array``), so that a
    # parser of the same bytes does not decode them a second time; None when not parsed.
    document: Any = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def not_modified(self) -> bool:
        return self.http_status == 304


class _Session(requests.Session):
    """A ``requests`` session that reads the proxy environment once per host.

    ``requests`` scans the whole environment for proxies twice on every request, a fifth
    of the cost of a conditional GET when tens of thousands of slices answer 304; the
    environment does not change while a task runs. Everything else is ``requests``'s own
    ``merge_environment_settings`` (``NO_PROXY``, ``REQUESTS_CA_BUNDLE``).
    """

    def __init__(self) -> None:
        super().__init__()
        self._environment_proxies: dict[str, dict[str, str]] = {}
        self._netrc: dict[str, Any] = {}

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        # ``requests`` looks for ``~/.netrc`` (two file system calls, and a parse when there
        # is one) on every request; like the proxies, it is read once per host.
        if self.trust_env and not request.auth and not self.auth:
            parts = urlsplit(request.url)
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in self._netrc:
                self._netrc[origin] = get_netrc_auth(origin)
            request.auth = self._netrc[origin] or _no_auth
        return super().prepare_request(request)

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        if not self.trust_env:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        no_proxy = (proxies or {}).get("no_proxy")
        key = f"{origin} {no_proxy}"
        if key not in self._environment_proxies:
            self._environment_proxies[key] = get_environ_proxies(origin, no_proxy=no_proxy)
        proxies = {**self._environment_proxies[key], **(proxies or {})}
        if verify is True or verify is None:
            verify = settings.ca_bundle() or verify
        return {
            # merge_setting with no session proxies, without its costly type checks
            "proxies": merge_setting(proxies, self.proxies)
            if self.proxies
            else {k: v for k, v in proxies.items() if v is not None},
            "stream": merge_setting(stream, self.stream),
            "verify": merge_setting(verify, self.verify),
            "cert": merge_setting(cert, self.cert),
        }


def _no_auth(prepared: requests.PreparedRequest) -> requests.PreparedRequest:
    """No ``~/.netrc`` entry for the host: the request goes without authentication."""
    return prepared


class _Adapter(HTTPAdapter):
    """urllib3's retries under ``requests``; the pool key of an origin computed once.

    ``requests`` works out the pool key attributes on every request, checking on the file
    system whether the CA bundle is a directory; for one origin and the same TLS settings
    the answer is the same every time.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pool_keys: dict[Any, tuple[dict[str, Any], dict[str, Any]]] = {}

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        parts = urlsplit(request.url)
        key = (parts.scheme, parts.netloc, verify, cert)
        try:
            known = self._pool_keys.get(key)
        except TypeError:  # a certificate given as a list: not cached
            return super().build_connection_pool_key_attributes(request, verify, cert)
        if known is None:
            known = super().build_connection_pool_key_attributes(request, verify, cert)
            self._pool_keys[key] = known
        host, pool = known
        return dict(host), dict(pool)


def make_session(
    *, total_retries: int | None = None, backoff: float | None = None
) -> requests.Session:
    """A session with retries on connection errors, read errors, 429 and 5xx."""
    total = settings.http_retries() if total_retries is None else total_retries
    retry = Retry(
        total=total,
        connect=total,
        read=total,
        status=total,
        backoff_factor=settings.http_backoff() if backoff is None else backoff,
        backoff_max=60,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = _Session()
    adapter = _Adapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json, text/csv, */*"})
    return session


def _looks_like_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml"))


ZIP_MAGIC = b"PK\x03\x04"  # xlsx is a zip package
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy binary .xls
EXPECT_KINDS = ("json_array", "json", "csv", "xlsx", "xls")


def _is_text(body: bytes) -> bool:
    if b"\x00" in body[:65536]:
        return False
    for encoding in ("utf-8-sig", "cp874"):  # Thai CSVs are UTF-8 or TIS-620 / cp874
        try:
            body.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def check_body_kind(source_id: str, url: str, body: bytes, expect: str) -> Any:
    """Reject a body that is not the kind of document asked for; returns the parsed JSON
    document for ``json`` / ``json_array`` (None otherwise, or when a broken array is
    left to the parser).

    ``json_array`` / ``json``: parses as JSON (an array for the former); ``csv``: text in
    UTF-8 or cp874, not HTML; ``xlsx``: a zip package; ``xls``: a binary workbook or an
    HTML table (portals serve both under ``.xls``), never an HTML page without a table.
    """
    if expect not in EXPECT_KINDS:
        raise ValueError(f"unknown body kind {expect!r}; expected one of {EXPECT_KINDS}")
    if not body.strip():
        raise FetchError(source_id, url, "empty body")
    head = body[:512]
    if expect == "xls" and (head.startswith(OLE2_MAGIC) or b"<table" in body[:65536].lower()):
        return None
    if _looks_like_html(head):
        raise FetchError(
            source_id, url, "got an HTML page instead of the data (publisher error page?)"
        )
    if expect == "xlsx" and not head.startswith(ZIP_MAGIC):
        raise FetchError(source_id, url, f"expected an xlsx (zip) file, body starts {head[:16]!r}")
    if expect == "xls":
        raise FetchError(source_id, url, f"expected an .xls workbook, body starts {head[:16]!r}")
    if expect == "csv" and not _is_text(body):
        raise FetchError(source_id, url, "expected CSV text, body is not UTF-8 or cp874 text")
    if expect in ("json", "json_array"):
        try:
            document = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
            if expect == "json_array" and stripped.startswith(b"["):
                return None  # a broken array is the parser's to report, with the field
            kind = "a JSON array" if expect == "json_array" else "JSON"
            raise FetchError(
                source_id, url, f"expected {kind}, body starts {body[:60]!r}"
            ) from None
        if expect == "json_array" and not isinstance(document, list):
            raise FetchError(source_id, url, f"expected a JSON array, body starts {body[:60]!r}")
        return document
    return None


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
    timeout = timeout or (settings.http_connect_timeout(), settings.http_read_timeout())
    started = time.monotonic()
    try:
        with session.get(url, headers=request_headers, timeout=timeout, stream=True) as response:
            if response.status_code == 304:
                # Read the (empty) body: a streamed response closed unread takes its
                # connection with it, and every next request would connect (and, on
                # HTTPS, handshake) again instead of reusing the pooled one.
                _ = response.content
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
    document = check_body_kind(source_id, url, result.body or b"", expect)
    return dataclasses.replace(result, document=document) if document is not None else result
