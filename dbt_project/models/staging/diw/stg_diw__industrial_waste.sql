-- Industrial waste per province and month. When several vintages are landed, each
-- province and month comes from the newest vintage that has it.

with

source as (

    select * from {{ source('diw', 'diw_industrial_waste') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by area_code, period
            order by vintage desc
        ) as vintage_rank
    from source

),

newest_vintage as (

    select * from ranked
    where vintage_rank = 1

),

final as (

    select
        ---------- ids
        cast(trim(area_code) as varchar) as area_code,
        cast(period as date) as period,
        cast(vintage as date) as vintage,
        cast(record_id as bigint) as record_id,

        ---------- numerics
        cast(non_hazardous_tonnes as double precision) as non_hazardous_tonnes,
        cast(hazardous_tonnes as double precision) as hazardous_tonnes,
        cast(total_tonnes as double precision) as total_tonnes,

        ---------- labels
        cast(trim(province_name_raw) as varchar) as province_name_raw,
        cast(dropped_duplicate_ids as varchar) as dropped_duplicate_ids,
        cast(is_modelled as boolean) as is_modelled,

        ---------- lineage
        cast(source_id as varchar) as source_id,
        cast(lower(source_sha256) as varchar) as source_sha256

    from newest_vintage

)

select * from final
