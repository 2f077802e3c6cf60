-- The energy indicators of the indicator_catalogue seed, one row per area and month
-- (macros/models/dimension_mart.sql).

{{ dimension_mart(
    'energy',
    [
        'electricity_kwh_per_person',
        'electricity_kwh_per_household',
        'electricity_kwh_growth_yoy',
    ],
    with_population_period=true,
) }}
