with

source as (

    select * from {{ source('dlt', 'dlt_vehicles_by_fuel') }}

),

final as (

    select
        ---------- ids
        cast(trim(area_code) as varchar) as area_code,
        cast(period as date) as period,
        cast(trim(legal_class) as varchar) as legal_class,
        cast(trim(vehicle_type) as varchar) as vehicle_type,
        cast(lower(trim(vehicle_category)) as varchar) as vehicle_category,
        cast(trim(fuel_label) as varchar) as fuel_label,
        cast(lower(trim(fuel_class)) as varchar) as fuel_class,

        ---------- numerics
        cast(vehicles as bigint) as vehicles,

        ---------- labels
        cast(trim(province_name_raw) as varchar) as province_name_raw,
        cast(is_modelled as boolean) as is_modelled,

        ---------- lineage
        cast(source_id as varchar) as source_id,
        cast(lower(source_sha256) as varchar) as source_sha256

    from source

)

select * from final
