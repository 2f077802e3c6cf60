-- Governance indicators about the data itself, per area and month that has any other
-- indicator value:
-- - data_coverage_share: indicators with a value / indicators in the catalogue
--   (governance indicators excluded);
-- - data_freshness_days: the largest fetch date - as-at date over the sources holding
--   data for the area and month (int_source_freshness_listed); stale when any of them is.

with

indicator_values as (

    select * from {{ ref('int_indicator_values_unioned') }}

),

indicator_catalogue as (

    select * from {{ ref('indicator_catalogue') }}

),

source_freshness as (

    select * from {{ ref('int_source_freshness_listed') }}

),

catalogued_count as (

    select count(*) as indicators_catalogued
    from indicator_catalogue
    where dimension <> 'governance'

),

area_periods as (

    select
        indicator_values.area_code,
        indicator_values.period,
        count(distinct indicator_values.indicator_code) as indicators_with_value
    from indicator_values
    inner join indicator_catalogue
        on indicator_values.indicator_code = indicator_catalogue.indicator_code
    where indicator_catalogue.dimension <> 'governance'
    group by indicator_values.area_code, indicator_values.period

),

coverage as (

    select
        area_periods.area_code,
        area_periods.period,
        'data_coverage_share' as indicator_code,
        cast(area_periods.indicators_with_value as double precision)
        / nullif(catalogued_count.indicators_catalogued, 0) as value,
        cast(area_periods.indicators_with_value as double precision) as numerator,
        cast(catalogued_count.indicators_catalogued as double precision) as denominator,
        'indicator_catalogue' as source_id,
        false as is_modelled,
        false as is_stale
    from area_periods
    cross join catalogued_count

),

freshness as (

    select
        area_periods.area_code,
        area_periods.period,
        'data_freshness_days' as indicator_code,
        cast(max(source_freshness.freshness_days) as double precision) as value,
        cast(null as double precision) as numerator,
        cast(null as double precision) as denominator,
        'landing_manifests' as source_id,
        false as is_modelled,
        bool_or(source_freshness.is_stale) as is_stale
    from area_periods
    inner join source_freshness
        on
            area_periods.area_code = source_freshness.area_code
            and area_periods.period = source_freshness.period
    group by area_periods.area_code, area_periods.period

),

unioned as (

    select * from coverage
    union all
    select * from freshness

),

final as (

    {{ indicator_rows(
        'unioned',
        population_scope='null',
        population_period='null',
        is_partial_coverage='false'
    ) }}

)

select * from final
