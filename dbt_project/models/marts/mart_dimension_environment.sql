-- The environment indicators of the indicator_catalogue seed, one row per area and month
-- (macros/models/dimension_mart.sql).

{{ dimension_mart(
    'environment',
    [
        'diesel_share_of_fleet',
        'co2_from_electricity_tonnes_per_person',
        'industrial_waste_tonnes_per_1000_people',
        'industrial_waste_tonnes_per_km2',
        'hazardous_waste_share',
        'industrial_waste_change_yoy',
    ],
    with_population_period=true,
) }}
