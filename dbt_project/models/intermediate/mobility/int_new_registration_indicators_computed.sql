-- Mobility indicators of new vehicle registrations (DLT, whole country) per month, in
-- long form: new_vehicle_registrations (every legal class and type),
-- new_motorcycle_registrations and new_passenger_car_registrations (by vehicle
-- category), and new_vehicle_registrations_change_yoy = this month / the same month a
-- year earlier - 1, only where that month is landed and not zero.

with

registrations as (

    select * from {{ ref('stg_dlt__new_registrations') }}

),

source_status as (

    select * from {{ ref('stg_pipeline__source_status') }}

),

monthly as (

    select
        registrations.area_code,
        registrations.period,
        sum(registrations.registrations) as new_vehicle_registrations,
        sum(
            case
                when
                    registrations.vehicle_category = 'motorcycle'
                    then registrations.registrations
                else 0
            end
        )
            as new_motorcycle_registrations,
        sum(
            case
                when
                    registrations.vehicle_category = 'passenger_car'
                    then registrations.registrations
                else 0
            end
        )
            as new_passenger_car_registrations,
        bool_or(registrations.is_modelled) as is_modelled,
        min(registrations.source_id) as source_id,
        bool_or(coalesce(source_status.is_stale, false)) as is_stale
    from registrations
    left join source_status
        on registrations.source_id = source_status.source_id
    group by registrations.area_code, registrations.period

),

with_year_earlier as (

    select
        monthly.*,
        year_earlier.new_vehicle_registrations as year_earlier_registrations,
        monthly.is_modelled or coalesce(year_earlier.is_modelled, false) as is_modelled_yoy
    from monthly
    left join monthly as year_earlier
        on
            monthly.area_code = year_earlier.area_code
            and extract(year from monthly.period) = extract(year from year_earlier.period) + 1
            and extract(month from monthly.period) = extract(month from year_earlier.period)

),

unpivoted as (

    -- the three monthly counts: value = numerator, no denominator
    select
        with_year_earlier.area_code,
        with_year_earlier.period,
        counts.indicator_code,
        cast(counts.registrations as double precision) as value,
        cast(counts.registrations as double precision) as numerator,
        cast(null as double precision) as denominator,
        with_year_earlier.source_id,
        with_year_earlier.is_modelled,
        with_year_earlier.is_stale
    from with_year_earlier
    cross join
        lateral (
            values
            ('new_vehicle_registrations', with_year_earlier.new_vehicle_registrations),
            ('new_motorcycle_registrations', with_year_earlier.new_motorcycle_registrations),
            (
                'new_passenger_car_registrations',
                with_year_earlier.new_passenger_car_registrations
            )
        ) as counts (indicator_code, registrations)

    union all

    select
        area_code,
        period,
        'new_vehicle_registrations_change_yoy' as indicator_code,
        cast(new_vehicle_registrations as double precision)
        / nullif(year_earlier_registrations, 0) - 1 as value,
        cast(new_vehicle_registrations - year_earlier_registrations as double precision)
            as numerator,
        cast(year_earlier_registrations as double precision) as denominator,
        source_id,
        is_modelled_yoy as is_modelled,
        is_stale
    from with_year_earlier

),

final as (

    {{ indicator_rows(
        'unpivoted',
        population_scope='null',
        population_period='null',
        is_partial_coverage='false'
    ) }}

)

select * from final
