-- dim_area holds exactly one country, 77 provinces, 928 districts, 7,436 current
-- sub-districts (+ 22 former ones that the 2017/2018 figures still name), 1,554
-- municipal registration offices (+ 1 former one, 3889 Wisit, in the 2017/2018 figures), and one row per area of the target-area file.

with

area_levels as (

    select
        area_level || case when is_current then '' else ':former' end as area_level,
        count(*) as n_areas
    from {{ ref('dim_area') }}
    group by area_level || case when is_current then '' else ':former' end

),

expected as (

    select
        expected_levels.area_level,
        expected_levels.n_areas
    from
        (
            values
            ('country', 1),
            ('province', 77),
            ('district', 928),
            ('subdistrict', 7436),
            ('subdistrict:former', 22),
            ('municipality', 1554),
            ('municipality:former', 1)
        ) as expected_levels (area_level, n_areas)
    union all
    select
        'target_area' as area_level,
        count(*) as n_areas
    from {{ source('pipeline', 'target_areas') }}
    having count(*) > 0

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
