-- The members of every mapped smart-city target area: whole provinces, districts,
-- sub-districts or municipalities (registration offices). Unmapped areas have none.

with

members as (

    select * from {{ source('pipeline', 'target_area_members') }}

),

final as (

    select
        cast(target_area_code as varchar) as target_area_code,
        cast(member_code as varchar) as member_code,
        cast(member_level as varchar) as member_level,
        cast(membership_basis as varchar) as membership_basis
    from members

)

select * from final
