-- One row per area and month with the living indicators of the indicator_catalogue
-- seed as columns, in the catalogue's units; null where the area and month has no value.
-- is_modelled: any value of the row is modelled; quality_status: the most severe status
-- of the row's values (quality_statuses seed).

{%- set indicators = [
    'share_60_plus',
    'share_65_plus',
    'share_80_plus',
    'old_age_dependency_ratio',
    'total_dependency_ratio',
    'ageing_index',
    'population_density',
    'persons_per_household',
    'municipal_population_share',
] %}

with

area_indicators as (

    select * from {{ ref('int_area_indicators_described') }}

),

quality_statuses as (

    select * from {{ ref('quality_statuses') }}

),

dimension_values as (

    select * from area_indicators
    where dimension = 'living'

),

pivoted as (

    select
        area_code,
        period,
        {% for indicator_code in indicators %}
            max(
                case when indicator_code = '{{ indicator_code }}' then value end
            ) as {{ indicator_code }},
        {% endfor %}
        bool_or(is_modelled) as is_modelled,
        max(quality_rank) as quality_rank
    from dimension_values
    group by area_code, period

),

final as (

    select
        cast(pivoted.area_code as varchar) as area_code,
        cast(pivoted.period as date) as period,
        {% for indicator_code in indicators %}
            cast(pivoted.{{ indicator_code }} as double precision) as {{ indicator_code }},
        {% endfor %}
        cast(pivoted.is_modelled as boolean) as is_modelled,
        cast(quality_statuses.quality_status as varchar) as quality_status
    from pivoted
    left join quality_statuses
        on pivoted.quality_rank = quality_statuses.severity_rank

)

select * from final
