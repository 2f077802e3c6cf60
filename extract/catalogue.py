"""The declarative catalogue of datasets (``sources.yml``) and URL building from it.

A source is sliced one of three ways (``slicing``): ``province`` (one request per DOPA
province code and month), ``office`` (one per registration office of a province and
month) or ``national`` (one file per vintage, fetched whole). Each slice is fetched
through a feed: a publisher plus either a URL template or a CKAN package whose resource
for the month is found by a regular expression. Most sources have one feed; a source
published by several bodies (electricity: PEA and MEA) lists them under ``feeds``.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from extract.thai.buddhist_era import period_to_yymm
from extract.thai.province_names import province_codes
from smartcity import settings

CATALOGUE_PATH = Path(__file__).with_name("sources.yml")


def __getattr__(name: str) -> Any:
    # ``PROVINCE_CODES``: the DOPA two-digit province codes (77 since 2011, Bueng Kan = 38
    # the newest), read from the reference seed when first asked for, not written here.
    if name == "PROVINCE_CODES":
        return province_codes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


SLICINGS = ("province", "office", "province_offices", "national")
# Named groups a CKAN resource pattern uses to say which period a resource holds
# (``month`` goes with ``be_year``: a file name with the year and month apart).
PERIOD_GROUPS = ("be_date", "be_month", "be_year", "be_yy")
DEFAULT_EXPECT = {"json": "json", "csv": "csv", "xlsx": "xlsx", "xls": "xls"}
SINGLE_FEED = "main"
# CKAN answers 100 records a page unless asked for more; its ceiling is 32,000.
DATASTORE_PAGE_SIZE = 1000
DATASTORE_MAX_PAGE_SIZE = 32000
_RESOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")


@dataclasses.dataclass(frozen=True)
class Publisher:
    id: str
    name: str
    base_url_env: str
    default_base_url: str
    licence: str
    api_key_env: str | None = None  # environment variable holding a portal API key
    api_key_conn_id: str | None = None  # Airflow connection holding it instead
    # requests in flight at once inside one extract task (``max_concurrent_requests``);
    # None: SMARTCITY_HTTP_CONCURRENCY alone decides
    max_concurrent_requests: int | None = None

    @property
    def base_url(self) -> str:
        return settings.publisher_base_url(self.base_url_env, self.default_base_url)


@dataclasses.dataclass(frozen=True)
class Feed:
    """Where one slice of a source comes from: a publisher and a URL or a CKAN package."""

    id: str
    publisher: Publisher
    url_template: str
    format: str
    expect: str
    encoding: str
    ckan_package: str | None = None
    resource_pattern: re.Pattern[str] | None = None
    # Every pattern that dates a resource (the first is ``resource_pattern``): a
    # publisher that names its files two ways lists both.
    resource_patterns: tuple[re.Pattern[str], ...] = ()
    options: Mapping[str, str] = dataclasses.field(default_factory=dict)
    # A CKAN DataStore resource read with datastore_search (instead of a file download)
    datastore_resource: str | None = None
    page_size: int = DATASTORE_PAGE_SIZE
    # False until the publisher's host and ids are confirmed against the live portal
    verified: bool = True
    verified_note: str | None = None
    # the feed's own default vintages (a feed whose files exist for some years only)
    default_periods: tuple[str, ...] = ()
    # Several requests per slice: ``parts`` (name -> template, answers parsed together) or,
    # for ``province_offices``, a ``discovery_template`` whose answer lists the offices
    # that ``url_template`` is then asked for.
    parts: Mapping[str, str] = dataclasses.field(default_factory=dict)
    discovery_template: str | None = None

    @property
    def access(self) -> str:
        """``url`` (a template), ``ckan`` (a package's file resource for the month) or
        ``ckan_datastore`` (a DataStore resource, paged through ``datastore_search``)."""
        if self.datastore_resource:
            return "ckan_datastore"
        return "ckan" if self.ckan_package else "url"

    def url(self, *, period: str, province: str | None = None, office: str | None = None) -> str:
        """The first request of a slice; only validated codes and periods go in."""
        path = self.url_template.format(
            province=province,
            office=office,
            yymm=period_to_yymm(period),
            yy=period_to_yymm(period)[:2],
            package=self.ckan_package,
            resource=self.datastore_resource,
        )
        return self.publisher.base_url + path

    def _build(
        self, template: str, *, period: str, province: str | None, office: str | None = None
    ) -> str:
        path = template.format(
            province=province, office=office, yymm=period_to_yymm(period), package=self.ckan_package
        )
        return self.publisher.base_url + path

    def discovery_url(self, *, period: str, province: str) -> str:
        """The request whose answer lists a province's registration offices."""
        assert self.discovery_template
        return self._build(self.discovery_template, period=period, province=province)

    def part_urls(self, *, period: str, province: str | None) -> dict[str, str]:
        """The named requests of a multi-part slice."""
        return {
            name: self._build(template, period=period, province=province)
            for name, template in self.parts.items()
        }


@dataclasses.dataclass(frozen=True)
class Source:
    id: str
    title: str
    parser: str
    slicing: str
    grain: str
    licence: str
    provider: str
    population_scope: str | None
    default_provinces: tuple[str, ...]
    default_periods: tuple[str, ...]
    refresh_cadence: str
    max_bytes: int
    feeds: tuple[Feed, ...]
    # Months back from the run's month in which the publisher may still revise a period
    # (``revision_window_months``); an older period already landed is settled and not
    # asked again unless the run is a full check. None: every period is always asked.
    revision_window_months: int | None = None

    @property
    def verified(self) -> bool:
        """False when a feed's package id or layout is not checked against a real file (an
        entry's ``verified`` reaches each of its feeds)."""
        return all(f.verified for f in self.feeds)

    @property
    def verified_note(self) -> str | None:
        """Why a feed is unverified, else the note of what it was checked against."""
        notes = [f.verified_note for f in self.feeds if f.verified_note]
        unverified = [f.verified_note for f in self.feeds if not f.verified]
        return (unverified or notes or [None])[0]

    def settled(self, period: str, as_of: str) -> bool:
        """True when ``period`` (YYYY-MM) is older than the revision window at ``as_of``."""
        if self.revision_window_months is None:
            return False
        year, month = (int(x) for x in as_of.split("-"))
        months = year * 12 + month - 1 - self.revision_window_months
        return period < f"{months // 12:04d}-{months % 12 + 1:02d}"

    @property
    def publisher(self) -> Publisher:
        return self.feeds[0].publisher

    @property
    def format(self) -> str:
        return self.feeds[0].format

    @property
    def url_template(self) -> str:
        return self.feeds[0].url_template

    @property
    def multi_feed(self) -> bool:
        return len(self.feeds) > 1

    def feed(self, feed_id: str | None = None) -> Feed:
        for feed in self.feeds:
            if feed_id in (None, feed.id):
                return feed
        raise KeyError(f"{self.id}: no feed {feed_id!r}")

    def url(self, *, province: str, period: str) -> str:
        """The request URL of a province slice (single-feed sources)."""
        return self.feeds[0].url(province=province, period=period)


def _feed(
    feed_id: str, spec: Mapping[str, Any], publishers: dict[str, Publisher], where: str
) -> Feed:
    publisher = publishers[spec["publisher"]]
    ckan = spec.get("ckan")
    fmt = spec["format"]
    datastore = ckan.get("datastore_resource") if ckan else None
    page_size = int(ckan.get("page_size", DATASTORE_PAGE_SIZE)) if ckan else DATASTORE_PAGE_SIZE
    if datastore is not None and not _RESOURCE_ID.match(str(datastore)):
        raise ValueError(f"{where}: datastore_resource {datastore!r} is not a CKAN resource id")
    if not 1 <= page_size <= DATASTORE_MAX_PAGE_SIZE:
        raise ValueError(f"{where}: page_size {page_size} is not 1..{DATASTORE_MAX_PAGE_SIZE}")
    patterns: list[re.Pattern[str]] = []
    if ckan and not datastore:
        given = ckan["resource_pattern"]
        for text in [given] if isinstance(given, str) else given:
            pattern = re.compile(text)
            if not set(pattern.groupindex) & set(PERIOD_GROUPS):
                raise ValueError(
                    f"{where}: resource_pattern needs one of the groups {PERIOD_GROUPS}"
                )
            patterns.append(pattern)
    verified = spec.get("verified", True)
    if not isinstance(verified, bool):
        raise ValueError(f"{where}: verified must be true or false, not {verified!r}")
    if not verified and not spec.get("verified_note"):
        raise ValueError(f"{where}: an entry with verified: false says why in verified_note")
    return Feed(
        id=feed_id,
        publisher=publisher,
        url_template=spec.get("url_template", ""),
        format=fmt,
        expect=spec.get("expect", DEFAULT_EXPECT.get(fmt, fmt)),
        encoding=spec.get("encoding", "utf-8"),
        ckan_package=ckan["package"] if ckan else None,
        resource_pattern=patterns[0] if patterns else None,
        resource_patterns=tuple(patterns),
        options={str(k): str(v) for k, v in (spec.get("options") or {}).items()},
        datastore_resource=str(datastore) if datastore else None,
        page_size=page_size,
        verified=verified,
        verified_note=spec.get("verified_note"),
        default_periods=tuple(spec.get("feed_default_periods") or ()),
        parts={str(k): str(v) for k, v in (spec.get("parts") or {}).items()},
        discovery_template=spec.get("discovery_template"),
    )


def _count(value: Any, where: str, *, minimum: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{where}: expected a whole number >= {minimum} or null, got {value!r}")
    return value


def _source(
    source_id: str,
    entry: dict[str, Any],
    publishers: dict[str, Publisher],
    window: int | None = None,
) -> Source:
    slicing = entry.get("slicing", "province")
    if slicing not in SLICINGS:
        raise ValueError(f"{source_id}: slicing {slicing!r} is not one of {SLICINGS}")
    shared = {k: v for k, v in entry.items() if k != "feeds"}
    feed_specs = entry.get("feeds") or {SINGLE_FEED: {}}
    feeds = tuple(
        _feed(fid, {**shared, **(spec or {})}, publishers, f"{source_id}.{fid}")
        for fid, spec in feed_specs.items()
    )
    if slicing != "national" and len(feeds) > 1:
        raise ValueError(f"{source_id}: only national sources may have several feeds")
    if slicing == "province_offices" and not (
        feeds[0].discovery_template and "{office}" in feeds[0].url_template
    ):
        raise ValueError(
            f"{source_id}: a province_offices source needs discovery_template and a "
            "url_template with {office}"
        )
    if not feeds[0].url_template and not feeds[0].parts:
        raise ValueError(f"{source_id}: url_template or parts is required")
    provinces = entry.get(
        "default_provinces", "all" if slicing in ("province", "province_offices") else []
    )
    first = feeds[0].publisher
    return Source(
        id=source_id,
        title=entry["title"],
        parser=entry["parser"],
        slicing=slicing,
        grain=entry["grain"],
        licence=entry.get("licence", first.licence),
        provider=entry.get("provider", first.name),
        population_scope=entry.get("population_scope"),
        default_provinces=province_codes() if provinces == "all" else tuple(provinces),
        default_periods=tuple(entry["default_periods"]),
        refresh_cadence=entry["refresh_cadence"],
        max_bytes=int(entry["max_bytes"]),
        feeds=feeds,
        revision_window_months=_count(
            entry.get("revision_window_months", window),
            f"{source_id}: revision_window_months",
            minimum=0,
        ),
    )


@functools.cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> dict[str, Source]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    # ``revision_window_months`` (per source) and ``max_concurrent_requests`` (per
    # publisher) may sit on the entries or in the top-level maps of the same names.
    windows = dict(raw.get("revision_window_months") or {})
    limits = dict(raw.get("max_concurrent_requests") or {})
    for name, table, known in (
        ("revision_window_months", windows, raw["sources"]),
        ("max_concurrent_requests", limits, raw["publishers"]),
    ):
        unknown = sorted(set(table) - set(known))
        if unknown:
            raise ValueError(f"{path.name}: {name} names unknown ids {unknown}")
    publishers = {
        pid: Publisher(
            id=pid,
            name=p["name"],
            base_url_env=p["base_url_env"],
            default_base_url=p["default_base_url"],
            licence=p["licence"],
            api_key_env=p.get("api_key_env"),
            api_key_conn_id=p.get("api_key_conn_id"),
            max_concurrent_requests=_count(
                p.get("max_concurrent_requests", limits.get(pid)),
                f"publisher {pid}: max_concurrent_requests",
                minimum=1,
            ),
        )
        for pid, p in raw["publishers"].items()
    }
    return {
        sid: _source(sid, entry, publishers, windows.get(sid))
        for sid, entry in raw["sources"].items()
    }


def unverified_sources(source_ids: list[str] | None = None) -> list[Source]:
    """The catalogue entries (of ``source_ids``, else all) not checked against a real file."""
    catalogue = load_catalogue()
    chosen = source_ids if source_ids else list(catalogue)
    return [catalogue[s] for s in chosen if s in catalogue and not catalogue[s].verified]


def base_url_variables(path: Path = CATALOGUE_PATH) -> list[str]:
    """The base-URL environment variables of every publisher (the snapshot run sets them)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return sorted({p["base_url_env"] for p in raw["publishers"].values()})


if __name__ == "__main__":
    # `python -m extract.catalogue base-url-variables`: one variable name a line.
    if sys.argv[1:] != ["base-url-variables"]:
        sys.exit("usage: python -m extract.catalogue base-url-variables")
    print("\n".join(base_url_variables()))
