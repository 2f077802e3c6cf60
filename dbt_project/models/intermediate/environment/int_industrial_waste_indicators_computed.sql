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

areas as (

    select * from {{ ref('dim_area') }}

),

denominators as (

    -- the December population of the same or nearest year
    {{ population_denominators_matched(['int_industrial_waste_years_summed'], month=12) }}

),

waste_with_population as (

    {{ with_population_denominators('waste_years') }}

),

per_1000_people as (

    select
        area_code,
        period,
        'industrial_waste_tonnes_per_1000_people' as indicator_code,
        1000 * total_tonnes / nullif(population_total, 0) as value,
        total_tonnes as numerator,
        population_total as denominator,
        combined_source_id as source_id,
        is_modelled or population_is_modelled as is_modelled,
        is_stale or population_is_stale as is_stale,
        population_scope,
        population_period,
        is_partial_coverage
    from waste_with_population

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
