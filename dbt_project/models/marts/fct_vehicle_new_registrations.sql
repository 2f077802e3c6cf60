-- New (first) vehicle registrations (DLT, whole country) per month, legal class and
-- vehicle type. quality_status: 'stale' when the source is stale this run, else 'ok'.

with

registrations as (

    select * from {{ ref('stg_dlt__new_registrations') }}

),

source_status as (

    select * from {{ ref('stg_pipeline__source_status') }}

),

final as (

    select
        cast(registrations.area_code as varchar) as area_code,
        cast(registrations.period as date) as period,
        cast(registrations.legal_class as varchar) as legal_class,
        cast(registrations.vehicle_type as varchar) as vehicle_type,
        cast(registrations.vehicle_category as varchar) as vehicle_category,
        cast(registrations.registrations as bigint) as registrations,
        cast(registrations.is_modelled as boolean) as is_modelled,
        cast(
            case when coalesce(source_status.is_stale, false) then 'stale' else 'ok' end
            as varchar
        ) as quality_status
    from registrations
    left join source_status
        on registrations.source_id = source_status.source_id

)

select * from final
