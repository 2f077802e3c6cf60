-- Every indicator value computed from the sources, in one long table: population and
-- ageing, vehicles, road deaths, electricity, household income and industrial waste.
-- Governance indicators, which describe these values, are added in
-- int_area_indicators_described.

-- A table: the governance indicators and int_area_indicators_described both read it.

{{ config(materialized='table') }}

with

population_indicators as (

    select * from {{ ref('int_population_indicators_unpivoted') }}

),

vehicle_indicators as (

    select * from {{ ref('int_vehicle_indicators_computed') }}

),

road_death_indicators as (

    select * from {{ ref('int_road_death_indicators_computed') }}

),

electricity_indicators as (

    select * from {{ ref('int_electricity_indicators_computed') }}

),

income_indicators as (

    select * from {{ ref('int_income_indicators_computed') }}

),

industrial_waste_indicators as (

    select * from {{ ref('int_industrial_waste_indicators_computed') }}

),

new_registration_indicators as (

    select * from {{ ref('int_new_registration_indicators_computed') }}

),

household_indicators as (

    select * from {{ ref('int_household_indicators_computed') }}

),

unioned as (

    select * from population_indicators
    union all
    select * from vehicle_indicators
    union all
    select * from road_death_indicators
    union all
    select * from electricity_indicators
    union all
    select * from income_indicators
    union all
    select * from industrial_waste_indicators
    union all
    select * from new_registration_indicators
    union all
    select * from household_indicators

),

final as (

    select
        area_code,
        period,
        indicator_code,
        value,
        numerator,
        denominator,
        source_id,
        is_modelled,
        is_stale,
        population_scope,
        population_period,
        is_partial_coverage
    from unioned

)

select * from final
