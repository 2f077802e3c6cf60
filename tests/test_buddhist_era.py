import datetime as dt

import pytest

from extract.thai.buddhist_era import (
    PeriodError,
    be_to_ce,
    ce_to_be,
    parse_period,
    period_end,
    period_to_yymm,
    yymm_to_period,
)


@pytest.mark.parametrize(("period", "yymm"), [("2020-12", "6312"), ("2021-06", "6406"),
                                              ("2026-09", "6909"), ("2023-12", "6612")])
def test_period_yymm_round_trip(period, yymm):
    assert period_to_yymm(period) == yymm
    assert yymm_to_period(yymm) == period


def test_be_ce_years():
    assert be_to_ce(2563) == 2020
    assert ce_to_be(2020) == 2563


def test_period_end_is_month_end_including_leap_february():
    assert period_end("2024-02") == dt.date(2024, 2, 29)
    assert period_end("2020-12") == dt.date(2020, 12, 31)


@pytest.mark.parametrize("bad", ["2563-12", "2020-13", "2020-00", "20-12", "2020/12", "", "../x"])
def test_bad_periods_are_rejected_with_the_value(bad):
    with pytest.raises(PeriodError, match="period|year"):
        parse_period(bad)


def test_be_year_given_as_period_says_so():
    with pytest.raises(PeriodError, match="Buddhist Era.*2020-12"):
        parse_period("2563-12")


def test_ce_year_given_as_be_is_rejected():
    with pytest.raises(PeriodError):
        be_to_ce(2020)
