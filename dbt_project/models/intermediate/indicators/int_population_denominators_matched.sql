-- The population each per-person indicator divides by: for every area and month that
-- has vehicles, electricity or road deaths, the population_total of the same area and
-- month when DOPA has it, else of the nearest month (on a tie, the later one). The
-- country 'TH' only takes a month whose population covers every province of
-- ref_provinces; a partial country sum is never used as a denominator.
-- population_period records the month used.

with

fleet as (

    select * from {{ ref('int_vehicle_fleet_summarised') }}

),

electricity as (

    select * from {{ ref('int_electricity_consumption_summarised') }}

),

road_deaths as (

    select * from {{ ref('int_road_deaths_with_country') }}

),

area_ageing as (

    select * from {{ ref('int_area_ageing_aggregated') }}

),

source_status as (

    select * from {{ ref('stg_pipeline__source_status') }}

),

provinces_reference as (

    select * from {{ ref('ref_provinces') }}

),

provinces_total as (

    select count(*) as provinces_total
    from provinces_reference

),

numerator_area_periods as (

    select
        area_code,
        period
    from fleet

    union

    select
        area_code,
        period
    from electricity

    union

    select
        area_code,
        period
    from road_deaths

),

population_stale_flags as (

    {{ stale_flags_by_area_period('area_ageing') }}

),

eligible_populations as (

    select
        area_ageing.area_code,
        area_ageing.period,
        area_ageing.population_total,
        area_ageing.population_scope,
        area_ageing.is_modelled,
        area_ageing.source_id,
        population_stale_flags.is_stale
    from area_ageing
    inner join population_stale_flags
        on
            area_ageing.area_code = population_stale_flags.area_code
            and area_ageing.period = population_stale_flags.period
    cross join provinces_total
    where
        area_ageing.population_total > 0
        and (
            area_ageing.area_code <> 'TH'
            or area_ageing.provinces_covered = provinces_total.provinces_total
        )

),

ranked as (

    select
        numerator_area_periods.area_code,
        numerator_area_periods.period,
        eligible_populations.period as population_period,
        eligible_populations.population_total,
        eligible_populations.population_scope,
        eligible_populations.is_modelled,
        eligible_populations.source_id,
        eligible_populations.is_stale,
        row_number() over (
            partition by numerator_area_periods.area_code, numerator_area_periods.period
            order by
                abs(numerator_area_periods.period - eligible_populations.period),
                eligible_populations.period desc
        ) as nearness_rank
    from numerator_area_periods
    inner join eligible_populations
        on numerator_area_periods.area_code = eligible_populations.area_code

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast(period as date) as period,
        cast(population_period as date) as population_period,
        cast(population_total as bigint) as population_total,
        cast(population_scope as varchar) as population_scope,
        cast(is_modelled as boolean) as population_is_modelled,
        cast(source_id as varchar) as population_source_id,
        cast(is_stale as boolean) as population_is_stale
    from ranked
    where nearness_rank = 1

)

select * from final
