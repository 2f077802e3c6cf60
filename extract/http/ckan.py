"""A generic CKAN client: find a package's resource for a period, via the one HTTP client.

CKAN portals (data.go.th, gdcatalog.dlt.go.th, ...) describe a dataset with
``/api/3/action/package_show?id=<package>``: a list of resources, each a file with a
name, a URL and a format. A catalogue entry names the package and a regular expression
whose named group dates a resource (``be_date`` = BE ``yyyymmdd``, ``be_month`` = BE
``yyyymm``, ``be_year`` = BE ``yyyy``, ``be_yy`` = two-digit BE year); the resource of the
requested month is then downloaded like any other URL.

A DataStore resource (``ckan.datastore_resource`` in the catalogue) is not a file: its
records are read with ``/api/3/action/datastore_search?resource_id=<id>`` in pages of
``limit`` records from ``offset`` until the answer's ``total``, each page through the same
HTTP client (retries, size cap, API key); the pages become one body,
``{"resource_id", "fields", "records", "total"}``, for the parser. Whether to download at
all is decided by the package's change signal (:func:`change_signal`): the resource's
``last_modified`` and the package's ``metadata_modified`` compared with those the landed
manifest recorded.

A portal API key, when one is configured, travels in the ``api-key`` header. It is read
from the environment variable named in the catalogue or, inside an Airflow process,
from the Airflow connection named there; it is never logged or written anywhere.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import sys
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import requests

from extract.catalogue import Feed, Publisher
from extract.errors import FetchError, NoDataYet
from extract.http import client as http_client
from extract.parsers import Resource
from extract.thai.buddhist_era import PeriodError, be_date, be_to_ce, date_period, period_end
from smartcity import settings

log = logging.getLogger(__name__)
API_KEY_HEADER = "api-key"
PACKAGE_MAX_BYTES = 5_000_000
DATASTORE_SEARCH_PATH = "/api/3/action/datastore_search"
# Manifest keys of the change signal (see change_signal).
CHANGE_SIGNAL_KEYS = ("package_metadata_modified", "resource_last_modified")
_FORMATS = {"csv": "csv", "xlsx": "xlsx", "xls": "xls", "json": "json"}


def api_headers(publisher: Publisher) -> dict[str, str]:
    """The ``api-key`` header for a publisher, or nothing when no key is configured."""
    key = None
    if publisher.api_key_env:
        key = settings.publisher_api_key(publisher.api_key_env)
    if not key and publisher.api_key_conn_id:
        key = _connection_key(publisher.api_key_conn_id)
    return {API_KEY_HEADER: key} if key else {}


def _connection_key(conn_id: str) -> str | None:
    """The key in an Airflow connection (password, or ``api_key`` in its extra).

    Only inside an Airflow process: importing Airflow elsewhere costs seconds, and
    outside Airflow the environment variable is the way to give a key.
    """
    if "airflow.sdk" not in sys.modules:
        return None
    from airflow.sdk import Connection

    try:
        connection = Connection.get(conn_id)
    except Exception as exc:  # not defined (or no connection backend): no key
        log.debug("no Airflow connection %r for the API key (%s)", conn_id, type(exc).__name__)
        return None
    return connection.password or connection.extra_dejson.get("api_key") or None


def package_show(
    session: requests.Session, source_id: str, url: str, *, headers: dict[str, str]
) -> dict[str, Any]:
    """The ``result`` of a ``package_show`` answer; ``FetchError`` when CKAN says it failed."""
    result = http_client.fetch(
        session, source_id, url, expect="json", max_bytes=PACKAGE_MAX_BYTES, headers=headers
    )
    document = json.loads((result.body or b"").decode("utf-8-sig"))
    if not isinstance(document, dict):
        raise FetchError(source_id, url, "CKAN package_show answered something else than an object")
    package = document.get("result")
    if document.get("success") is not True or not isinstance(package, dict):
        raise FetchError(
            source_id, url, f"CKAN package_show did not succeed: {document.get('error')!r}"
        )
    if not isinstance(package.get("resources"), list):
        raise FetchError(source_id, url, "CKAN package has no resource list")
    return package


def resource_date(groups: dict[str, str | None]) -> dt.date:
    """The date a resource is as at, from the named groups of its pattern's match."""
    if groups.get("be_date"):
        return be_date(groups["be_date"])
    if groups.get("be_month"):
        text = groups["be_month"]
        return period_end(f"{be_to_ce(int(text[:4])):04d}-{text[4:6]}")
    if groups.get("be_year") and groups.get("month"):
        return period_end(f"{be_to_ce(int(groups['be_year'])):04d}-{int(groups['month']):02d}")
    if groups.get("be_year"):
        return dt.date(be_to_ce(int(groups["be_year"])), 12, 31)
    if groups.get("be_yy"):
        return dt.date(be_to_ce(2500 + int(groups["be_yy"])), 12, 31)
    raise PeriodError("the resource pattern matched without a date group")


def _format_of(item: dict[str, Any], url: str) -> str | None:
    declared = str(item.get("format") or "").strip().lower().lstrip(".")
    extension = url.rsplit("/", 1)[-1].rsplit(".", 1)[-1].lower() if "." in url else ""
    return _FORMATS.get(declared) or _FORMATS.get(extension)


def resources(package: dict[str, Any], feed: Feed) -> list[tuple[Resource, str]]:
    """Every resource the feed's pattern dates, with its ``last_modified`` (for ties)."""
    found = []
    patterns = feed.resource_patterns or (feed.resource_pattern,)
    assert all(patterns)
    for item in package["resources"]:
        if not isinstance(item, dict):
            continue
        name, url = str(item.get("name") or ""), str(item.get("url") or "")
        match = next(
            (m for p in patterns if p is not None for m in (p.search(name), p.search(url)) if m),
            None,
        )
        fmt = _format_of(item, url)
        if not match or not fmt or not url:
            continue
        try:
            as_at = resource_date(match.groupdict())
        except (PeriodError, ValueError):
            continue  # a resource whose name only looks like the pattern
        stamp = str(item.get("last_modified") or item.get("created") or "")
        size = item.get("size")
        resource = Resource(
            name,
            url,
            fmt,
            date_period(as_at),
            as_at,
            last_modified=str(item["last_modified"]) if item.get("last_modified") else None,
            size=int(size) if isinstance(size, int | str) and str(size).isdigit() else None,
            package_modified=str(package.get("metadata_modified") or "") or None,
        )
        found.append((resource, stamp))
    return found


def choose(package: dict[str, Any], feed: Feed, period: str, source_id: str) -> Resource:
    """The package's resource for ``period``: the feed's format first, then the newest.

    ``NoDataYet`` when the package has none for the month (not published yet).
    """
    candidates = [(r, stamp) for r, stamp in resources(package, feed) if r.period == period]
    if not candidates:
        have = sorted({r.period for r, _ in resources(package, feed)})
        raise NoDataYet(
            f"{source_id}: CKAN package {feed.ckan_package!r} has no resource for {period} "
            f"(resources for {have or 'no period'})"
        )
    best = max(candidates, key=lambda c: (c[0].format == feed.format, c[1], c[0].url))
    return best[0]


def resource_change_signal(resource: Resource) -> dict[str, Any]:
    """What the portal says about the resource's version, as kept in the manifest."""
    return {
        "ckan_package_modified": resource.package_modified,
        "ckan_resource_last_modified": resource.last_modified,
        "ckan_resource_size": resource.size,
    }


def package_unchanged_reason(package: Mapping[str, Any], manifest: Mapping[str, Any]) -> str | None:
    """Why nothing of the package can have changed since ``manifest`` was landed, or None.

    CKAN moves a package's ``metadata_modified`` whenever the package or any of its
    resources is updated, so the one ``package_show`` request is enough when it equals
    the stamp the landed answer recorded: no resource is looked at or asked for.
    """
    stamp = str(package.get("metadata_modified") or "")
    if stamp and manifest.get("parquet") and manifest.get("ckan_package_modified") == stamp:
        return f"CKAN package metadata_modified {stamp} as landed: not downloaded (no resource looked at)"
    return None


def resource_unchanged_reason(resource: Resource, manifest: dict[str, Any]) -> str | None:
    """Why the landed resource is the portal's current one, or None (download it).

    The resource's ``last_modified`` (and ``size`` when the portal gives it) must equal the
    manifest's; a resource without ``last_modified`` falls back to the package's
    ``metadata_modified`` (which also moves when another resource of the package changes,
    so it only ever causes a download too many, never one too few).
    """
    if resource.last_modified:
        if resource.last_modified != manifest.get("ckan_resource_last_modified"):
            return None
        if resource.size is not None and resource.size != manifest.get("ckan_resource_size"):
            return None
        detail = f"CKAN resource last_modified {resource.last_modified}"
        if resource.size is not None:
            detail += f", size {resource.size}"
        return detail + " as landed: not downloaded"
    if resource.package_modified and resource.package_modified == manifest.get(
        "ckan_package_modified"
    ):
        return (
            f"CKAN package metadata_modified {resource.package_modified} as landed: not downloaded"
        )
    return None


def rebase(url: str, publisher: Publisher, source_id: str) -> str:
    """A resource URL on the publisher's own host, moved onto the configured base URL.

    CKAN answers with absolute URLs on the real host; when the base URL is overridden
    (the snapshot mirror, a proxy) downloads must go there too. A URL on any other host
    is refused: the catalogue decides where requests go, not the publisher's JSON.
    """
    base = publisher.base_url
    real = publisher.default_base_url.rstrip("/")
    for prefix in (real, base):
        if url == prefix or url.startswith(prefix + "/"):
            return base + url[len(prefix) :]
    if url.startswith("/"):
        return base + url
    raise FetchError(source_id, url, f"resource is not on the publisher's host ({real})")


def find_resource(
    session: requests.Session,
    source_id: str,
    feed: Feed,
    period: str,
    *,
    headers: dict[str, str],
) -> tuple[str, Resource]:
    """``(package_show URL, resource with a rebased URL)`` of the feed's file for ``period``."""
    package_url = feed.url(period=period)
    package = package_show(session, source_id, package_url, headers=headers)
    resource = choose(package, feed, period, source_id)
    url = rebase(resource.url, feed.publisher, source_id)
    return package_url, dataclasses.replace(resource, url=url)



# --- change signal (shared by file and DataStore resources) -------------------------------


def change_signal(package: Mapping[str, Any], resource: Mapping[str, Any]) -> dict[str, str | None]:
    """The stamps CKAN moves when a resource changes: the resource's ``last_modified``
    (else its ``metadata_modified``) and the package's ``metadata_modified``. They are
    written to the landed manifest under :data:`CHANGE_SIGNAL_KEYS`."""
    resource_stamp = resource.get("last_modified") or resource.get("metadata_modified")
    package_stamp = package.get("metadata_modified")
    return {
        "package_metadata_modified": str(package_stamp) if package_stamp else None,
        "resource_last_modified": str(resource_stamp) if resource_stamp else None,
    }


def unchanged_since(previous: Mapping[str, Any], signal: Mapping[str, str | None]) -> bool:
    """True when the landed manifest ``previous`` holds rows and the same change signal;
    a portal that gives no stamp at all is never taken as unchanged."""
    if not previous.get("parquet") or not any(signal.values()):
        return False
    return all(previous.get(key) == signal.get(key) for key in CHANGE_SIGNAL_KEYS)


# --- DataStore ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DataStoreAnswer:
    """Every record of a DataStore resource, read page by page, as one body."""

    url: str  # the first page
    body: bytes
    sha256: str
    total: int
    pages: int
    duration_s: float


def datastore_resource(package: Mapping[str, Any], feed: Feed, source_id: str, url: str) -> dict:
    """The package's resource the feed names; ``FetchError`` when it is missing or CKAN
    says it is not in the DataStore."""
    for item in package["resources"]:
        if isinstance(item, dict) and item.get("id") == feed.datastore_resource:
            if item.get("datastore_active") is False:
                raise FetchError(
                    source_id, url, f"resource {feed.datastore_resource} is not in the DataStore"
                )
            return item
    raise FetchError(
        source_id,
        url,
        f"CKAN package {feed.ckan_package!r} has no resource {feed.datastore_resource}",
    )


def datastore_search_url(feed: Feed, *, limit: int, offset: int) -> str:
    """One page of ``datastore_search``: ``limit`` records from ``offset``, in ``_id`` order
    (a stable order, so pages neither overlap nor skip a record)."""
    query = urlencode(
        {"resource_id": feed.datastore_resource, "limit": limit, "offset": offset, "sort": "_id"}
    )
    return f"{feed.publisher.base_url}{DATASTORE_SEARCH_PATH}?{query}"


def _page(body: bytes, source_id: str, url: str) -> dict[str, Any]:
    document = json.loads(body.decode("utf-8-sig"))
    result = document.get("result") if isinstance(document, dict) else None
    if not isinstance(document, dict) or document.get("success") is not True:
        error = document.get("error") if isinstance(document, dict) else None
        raise FetchError(source_id, url, f"CKAN datastore_search did not succeed: {error!r}")
    if not isinstance(result, dict) or not isinstance(result.get("records"), list):
        raise FetchError(source_id, url, "CKAN datastore_search answered without a record list")
    total = result.get("total")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise FetchError(source_id, url, f"CKAN datastore_search total {total!r} is not a count")
    return result


def datastore_search(
    session: requests.Session,
    source_id: str,
    feed: Feed,
    *,
    headers: dict[str, str],
    max_bytes: int,
    page_size: int | None = None,
) -> DataStoreAnswer:
    """Read every record of the feed's DataStore resource, ``page_size`` at a time.

    ``max_bytes`` caps the pages together. A ``total`` that changes between pages, a
    page that comes back empty before ``total`` is reached or a repeated ``_id`` means the
    resource changed while it was read: a transient ``FetchError`` (the task retries).
    """
    limit = page_size or feed.page_size
    started = time.monotonic()
    records: list[Any] = []
    fields: Any = None
    total: int | None = None
    first_url = datastore_search_url(feed, limit=limit, offset=0)
    size = pages = 0
    while total is None or len(records) < total:
        url = datastore_search_url(feed, limit=limit, offset=len(records))
        remaining = max_bytes - size
        if remaining <= 0:
            raise FetchError(source_id, url, f"DataStore pages exceed the cap of {max_bytes} bytes")
        page = http_client.fetch(
            session, source_id, url, expect="json", max_bytes=remaining, headers=headers
        )
        body = page.body or b""
        size, pages = size + len(body), pages + 1
        result = _page(body, source_id, url)
        if total is None:
            total, fields = result["total"], result.get("fields")
        elif result["total"] != total:
            raise FetchError(
                source_id,
                url,
                f"DataStore total changed while paging ({total} then {result['total']})",
                transient=True,
            )
        if not result["records"] and len(records) < total:
            raise FetchError(
                source_id,
                url,
                f"DataStore page at offset {len(records)} is empty, total is {total}",
                transient=True,
            )
        records.extend(result["records"])
    if len(records) != total:
        raise FetchError(
            source_id, first_url, f"DataStore gave {len(records)} records, total is {total}"
        )
    ids = [r.get("_id") for r in records if isinstance(r, dict) and "_id" in r]
    if len(ids) != len(set(map(str, ids))):
        raise FetchError(
            source_id,
            first_url,
            "DataStore pages repeat an _id (resource changed while paging)",
            transient=True,
        )
    body = records_body(feed.datastore_resource or "", fields, records, total)
    return DataStoreAnswer(
        url=first_url,
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        total=total,
        pages=pages,
        duration_s=time.monotonic() - started,
    )


def records_body(resource_id: str, fields: Any, records: list[Any], total: int) -> bytes:
    """The body a DataStore resource is landed from: its records as one canonical JSON
    document (keys sorted, no spaces), so the same records give the same sha256 however
    they were paged (a recording labels a modelled resource by this sha256)."""
    document = {"resource_id": resource_id, "fields": fields, "records": records, "total": total}
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
