-- dim_area holds exactly one country, 77 provinces and 928 districts.

with

area_levels as (

    select
        area_level,
        count(*) as n_areas
    from {{ ref('dim_area') }}
    group by area_level

),

expected as (

    select
        expected_levels.area_level,
        expected_levels.n_areas
    from
        (
            values ('country', 1), ('province', 77), ('district', 928)
        ) as expected_levels (area_level, n_areas)

),

final as (

    select
        expected.area_level,
        expected.n_areas as expected_areas,
        area_levels.n_areas as actual_areas
    from expected
    full outer join area_levels
        on expected.area_level = area_levels.area_level
    where area_levels.n_areas is distinct from expected.n_areas

)

select * from final
