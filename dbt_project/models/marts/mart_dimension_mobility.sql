-- The mobility indicators of the indicator_catalogue seed, one row per area and month
-- (macros/models/dimension_mart.sql).

{{ dimension_mart(
    'mobility',
    [
        'vehicles_registered',
        'vehicles_per_1000_people',
        'bev_share_of_fleet',
        'electrified_share_of_fleet',
        'road_deaths_per_100k',
        'motorcycle_share_of_fleet',
        'passenger_car_share_of_fleet',
        'buses_registered',
        'trucks_registered',
        'new_vehicle_registrations',
        'new_motorcycle_registrations',
        'new_passenger_car_registrations',
        'new_vehicle_registrations_change_yoy',
    ],
    with_population_period=true,
) }}
