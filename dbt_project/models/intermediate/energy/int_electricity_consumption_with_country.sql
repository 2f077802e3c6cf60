-- Electricity sold per province, month, customer class and utility, plus the country
-- 'TH' per month, class and utility: the sum over the 2-digit province codes present
-- that month (macros/models/country_rollup.sql). The country's customers are null when
-- any province summed does not report them; provinces_covered counts the provinces of
-- the month over both utilities.

{{ country_rollup(
    'stg_utilities__electricity_sales',
    period_columns=[('period', 'date')],
    class_columns=[('customer_class', 'varchar'), ('utility', 'varchar')],
    measures=[
        ('kwh', 'double precision', 'sum(kwh)'),
        ('customers', 'bigint', 'case when count(customers) = count(*) then sum(customers) end'),
    ],
) }}
