-- The economy indicators of the indicator_catalogue seed, one row per area and month
-- (macros/models/dimension_mart.sql).

{{ dimension_mart(
    'economy',
    [
        'household_income_monthly_baht',
    ],
) }}
