-- Area in km2 of each mapped target area: the sum over its members, only where every
-- member's area is known (districts and provinces from the gazetteer, municipalities
-- from DOLA; sub-districts have none).

with

members as (

    select * from {{ source('pipeline', 'target_area_members') }}

),

member_sizes as (

    select
        members.target_area_code,
        coalesce(area_sizes.area_km2, municipalities.area_km2) as area_km2
    from members
    left join {{ ref('ref_area_sizes') }} as area_sizes
        on
            members.member_code = area_sizes.area_code
            and members.member_level = area_sizes.area_level
    left join {{ ref('ref_municipalities') }} as municipalities
        on
            members.member_code = municipalities.area_code
            and members.member_level = 'municipality'

),

final as (

    select
        target_area_code,
        sum(area_km2) as area_km2
    from member_sizes
    group by target_area_code
    having count(*) = count(area_km2)

)

select * from final
