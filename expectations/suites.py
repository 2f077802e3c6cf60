"""Expectation suites for the marts, defined in code: one suite per mart.

Every expectation carries ``meta``:

- ``severity``: ``blocking`` (a failure stops the run before publish) or ``warning``
  (recorded, the build is still published);
- ``check``: a short name, unique within the suite, used in messages and in
  ``meta.quality_results``;
- ``detail`` (optional): how to describe one failing row, a ``str.format`` template
  over the frame's columns.

Some checks compare a mart column with a value derived from other columns of the same
row (``male + female = total``, a share against its counts). The derived columns are
added by the mart's ``prepare`` function below, are named after what they hold, and
are validated with ordinary GX expectations (``expect_column_pair_values_to_be_equal``,
``expect_column_values_to_be_between``), so the Data Docs show exactly what was
compared.
"""

from __future__ import annotations

import logging

logging.getLogger("great_expectations").setLevel(logging.WARNING)

import dataclasses  # noqa: E402
from collections.abc import Callable  # noqa: E402

import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from great_expectations.expectations.row_conditions import Column  # noqa: E402

from expectations import indicator_catalogue  # noqa: E402
from expectations.indicator_catalogue import Indicator  # noqa: E402

BLOCKING = "blocking"
WARNING = "warning"
SEVERITIES = (BLOCKING, WARNING)

SEXES = ("male", "female")
MAX_AGE = 101  # 101 = over 100
AGEING_STAGES = ("not_ageing", "ageing", "aged", "super_aged")
# share of the population aged 60+ at which each stage starts (ageing_stage contract)
AGEING_STAGE_THRESHOLDS = (("ageing", 0.10), ("aged", 0.20), ("super_aged", 0.28))
DIMENSIONS = indicator_catalogue.DIMENSIONS
POPULATION_SCOPES = ("all_nationalities", "thai_nationals")
# quality_status of the marts (dbt seed quality_statuses); the fct marts never have
# partial_scope (no population in them)
QUALITY_STATUSES = ("ok", "partial_coverage", "partial_scope", "stale")
FCT_QUALITY_STATUSES = ("ok", "partial_coverage", "stale")
FUEL_CLASSES = ("battery_electric", "hybrid", "plug_in_hybrid", "diesel", "other")
CUSTOMER_CLASSES = (
    "residential",
    "small_business",
    "medium_business",
    "large_business",
    "specific_business",
    "government",
    "agriculture",
    "other",
)
UTILITIES = ("PEA", "MEA")

# Tolerances for published shares/ratios against the same figure recomputed from the
# counts of the row: loose enough for rounding in the mart, tight enough to catch a
# wrong column or a missing factor of 100.
SHARE_TOLERANCE = 0.001  # absolute, on a 0..1 fraction
RATIO_RELATIVE_TOLERANCE = 0.005  # relative
# Ratios are "per 100"; anything above this is not a plausible ratio (e.g. inf).
RATIO_UPPER_BOUND = 1_000_000

AGEING_COUNTS = (
    "population_total",
    "population_male",
    "population_female",
    "pop_0_14",
    "pop_15_64",
    "pop_60_plus",
    "pop_65_plus",
    "pop_80_plus",
)
# share column -> numerator count (denominator: population_total)
AGEING_SHARES = {
    "share_60_plus": "pop_60_plus",
    "share_65_plus": "pop_65_plus",
    "share_80_plus": "pop_80_plus",
}
# ratio column -> (numerator counts, denominator count); all "per 100"
AGEING_RATIOS = {
    "old_age_dependency_ratio": (("pop_65_plus",), "pop_15_64"),
    "total_dependency_ratio": (("pop_0_14", "pop_65_plus"), "pop_15_64"),
    "ageing_index": (("pop_60_plus",), "pop_0_14"),
    "sex_ratio": (("population_male",), "population_female"),
}

SEX_SUM = "population_male_plus_female"
BROAD_AGE_SUM = "pop_0_14_plus_15_64_plus_65_plus"
STAGE_FROM_SHARE = "ageing_stage_from_share_60_plus"
PERIOD_IS_MONTH_END = "period_is_month_end"


def _meta(severity: str, check: str, detail: str | None = None) -> dict[str, str]:
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")
    meta = {"severity": severity, "check": check}
    if detail:
        meta["detail"] = detail
    return meta


def _from_counts(column: str) -> str:
    return f"{column}_from_counts"


def _error(column: str) -> str:
    return f"{column}_error_vs_counts"


# --- derived columns -------------------------------------------------------------------


def _period_is_month_end(frame: pd.DataFrame) -> pd.Series:
    period = pd.to_datetime(frame["period"])
    return period.dt.is_month_end.astype("boolean").mask(period.isna())


def _as_float(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("float64")


def _per(numerator: pd.Series, denominator: pd.Series, scale: float) -> pd.Series:
    """numerator / denominator * scale; NaN where the denominator is 0 or missing."""
    num, den = _as_float(numerator), _as_float(denominator)
    return (num / den.where(den != 0)) * scale


def prepare_mart_area_ageing(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the derived columns the ``mart_area_ageing`` suite compares with the mart."""
    out = frame.copy()
    out[SEX_SUM] = out["population_male"] + out["population_female"]
    out[BROAD_AGE_SUM] = out["pop_0_14"] + out["pop_15_64"] + out["pop_65_plus"]
    for share, count in AGEING_SHARES.items():
        recomputed = _per(out[count], out["population_total"], 1.0)
        out[_from_counts(share)] = recomputed
        out[_error(share)] = (_as_float(out[share]) - recomputed).abs()
    for ratio, (numerators, denominator) in AGEING_RATIOS.items():
        numerator = sum(_as_float(out[c]) for c in numerators)
        recomputed = _per(numerator, out[denominator], 100.0)
        out[_from_counts(ratio)] = recomputed
        # relative error; undefined (NaN) where the recomputed ratio is 0 or missing
        out[_error(ratio)] = (_as_float(out[ratio]) - recomputed).abs() / recomputed.where(
            recomputed > 0
        )
    share = _as_float(out["share_60_plus"])
    stage = np.select(
        [share >= t for _, t in reversed(AGEING_STAGE_THRESHOLDS)],
        [name for name, _ in reversed(AGEING_STAGE_THRESHOLDS)],
        default=AGEING_STAGES[0],
    )
    out[STAGE_FROM_SHARE] = pd.Series(stage, index=out.index, dtype="object").where(share.notna())
    out[PERIOD_IS_MONTH_END] = _period_is_month_end(out)
    return out


def prepare_with_period_check(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out[PERIOD_IS_MONTH_END] = _period_is_month_end(out)
    return out


# --- suites ----------------------------------------------------------------------------


def _not_null(column: str, severity: str = BLOCKING) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToNotBeNull(
        column=column, meta=_meta(severity, f"{column} not null", f"{column} is null")
    )


def _month_end() -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeInSet(
        column=PERIOD_IS_MONTH_END,
        value_set=[True],
        meta=_meta(BLOCKING, "period is a month end", "period {period}"),
    )


def _scope_values() -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeInSet(
        column="population_scope",
        value_set=list(POPULATION_SCOPES),
        meta=_meta(
            WARNING, "population_scope accepted values", "population_scope {population_scope}"
        ),
    )


def build_mart_area_ageing_suite() -> gx.ExpectationSuite:
    key = ["area_code", "period", "population_scope"]
    expectations: list[gxe.Expectation] = [
        gxe.ExpectTableRowCountToBeBetween(min_value=1, meta=_meta(BLOCKING, "table is not empty")),
        *(_not_null(c) for c in ("area_code", "period", "population_scope", "is_modelled")),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=key,
            meta=_meta(
                BLOCKING,
                "one row per area_code, period, population_scope",
                "duplicate row (scope {population_scope})",
            ),
        ),
        _month_end(),
    ]
    for count in AGEING_COUNTS:
        expectations += [
            _not_null(count),
            gxe.ExpectColumnValuesToBeBetween(
                column=count,
                min_value=0,
                meta=_meta(BLOCKING, f"{count} >= 0", f"{count} {{{count}}}"),
            ),
        ]
    expectations += [
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A=SEX_SUM,
            column_B="population_total",
            ignore_row_if="either_value_is_missing",
            meta=_meta(
                BLOCKING,
                "male+female=total",
                "male {population_male} + female {population_female} != total {population_total}",
            ),
        ),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A=BROAD_AGE_SUM,
            column_B="population_total",
            ignore_row_if="either_value_is_missing",
            meta=_meta(
                BLOCKING,
                "0-14 + 15-64 + 65+ = total",
                "0-14 {pop_0_14} + 15-64 {pop_15_64} + 65+ {pop_65_plus} != total {population_total}",
            ),
        ),
    ]
    for larger, smaller, label in (
        ("population_total", "pop_60_plus", "total >= 60+"),
        ("pop_60_plus", "pop_65_plus", "60+ >= 65+"),
        ("pop_65_plus", "pop_80_plus", "65+ >= 80+"),
    ):
        expectations.append(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=larger,
                column_B=smaller,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta=_meta(BLOCKING, label, f"{larger} {{{larger}}} < {smaller} {{{smaller}}}"),
            )
        )
    for share, count in AGEING_SHARES.items():
        expectations += [
            gxe.ExpectColumnValuesToBeBetween(
                column=share,
                min_value=0,
                max_value=1,
                meta=_meta(BLOCKING, f"{share} in [0, 1]", f"{share} {{{share}}}"),
            ),
            gxe.ExpectColumnValuesToNotBeNull(
                column=share,
                row_condition=Column("population_total") > 0,
                meta=_meta(
                    BLOCKING,
                    f"{share} present where population_total > 0",
                    f"{share} is null with population_total {{population_total}}",
                ),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column=_error(share),
                min_value=0,
                max_value=SHARE_TOLERANCE,
                meta=_meta(
                    WARNING,
                    f"{share} matches {count} / population_total",
                    f"{share} {{{share}}} vs {{{_from_counts(share)}}} from counts",
                ),
            ),
        ]
    for ratio, (_, denominator) in AGEING_RATIOS.items():
        expectations += [
            gxe.ExpectColumnValuesToBeBetween(
                column=ratio,
                min_value=0,
                strict_min=True,
                max_value=RATIO_UPPER_BOUND,
                meta=_meta(BLOCKING, f"{ratio} > 0", f"{ratio} {{{ratio}}}"),
            ),
            gxe.ExpectColumnValuesToNotBeNull(
                column=ratio,
                row_condition=Column(denominator) > 0,
                meta=_meta(
                    BLOCKING,
                    f"{ratio} present where {denominator} > 0",
                    f"{ratio} is null with {denominator} {{{denominator}}}",
                ),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column=_error(ratio),
                min_value=0,
                max_value=RATIO_RELATIVE_TOLERANCE,
                meta=_meta(
                    WARNING,
                    f"{ratio} matches counts",
                    f"{ratio} {{{ratio}}} vs {{{_from_counts(ratio)}}} from counts",
                ),
            ),
        ]
    expectations += [
        gxe.ExpectColumnValuesToBeInSet(
            column="ageing_stage",
            value_set=list(AGEING_STAGES),
            meta=_meta(BLOCKING, "ageing_stage accepted values", "ageing_stage {ageing_stage}"),
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="ageing_stage",
            row_condition=Column("population_total") > 0,
            meta=_meta(
                BLOCKING,
                "ageing_stage present where population_total > 0",
                "ageing_stage is null with population_total {population_total}",
            ),
        ),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="ageing_stage",
            column_B=STAGE_FROM_SHARE,
            ignore_row_if="either_value_is_missing",
            meta=_meta(
                BLOCKING,
                "ageing_stage matches share_60_plus",
                "ageing_stage {ageing_stage} but share_60_plus {share_60_plus} means "
                f"{{{STAGE_FROM_SHARE}}}",
            ),
        ),
        _scope_values(),
    ]
    return gx.ExpectationSuite(name="mart_area_ageing", expectations=expectations)


def build_fct_population_by_age_suite() -> gx.ExpectationSuite:
    key = ["area_code", "period", "population_scope", "sex", "age"]
    expectations: list[gxe.Expectation] = [
        gxe.ExpectTableRowCountToBeBetween(min_value=1, meta=_meta(BLOCKING, "table is not empty")),
        *(_not_null(c) for c in (*key, "population", "is_modelled")),
        gxe.ExpectColumnValuesToBeBetween(
            column="population",
            min_value=0,
            meta=_meta(BLOCKING, "population >= 0", "{sex} age {age}: population {population}"),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="sex",
            value_set=list(SEXES),
            meta=_meta(BLOCKING, "sex accepted values", "sex {sex}"),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="age",
            min_value=0,
            max_value=MAX_AGE,
            meta=_meta(BLOCKING, f"age in 0..{MAX_AGE}", "{sex} age {age}"),
        ),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=key,
            meta=_meta(
                BLOCKING,
                "one row per area_code, period, population_scope, sex, age",
                "duplicate {sex} age {age} (scope {population_scope})",
            ),
        ),
        _month_end(),
        _scope_values(),
    ]
    return gx.ExpectationSuite(name="fct_population_by_age", expectations=expectations)


def build_mart_area_indicators_suite() -> gx.ExpectationSuite:
    expectations: list[gxe.Expectation] = [
        gxe.ExpectTableRowCountToBeBetween(min_value=1, meta=_meta(WARNING, "table is not empty")),
        *(
            _not_null(c)
            for c in (
                "area_code",
                "period",
                "dimension",
                "indicator_code",
                "source_id",
                "is_modelled",
            )
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="dimension",
            value_set=list(DIMENSIONS),
            meta=_meta(
                BLOCKING, "dimension accepted values", "{indicator_code}: dimension {dimension}"
            ),
        ),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["area_code", "period", "indicator_code"],
            meta=_meta(
                BLOCKING,
                "one row per area_code, period, indicator_code",
                "duplicate {indicator_code} (source {source_id})",
            ),
        ),
        _month_end(),
        *(
            gxe.ExpectColumnValuesToNotBeNull(
                column=c,
                meta=_meta(WARNING, f"{c} not null", f"{{indicator_code}}: {c} is null"),
            )
            for c in ("value", "unit", "source_vintage", "quality_status")
        ),
        _quality_status_values(
            QUALITY_STATUSES, "{indicator_code}: quality_status {quality_status}"
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="value",
            min_value=0,
            max_value=1,
            row_condition=Column("unit") == "fraction",
            meta=_meta(BLOCKING, "shares in [0, 1]", "{indicator_code} {value}"),
        ),
    ]
    return gx.ExpectationSuite(name="mart_area_indicators", expectations=expectations)


def _quality_status_values(
    values: tuple[str, ...], detail: str = "quality_status {quality_status}"
) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeInSet(
        column="quality_status",
        value_set=list(values),
        meta=_meta(BLOCKING, "quality_status accepted values", detail),
    )


def _unique(columns: list[str], detail: str = "duplicate row") -> gxe.Expectation:
    return gxe.ExpectCompoundColumnsToBeUnique(
        column_list=columns, meta=_meta(BLOCKING, f"one row per {', '.join(columns)}", detail)
    )


def _non_negative(column: str, detail: str | None = None) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeBetween(
        column=column,
        min_value=0,
        meta=_meta(BLOCKING, f"{column} >= 0", detail or f"{column} {{{column}}}"),
    )


def _in_set(column: str, values: tuple[str, ...]) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeInSet(
        column=column,
        value_set=list(values),
        meta=_meta(BLOCKING, f"{column} accepted values", f"{column} {{{column}}}"),
    )


def _indicator_in_range(indicator: Indicator) -> gxe.Expectation | None:
    low, high = indicator.value_range
    if low is None and high is None:
        return None
    code = indicator.code
    return gxe.ExpectColumnValuesToBeBetween(
        column=code,
        min_value=low,
        max_value=high,
        meta=_meta(
            BLOCKING, f"{code} {indicator_catalogue.bounds_text(indicator)}", f"{code} {{{code}}}"
        ),
    )


def build_fct_vehicle_registrations_suite() -> gx.ExpectationSuite:
    expectations: list[gxe.Expectation] = [
        _not_null("vehicles"),
        _unique(
            ["area_code", "period", "vehicle_type", "fuel_class"],
            "duplicate {vehicle_type} {fuel_class}",
        ),
        _non_negative("vehicles", "{vehicle_type} {fuel_class}: vehicles {vehicles}"),
        _in_set("fuel_class", FUEL_CLASSES),
        _quality_status_values(FCT_QUALITY_STATUSES),
    ]
    return gx.ExpectationSuite(name="fct_vehicle_registrations", expectations=expectations)


def build_fct_electricity_consumption_suite() -> gx.ExpectationSuite:
    expectations: list[gxe.Expectation] = [
        _unique(
            ["area_code", "period", "customer_class", "utility"],
            "duplicate {customer_class} {utility}",
        ),
        _non_negative("kwh", "{customer_class} {utility}: kwh {kwh}"),
        _non_negative("customers", "{customer_class} {utility}: customers {customers}"),
        _in_set("customer_class", CUSTOMER_CLASSES),
        _in_set("utility", UTILITIES),
        _month_end(),
        _quality_status_values(FCT_QUALITY_STATUSES),
    ]
    return gx.ExpectationSuite(name="fct_electricity_consumption", expectations=expectations)


def build_fct_road_deaths_suite() -> gx.ExpectationSuite:
    expectations: list[gxe.Expectation] = [
        _unique(["area_code", "year"], "duplicate year {year}"),
        _non_negative("deaths"),
        _quality_status_values(FCT_QUALITY_STATUSES),
    ]
    return gx.ExpectationSuite(name="fct_road_deaths", expectations=expectations)


def dimension_mart(dimension: str) -> str:
    return f"mart_dimension_{dimension}"


def _dimension_suite_builder(dimension: str) -> Callable[[], gx.ExpectationSuite]:
    def build() -> gx.ExpectationSuite:
        expectations: list[gxe.Expectation] = [
            _unique(["area_code", "period"]),
            _month_end(),
            _quality_status_values(QUALITY_STATUSES),
        ]
        for indicator in indicator_catalogue.of_dimension(dimension):
            expectation = _indicator_in_range(indicator)
            if expectation is not None:
                expectations.append(expectation)
        return gx.ExpectationSuite(name=dimension_mart(dimension), expectations=expectations)

    return build


def build_mart_area_profile_suite() -> gx.ExpectationSuite:
    # its indicator values are those of the dimension marts, checked there
    expectations: list[gxe.Expectation] = [
        _unique(["area_code", "period"]),
        _quality_status_values(QUALITY_STATUSES),
        gxe.ExpectColumnValuesToNotBeNull(
            column="area_level",
            meta=_meta(WARNING, "area_level not null", "area_code {area_code} not in dim_area"),
        ),
    ]
    return gx.ExpectationSuite(name="mart_area_profile", expectations=expectations)


@dataclasses.dataclass(frozen=True)
class MartSpec:
    """What the gate reads from one mart and how it validates it."""

    name: str  # the mart, and the name of its suite
    schema: str
    columns: tuple[str, ...]  # read from the build file (nothing else is read)
    prepare: Callable[[pd.DataFrame], pd.DataFrame]
    # None: read for the gate checks only (validated by dbt tests), no suite
    build_suite: Callable[[], gx.ExpectationSuite] | None
    # True for a mart whose sources may all be absent from a run (e.g. a run that only
    # asked for population): an empty table is then recorded as such, not validated
    may_be_empty: bool = False
    # A column to validate the mart by, one value at a time: the gate's memory then grows
    # with one partition, not the whole table (fct_population_by_age is rows x 204 per
    # area and period: 15 million rows for ten years of sub-districts). Every check on
    # such a mart must hold within one partition (its keys include the column).
    partition_by: str | None = None
    # True for a mart read only for cross-level checks: a build without it (an older
    # release, a partial test build) skips those checks instead of failing
    optional: bool = False

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.name}"


MART_SPECS: tuple[MartSpec, ...] = (
    MartSpec(
        name="mart_area_ageing",
        schema="marts",
        columns=(
            "area_code",
            "period",
            "population_scope",
            "is_modelled",
            *AGEING_COUNTS,
            *AGEING_SHARES,
            *AGEING_RATIOS,
            "ageing_stage",
        ),
        prepare=prepare_mart_area_ageing,
        build_suite=build_mart_area_ageing_suite,
    ),
    MartSpec(
        name="fct_population_by_age",
        schema="marts",
        columns=(
            "area_code",
            "period",
            "population_scope",
            "sex",
            "age",
            "population",
            "is_modelled",
        ),
        prepare=prepare_with_period_check,
        build_suite=build_fct_population_by_age_suite,
        partition_by="period",
    ),
    MartSpec(
        name="mart_area_indicators",
        schema="marts",
        columns=(
            "area_code",
            "period",
            "dimension",
            "indicator_code",
            "value",
            "unit",
            "source_id",
            "source_vintage",
            "is_modelled",
            "quality_status",
        ),
        prepare=prepare_with_period_check,
        build_suite=build_mart_area_indicators_suite,
    ),
    MartSpec(
        name="dim_area",
        schema="marts",
        columns=("area_code", "area_level", "parent_code"),
        prepare=pd.DataFrame.copy,
        build_suite=None,
    ),
    MartSpec(
        name="fct_vehicle_registrations",
        schema="marts",
        columns=(
            "area_code",
            "period",
            "vehicle_type",
            "fuel_class",
            "vehicles",
            "is_modelled",
            "quality_status",
        ),
        prepare=pd.DataFrame.copy,
        build_suite=build_fct_vehicle_registrations_suite,
        may_be_empty=True,
    ),
    MartSpec(
        name="fct_electricity_consumption",
        schema="marts",
        columns=(
            "area_code",
            "period",
            "customer_class",
            "kwh",
            "customers",
            "utility",
            "is_modelled",
            "quality_status",
        ),
        prepare=prepare_with_period_check,
        build_suite=build_fct_electricity_consumption_suite,
        may_be_empty=True,
    ),
    MartSpec(
        name="fct_road_deaths",
        schema="marts",
        columns=("area_code", "period", "year", "deaths", "is_modelled", "quality_status"),
        prepare=pd.DataFrame.copy,
        build_suite=build_fct_road_deaths_suite,
        may_be_empty=True,
    ),
    *(
        MartSpec(
            name=dimension_mart(dimension),
            schema="marts",
            columns=(
                "area_code",
                "period",
                *(i.code for i in indicator_catalogue.of_dimension(dimension)),
                "quality_status",
            ),
            prepare=prepare_with_period_check,
            build_suite=_dimension_suite_builder(dimension),
            may_be_empty=True,
        )
        for dimension in DIMENSIONS
    ),
    # --- sub-district population, households, vital events, target areas (issue 11):
    # no suites (row rules are dbt tests); read for the checks of expectations.households.
    MartSpec(
        name="fct_population_households",
        schema="marts",
        columns=(
            "area_code",
            "area_level",
            "period",
            "population_male",
            "population_female",
            "population_total",
            "households",
        ),
        prepare=pd.DataFrame.copy,
        build_suite=None,
        may_be_empty=True,
        optional=True,
    ),
    MartSpec(
        name="fct_vital_events",
        schema="marts",
        columns=("area_code", "area_level", "period", "births", "deaths", "moves_in", "moves_out"),
        prepare=pd.DataFrame.copy,
        build_suite=None,
        may_be_empty=True,
        optional=True,
    ),
    MartSpec(
        name="dim_target_area_members",
        schema="marts",
        columns=("target_area_code", "member_code", "member_level"),
        prepare=pd.DataFrame.copy,
        build_suite=None,
        may_be_empty=True,
        optional=True,
    ),
    MartSpec(
        name="stg_dopa__households",
        schema="staging",
        columns=(
            "row_kind",
            "registration_office",
            "period",
            "population_male",
            "population_female",
            "population_total",
            "households",
        ),
        prepare=pd.DataFrame.copy,
        build_suite=None,
        may_be_empty=True,
        optional=True,
    ),
    MartSpec(
        name="mart_area_profile",
        schema="marts",
        columns=("area_code", "period", "area_level", "quality_status"),
        prepare=prepare_with_period_check,
        build_suite=build_mart_area_profile_suite,
        may_be_empty=True,
    ),
)


def build_suites() -> dict[str, gx.ExpectationSuite]:
    """A fresh suite object per mart (a suite is bound to the context it is added to)."""
    return {spec.name: spec.build_suite() for spec in MART_SPECS if spec.build_suite}
