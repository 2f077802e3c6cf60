-- Registered population per area, month, sex and single year of age, for the country,
-- the provinces and the districts landed. Areas of different levels overlap: filter on
-- one level (join dim_area) before summing.

with

population_by_age as (

    select * from {{ ref('int_population_by_age_with_country') }}

),

final as (

    select
        area_code,
        period,
        sex,
        age,
        population,
        is_modelled,
        population_scope
    from population_by_age

)

select * from final
