-- What is there and what is missing, for planners: one row per area, month and
-- catalogued indicator, for every area and month that has any indicator value. A
-- catalogued indicator without a value there has has_value false, the catalogue's
-- source_id and null vintage, is_modelled and quality_status.

with

area_indicators as (

    select * from {{ ref('int_area_indicators_described') }}

),

indicator_catalogue as (

    select * from {{ ref('indicator_catalogue') }}

),

area_periods as (

    select distinct
        area_code,
        period
    from area_indicators

),

expected as (

    select
        area_periods.area_code,
        area_periods.period,
        indicator_catalogue.dimension,
        indicator_catalogue.indicator_code,
        indicator_catalogue.source_id
    from area_periods
    cross join indicator_catalogue

),

final as (

    select
        cast(expected.area_code as varchar) as area_code,
        cast(expected.period as date) as period,
        cast(expected.dimension as varchar) as dimension,
        cast(expected.indicator_code as varchar) as indicator_code,
        cast(area_indicators.indicator_code is not null as boolean) as has_value,
        cast(coalesce(area_indicators.source_id, expected.source_id) as varchar) as source_id,
        cast(area_indicators.source_vintage as varchar) as source_vintage,
        cast(area_indicators.is_modelled as boolean) as is_modelled,
        cast(area_indicators.quality_status as varchar) as quality_status
    from expected
    left join area_indicators
        on
            expected.area_code = area_indicators.area_code
            and expected.period = area_indicators.period
            and expected.indicator_code = area_indicators.indicator_code

)

select * from final
