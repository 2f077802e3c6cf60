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

from expectations import households, policy
from expectations.readers import DuckDBFileReader, MartReader, connection_columns
from expectations.results import DEFAULT_SCOPE, CheckOutcome, format_value
from expectations.suites import MartSpec

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


def table_has_columns(
    source: MartReader | duckdb.DuckDBPyConnection, spec: MartSpec
) -> CheckOutcome:
    """Blocking: the mart exists and has every column the gate reads.

    ``source`` is a :class:`~expectations.readers.MartReader` or an open DuckDB connection.
    """
    if isinstance(source, duckdb.DuckDBPyConnection):
        found = connection_columns(source, spec.schema, spec.name)
    else:
        found = source.columns(spec.schema, spec.name)
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
        severity=policy.severity("mart_present"),
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
        (
            "requested slice present",
            policy.severity("requested_slice"),
            blocking,
            "no rows in mart_area_ageing",
        ),
        (
            "slice reported as no data yet",
            policy.severity("no_data_slice"),
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
        severity=policy.severity("reconciliation"),
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


def _previous_totals(previous: MartReader) -> tuple[pd.DataFrame | None, str]:
    """``population_total`` per slice from the previous release (read-only)."""
    found = previous.columns("marts", "mart_area_ageing")
    needed = {"area_code", "period", "population_total"}
    if not needed <= found:
        return None, "previous release has no marts.mart_area_ageing with population_total"
    columns = ["area_code", "period", "population_total"]
    if "population_scope" in found:
        columns.append("population_scope")
    return previous.frame("marts", "mart_area_ageing", columns), ""


def population_change_vs_previous_release(
    ageing: pd.DataFrame, previous_release: Path | MartReader | None, max_change_pct: float
) -> list[CheckOutcome]:
    """Warning: ``population_total`` of an area and period moved more than
    ``max_change_pct`` percent since the previous release (a DuckDB file, or a
    :class:`~expectations.readers.MartReader` over the published release)."""
    common = dict(
        suite=AGEING,
        check=f"population_total within {max_change_pct:g}% of previous release",
        expectation="population_change_vs_previous_release",
        severity=policy.severity("change_vs_previous"),
        columns=("population_total",),
    )
    if previous_release is None:
        return [CheckOutcome(**common, success=True, observed="no previous release")]
    if not isinstance(previous_release, MartReader):
        previous_release = Path(previous_release)
        if not previous_release.is_file():
            return [
                CheckOutcome(
                    **common,
                    success=True,
                    observed=f"previous release {previous_release.name} not found",
                )
            ]
        previous_release = DuckDBFileReader(previous_release)
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


# --- area codes and totals across levels -----------------------------------------------

DIM_AREA = "dim_area"
VEHICLES = "fct_vehicle_registrations"
ELECTRICITY = "fct_electricity_consumption"
ROAD_DEATHS = "fct_road_deaths"
INDUSTRIAL_WASTE = "fct_industrial_waste"
MOBILITY = "mart_dimension_mobility"
COUNTRY = "TH"
# relative tolerance when comparing sums of floating-point measures (kWh)
SUM_TOLERANCE = 1e-9
# mart -> (keys besides area_code that a country row sums over the provinces, measure)
COUNTRY_SUMS = {
    FCT: (("period", "sex", "age"), "population"),
    VEHICLES: (("period", "vehicle_type", "fuel_class"), "vehicles"),
    ELECTRICITY: (("period", "customer_class", "utility"), "kwh"),
    ROAD_DEATHS: (("period", "year"), "deaths"),
    INDUSTRIAL_WASTE: (("period",), ("non_hazardous_tonnes", "hazardous_tonnes", "total_tonnes")),
}


def _differs(a: pd.Series, b: pd.Series) -> pd.Series:
    a, b = a.astype("float64"), b.astype("float64")
    return (a - b).abs() > SUM_TOLERANCE * b.abs().clip(lower=1.0)


def area_codes_in_dim_area(frames: dict[str, pd.DataFrame]) -> list[CheckOutcome]:
    """Blocking: every area_code of every mart read is in ``marts.dim_area``.

    One failing outcome per mart and unknown code, naming the code.
    """
    dim_area = frames.get(DIM_AREA)
    if dim_area is None:
        return []
    known = set(dim_area["area_code"].dropna().astype(str))
    outcomes: list[CheckOutcome] = []
    for mart, frame in frames.items():
        if mart == DIM_AREA or "area_code" not in frame.columns:
            continue
        codes = frame["area_code"].dropna().astype(str)
        counts = codes[~codes.isin(known)].value_counts().sort_index()
        common = dict(
            suite=mart,
            check="area_code in dim_area",
            expectation="area_codes_in_dim_area",
            severity=policy.severity("area_reference"),
            columns=("area_code",),
            element_count=len(codes),
        )
        if counts.empty:
            outcomes.append(
                CheckOutcome(
                    **common,
                    success=True,
                    unexpected_count=0,
                    observed=f"{codes.nunique()} area code(s), all in dim_area",
                )
            )
            continue
        outcomes += [
            CheckOutcome(
                **common,
                success=False,
                unexpected_count=int(n),
                observed=f"area_code {code!r} is not in marts.dim_area ({n} row(s))",
                area_code=code,
            )
            for code, n in counts.items()
        ]
    return outcomes


def districts_add_up_to_provinces(fct: pd.DataFrame, dim_area: pd.DataFrame) -> list[CheckOutcome]:
    """Blocking: per province, month and population scope, the districts of
    ``fct_population_by_age`` add up to the province for every sex and age."""
    return parts_add_up_to_parent(fct, dim_area, part="district", parent="province")


def subdistricts_add_up_to_districts(
    fct: pd.DataFrame, dim_area: pd.DataFrame
) -> list[CheckOutcome]:
    """Blocking: per district, month and population scope, the sub-districts of
    ``fct_population_by_age`` (DOPA's single-age files) add up to the district."""
    return parts_add_up_to_parent(fct, dim_area, part="subdistrict", parent="district")


def parts_add_up_to_parent(
    fct: pd.DataFrame, dim_area: pd.DataFrame, *, part: str, parent: str
) -> list[CheckOutcome]:
    """Per parent area, month and population scope, the ``part`` areas of
    ``fct_population_by_age`` add up to their parent for every sex and age.

    Compared where the parent and at least one of its parts are present with the same
    scope and month. When every current part of the parent in ``dim_area`` is present,
    the sums must be equal; otherwise they must not exceed the parent.
    """
    parts_name, parent_name = f"{part}s".replace("subdistricts", "sub-districts"), parent
    common = dict(
        suite=FCT,
        check=f"{parts_name} add up to their {parent_name}",
        expectation=f"{part}s_add_up_to_{parent}s",
        severity=policy.severity("reconciliation"),
        columns=("population",),
    )
    of_level = dim_area[dim_area["area_level"] == part]
    parts_of = of_level[["area_code", "parent_code"]]
    current = (
        of_level[of_level["is_current"].fillna(True)] if "is_current" in of_level else of_level
    )
    expected = current.groupby("parent_code").size().rename("parts_expected")
    cells = ["period", "population_scope", "sex", "age"]
    parent_code = fct["area_code"].map(parts_of.set_index("area_code")["parent_code"])
    parts = fct[parent_code.notna()].assign(parent_code=parent_code[parent_code.notna()])
    parents = fct[fct["area_code"].isin(set(parts_of["parent_code"]))]
    if parts.empty or parents.empty:
        return [CheckOutcome(**common, success=True, element_count=0, observed=f"no {parts_name}")]
    present = (
        parts.groupby(["parent_code", "period", "population_scope"], observed=True)["area_code"]
        .nunique()
        .rename("parts_present")
        .reset_index()
    )
    sums = (
        parts.groupby(["parent_code", *cells], observed=True)["population"]
        .sum()
        .rename("parts_population")
        .reset_index()
        .rename(columns={"parent_code": "area_code"})
    )
    parent_cells = parents[["area_code", *cells, "population"]]
    joined = parent_cells.merge(sums, on=["area_code", *cells], how="outer")
    slice_key = ["area_code", "period", "population_scope"]
    both = (
        parent_cells[slice_key]
        .drop_duplicates()
        .merge(present.rename(columns={"parent_code": "area_code"}), on=slice_key, how="inner")
    )
    joined = joined.merge(both, on=slice_key, how="inner")
    joined = joined.merge(expected, left_on="area_code", right_index=True, how="left")
    joined[["population", "parts_population"]] = joined[["population", "parts_population"]].fillna(
        0
    )
    complete = joined["parts_present"] >= joined["parts_expected"].fillna(0)
    bad = joined[
        (complete & (joined["population"] != joined["parts_population"]))
        | (~complete & (joined["parts_population"] > joined["population"]))
    ]
    n_slices = len(both)
    if bad.empty:
        return [
            CheckOutcome(
                **common,
                success=True,
                element_count=n_slices,
                unexpected_count=0,
                observed=f"{n_slices} {parent_name} slice(s) reconciled with their {parts_name}",
            )
        ]
    outcomes = []
    for (area, period, scope), rows in bad.groupby(slice_key, sort=True):
        first = rows.sort_values(["sex", "age"]).iloc[0]
        relation = "!=" if first["parts_present"] >= (first["parts_expected"] or 0) else ">"
        observed = (
            f"{first['sex']} age {format_value(first['age'])}: {parts_name} "
            f"{format_value(first['parts_population'])} {relation} {parent_name} "
            f"{format_value(first['population'])} ({format_value(first['parts_present'])} "
            f"of {format_value(first['parts_expected'])} {parts_name})"
        )
        if len(rows) > 1:
            observed += f"; {len(rows)} cells differ"
        outcomes.append(
            CheckOutcome(
                **common,
                success=False,
                element_count=n_slices,
                unexpected_count=len(rows),
                observed=observed,
                area_code=str(area),
                period=pd.Timestamp(period).date(),
                population_scope=scope,
            )
        )
    return outcomes


def country_adds_up_to_provinces(
    mart: str, frame: pd.DataFrame, dim_area: pd.DataFrame
) -> list[CheckOutcome]:
    """Blocking: every country ('TH') row of ``mart`` is the sum of its provinces (the
    rows of the same keys whose area_code is a province in ``dim_area``), for each of
    the mart's measures."""
    keys, measures = COUNTRY_SUMS[mart]
    keys = [k for k in keys if k in frame.columns]
    outcomes: list[CheckOutcome] = []
    for measure in (measures,) if isinstance(measures, str) else measures:
        outcomes += _country_sums_measure(mart, frame, dim_area, keys, measure)
    return outcomes


def _country_sums_measure(
    mart: str, frame: pd.DataFrame, dim_area: pd.DataFrame, keys: list[str], measure: str
) -> list[CheckOutcome]:
    common = dict(
        suite=mart,
        check="country adds up to its provinces",
        expectation="country_adds_up_to_provinces",
        severity=policy.severity("reconciliation"),
        columns=(measure,),
    )
    provinces = set(dim_area.loc[dim_area["area_level"] == "province", "area_code"])
    country = frame[frame["area_code"] == COUNTRY]
    if country.empty:
        return [CheckOutcome(**common, success=True, element_count=0, observed="no country rows")]
    sums = (
        frame[frame["area_code"].isin(provinces)]
        .groupby(keys, dropna=False, observed=True)[measure]
        .sum(min_count=1)
        .rename("provinces_sum")
        .reset_index()
    )
    joined = country[[*keys, measure]].merge(sums, on=keys, how="left")
    bad = joined[
        joined["provinces_sum"].isna() | _differs(joined[measure], joined["provinces_sum"])
    ]
    if bad.empty:
        return [
            CheckOutcome(
                **common,
                success=True,
                element_count=len(joined),
                unexpected_count=0,
                observed=f"{len(joined)} country row(s) reconciled",
            )
        ]
    outcomes = []
    for period, rows in bad.groupby("period", sort=True):
        first = rows.iloc[0]
        detail = ", ".join(f"{k} {format_value(first[k])}" for k in keys if k != "period")
        observed = (
            f"{detail + ': ' if detail else ''}{measure} {format_value(first[measure])} != "
            f"sum of provinces {format_value(first['provinces_sum'])}"
        )
        if len(rows) > 1:
            observed += f"; {len(rows)} rows differ"
        outcomes.append(
            CheckOutcome(
                **common,
                success=False,
                element_count=len(joined),
                unexpected_count=len(rows),
                observed=observed,
                area_code=COUNTRY,
                period=pd.Timestamp(period).date(),
            )
        )
    return outcomes


def vehicle_classes_add_up_to_fleet(
    vehicles: pd.DataFrame, mobility: pd.DataFrame
) -> list[CheckOutcome]:
    """Blocking: per area and month, the vehicle classes of ``fct_vehicle_registrations``
    add up to ``vehicles_registered`` of ``mart_dimension_mobility`` (counting only the
    vehicle_type 'all' rows where an area and date has them, as the mart does)."""
    common = dict(
        suite=MOBILITY,
        check="vehicle classes add up to the fleet",
        expectation="vehicle_classes_add_up_to_fleet",
        severity=policy.severity("reconciliation"),
        columns=("vehicles", "vehicles_registered"),
    )
    has_all = vehicles.groupby(["area_code", "period"], observed=True)["vehicle_type"].transform(
        lambda types: (types == "all").any()
    )
    counted = vehicles[~has_all.astype(bool) | (vehicles["vehicle_type"] == "all")]
    month_end_period = pd.to_datetime(counted["period"]) + pd.offsets.MonthEnd(0)
    fleet = (
        counted.assign(period=month_end_period)
        .groupby(["area_code", "period"], observed=True)["vehicles"]
        .sum()
        .rename("classes_sum")
        .reset_index()
    )
    registered = mobility.loc[
        mobility["vehicles_registered"].notna(), ["area_code", "period", "vehicles_registered"]
    ].assign(period=lambda f: pd.to_datetime(f["period"]))
    joined = fleet.merge(registered, on=["area_code", "period"], how="outer")
    bad = joined[
        joined["classes_sum"].isna()
        | joined["vehicles_registered"].isna()
        | _differs(joined["classes_sum"].fillna(-1), joined["vehicles_registered"].fillna(-1))
    ]
    if bad.empty:
        return [
            CheckOutcome(
                **common,
                success=True,
                element_count=len(joined),
                unexpected_count=0,
                observed=f"{len(joined)} fleet(s) reconciled",
            )
        ]
    return [
        CheckOutcome(
            **common,
            success=False,
            element_count=len(joined),
            unexpected_count=1,
            observed=(
                f"vehicle classes sum to {format_value(row.classes_sum)}, "
                f"vehicles_registered {format_value(row.vehicles_registered)}"
            ),
            area_code=str(row.area_code),
            period=pd.Timestamp(row.period).date(),
        )
        for row in bad.sort_values(["area_code", "period"]).itertuples(index=False)
    ]


def totals_reconcile(frames: dict[str, pd.DataFrame]) -> list[CheckOutcome]:
    """The checks across area levels and marts, for the marts that were read: area codes
    in dim_area, districts to provinces, provinces to the country, vehicle classes to the
    fleet."""
    dim_area = frames.get(DIM_AREA)
    if dim_area is None:
        return []
    outcomes = area_codes_in_dim_area(frames)
    if FCT in frames:
        outcomes += districts_add_up_to_provinces(frames[FCT], dim_area)
        outcomes += subdistricts_add_up_to_districts(frames[FCT], dim_area)
    for mart in COUNTRY_SUMS:
        if mart in frames:
            outcomes += country_adds_up_to_provinces(mart, frames[mart], dim_area)
    if VEHICLES in frames and MOBILITY in frames:
        outcomes += vehicle_classes_add_up_to_fleet(frames[VEHICLES], frames[MOBILITY])
    outcomes += households.checks(frames)
    return outcomes
