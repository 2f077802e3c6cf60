-- Every indicator value (from the sources and the governance ones) with its catalogue
-- dimension and unit, source vintage and quality status. Feeds mart_area_indicators,
-- the mart_dimension_* marts, mart_area_profile and meta.coverage.
-- source_vintage: the as-at month 'YYYY-MM', followed by ' (population YYYY-MM)' when
-- the value divides by a population of another source.
-- quality_status, the first that applies: 'stale' (a source of the value is stale in
-- raw.source_status), 'partial_scope' (the population counted is Thai nationals only,
-- wholly or for some provinces of 'TH'), 'partial_coverage' (a 'TH' value summed over
-- fewer provinces than the country has), else 'ok'. quality_rank is the status's
-- severity_rank in the quality_statuses seed (0 = ok), for the wide marts to pick the
-- worst status of a row.

{{ config(materialized='table') }}

with

indicator_values as (

    select * from {{ ref('int_indicator_values_unioned') }}

),

governance_indicators as (

    select * from {{ ref('int_governance_indicators_computed') }}

),

indicator_catalogue as (

    select * from {{ ref('indicator_catalogue') }}

),

quality_statuses as (

    select * from {{ ref('quality_statuses') }}

),

unioned as (

    select * from indicator_values
    union all
    select * from governance_indicators

),

described as (

    select
        unioned.area_code,
        unioned.period,
        indicator_catalogue.dimension,
        unioned.indicator_code,
        unioned.value,
        indicator_catalogue.unit,
        unioned.source_id,
        case
            when unioned.population_period is null then {{ year_month('unioned.period') }}
            else
                {{ year_month('unioned.period') }}
                || ' (population ' || {{ year_month('unioned.population_period') }} || ')'
        end as source_vintage,
        unioned.is_modelled,
        case
            when unioned.is_stale then 'stale'
            when unioned.population_scope in ('thai_nationals', 'mixed') then 'partial_scope'
            when unioned.is_partial_coverage then 'partial_coverage'
            else 'ok'
        end as quality_status,
        unioned.population_period
    from unioned
    left join indicator_catalogue
        on unioned.indicator_code = indicator_catalogue.indicator_code

),

final as (

    select
        cast(described.area_code as varchar) as area_code,
        cast(described.period as date) as period,
        cast(described.dimension as varchar) as dimension,
        cast(described.indicator_code as varchar) as indicator_code,
        cast(described.value as double precision) as value,
        cast(described.unit as varchar) as unit,
        cast(described.source_id as varchar) as source_id,
        cast(described.source_vintage as varchar) as source_vintage,
        cast(described.is_modelled as boolean) as is_modelled,
        cast(described.quality_status as varchar) as quality_status,
        cast(quality_statuses.severity_rank as integer) as quality_rank,
        cast(described.population_period as date) as population_period
    from described
    left join quality_statuses
        on described.quality_status = quality_statuses.quality_status

)

select * from final
