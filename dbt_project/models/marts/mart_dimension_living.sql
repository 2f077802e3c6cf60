-- The living indicators of the indicator_catalogue seed, one row per area and month
-- (macros/models/dimension_mart.sql).

{{ dimension_mart(
    'living',
    [
        'share_60_plus',
        'share_65_plus',
        'share_80_plus',
        'old_age_dependency_ratio',
        'total_dependency_ratio',
        'ageing_index',
        'pop_50_59',
        'pre_elderly_per_100_elderly',
        'population_density',
        'persons_per_household',
        'municipal_population_share',
    ],
) }}
