"""Gate checks that are not row-wise expectations.

They look across a mart's slices, across two marts or across two releases, so they are
computed here in Python from the frames the gate has already read, and recorded as
:class:`~expectations.results.CheckOutcome` like the GX expectations.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pandas as pd

from expectations.results import DEFAULT_SCOPE, CheckOutcome, format_value
from expectations.suites import BLOCKING, WARNING, MartSpec

AGEING = "mart_area_ageing"
FCT = "fct_population_by_age"
SLICE_KEY = ("area_code", "period", "population_scope")

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])(?:-\d{2})?$")

Slice = tuple[str, str]  # (area_code, "YYYY-MM")


def month_end(month: str) -> dt.date:
    """The last day of a ``YYYY-MM`` month."""
    year, mon = (int(part) for part in month.split("-")[:2])
    return dt.date(year, mon, calendar.monthrange(year, mon)[1])


def normalise_slices(slices: Iterable[tuple[object, object]]) -> list[Slice]:
    """``(area_code, period)`` pairs as ``(str, "YYYY-MM")``, order kept, duplicates dropped."""
    seen: dict[Slice, None] = {}
    for item in slices:
        try:
            area, period = item
        except (TypeError, ValueError) as exc:
            raise ValueError(f"expected an (area_code, 'YYYY-MM') pair, got {item!r}") from exc
        if isinstance(period, dt.date):
            month = f"{period:%Y-%m}"
        else:
            match = _MONTH.match(str(period).strip())
            if not match:
                raise ValueError(f"period {period!r} of area {area!r} is not 'YYYY-MM'")
            month = f"{match.group(1)}-{match.group(2)}"
        seen[(str(area).strip(), month)] = None
    return list(seen)


def _months(period: pd.Series) -> pd.Series:
    return pd.to_datetime(period).dt.strftime("%Y-%m")


# --- schema ----------------------------------------------------------------------------


def table_has_columns(con: duckdb.DuckDBPyConnection, spec: MartSpec) -> CheckOutcome:
    """Blocking: the mart exists and has every column the gate reads."""
    found = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [spec.schema, spec.name],
        ).fetchall()
    }
    missing = [c for c in spec.columns if c not in found]
    if not found:
        observed = f"table {spec.table} is missing"
    elif missing:
        observed = f"{spec.table} lacks column(s) {', '.join(missing)}"
    else:
        observed = f"{len(spec.columns)} columns present"
    return CheckOutcome(
        suite=spec.name,
        check="table has the contract columns",
        expectation="table_columns_present",
        severity=BLOCKING,
        success=bool(found) and not missing,
        columns=spec.columns,
        element_count=len(spec.columns),
        unexpected_count=len(missing),
        observed=observed,
    )


# --- completeness of the run -----------------------------------------------------------


def requested_slices_present(
    ageing: pd.DataFrame, requested: Iterable[Slice], no_data: Iterable[Slice]
) -> list[CheckOutcome]:
    """Every requested (area, month) has rows in ``mart_area_ageing``.

    A missing slice is blocking, unless the publisher reported "no data yet" for it:
    then it is a warning (the month is simply not published yet).
    """
    present = set(zip(ageing["area_code"].astype("object"), _months(ageing["period"]), strict=True))
    no_data_set = set(no_data)
    expected = list(dict.fromkeys([*requested, *no_data_set]))
    blocking = [s for s in expected if s not in no_data_set]
    pending = [s for s in expected if s in no_data_set]

    outcomes: list[CheckOutcome] = []
    for check, severity, slices, observed in (
        ("requested slice present", BLOCKING, blocking, "no rows in mart_area_ageing"),
        (
            "slice reported as no data yet",
            WARNING,
            pending,
            "publisher reported no data yet; no rows in mart_area_ageing",
        ),
    ):
        missing = [s for s in slices if s not in present]
        common = dict(
            suite=AGEING,
            check=check,
            expectation="requested_slices_present",
            severity=severity,
            columns=("area_code", "period"),
        )
        if not missing:
            outcomes.append(
                CheckOutcome(
                    **common,
                    success=True,
                    element_count=len(slices),
                    unexpected_count=0,
                    observed=f"{len(slices)} slice(s) present",
                )
            )
        for area, month in missing:
            outcomes.append(
                CheckOutcome(
                    **common,
                    success=False,
                    element_count=len(slices),
                    unexpected_count=1,
                    observed=observed,
                    area_code=area,
                    period=month_end(month),
                )
            )
    return outcomes


# --- consistency between marts ---------------------------------------------------------


def fct_totals_match_ageing(fct: pd.DataFrame, ageing: pd.DataFrame) -> list[CheckOutcome]:
    """Blocking: per slice, the single-year-of-age rows add up to ``population_total``.

    Only slices present in both marts are compared; a slice missing from one of them is
    reported by the requested-slices check.
    """
    key = list(SLICE_KEY)
    sums = (
        fct.groupby(key, dropna=True, sort=False, observed=True)["population"]
        .sum(min_count=1)
        .rename("fct_population")
        .reset_index()
    )
    joined = ageing[[*key, "population_total"]].merge(sums, on=key, how="inner")
    both = joined["population_total"].notna() & joined["fct_population"].notna()
    bad = joined[both & (joined["population_total"] != joined["fct_population"])]
    common = dict(
        suite=FCT,
        check="population sums to mart_area_ageing population_total",
        expectation="fct_totals_match_mart_area_ageing",
        severity=BLOCKING,
        columns=("population", "population_total"),
        element_count=len(joined),
    )
    if bad.empty:
        return [
            CheckOutcome(
                **common,
                success=True,
                unexpected_count=0,
                observed=f"{len(joined)} slice(s) reconciled",
            )
        ]
    return [
        CheckOutcome(
            **common,
            success=False,
            unexpected_count=1,
            observed=(
                f"sum over sex and age {format_value(row.fct_population)} != "
                f"population_total {format_value(row.population_total)}"
            ),
            area_code=row.area_code,
            period=pd.Timestamp(row.period).date(),
            population_scope=row.population_scope,
        )
        for row in bad.sort_values(key).itertuples(index=False)
    ]


# --- movement against the previous release ---------------------------------------------


def _previous_totals(previous_release: Path) -> tuple[pd.DataFrame | None, str]:
    """``population_total`` per slice from the previous release, opened read-only."""
    con = duckdb.connect(str(previous_release), read_only=True)
    try:
        found = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = 'mart_area_ageing'"
            ).fetchall()
        }
        needed = {"area_code", "period", "population_total"}
        if not needed <= found:
            return None, "previous release has no marts.mart_area_ageing with population_total"
        columns = ["area_code", "period", "population_total"]
        if "population_scope" in found:
            columns.append("population_scope")
        select = ", ".join(f'"{c}"' for c in columns)
        frame = con.sql(f"select {select} from marts.mart_area_ageing").df()
    finally:
        con.close()
    return frame, ""


def population_change_vs_previous_release(
    ageing: pd.DataFrame, previous_release: Path | None, max_change_pct: float
) -> list[CheckOutcome]:
    """Warning: ``population_total`` of an area and period moved more than
    ``max_change_pct`` percent since the previous release."""
    common = dict(
        suite=AGEING,
        check=f"population_total within {max_change_pct:g}% of previous release",
        expectation="population_change_vs_previous_release",
        severity=WARNING,
        columns=("population_total",),
    )
    if previous_release is None:
        return [CheckOutcome(**common, success=True, observed="no previous release")]
    previous_release = Path(previous_release)
    if not previous_release.is_file():
        return [
            CheckOutcome(
                **common,
                success=True,
                observed=f"previous release {previous_release.name} not found",
            )
        ]
    previous, reason = _previous_totals(previous_release)
    if previous is None:
        return [CheckOutcome(**common, success=True, observed=reason)]

    key = ["area_code", "period"]
    current = ageing[[*SLICE_KEY, "population_total"]]
    if "population_scope" in previous.columns:
        key.append("population_scope")
    else:  # an older release without scopes held all nationalities only
        current = current[current["population_scope"] == DEFAULT_SCOPE]
    previous = previous[[*key, "population_total"]].rename(
        columns={"population_total": "previous_total"}
    )
    previous["period"] = pd.to_datetime(previous["period"])
    current = current.assign(period=pd.to_datetime(current["period"]))
    joined = current.merge(previous, on=key, how="inner")
    joined = joined[joined["population_total"].notna() & joined["previous_total"].notna()]
    cur = joined["population_total"].astype("float64")
    prev = joined["previous_total"].astype("float64")
    change = (cur - prev) / prev.where(prev != 0) * 100.0
    change = change.mask((prev == 0) & (cur == 0), 0.0).fillna(float("inf"))
    joined = joined.assign(change_pct=change)
    moved = joined[joined["change_pct"].abs() > max_change_pct]
    if moved.empty:
        largest = joined["change_pct"].abs().max() if len(joined) else 0.0
        return [
            CheckOutcome(
                **common,
                success=True,
                element_count=len(joined),
                unexpected_count=0,
                observed=f"{len(joined)} slice(s) compared, largest move {largest:.2f}%",
            )
        ]
    outcomes = []
    for row in moved.sort_values(key).itertuples(index=False):
        observed = (
            f"{format_value(row.previous_total)} -> {format_value(row.population_total)}, "
            f"{row.change_pct:+.1f}%"
        )
        outcomes.append(
            CheckOutcome(
                **common,
                success=False,
                element_count=len(joined),
                unexpected_count=1,
                observed=observed,
                area_code=row.area_code,
                period=pd.Timestamp(row.period).date(),
                population_scope=getattr(row, "population_scope", DEFAULT_SCOPE),
            )
        )
    return outcomes
