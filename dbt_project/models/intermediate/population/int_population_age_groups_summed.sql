-- Population per area, month and sex in five-year age groups (0-4, 5-9, ..., 80-84 and
-- the open group 85+), the groups of the Hamilton-Perry projection. age_group_start is
-- the first age of the group (0, 5, ..., 85); ages 85..101 (101 = over 100) form 85+.

-- A table: the projection and mart_ageing_outlook both read it.

{{ config(materialized='table') }}

with

population_by_age as (

    select * from {{ ref('int_population_by_age_with_country') }}

),

grouped as (

    select
        area_code,
        period,
        sex,
        case when age >= 85 then 85 else age - mod(age, 5) end as age_group_start,
        sum(population) as population,
        case
            when count(distinct population_scope) = 1 then min(population_scope)
            else 'mixed'
        end as population_scope,
        bool_or(is_modelled) as is_modelled
    from population_by_age
    group by
        area_code,
        period,
        sex,
        case when age >= 85 then 85 else age - mod(age, 5) end

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast(period as date) as period,
        cast(sex as varchar) as sex,
        cast(age_group_start as integer) as age_group_start,
        cast(
            case
                when age_group_start = 85 then '85+'
                else cast(age_group_start as varchar) || '-' || cast(age_group_start + 4 as varchar)
            end as varchar
        ) as age_group,
        cast(population as double precision) as population,
        cast(population_scope as varchar) as population_scope,
        cast(is_modelled as boolean) as is_modelled
    from grouped

)

select * from final
