-- Registered births, deaths, moves in and moves out per year (period = 31 December):
-- provinces, the country and the target areas made of whole provinces.

with

by_level as (

    select * from {{ ref('int_vital_events_by_level') }}

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast(area_level as varchar) as area_level,
        cast(period as date) as period,
        cast(births as bigint) as births,
        cast(deaths as bigint) as deaths,
        cast(moves_in as bigint) as moves_in,
        cast(moves_out as bigint) as moves_out,
        cast(is_modelled as boolean) as is_modelled,
        {{ fact_quality_status() }} as quality_status
    from by_level

)

select * from final
