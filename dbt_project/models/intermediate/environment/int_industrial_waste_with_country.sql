-- Industrial waste per province and month, plus the country 'TH': the sum over the
-- 2-digit province codes present that month (macros/models/country_rollup.sql).

{{ country_rollup(
    'stg_diw__industrial_waste',
    period_columns=[('period', 'date')],
    class_columns=[],
    measures=[
        ('non_hazardous_tonnes', 'double precision', 'sum(non_hazardous_tonnes)'),
        ('hazardous_tonnes', 'double precision', 'sum(hazardous_tonnes)'),
        ('total_tonnes', 'double precision', 'sum(total_tonnes)'),
    ],
) }}
