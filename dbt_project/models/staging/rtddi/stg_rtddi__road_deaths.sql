with

source as (

    select * from {{ source('rtddi', 'rtddi_road_deaths') }}

),

final as (

    select
        ---------- ids
        cast(trim(area_code) as varchar) as area_code,
        cast(year as integer) as year,
        cast(period as date) as period,

        ---------- numerics
        cast(deaths as bigint) as deaths,

        ---------- labels
        cast(trim(province_name_raw) as varchar) as province_name_raw,
        cast(is_modelled as boolean) as is_modelled,

        ---------- lineage
        cast(source_id as varchar) as source_id,
        cast(lower(source_sha256) as varchar) as source_sha256

    from source

)

select * from final
