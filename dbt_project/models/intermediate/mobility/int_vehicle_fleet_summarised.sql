-- The registered fleet per area and month (month end of the file's as-at date), by fuel
-- class, for the mobility and environment indicators. Where the file has vehicle_type
-- 'all' rows for an area and date, only those are counted; otherwise all vehicle types
-- are summed, so no vehicle is counted twice.

with

registrations as (

    select * from {{ ref('int_vehicle_registrations_with_country') }}

),

breakdowns as (

    select
        area_code,
        period,
        max(case when vehicle_type = 'all' then 1 else 0 end) as has_all_types_rows
    from registrations
    group by area_code, period

),

fleet_rows as (

    select registrations.*
    from registrations
    inner join breakdowns
        on
            registrations.area_code = breakdowns.area_code
            and registrations.period = breakdowns.period
    where
        breakdowns.has_all_types_rows = 0
        or registrations.vehicle_type = 'all'

),

summarised as (

    select
        area_code,
        period as as_at_date,
        sum(vehicles) as vehicles_registered,
        sum(case when fuel_class = 'battery_electric' then vehicles else 0 end)
            as battery_electric,
        sum(case when fuel_class = 'hybrid' then vehicles else 0 end) as hybrid,
        sum(case when fuel_class = 'plug_in_hybrid' then vehicles else 0 end)
            as plug_in_hybrid,
        sum(case when fuel_class = 'diesel' then vehicles else 0 end) as diesel,
        bool_or(is_modelled) as is_modelled,
        string_agg(distinct source_id, ',' order by source_id) as source_id,
        bool_or(is_stale) as is_stale,
        max(provinces_covered) as provinces_covered,
        bool_or(is_partial_coverage) as is_partial_coverage
    from fleet_rows
    group by area_code, period

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast({{ month_end('as_at_date') }} as date) as period,
        cast(as_at_date as date) as as_at_date,
        cast(vehicles_registered as bigint) as vehicles_registered,
        cast(battery_electric as bigint) as battery_electric,
        cast(hybrid as bigint) as hybrid,
        cast(plug_in_hybrid as bigint) as plug_in_hybrid,
        cast(diesel as bigint) as diesel,
        cast(is_modelled as boolean) as is_modelled,
        cast(source_id as varchar) as source_id,
        cast(is_stale as boolean) as is_stale,
        cast(provinces_covered as integer) as provinces_covered,
        cast(is_partial_coverage as boolean) as is_partial_coverage
    from summarised

)

select * from final
