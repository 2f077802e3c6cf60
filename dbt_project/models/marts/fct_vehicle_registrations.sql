-- Registered vehicles (DLT, cumulative) per area, as-at date, vehicle type and fuel
-- class, for the provinces landed and the country 'TH' (their sum). quality_status:
-- 'stale' when the source is stale this run, 'partial_coverage' for a 'TH' row summed
-- over fewer provinces than the country has, else 'ok'.

with

registrations as (

    select * from {{ ref('int_vehicle_registrations_with_country') }}

),

final as (

    select
        area_code,
        period,
        legal_class,
        vehicle_type,
        vehicle_category,
        fuel_class,
        vehicles,
        is_modelled,
        {{ fact_quality_status() }} as quality_status
    from registrations

)

select * from final
