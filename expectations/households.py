"""Gate checks of the sub-district population, households and vital events.

Blocking, for every measure (population male, female, total; households; each vital
event) and year:

- each registration office's own row (statpop action 193) equals the sum of its
  sub-district rows (action 194); households may exceed that sum by the houses with
  nobody registered (rows with no population are not answered), within a tolerance;
- sub-districts add up to their district (households: the district may hold those
  extra households, within the same tolerance);
- districts add up to the province (the province being the sum of the 193 rows of
  its district and municipal offices), provinces to the country, target areas to their
  members;
- rates are plausible: crude birth and death rates per 1,000 residents, persons per
  household (provinces, districts, the country and target areas).

A failure names the area, period, measure, expected and found value. The gate then
raises, so nothing of the run is published and the last release stays readable.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from expectations import policy
from expectations.results import CheckOutcome, format_value

HOUSEHOLDS = "fct_population_households"
VITAL = "fct_vital_events"
HOUSE_ROWS = "stg_dopa__households"
MEASURES = ("population_male", "population_female", "population_total", "households")
EVENTS = ("births", "deaths", "moves_in", "moves_out")
# Households a district or an office may count beyond its sub-district rows (houses with
# nobody registered): at most this share of its households, and at least this many.
UNALLOCATED_SHARE, UNALLOCATED_MIN = 0.01, 10
# Plausible ranges of the rates (Thailand 2010-2025: births 7-14, deaths 6-9 per 1,000;
# provinces range wider). Outside them the figures are wrong, not unusual.
RATE_RANGES = {
    "crude_birth_rate": (1.0, 40.0),
    "crude_death_rate": (1.0, 30.0),
    # central Bangkok districts register a few more houses than persons (0.99)
    "persons_per_household": (0.5, 8.0),
}
RATE_LEVELS = ("country", "province", "district", "target_area")


def _outcome(check: str, expectation: str, columns: Iterable[str], **fields) -> CheckOutcome:
    rule_class = "rate_plausibility" if expectation == "rate_is_plausible" else "reconciliation"
    return CheckOutcome(
        suite=fields.pop("suite", HOUSEHOLDS),
        check=check,
        expectation=expectation,
        severity=policy.severity(rule_class),
        columns=tuple(columns),
        **fields,
    )


def _result(
    check: str,
    expectation: str,
    columns: Iterable[str],
    *,
    suite: str,
    checked: int,
    failures: list[tuple[tuple[str, ...], object, object, str]],
    passed: str,
    unexpected: int | None = None,
) -> list[CheckOutcome]:
    """One failing outcome per ``(columns, area, period, observed)`` of ``failures``, or
    one passing outcome (``passed``) over ``checked`` elements when there is none."""
    if not failures:
        return [
            _outcome(check, expectation, columns, suite=suite, success=True,
                     element_count=checked, unexpected_count=0, observed=passed)
        ]  # fmt: skip
    return [
        _outcome(check, expectation, failed_columns, suite=suite, success=False,
                 element_count=checked, unexpected_count=unexpected or 1, observed=observed,
                 area_code=str(area), period=pd.Timestamp(period).date())
        for failed_columns, area, period, observed in failures
    ]  # fmt: skip


def _compare(
    check: str,
    expectation: str,
    found: pd.DataFrame,
    expected: pd.DataFrame,
    measures: Iterable[str],
    *,
    what: str,
    suite: str = HOUSEHOLDS,
    households_gap: bool = False,
) -> list[CheckOutcome]:
    """One failing outcome per area, period and measure where ``found`` differs from
    ``expected`` (both indexed by area_code, period); one passing outcome otherwise."""
    measures = [m for m in measures if m in found.columns and m in expected.columns]
    joined = found[measures].join(
        expected[measures], how="inner", lsuffix="_found", rsuffix="_expected"
    )
    failures = []
    for measure in measures:
        got = joined[f"{measure}_found"].astype("float64")
        want = joined[f"{measure}_expected"].astype("float64")
        if households_gap and measure == "households":
            gap = got - want  # the area holds households its parts do not
            limit = (got.abs() * UNALLOCATED_SHARE).clip(lower=UNALLOCATED_MIN)
            bad = (gap < 0) | (gap > limit)
        else:
            bad = got.isna() != want.isna()
            bad |= (got - want).abs() > 0
        failures += [
            (
                (measure,),
                area,
                period,
                f"{measure}: expected {format_value(row[f'{measure}_expected'])} ({what}), "
                f"found {format_value(row[f'{measure}_found'])}",
            )
            for (area, period), row in joined[bad.fillna(True)].iterrows()
        ]
    return _result(
        check, expectation, measures, suite=suite, checked=len(joined), failures=failures,
        passed=f"{len(joined)} area-year(s) reconciled",
    )  # fmt: skip


def _level(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    return frame[frame["area_level"] == level]


def _summed(frame: pd.DataFrame, key: pd.Series, measures: Iterable[str]) -> pd.DataFrame:
    return (
        frame.assign(area_code=key.values)
        .groupby(["area_code", "period"])[list(measures)]
        .sum(min_count=1)
    )


def _indexed(frame: pd.DataFrame, measures: Iterable[str]) -> pd.DataFrame:
    return frame.set_index(["area_code", "period"])[list(measures)]


def offices_reconcile(rows: pd.DataFrame) -> list[CheckOutcome]:
    """Each office's action-193 row equals the sum of its action-194 rows."""
    if rows.empty:
        return []
    offices = rows[rows["row_kind"] == "office"].set_index(["registration_office", "period"])[
        list(MEASURES)
    ]
    parts = (
        rows[rows["row_kind"] == "subdistrict"]
        .groupby(["registration_office", "period"])[list(MEASURES)]
        .sum()
    )
    parts = parts.reindex(offices.index, fill_value=0)
    return _compare(
        "office rows add up to their sub-district rows",
        "house_api_offices_reconcile",
        offices,
        parts,
        MEASURES,
        what="sum of the office's sub-district rows",
        suite=HOUSE_ROWS,
        households_gap=True,
    )


def levels_reconcile(
    households: pd.DataFrame, dim_area: pd.DataFrame, members: pd.DataFrame | None
) -> list[CheckOutcome]:
    if households.empty:
        return []
    outcomes: list[CheckOutcome] = []
    sub = _level(households, "subdistrict")
    outcomes += _compare(
        "sub-districts add up to their district",
        "subdistricts_add_up_to_district",
        _indexed(_level(households, "district"), MEASURES),
        _summed(sub, sub["area_code"].str[:4], MEASURES),
        MEASURES,
        what="sum of its sub-districts",
        households_gap=True,
    )
    districts = _level(households, "district")
    outcomes += _compare(
        "districts add up to the province",
        "districts_add_up_to_province",
        _indexed(_level(households, "province"), MEASURES),
        _summed(districts, districts["area_code"].str[:2], MEASURES),
        MEASURES,
        what="sum of its districts",
    )
    provinces = _level(households, "province")
    outcomes += _compare(
        "provinces add up to the country",
        "provinces_add_up_to_country",
        _indexed(_level(households, "country"), MEASURES),
        _summed(provinces, pd.Series(["TH"] * len(provinces)), MEASURES),
        MEASURES,
        what="sum of the provinces",
    )
    # Municipal offices lie inside the province: together no more than it holds.
    municipalities = _level(households, "municipality")
    municipal = _summed(municipalities, municipalities["area_code"].str[:2], ["population_total"])
    province_total = _indexed(provinces, ["population_total"])
    joined = municipal.join(province_total, rsuffix="_province", how="inner")
    over = joined[joined["population_total"] > joined["population_total_province"]]
    outcomes += _result(
        "municipal offices fit in the province",
        "municipal_offices_within_province",
        ("population_total",),
        suite=HOUSEHOLDS,
        checked=len(joined),
        failures=[
            (
                ("population_total",),
                area,
                period,
                f"population_total: expected at most {format_value(row.population_total_province)} "
                f"(the province), found {format_value(row.population_total)} in its municipal offices",
            )
            for (area, period), row in over.iterrows()
        ],
        passed=f"{len(joined)} province-year(s) checked",
    )
    if members is not None and not members.empty:
        outcomes += _targets_reconcile(households, members, MEASURES, HOUSEHOLDS)
    return outcomes


def _targets_reconcile(
    frame: pd.DataFrame, members: pd.DataFrame, measures: Iterable[str], suite: str
) -> list[CheckOutcome]:
    measures = list(measures)
    units = frame[frame["area_level"] != "target_area"]
    joined = members.merge(
        units, left_on=["member_code", "member_level"], right_on=["area_code", "area_level"]
    )
    if joined.empty:
        return []
    sums = joined.groupby(["target_area_code", "period"])[measures].sum(min_count=1)
    sums.index = sums.index.set_names(["area_code", "period"])
    return _compare(
        "target areas add up to their members",
        "target_areas_add_up_to_members",
        _indexed(_level(frame, "target_area"), measures),
        sums,
        measures,
        what="sum of its members",
        suite=suite,
    )


def vital_events_reconcile(vital: pd.DataFrame, members: pd.DataFrame | None) -> list[CheckOutcome]:
    if vital.empty:
        return []
    provinces = _level(vital, "province")
    outcomes = _compare(
        "provinces add up to the country",
        "provinces_add_up_to_country",
        _indexed(_level(vital, "country"), EVENTS),
        _summed(provinces, pd.Series(["TH"] * len(provinces)), EVENTS),
        EVENTS,
        what="sum of the provinces",
        suite=VITAL,
    )
    if members is not None and not members.empty:
        outcomes += _targets_reconcile(vital, members, EVENTS, VITAL)
    return outcomes


def rates_plausible(households: pd.DataFrame, vital: pd.DataFrame | None) -> list[CheckOutcome]:
    """Crude birth and death rates per 1,000 and persons per household in range."""
    if households.empty:
        return []
    base = households[households["area_level"].isin(RATE_LEVELS)].set_index(["area_code", "period"])
    rates = pd.DataFrame(index=base.index)
    rates["persons_per_household"] = base["population_total"] / base["households"].where(
        base["households"] > 0
    )
    if vital is not None and not vital.empty:
        events = vital.set_index(["area_code", "period"])
        population = base["population_total"].where(base["population_total"] > 0)
        rates["crude_birth_rate"] = 1000.0 * events["births"].reindex(rates.index) / population
        rates["crude_death_rate"] = 1000.0 * events["deaths"].reindex(rates.index) / population
    outcomes: list[CheckOutcome] = []
    for rate, (low, high) in RATE_RANGES.items():
        if rate not in rates.columns:
            continue
        values = rates[rate].dropna()
        bad = values[(values < low) | (values > high)]
        outcomes += _result(
            f"{rate} is plausible",
            "rate_is_plausible",
            (rate,),
            suite=VITAL if rate.startswith("crude") else HOUSEHOLDS,
            checked=len(values),
            failures=[
                (
                    (rate,),
                    area,
                    period,
                    f"{rate}: expected between {low} and {high}, found {format_value(round(value, 2))}",
                )
                for (area, period), value in bad.items()
            ],
            passed=f"{len(values)} value(s) in [{low}, {high}]",
            unexpected=len(bad),
        )
    return outcomes


def checks(frames: dict[str, pd.DataFrame]) -> list[CheckOutcome]:
    """Every check above, for the frames the gate read."""
    outcomes: list[CheckOutcome] = []
    members = frames.get("dim_target_area_members")
    if HOUSE_ROWS in frames:
        outcomes += offices_reconcile(frames[HOUSE_ROWS])
    if HOUSEHOLDS in frames:
        outcomes += levels_reconcile(frames[HOUSEHOLDS], frames.get("dim_area"), members)
        outcomes += rates_plausible(frames[HOUSEHOLDS], frames.get(VITAL))
    if VITAL in frames:
        outcomes += vital_events_reconcile(frames[VITAL], members)
    return outcomes
