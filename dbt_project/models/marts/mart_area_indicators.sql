-- Long form for scoring tools: one row per area, month and indicator. Names, units and
-- dimensions come from the indicator_catalogue seed. Each code below is a column of
-- int_area_ageing_aggregated; indicators whose value is null (zero denominator) are
-- left out.

{%- set ageing_indicators = [
    'population_total',
    'sex_ratio',
    'share_60_plus',
    'share_65_plus',
    'share_80_plus',
    'old_age_dependency_ratio',
    'total_dependency_ratio',
    'ageing_index',
] %}

with

area_ageing as (

    select * from {{ ref('int_area_ageing_aggregated') }}

),

indicator_catalogue as (

    select * from {{ ref('indicator_catalogue') }}

),

indicator_values as (

    {% for indicator_code in ageing_indicators %}
        select
            area_code,
            period,
            source_id,
            is_modelled,
            population_scope,
            '{{ indicator_code }}' as indicator_code,
            cast({{ indicator_code }} as double) as value
        from area_ageing
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

described as (

    select
        indicator_values.area_code,
        indicator_values.period,
        indicator_catalogue.dimension,
        indicator_values.indicator_code,
        indicator_values.value,
        indicator_catalogue.unit,
        indicator_values.source_id,
        indicator_values.is_modelled,
        strftime(indicator_values.period, '%Y-%m') as source_vintage,
        case
            when indicator_values.population_scope = 'all_nationalities' then 'ok'
            else 'partial_scope'
        end as quality_status
    from indicator_values
    inner join indicator_catalogue
        on indicator_values.indicator_code = indicator_catalogue.indicator_code
    where indicator_values.value is not null

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast(period as date) as period,
        cast(dimension as varchar) as dimension,
        cast(indicator_code as varchar) as indicator_code,
        cast(value as double) as value,
        cast(unit as varchar) as unit,
        cast(source_id as varchar) as source_id,
        cast(source_vintage as varchar) as source_vintage,
        cast(is_modelled as boolean) as is_modelled,
        cast(quality_status as varchar) as quality_status
    from described

)

select * from final
