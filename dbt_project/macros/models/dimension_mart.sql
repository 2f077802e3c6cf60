{#-
    The wide mart of one dimension (models/marts/mart_dimension_<dimension>.sql): one row
    per area and month with the dimension's indicators of the indicator_catalogue seed as
    columns, in the catalogue's units; null where the area and month has no value.

    indicators: the dimension's indicator codes, in the catalogue's order (the data test
    assert_wide_marts_have_a_column_per_indicator holds them to the catalogue).
    with_population_period: add population_period, the population month the per-person
    indicators of the row divide by (the same month when DOPA has it, else the nearest).
    is_modelled: any value of the row is modelled; quality_status: the most severe status
    of the row's values (quality_statuses seed).
-#}
{% macro dimension_mart(dimension, indicators, with_population_period=false) %}

with

area_indicators as (

    select * from {{ ref('int_area_indicators_described') }}

),

quality_statuses as (

    select * from {{ ref('quality_statuses') }}

),

dimension_values as (

    select * from area_indicators
    where dimension = '{{ dimension }}'

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
        {% if with_population_period %}
            max(population_period) as population_period,
        {% endif %}
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
        {% if with_population_period %}
            cast(pivoted.population_period as date) as population_period,
        {% endif %}
        cast(pivoted.is_modelled as boolean) as is_modelled,
        cast(quality_statuses.quality_status as varchar) as quality_status
    from pivoted
    left join quality_statuses
        on pivoted.quality_rank = quality_statuses.severity_rank

)

select * from final

{% endmacro %}
