-- The governance indicators of the indicator_catalogue seed, one row per area and month
-- (macros/models/dimension_mart.sql).

{{ dimension_mart(
    'governance',
    [
        'data_coverage_share',
        'data_freshness_days',
    ],
) }}
