-- Adds the country ('TH') to the province, district and sub-district series: per
-- month, sex and age, the sum over the provinces present that month. Only 2-digit
-- province codes are summed, never districts or sub-districts, so nothing is counted
-- twice. provinces_covered records how many provinces a row stands for (the country:
-- the provinces summed; a province: 1; a district or sub-district: null).

-- A table: the ageing bands, the age groups, the district reconciliation, the source
-- freshness, fct_population_by_age and this model's tests all read the single ages, which
-- as a view would be unioned and summed again for each of them.

{{ config(materialized='table') }}

with

population_by_age as (

    select * from {{ ref('int_population_by_age_unioned') }}

),

areas as (

    select
        area_code,
        period,
        sex,
        age,
        population,
        population_scope,
        is_modelled,
        source_id,
        case length(area_code)
            when 2 then 'province'
            when 4 then 'district'
            when 6 then 'subdistrict'
        end as area_level,
        case when length(area_code) = 2 then 1 end as provinces_covered
    from population_by_age

),

provinces as (

    select * from areas
    where area_level = 'province'

),

country_per_period as (

    select
        period,
        count(distinct area_code) as provinces_covered,
        case
            when count(distinct population_scope) = 1 then min(population_scope)
            else 'mixed'
        end as population_scope,
        bool_or(is_modelled) as is_modelled,
        string_agg(distinct source_id, ',' order by source_id) as source_id
    from provinces
    group by period

),

country_by_age as (

    select
        period,
        sex,
        age,
        sum(population) as population
    from provinces
    group by period, sex, age

),

country as (

    select
        'TH' as area_code,
        'country' as area_level,
        country_by_age.period,
        country_by_age.sex,
        country_by_age.age,
        country_by_age.population,
        country_per_period.population_scope,
        country_per_period.is_modelled,
        country_per_period.source_id,
        country_per_period.provinces_covered
    from country_by_age
    inner join country_per_period
        on country_by_age.period = country_per_period.period

),

unioned as (

    select
        area_code,
        area_level,
        period,
        sex,
        age,
        population,
        population_scope,
        is_modelled,
        source_id,
        provinces_covered
    from areas

    union all

    select
        area_code,
        area_level,
        period,
        sex,
        age,
        population,
        population_scope,
        is_modelled,
        source_id,
        provinces_covered
    from country

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast(area_level as varchar) as area_level,
        cast(period as date) as period,
        cast(sex as varchar) as sex,
        cast(age as smallint) as age,
        cast(population as bigint) as population,
        cast(population_scope as varchar) as population_scope,
        cast(is_modelled as boolean) as is_modelled,
        cast(source_id as varchar) as source_id,
        cast(provinces_covered as integer) as provinces_covered
    from unioned

)

select * from final
