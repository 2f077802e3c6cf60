-- Registered population by sex and households at 31 December, one row per area and
-- year for every level: country, province, district, subdistrict, municipality and
-- target_area (dim_area.area_level). Levels overlap (a municipality lies within a
-- district; a target area is the sum of its members): pick one area_level before
-- summing. Ratios are recomputed from the summed counts, never averaged.

with

by_level as (

    select * from {{ ref('int_population_households_by_level') }}

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast(area_level as varchar) as area_level,
        cast(period as date) as period,
        cast(population_total as bigint) as population_total,
        cast(population_male as bigint) as population_male,
        cast(population_female as bigint) as population_female,
        cast(households as bigint) as households,
        cast(
            case
                when households > 0
                    then cast(population_total as double precision) / households
            end as double precision
        ) as persons_per_household,
        cast(population_municipal as bigint) as population_municipal,
        cast(is_modelled as boolean) as is_modelled,
        {{ fact_quality_status() }} as quality_status,
        cast(period as date) as population_period
    from by_level

)

select * from final
