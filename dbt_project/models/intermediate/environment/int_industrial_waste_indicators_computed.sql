-- The industrial-waste indicators per area and complete year (period = 31 December):
-- - industrial_waste_tonnes_per_1000_people = 1000 * total_tonnes of the year /
--   population_total of 31 December: of the same year when DOPA has it, else of the
--   nearest December (on a tie, the later). Registered residents are counted at year
--   end (DOPA's official yearly figures are December's), so a year is divided by a
--   December population only; the country 'TH' only takes a December whose population
--   covers every province. population_period records the December used.
-- - hazardous_waste_share = hazardous_tonnes / total_tonnes (null when total is 0).
-- - industrial_waste_change_yoy = total_tonnes / total_tonnes of the year before - 1,
--   both complete years; null when the earlier year is missing or zero.
-- - industrial_waste_tonnes_per_km2 = total_tonnes of the year / dim_area.area_km2
--   (a province's land area is the sum of its districts'; the country has none).
-- A 'TH' value summed over fewer provinces than the country has is partial_coverage.

with

waste_years as (

    select * from {{ ref('int_industrial_waste_years_summed') }}

),

area_ageing as (

    select * from {{ ref('int_area_ageing_aggregated') }}

),

areas as (

    select * from {{ ref('dim_area') }}

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

population_stale_flags as (

    {{ stale_flags_by_area_period('area_ageing') }}

),

december_populations as (

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
        and extract(month from area_ageing.period) = 12
        and (
            area_ageing.area_code <> 'TH'
            or area_ageing.provinces_covered = provinces_total.provinces_total
        )

),

ranked_denominators as (

    select
        waste_years.area_code,
        waste_years.period,
        december_populations.period as population_period,
        december_populations.population_total,
        december_populations.population_scope,
        december_populations.is_modelled as population_is_modelled,
        december_populations.source_id as population_source_id,
        december_populations.is_stale as population_is_stale,
        row_number() over (
            partition by waste_years.area_code, waste_years.period
            order by
                abs(waste_years.period - december_populations.period),
                december_populations.period desc
        ) as nearness_rank
    from waste_years
    inner join december_populations
        on waste_years.area_code = december_populations.area_code

),

denominators as (

    select * from ranked_denominators
    where nearness_rank = 1

),

per_1000_people as (

    select
        waste_years.area_code,
        waste_years.period,
        'industrial_waste_tonnes_per_1000_people' as indicator_code,
        1000 * waste_years.total_tonnes / nullif(denominators.population_total, 0) as value,
        waste_years.total_tonnes as numerator,
        denominators.population_total as denominator,
        {{ source_id_pair(
            'waste_years.source_id', 'denominators.population_source_id'
        ) }} as source_id,
        waste_years.is_modelled or denominators.population_is_modelled as is_modelled,
        waste_years.is_stale or denominators.population_is_stale as is_stale,
        denominators.population_scope,
        denominators.population_period,
        waste_years.is_partial_coverage
    from waste_years
    inner join denominators
        on
            waste_years.area_code = denominators.area_code
            and waste_years.period = denominators.period
    where not waste_years.is_partial_coverage

),

hazardous_share as (

    select
        area_code,
        period,
        'hazardous_waste_share' as indicator_code,
        hazardous_tonnes / nullif(total_tonnes, 0) as value,
        hazardous_tonnes as numerator,
        total_tonnes as denominator,
        source_id,
        is_modelled,
        is_stale,
        cast(null as varchar) as population_scope,
        cast(null as date) as population_period,
        is_partial_coverage
    from waste_years

),

per_km2 as (

    select
        waste_years.area_code,
        waste_years.period,
        'industrial_waste_tonnes_per_km2' as indicator_code,
        waste_years.total_tonnes / areas.area_km2 as value,
        waste_years.total_tonnes as numerator,
        areas.area_km2 as denominator,
        waste_years.source_id,
        waste_years.is_modelled,
        waste_years.is_stale,
        cast(null as varchar) as population_scope,
        cast(null as date) as population_period,
        waste_years.is_partial_coverage
    from waste_years
    inner join areas
        on waste_years.area_code = areas.area_code
    where areas.area_km2 > 0 and not waste_years.is_partial_coverage

),

change_on_year_earlier as (

    select
        area_code,
        period,
        'industrial_waste_change_yoy' as indicator_code,
        total_tonnes / nullif(previous_total_tonnes, 0) - 1 as value,
        total_tonnes - previous_total_tonnes as numerator,
        previous_total_tonnes as denominator,
        source_id,
        is_modelled,
        is_stale,
        cast(null as varchar) as population_scope,
        cast(null as date) as population_period,
        is_partial_coverage or previous_is_partial_coverage as is_partial_coverage
    from waste_years

),

unioned as (

    select * from per_1000_people
    union all
    select * from hazardous_share
    union all
    select * from per_km2
    union all
    select * from change_on_year_earlier

),

final as (

    {{ indicator_rows('unioned') }}

)

select * from final
