-- road_deaths_per_100k = 100000 * deaths / population_total of the same or nearest
-- population month (int_population_denominators_matched), per area and year (period =
-- 31 December). A 'TH' sum that does not cover every province gets no value.

with

road_deaths as (

    select * from {{ ref('int_road_deaths_with_country') }}

),

denominators as (

    select * from {{ ref('int_population_denominators_matched') }}

),

per_person as (

    select
        road_deaths.area_code,
        road_deaths.period,
        denominators.population_scope,
        denominators.population_period,
        road_deaths.is_partial_coverage,
        'road_deaths_per_100k' as indicator_code,
        cast(road_deaths.deaths as double precision) as numerator,
        cast(denominators.population_total as double precision) as denominator,
        100000 * cast(road_deaths.deaths as double precision)
        / nullif(denominators.population_total, 0) as value,
        {{ source_id_pair(
            'road_deaths.source_id', 'denominators.population_source_id'
        ) }} as source_id,
        road_deaths.is_modelled or denominators.population_is_modelled as is_modelled,
        road_deaths.is_stale or denominators.population_is_stale as is_stale
    from road_deaths
    inner join denominators
        on
            road_deaths.area_code = denominators.area_code
            and road_deaths.period = denominators.period
    where not road_deaths.is_partial_coverage

),

final as (

    {{ indicator_rows('per_person') }}

)

select * from final
