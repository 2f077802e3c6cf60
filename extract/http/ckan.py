"""A generic CKAN client: find a package's resource for a period, via the one HTTP client.

CKAN portals (data.go.th, gdcatalog.dlt.go.th, ...) describe a dataset with
``/api/3/action/package_show?id=<package>``: a list of resources, each a file with a
name, a URL and a format. A catalogue entry names the package and a regular expression
whose named group dates a resource (``be_date`` = BE ``yyyymmdd``, ``be_month`` = BE
``yyyymm``, ``be_year`` = BE ``yyyy``, ``be_yy`` = two-digit BE year); the resource of the
requested month is then downloaded like any other URL.

A portal API key, when one is configured, travels in the ``api-key`` header. It is read
from the environment variable named in the catalogue or, inside an Airflow process,
from the Airflow connection named there; it is never logged or written anywhere.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

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
    pattern = feed.resource_pattern
    assert pattern is not None
    for item in package["resources"]:
        if not isinstance(item, dict):
            continue
        name, url = str(item.get("name") or ""), str(item.get("url") or "")
        match = pattern.search(name) or pattern.search(url)
        fmt = _format_of(item, url)
        if not match or not fmt or not url:
            continue
        try:
            as_at = resource_date(match.groupdict())
        except (PeriodError, ValueError):
            continue  # a resource whose name only looks like the pattern
        stamp = str(item.get("last_modified") or item.get("created") or "")
        found.append((Resource(name, url, fmt, date_period(as_at), as_at), stamp))
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
    return package_url, Resource(
        resource.name, url, resource.format, resource.period, resource.as_at
    )
