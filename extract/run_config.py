"""Validation of a run configuration (``sources``, ``provinces``, ``periods``) and the
slices it asks for.

Everything here runs before any request: values become URL parts and directory names,
so only known catalogue ids, DOPA province codes and ``YYYY-MM`` periods get through.
``provinces`` narrows province- and office-sliced sources only; a national source is
one file per vintage and is always fetched whole.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from extract.catalogue import Source, load_catalogue
from extract.errors import RunConfigError
from extract.reference import registration_offices
from extract.thai.buddhist_era import PeriodError, parse_period
from extract.thai.province_names import province_codes

ALLOWED_KEYS = frozenset({"sources", "provinces", "periods", "full_check"})
FULL_CHECK = "full_check"  # true: ask about every period, settled ones too


@dataclasses.dataclass(frozen=True)
class Slice:
    """One landed unit of a source and month: a province, a registration office, or the
    national file (of one feed, when a source has several)."""

    source_id: str
    province: str | None
    period: str
    office: str | None = None
    feed: str | None = None

    @property
    def key(self) -> str:
        """The slice's directory name under ``raw/<source>/<period>/``."""
        if self.office:
            return f"rcode={self.office}"
        if self.province:
            return f"cc={self.province}"
        return f"feed={self.feed}" if self.feed else "national"

    def as_dict(self) -> dict[str, str | None]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, item: Mapping[str, Any]) -> Slice:
        return cls(**{f.name: item.get(f.name) for f in dataclasses.fields(cls)})


def source_slices(source: Source, period: str, provinces: list[str] | None) -> list[Slice]:
    """The slices of one source and month; ``provinces`` narrows all but national sources."""
    if source.slicing == "national":
        feeds = [feed.id for feed in source.feeds] if source.multi_feed else [None]
        return [Slice(source.id, None, period, feed=feed) for feed in feeds]
    chosen = provinces or source.default_provinces
    if source.slicing in ("province", "province_offices"):
        # province_offices: one slice per province, whose extraction discovers the
        # province's registration offices (action 193) and asks each of them (194).
        return [Slice(source.id, province, period) for province in chosen]
    return [
        Slice(source.id, province, period, office=office)
        for province in chosen
        for office in registration_offices.offices_of(province)
    ]


def _string_list(conf: Mapping[str, Any], key: str) -> list[str] | None:
    value = conf.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise RunConfigError(
            f"run configuration {key!r} must be a non-empty list of strings, got {value!r}"
        )
    return value


def full_check(conf: Mapping[str, Any] | None) -> bool:
    """``{"full_check": true}``: ask about every period, also those older than a source's
    revision window; ``RunConfigError`` for anything but true or false."""
    value = (conf or {}).get(FULL_CHECK, False)
    if not isinstance(value, bool):
        raise RunConfigError(
            f"run configuration {FULL_CHECK!r} must be true or false, got {value!r}"
        )
    return value


def plan_slices(conf: Mapping[str, Any] | None) -> list[Slice]:
    """The slices a run configuration asks for, or ``RunConfigError`` naming the bad value."""
    conf = dict(conf or {})
    unknown = set(conf) - ALLOWED_KEYS
    if unknown:
        raise RunConfigError(
            f"unknown run configuration keys {sorted(unknown)}; allowed: {sorted(ALLOWED_KEYS)}"
        )
    full_check(conf)
    catalogue = load_catalogue()
    source_ids = _string_list(conf, "sources") or list(catalogue)
    for source_id in source_ids:
        if source_id not in catalogue:
            raise RunConfigError(
                f"unknown source {source_id!r}; catalogue ids: {sorted(catalogue)}"
            )
    provinces = _string_list(conf, "provinces")
    for code in provinces or ():
        if code not in province_codes():
            raise RunConfigError(
                f"unknown province code {code!r}: expected a DOPA 2-digit code such as '10' or '91'"
            )
    periods = _string_list(conf, "periods")
    for period in periods or ():
        try:
            parse_period(period)
        except PeriodError as exc:
            raise RunConfigError(f"bad period: {exc}") from None
    slices: list[Slice] = []
    for source_id in source_ids:
        source: Source = catalogue[source_id]
        planned = [
            slc
            for period in periods or source.default_periods
            for slc in source_slices(source, period, provinces)
            if periods  # asked for: every feed; else a feed's own defaults narrow it
            or not source.feed(slc.feed).default_periods
            or period in source.feed(slc.feed).default_periods
        ]
        if not planned and conf.get("sources") and not periods and not source.default_periods:
            raise RunConfigError(
                f"source {source_id!r} has no default periods: give 'periods' (e.g. [\"2025-12\"])"
            )
        if not planned and conf.get("sources"):
            raise RunConfigError(
                f"source {source_id!r} has no slices for provinces {provinces}: registration "
                f"offices are known for {list(registration_offices.provinces_covered())} only"
            )
        slices.extend(planned)
    return sorted(set(slices), key=lambda s: (s.source_id, s.period, s.key))
