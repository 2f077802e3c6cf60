-- The ageing outlook per area: shares of people aged 60+ and 65+, the old-age
-- dependency ratio and the ageing stage at the base vintage (observed) and 5, 10, 15
-- and 20 years later (mart_population_projection), with per area and base vintage the
-- first year it is 'aged' (>= 20 % aged 60+) and 'super_aged' (>= 28 %); null when not
-- within the horizon. Stages as in mart_area_ageing: not_ageing < 10 %, ageing >= 10 %,
-- aged >= 20 %, super_aged >= 28 %.

with

projection as (

    select * from {{ ref('mart_population_projection') }}

),

age_groups as (

    select * from {{ ref('int_population_age_groups_summed') }}

),

base_vintages as (

    select distinct
        area_code,
        base_period
    from projection

),

observed as (

    select
        base_vintages.area_code,
        base_vintages.base_period,
        cast(extract(year from base_vintages.base_period) as integer) as year,
        0 as horizon_years,
        age_groups.age_group_start,
        age_groups.population,
        age_groups.is_modelled
    from base_vintages
    inner join age_groups
        on
            base_vintages.area_code = age_groups.area_code
            and base_vintages.base_period = age_groups.period

),

projected as (

    select
        area_code,
        base_period,
        year,
        horizon_years,
        age_group_start,
        population,
        is_modelled
    from projection

),

unioned as (

    select * from observed
    union all
    select * from projected

),

summed as (

    select
        area_code,
        base_period,
        year,
        horizon_years,
        sum(population) as population_total,
        sum(case when age_group_start >= 60 then population else 0 end) as pop_60_plus,
        sum(case when age_group_start >= 65 then population else 0 end) as pop_65_plus,
        sum(
            case when age_group_start between 15 and 60 then population else 0 end
        ) as pop_15_64,
        bool_or(is_modelled) as is_modelled
    from unioned
    group by area_code, base_period, year, horizon_years

),

shares as (

    select
        *,
        pop_60_plus / nullif(population_total, 0) as share_60_plus,
        pop_65_plus / nullif(population_total, 0) as share_65_plus,
        100 * pop_65_plus / nullif(pop_15_64, 0) as old_age_dependency_ratio
    from summed

),

staged as (

    select
        *,
        case
            when share_60_plus is null then null
            when share_60_plus >= 0.28 then 'super_aged'
            when share_60_plus >= 0.20 then 'aged'
            when share_60_plus >= 0.10 then 'ageing'
            else 'not_ageing'
        end as ageing_stage
    from shares

),

first_years as (

    select
        area_code,
        base_period,
        min(case when share_60_plus >= 0.20 then year end) as first_year_aged,
        min(case when share_60_plus >= 0.28 then year end) as first_year_super_aged
    from staged
    group by area_code, base_period

),

final as (

    select
        cast(staged.area_code as varchar) as area_code,
        cast(staged.base_period as date) as base_period,
        cast(staged.year as integer) as year,
        cast(staged.horizon_years as integer) as horizon_years,
        cast(staged.population_total as double precision) as population_total,
        cast(staged.share_60_plus as double precision) as share_60_plus,
        cast(staged.share_65_plus as double precision) as share_65_plus,
        cast(staged.old_age_dependency_ratio as double precision) as old_age_dependency_ratio,
        cast(staged.ageing_stage as varchar) as ageing_stage,
        cast(first_years.first_year_aged as integer) as first_year_aged,
        cast(first_years.first_year_super_aged as integer) as first_year_super_aged,
        cast(staged.horizon_years > 0 as boolean) as is_projected,
        cast(staged.is_modelled as boolean) as is_modelled
    from staged
    inner join first_years
        on
            staged.area_code = first_years.area_code
            and staged.base_period = first_years.base_period

)

select * from final
