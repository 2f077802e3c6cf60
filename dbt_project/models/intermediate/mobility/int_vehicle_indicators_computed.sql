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

fleet_described as (

    -- the counts and shares of the fleet alone, one values list: a share's value is
    -- numerator / vehicles_registered, a count's the count (no denominator); a row only
    -- where its condition holds (type shares need every vehicle's type known, buses and
    -- trucks the Land Transport Act rows)
    select
        fleet.area_code,
        fleet.period,
        fleet_indicator.indicator_code,
        case
            when fleet_indicator.is_share
                then fleet_indicator.numerator / nullif(fleet_indicator.denominator, 0)
            else fleet_indicator.numerator
        end as value,
        fleet_indicator.numerator,
        fleet_indicator.denominator,
        fleet.source_id,
        fleet.is_modelled,
        fleet.is_stale,
        cast(null as varchar) as population_scope,
        cast(null as date) as population_period,
        fleet.is_partial_coverage
    from fleet
    cross join
        lateral (
            values
            (
                'vehicles_registered',
                cast(fleet.vehicles_registered as double precision),
                cast(null as double precision),
                false,
                true
            ),
            (
                'bev_share_of_fleet',
                cast(fleet.battery_electric as double precision),
                cast(fleet.vehicles_registered as double precision),
                true,
                true
            ),
            (
                'electrified_share_of_fleet',
                cast(
                    fleet.battery_electric + fleet.hybrid + fleet.plug_in_hybrid
                    as double precision
                ),
                cast(fleet.vehicles_registered as double precision),
                true,
                true
            ),
            (
                'diesel_share_of_fleet',
                cast(fleet.diesel as double precision),
                cast(fleet.vehicles_registered as double precision),
                true,
                true
            ),
            (
                'motorcycle_share_of_fleet',
                cast(fleet.motorcycles as double precision),
                cast(fleet.vehicles_registered as double precision),
                true,
                fleet.vehicles_type_unknown = 0
            ),
            (
                'passenger_car_share_of_fleet',
                cast(fleet.passenger_cars as double precision),
                cast(fleet.vehicles_registered as double precision),
                true,
                fleet.vehicles_type_unknown = 0
            ),
            (
                'buses_registered',
                cast(fleet.buses as double precision),
                cast(null as double precision),
                false,
                fleet.vehicles_type_unknown = 0 and fleet.covers_land_transport_act
            ),
            (
                'trucks_registered',
                cast(fleet.trucks as double precision),
                cast(null as double precision),
                false,
                fleet.vehicles_type_unknown = 0 and fleet.covers_land_transport_act
            )
        ) as fleet_indicator (
            indicator_code, numerator, denominator, is_share, is_applicable
        )
    where fleet_indicator.is_applicable

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
