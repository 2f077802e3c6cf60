"""Validation of a run configuration (``sources``, ``provinces``, ``periods``).

Everything here runs before any request: values become URL parts and directory names,
so only known catalogue ids, DOPA province codes and ``YYYY-MM`` periods get through.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from extract.buddhist_era import PeriodError, parse_period
from extract.catalogue import PROVINCE_CODES, Source, load_catalogue
from extract.errors import RunConfigError

ALLOWED_KEYS = frozenset({"sources", "provinces", "periods"})


@dataclasses.dataclass(frozen=True)
class Slice:
    """One request's worth of data: a source, a province and a month."""

    source_id: str
    province: str
    period: str

    @property
    def key(self) -> str:
        return f"cc={self.province}"

    def as_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


def _string_list(conf: Mapping[str, Any], key: str) -> list[str] | None:
    value = conf.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise RunConfigError(
            f"run configuration {key!r} must be a non-empty list of strings, got {value!r}"
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
    catalogue = load_catalogue()
    source_ids = _string_list(conf, "sources") or list(catalogue)
    for source_id in source_ids:
        if source_id not in catalogue:
            raise RunConfigError(
                f"unknown source {source_id!r}; catalogue ids: {sorted(catalogue)}"
            )
    provinces = _string_list(conf, "provinces")
    for code in provinces or ():
        if code not in PROVINCE_CODES:
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
        for period in periods or source.default_periods:
            for province in provinces or source.default_provinces:
                slices.append(Slice(source_id, province, period))
    return sorted(set(slices), key=lambda s: (s.source_id, s.period, s.province))
