-- Road-accident deaths per province and year, plus the country 'TH': the sum over the
-- 2-digit province codes present that year (macros/models/country_rollup.sql).

{{ country_rollup(
    'stg_rtddi__road_deaths',
    period_columns=[('year', 'integer'), ('period', 'date')],
    class_columns=[],
    measures=[('deaths', 'bigint', 'sum(deaths)')],
) }}
