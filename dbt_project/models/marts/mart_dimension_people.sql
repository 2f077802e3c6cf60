-- The people indicators of the indicator_catalogue seed, one row per area and month
-- (macros/models/dimension_mart.sql).

{{ dimension_mart(
    'people',
    [
        'population_total',
        'sex_ratio',
        'crude_birth_rate',
        'crude_death_rate',
        'natural_increase',
        'net_migration_rate',
    ],
) }}
