-- Mobility and environment indicators of the registered fleet, in long form:
-- vehicles_registered, bev_share_of_fleet, electrified_share_of_fleet (battery-electric
-- + hybrid + plug-in hybrid) and diesel_share_of_fleet from the fleet alone, and
-- vehicles_per_1000_people = 1000 * vehicles / population_total of the same or nearest
-- population month (int_population_denominators_matched). A 'TH' fleet that does not
-- cover every province gets no per-person value (its shares are flagged instead).

with

fleet as (

    select * from {{ ref('int_vehicle_fleet_summarised') }}

),

denominators as (

    select * from {{ ref('int_population_denominators_matched') }}

),

fleet_with_population as (

    {{ with_population_denominators('fleet') }}

),

fleet_values as (

    select
        area_code,
        period,
        'vehicles_registered' as indicator_code,
        cast(vehicles_registered as double precision) as value,
        cast(vehicles_registered as double precision) as numerator,
        cast(null as double precision) as denominator
    from fleet

    union all

    select
        area_code,
        period,
        'bev_share_of_fleet' as indicator_code,
        cast(battery_electric as double precision)
        / nullif(vehicles_registered, 0) as value,
        cast(battery_electric as double precision) as numerator,
        cast(vehicles_registered as double precision) as denominator
    from fleet

    union all

    select
        area_code,
        period,
        'electrified_share_of_fleet' as indicator_code,
        cast(battery_electric + hybrid + plug_in_hybrid as double precision)
        / nullif(vehicles_registered, 0) as value,
        cast(battery_electric + hybrid + plug_in_hybrid as double precision) as numerator,
        cast(vehicles_registered as double precision) as denominator
    from fleet

    union all

    select
        area_code,
        period,
        'diesel_share_of_fleet' as indicator_code,
        cast(diesel as double precision) / nullif(vehicles_registered, 0) as value,
        cast(diesel as double precision) as numerator,
        cast(vehicles_registered as double precision) as denominator
    from fleet

    union all

    select
        area_code,
        period,
        'motorcycle_share_of_fleet' as indicator_code,
        cast(motorcycles as double precision) / nullif(vehicles_registered, 0) as value,
        cast(motorcycles as double precision) as numerator,
        cast(vehicles_registered as double precision) as denominator
    from fleet
    where vehicles_type_unknown = 0

    union all

    select
        area_code,
        period,
        'passenger_car_share_of_fleet' as indicator_code,
        cast(passenger_cars as double precision) / nullif(vehicles_registered, 0) as value,
        cast(passenger_cars as double precision) as numerator,
        cast(vehicles_registered as double precision) as denominator
    from fleet
    where vehicles_type_unknown = 0

    union all

    select
        area_code,
        period,
        'buses_registered' as indicator_code,
        cast(buses as double precision) as value,
        cast(buses as double precision) as numerator,
        cast(null as double precision) as denominator
    from fleet
    where vehicles_type_unknown = 0 and covers_land_transport_act

    union all

    select
        area_code,
        period,
        'trucks_registered' as indicator_code,
        cast(trucks as double precision) as value,
        cast(trucks as double precision) as numerator,
        cast(null as double precision) as denominator
    from fleet
    where vehicles_type_unknown = 0 and covers_land_transport_act

),

fleet_described as (

    select
        fleet_values.area_code,
        fleet_values.period,
        fleet_values.indicator_code,
        fleet_values.value,
        fleet_values.numerator,
        fleet_values.denominator,
        fleet.source_id,
        fleet.is_modelled,
        fleet.is_stale,
        cast(null as varchar) as population_scope,
        cast(null as date) as population_period,
        fleet.is_partial_coverage
    from fleet_values
    inner join fleet
        on
            fleet_values.area_code = fleet.area_code
            and fleet_values.period = fleet.period

),

per_person as (

    select
        area_code,
        period,
        'vehicles_per_1000_people' as indicator_code,
        1000 * cast(vehicles_registered as double precision)
        / nullif(population_total, 0) as value,
        cast(vehicles_registered as double precision) as numerator,
        cast(population_total as double precision) as denominator,
        combined_source_id as source_id,
        is_modelled or population_is_modelled as is_modelled,
        is_stale or population_is_stale as is_stale,
        population_scope,
        population_period,
        is_partial_coverage
    from fleet_with_population

),

unioned as (

    select * from fleet_described
    union all
    select * from per_person

),

final as (

    {{ indicator_rows('unioned') }}

)

select * from final
