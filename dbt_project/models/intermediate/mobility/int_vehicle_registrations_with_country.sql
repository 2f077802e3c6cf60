-- Registered vehicles per province, as-at date, vehicle type and fuel class, plus the
-- country 'TH': the sum over the 2-digit province codes present at that date
-- (macros/models/country_rollup.sql).

{{ country_rollup(
    'stg_dlt__vehicles_by_fuel',
    period_columns=[('period', 'date')],
    class_columns=[('vehicle_type', 'varchar'), ('fuel_class', 'varchar')],
    measures=[('vehicles', 'bigint', 'sum(vehicles)')],
) }}
