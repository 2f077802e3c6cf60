-- Registered vehicles per province, as-at date, legal class, vehicle type and fuel class
-- (the file's fuel labels summed into their class, int_vehicle_registrations_by_class),
-- plus the country 'TH': the sum over the 2-digit province codes present at that date
-- (macros/models/country_rollup.sql).

{{ country_rollup(
    'int_vehicle_registrations_by_class',
    period_columns=[('period', 'date')],
    class_columns=[
        ('legal_class', 'varchar'),
        ('vehicle_type', 'varchar'),
        ('vehicle_category', 'varchar'),
        ('fuel_class', 'varchar'),
    ],
    measures=[('vehicles', 'bigint', 'sum(vehicles)')],
) }}
