-- Registered vehicles per area, as-at date, legal class, vehicle type and fuel class:
-- the fuel labels of DLT's file (stg_dlt__vehicles_by_fuel, one row per label) summed
-- into their fuel class (extract/reference/dlt_fuel_labels.csv).

with

labelled as (

    select * from {{ ref('stg_dlt__vehicles_by_fuel') }}

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast(period as date) as period,
        cast(legal_class as varchar) as legal_class,
        cast(vehicle_type as varchar) as vehicle_type,
        cast(vehicle_category as varchar) as vehicle_category,
        cast(fuel_class as varchar) as fuel_class,
        cast(sum(vehicles) as bigint) as vehicles,
        cast(bool_or(is_modelled) as boolean) as is_modelled,
        cast(min(source_id) as varchar) as source_id
    from labelled
    group by area_code, period, legal_class, vehicle_type, vehicle_category, fuel_class

)

select * from final
