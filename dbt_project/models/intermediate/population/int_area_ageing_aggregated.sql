-- Age bands, shares, ratios and the ageing stage per area and month.
-- Bands: 0_14 = ages 0..14, 15_64 = 15..64, 50_59 = 50..59 (who turn 60 within ten
-- years), 60_plus / 65_plus / 80_plus = 60 / 65 / 80
-- up to 101 (101 = over 100). Ratios are doubles; a zero denominator gives null.
-- The ageing stage compares whole numbers (pop_60_plus * 100 against
-- population_total * threshold), so the 10 / 20 / 28 % boundaries are exact.

-- A table: mart_area_ageing, the population indicators and the population denominators
-- of the per-person indicators read it (a view would sum the single ages for each).

{{ config(materialized='table') }}

with

population_by_age as (

    select * from {{ ref('int_population_by_age_with_country') }}

),

bands as (

    select
        area_code,
        period,
        sum(population) as population_total,
        sum(case when sex = 'male' then population else 0 end) as population_male,
        sum(case when sex = 'female' then population else 0 end) as population_female,
        sum(case when age between 0 and 14 then population else 0 end) as pop_0_14,
        sum(case when age between 15 and 64 then population else 0 end) as pop_15_64,
        sum(case when age between 50 and 59 then population else 0 end) as pop_50_59,
        sum(case when age >= 60 then population else 0 end) as pop_60_plus,
        sum(case when age >= 65 then population else 0 end) as pop_65_plus,
        sum(case when age >= 80 then population else 0 end) as pop_80_plus,
        case
            when count(distinct population_scope) = 1 then min(population_scope)
            else 'mixed'
        end as population_scope,
        bool_or(is_modelled) as is_modelled,
        max(provinces_covered) as provinces_covered,
        string_agg(distinct source_id, ',' order by source_id) as source_id
    from population_by_age
    group by area_code, period

),

bands_typed as (

    select
        area_code,
        period,
        cast(population_total as bigint) as population_total,
        cast(population_male as bigint) as population_male,
        cast(population_female as bigint) as population_female,
        cast(pop_0_14 as bigint) as pop_0_14,
        cast(pop_15_64 as bigint) as pop_15_64,
        cast(pop_50_59 as bigint) as pop_50_59,
        cast(pop_60_plus as bigint) as pop_60_plus,
        cast(pop_65_plus as bigint) as pop_65_plus,
        cast(pop_80_plus as bigint) as pop_80_plus,
        population_scope,
        is_modelled,
        provinces_covered,
        source_id
    from bands

),

ratios as (

    select
        *,
        cast(pop_60_plus as double precision) / nullif(population_total, 0) as share_60_plus,
        cast(pop_65_plus as double precision) / nullif(population_total, 0) as share_65_plus,
        cast(pop_80_plus as double precision) / nullif(population_total, 0) as share_80_plus,
        100 * cast(pop_65_plus as double precision)
        / nullif(pop_15_64, 0) as old_age_dependency_ratio,
        100 * cast(pop_0_14 + pop_65_plus as double precision)
        / nullif(pop_15_64, 0) as total_dependency_ratio,
        100 * cast(pop_60_plus as double precision) / nullif(pop_0_14, 0) as ageing_index,
        100 * cast(pop_50_59 as double precision)
        / nullif(pop_60_plus, 0) as pre_elderly_per_100_elderly,
        100 * cast(population_male as double precision)
        / nullif(population_female, 0) as sex_ratio,
        case
            when population_total = 0 then null
            when pop_60_plus * 100 >= population_total * 28 then 'super_aged'
            when pop_60_plus * 100 >= population_total * 20 then 'aged'
            when pop_60_plus * 100 >= population_total * 10 then 'ageing'
            else 'not_ageing'
        end as ageing_stage
    from bands_typed

),

final as (

    select
        area_code,
        period,
        population_total,
        population_male,
        population_female,
        pop_0_14,
        pop_15_64,
        pop_50_59,
        pop_60_plus,
        pop_65_plus,
        pop_80_plus,
        share_60_plus,
        share_65_plus,
        share_80_plus,
        old_age_dependency_ratio,
        total_dependency_ratio,
        ageing_index,
        pre_elderly_per_100_elderly,
        sex_ratio,
        cast(ageing_stage as varchar) as ageing_stage,
        is_modelled,
        population_scope,
        provinces_covered,
        source_id
    from ratios

)

select * from final
