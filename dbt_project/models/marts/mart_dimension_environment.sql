-- The environment indicators of the indicator_catalogue seed, one row per area and month
-- (macros/models/dimension_mart.sql).

{{ dimension_mart(
    'environment',
    [
        'diesel_share_of_fleet',
        'co2_from_electricity_tonnes_per_person',
    ],
    with_population_period=true,
) }}
