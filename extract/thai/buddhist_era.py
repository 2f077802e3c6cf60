"""Buddhist Era (BE) <-> Gregorian (CE) conversion.

Thai publishers date data in the Buddhist Era: year BE = year CE + 543. The DOPA API
uses a two-digit BE year in ``yymm`` (``6312`` = Dec 2563 BE = Dec 2020).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

BE_OFFSET = 543

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
_YYMM = re.compile(r"^(\d{2})(\d{2})$")


class PeriodError(ValueError):
    """A period or BE date that is not well formed or out of range."""


def be_to_ce(year_be: int) -> int:
    """Gregorian year of a four-digit Buddhist Era year (2563 -> 2020)."""
    if not 2400 <= year_be <= 2700:
        raise PeriodError(f"{year_be} is not a plausible Buddhist Era year (2400..2700)")
    return year_be - BE_OFFSET


def ce_to_be(year_ce: int) -> int:
    """Buddhist Era year of a Gregorian year (2020 -> 2563)."""
    if not 1857 <= year_ce <= 2157:
        raise PeriodError(f"{year_ce} is not a plausible Gregorian year (1857..2157)")
    return year_ce + BE_OFFSET


def parse_period(period: str) -> tuple[int, int]:
    """Split a Gregorian ``YYYY-MM`` period into (year, month), validating both."""
    match = _PERIOD.match(period) if isinstance(period, str) else None
    if not match:
        raise PeriodError(f"period {period!r} is not 'YYYY-MM' (Gregorian)")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise PeriodError(f"period {period!r} has month {month}, not 1..12")
    if year >= 2400:
        raise PeriodError(
            f"period {period!r} looks like a Buddhist Era year; give Gregorian "
            f"'{year - BE_OFFSET:04d}-{month:02d}'"
        )
    ce_to_be(year)
    return year, month


def period_to_yymm(period: str) -> str:
    """DOPA ``yymm`` for a Gregorian period: '2020-12' -> '6312'."""
    year, month = parse_period(period)
    return f"{ce_to_be(year) % 100:02d}{month:02d}"


def yymm_to_period(yymm: str) -> str:
    """Gregorian period of a DOPA ``yymm`` (two-digit BE year, 25xx): '6312' -> '2020-12'."""
    match = _YYMM.match(str(yymm))
    if not match:
        raise PeriodError(f"yymm {yymm!r} is not four digits")
    year = be_to_ce(2500 + int(match[1]))
    month = int(match[2])
    if not 1 <= month <= 12:
        raise PeriodError(f"yymm {yymm!r} has month {month}, not 1..12")
    return f"{year:04d}-{month:02d}"


def period_end(period: str) -> dt.date:
    """Last day of the month of a ``YYYY-MM`` period."""
    year, month = parse_period(period)
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def be_date(yyyymmdd: str) -> dt.date:
    """Gregorian date of a BE ``yyyymmdd`` as in file names: '25690228' -> 2026-02-28."""
    match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", str(yyyymmdd))
    if not match:
        raise PeriodError(f"BE date {yyyymmdd!r} is not eight digits (yyyymmdd)")
    try:
        return dt.date(be_to_ce(int(match[1])), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise PeriodError(f"BE date {yyyymmdd!r}: {exc}") from None


def date_period(day: dt.date) -> str:
    """The ``YYYY-MM`` period a date falls in."""
    return f"{day.year:04d}-{day.month:02d}"
