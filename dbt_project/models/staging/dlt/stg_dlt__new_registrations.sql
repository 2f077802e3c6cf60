with

source as (

    select * from {{ source('dlt', 'dlt_new_registrations') }}

),

final as (

    select
        ---------- ids
        cast(trim(area_code) as varchar) as area_code,
        cast(period as date) as period,
        cast(trim(legal_class) as varchar) as legal_class,
        cast(trim(vehicle_type) as varchar) as vehicle_type,
        cast(lower(trim(vehicle_category)) as varchar) as vehicle_category,

        ---------- numerics
        cast(registrations as bigint) as registrations,

        ---------- labels
        cast(is_modelled as boolean) as is_modelled,

        ---------- lineage
        cast(source_id as varchar) as source_id,
        cast(lower(source_sha256) as varchar) as source_sha256

    from source

)

select * from final
