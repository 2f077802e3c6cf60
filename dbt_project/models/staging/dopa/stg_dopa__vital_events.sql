with

source as (

    select * from {{ source('dopa', 'dopa_vital_events') }}

),

final as (

    select
        ---------- ids
        cast(trim(area_code) as varchar) as area_code,
        cast(period as date) as period,
        cast(lower(trim(event)) as varchar) as event_type,

        ---------- numerics
        cast(male as bigint) as male,
        cast(female as bigint) as female,
        cast(total as bigint) as total,
        cast(source_rows as integer) as source_rows,

        ---------- labels
        cast(is_modelled as boolean) as is_modelled,

        ---------- lineage
        cast(source_id as varchar) as source_id,
        cast(lower(source_sha256) as varchar) as source_sha256

    from source

)

select * from final
