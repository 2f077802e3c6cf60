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
    ],
    with_population_period=true,
) }}
