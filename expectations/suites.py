"""Expectation suites for the marts, defined in code: one suite per mart.

The suites hold what a data test of one row cannot see: that a mart has rows, and that
the whole distribution of a column is plausible (a median share aged 60+ a province can
have, a sex ratio near 100, every fuel class in the fleet). Row-level rules (keys, accepted
values, ranges, sums and consistency within a row) are dbt data tests only
(``dbt_project/models/marts/_marts__models.yml``); the checks across slices, marts and
releases are in ``expectations.checks``. Each rule's severity comes from the one quality
policy (``expectations.policy``, docs/quality.md).

Every expectation carries ``meta``:

- ``severity``: ``blocking`` (a failure stops the run before publish) or ``warning``
  (recorded, the build is still published);
- ``check``: a short name, unique within the suite, used in messages and in
  ``meta.quality_results``;
- ``detail`` (optional): how to describe one failing row, a ``str.format`` template
  over the frame's columns.
"""

from __future__ import annotations

import logging

logging.getLogger("great_expectations").setLevel(logging.WARNING)

import dataclasses  # noqa: E402
from collections.abc import Callable  # noqa: E402

import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402
import pandas as pd  # noqa: E402

from expectations import indicator_catalogue, policy  # noqa: E402
from expectations.policy import BLOCKING, SEVERITIES, WARNING  # noqa: E402

__all__ = ["BLOCKING", "MART_SPECS", "SEVERITIES", "WARNING", "MartSpec", "build_suites"]

DIMENSIONS = indicator_catalogue.DIMENSIONS
FUEL_CLASSES = ("battery_electric", "hybrid", "plug_in_hybrid", "diesel", "other")

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
AGEING_SHARES = ("share_60_plus", "share_65_plus", "share_80_plus")
AGEING_RATIOS = ("old_age_dependency_ratio", "total_dependency_ratio", "ageing_index", "sex_ratio")

# Plausible medians over the areas of a build (Thailand, 2015-2030: the provinces' share
# aged 60+ lies between 0.08 and 0.30, the sex ratio between 90 and 105). Wide enough for
# districts and Thai-nationals figures; a median outside means a wrong column or unit.
SHARE_60_PLUS_MEDIAN = (0.03, 0.45)
SEX_RATIO_MEDIAN = (80.0, 120.0)


def _meta(rule_class: str, check: str, detail: str | None = None) -> dict[str, str]:
    meta = {"severity": policy.severity(rule_class), "check": check}
    if detail:
        meta["detail"] = detail
    return meta


def _not_empty(rule_class: str = "table_not_empty") -> gxe.Expectation:
    return gxe.ExpectTableRowCountToBeBetween(
        min_value=1, meta=_meta(rule_class, "table is not empty")
    )


def _median_between(column: str, bounds: tuple[float, float]) -> gxe.Expectation:
    low, high = bounds
    return gxe.ExpectColumnMedianToBeBetween(
        column=column,
        min_value=low,
        max_value=high,
        meta=_meta("distribution", f"median {column} in [{low:g}, {high:g}]"),
    )


# --- suites ----------------------------------------------------------------------------


def build_mart_area_ageing_suite() -> gx.ExpectationSuite:
    expectations: list[gxe.Expectation] = [
        _not_empty(),
        _median_between("share_60_plus", SHARE_60_PLUS_MEDIAN),
        _median_between("sex_ratio", SEX_RATIO_MEDIAN),
    ]
    return gx.ExpectationSuite(name="mart_area_ageing", expectations=expectations)


def build_fct_population_by_age_suite() -> gx.ExpectationSuite:
    # validated one period at a time: each period has rows, and every sex
    expectations: list[gxe.Expectation] = [
        _not_empty(),
        gxe.ExpectColumnDistinctValuesToEqualSet(
            column="sex",
            value_set=["male", "female"],
            meta=_meta("distribution", "both sexes present"),
        ),
    ]
    return gx.ExpectationSuite(name="fct_population_by_age", expectations=expectations)


def build_mart_area_indicators_suite() -> gx.ExpectationSuite:
    expectations: list[gxe.Expectation] = [_not_empty("indicators_present")]
    return gx.ExpectationSuite(name="mart_area_indicators", expectations=expectations)


def build_fct_vehicle_registrations_suite() -> gx.ExpectationSuite:
    expectations: list[gxe.Expectation] = [
        gxe.ExpectColumnDistinctValuesToContainSet(
            column="fuel_class",
            value_set=list(FUEL_CLASSES),
            meta=_meta("distribution", "every fuel class present"),
        ),
    ]
    return gx.ExpectationSuite(name="fct_vehicle_registrations", expectations=expectations)


def _not_empty_suite(name: str) -> Callable[[], gx.ExpectationSuite]:
    """A suite that only records the mart's rows (its rows are validated by dbt and its
    totals by the gate checks): the Data Docs then have a page for it."""

    def build() -> gx.ExpectationSuite:
        return gx.ExpectationSuite(name=name, expectations=[_not_empty()])

    return build


def dimension_mart(dimension: str) -> str:
    return f"mart_dimension_{dimension}"


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


HOUSEHOLD_MEASURES = ("population_male", "population_female", "population_total", "households")


def _read_for_checks(name: str, columns: tuple[str, ...], schema: str = "marts") -> MartSpec:
    """A table the gate reads for cross-level checks only: no suite, may be absent or empty."""
    return MartSpec(
        name=name,
        schema=schema,
        columns=columns,
        prepare=pd.DataFrame.copy,
        build_suite=None,
        may_be_empty=True,
        optional=True,
    )


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
        prepare=pd.DataFrame.copy,
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
        prepare=pd.DataFrame.copy,
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
        prepare=pd.DataFrame.copy,
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
        prepare=pd.DataFrame.copy,
        build_suite=_not_empty_suite("fct_electricity_consumption"),
        may_be_empty=True,
    ),
    MartSpec(
        name="fct_vehicle_new_registrations",
        schema="marts",
        columns=(
            "area_code",
            "period",
            "vehicle_type",
            "vehicle_category",
            "registrations",
            "is_modelled",
            "quality_status",
        ),
        prepare=pd.DataFrame.copy,
        build_suite=_not_empty_suite("fct_vehicle_new_registrations"),
        may_be_empty=True,
    ),
    MartSpec(
        name="fct_road_deaths",
        schema="marts",
        columns=("area_code", "period", "year", "deaths", "is_modelled", "quality_status"),
        prepare=pd.DataFrame.copy,
        build_suite=_not_empty_suite("fct_road_deaths"),
        may_be_empty=True,
    ),
    MartSpec(
        name="fct_industrial_waste",
        schema="marts",
        columns=(
            "area_code",
            "period",
            "non_hazardous_tonnes",
            "hazardous_tonnes",
            "total_tonnes",
            "is_modelled",
            "quality_status",
        ),
        prepare=pd.DataFrame.copy,
        build_suite=_not_empty_suite("fct_industrial_waste"),
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
            prepare=pd.DataFrame.copy,
            build_suite=_not_empty_suite(dimension_mart(dimension)),
            may_be_empty=True,
        )
        for dimension in DIMENSIONS
    ),
    # Sub-district population, households, vital events, target areas: no suites (row
    # rules are dbt tests); read for the checks of expectations.households.
    _read_for_checks(
        "fct_population_households",
        ("area_code", "area_level", "period", *HOUSEHOLD_MEASURES),
    ),
    _read_for_checks(
        "fct_vital_events",
        ("area_code", "area_level", "period", "births", "deaths", "moves_in", "moves_out"),
    ),
    _read_for_checks(
        "dim_target_area_members", ("target_area_code", "member_code", "member_level")
    ),
    _read_for_checks(
        "stg_dopa__households",
        ("row_kind", "registration_office", "period", *HOUSEHOLD_MEASURES),
        schema="staging",
    ),
    MartSpec(
        name="mart_area_profile",
        schema="marts",
        columns=("area_code", "period", "area_level", "quality_status"),
        prepare=pd.DataFrame.copy,
        build_suite=_not_empty_suite("mart_area_profile"),
        may_be_empty=True,
    ),
)


def build_suites() -> dict[str, gx.ExpectationSuite]:
    """A fresh suite object per mart (a suite is bound to the context it is added to)."""
    return {spec.name: spec.build_suite() for spec in MART_SPECS if spec.build_suite}
