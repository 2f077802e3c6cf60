-- Registered vehicles per province, as-at date, vehicle type and fuel class (the file's
-- fuel labels summed into their class), plus the
-- country 'TH': the sum over the 2-digit province codes present at that date (a 'TH'
-- row in the raw table, if any, is dropped: the country is always the provinces'
-- sum). provinces_covered: the provinces summed ('TH'), 1 (a province). is_stale comes
-- from raw.source_status; is_partial_coverage marks a 'TH' row summed over fewer
-- provinces than ref_provinces holds.

with

labelled as (

    select * from {{ ref('stg_dlt__vehicles_by_fuel') }}

),

registrations as (

    select
        area_code,
        period,
        legal_class,
        vehicle_type,
        vehicle_category,
        fuel_class,
        sum(vehicles) as vehicles,
        bool_or(is_modelled) as is_modelled,
        min(source_id) as source_id
    from labelled
    group by area_code, period, legal_class, vehicle_type, vehicle_category, fuel_class

),

source_status as (

    select * from {{ ref('stg_pipeline__source_status') }}

),

provinces_reference as (

    select * from {{ ref('ref_provinces') }}

),

provinces_total as (

    select count(*) as provinces_total
    from provinces_reference

),

areas as (

    select
        registrations.area_code,
        registrations.period,
        registrations.legal_class,
        registrations.vehicle_type,
        registrations.vehicle_category,
        registrations.fuel_class,
        registrations.vehicles,
        registrations.is_modelled,
        registrations.source_id,
        coalesce(source_status.is_stale, false) as is_stale,
        case when length(registrations.area_code) = 2 then 1 end as provinces_covered
    from registrations
    left join source_status
        on registrations.source_id = source_status.source_id
    where registrations.area_code <> 'TH'

),

provinces as (

    select * from areas
    where length(area_code) = 2

),

country_per_period as (

    select
        period,
        count(distinct area_code) as provinces_covered
    from provinces
    group by period

),

country_by_class as (

    select
        period,
        legal_class,
        vehicle_type,
        vehicle_category,
        fuel_class,
        sum(vehicles) as vehicles,
        bool_or(is_modelled) as is_modelled,
        string_agg(distinct source_id, ',' order by source_id) as source_id,
        bool_or(is_stale) as is_stale
    from provinces
    group by period, legal_class, vehicle_type, vehicle_category, fuel_class

),

country as (

    select
        'TH' as area_code,
        country_by_class.period,
        country_by_class.legal_class,
        country_by_class.vehicle_type,
        country_by_class.vehicle_category,
        country_by_class.fuel_class,
        country_by_class.vehicles,
        country_by_class.is_modelled,
        country_by_class.source_id,
        country_by_class.is_stale,
        country_per_period.provinces_covered
    from country_by_class
    inner join country_per_period
        on country_by_class.period = country_per_period.period

),

unioned as (

    select
        area_code,
        period,
        legal_class,
        vehicle_type,
        vehicle_category,
        fuel_class,
        vehicles,
        is_modelled,
        source_id,
        is_stale,
        provinces_covered
    from areas

    union all

    select
        area_code,
        period,
        legal_class,
        vehicle_type,
        vehicle_category,
        fuel_class,
        vehicles,
        is_modelled,
        source_id,
        is_stale,
        provinces_covered
    from country

),

final as (

    select
        cast(unioned.area_code as varchar) as area_code,
        cast(unioned.period as date) as period,
        cast(unioned.legal_class as varchar) as legal_class,
        cast(unioned.vehicle_type as varchar) as vehicle_type,
        cast(unioned.vehicle_category as varchar) as vehicle_category,
        cast(unioned.fuel_class as varchar) as fuel_class,
        cast(unioned.vehicles as bigint) as vehicles,
        cast(unioned.is_modelled as boolean) as is_modelled,
        cast(unioned.source_id as varchar) as source_id,
        cast(unioned.is_stale as boolean) as is_stale,
        cast(unioned.provinces_covered as integer) as provinces_covered,
        coalesce(
            unioned.area_code = 'TH'
            and unioned.provinces_covered < provinces_total.provinces_total,
            false
        ) as is_partial_coverage
    from unioned
    cross join provinces_total

)

select * from final
