{#-
    A province series plus the country 'TH': per period (and class), the sum over the
    2-digit province codes present that period. A 'TH' row in the source, if any, is
    dropped: the country is always the provinces' sum. Used by the int_*_with_country
    models of mobility, energy and road safety.

    source_model: the staging model (area_code, the period columns, the class columns,
        the measures, is_modelled, source_id).
    period_columns, class_columns: (column, type) pairs; the country is summed per
        period and class, provinces_covered is counted per period (over every class).
    measures: (column, type, aggregate) triples: how the country's value is formed.

    Every row gets is_stale (from raw.source_status), provinces_covered (the provinces
    summed for 'TH', 1 for a province) and is_partial_coverage (a 'TH' row summed over
    fewer provinces than ref_provinces holds).
-#}
{% macro country_rollup(source_model, period_columns, class_columns, measures) %}

{%- set period_keys = period_columns | map('first') | list -%}
{%- set keys = period_keys + (class_columns | map('first') | list) -%}
{%- set measure_names = measures | map('first') | list -%}
{%- set row_columns = keys + measure_names
    + ['is_modelled', 'source_id', 'is_stale', 'provinces_covered'] -%}

with

source_rows as (

    select * from {{ ref(source_model) }}

),

source_status as (

    select * from {{ ref('stg_pipeline__source_status') }}

),

provinces_reference as (

    select * from {{ ref('ref_provinces') }}

),

provinces_total as (

    select count(*) as provinces_total
    from provinces_reference

),

areas as (

    select
        source_rows.area_code,
        {% for column in keys + measure_names %}
            source_rows.{{ column }},
        {% endfor %}
        source_rows.is_modelled,
        source_rows.source_id,
        coalesce(source_status.is_stale, false) as is_stale,
        case when length(source_rows.area_code) = 2 then 1 end as provinces_covered
    from source_rows
    left join source_status
        on source_rows.source_id = source_status.source_id
    where source_rows.area_code <> 'TH'

),

provinces as (

    select * from areas
    where length(area_code) = 2

),

country_per_period as (

    select
        {% for column in period_keys %}
            {{ column }},
        {% endfor %}
        count(distinct area_code) as provinces_covered
    from provinces
    group by {{ period_keys | join(', ') }}

),

country_by_class as (

    select
        {% for column in keys %}
            {{ column }},
        {% endfor %}
        {% for column, _, aggregate in measures %}
            {{ aggregate }} as {{ column }},
        {% endfor %}
        bool_or(is_modelled) as is_modelled,
        string_agg(distinct source_id, ',' order by source_id) as source_id,
        bool_or(is_stale) as is_stale
    from provinces
    group by {{ keys | join(', ') }}

),

country as (

    select
        'TH' as area_code,
        {% for column in keys + measure_names + ['is_modelled', 'source_id', 'is_stale'] %}
            country_by_class.{{ column }},
        {% endfor %}
        country_per_period.provinces_covered
    from country_by_class
    inner join country_per_period
        on
            {% for column in period_keys %}
                {% if not loop.first %}and {% endif -%}
                country_by_class.{{ column }} = country_per_period.{{ column }}
            {% endfor %}

),

unioned as (

    select
        area_code,
        {{ row_columns | join(',\n        ') }}
    from areas

    union all

    select
        area_code,
        {{ row_columns | join(',\n        ') }}
    from country

),

final as (

    select
        cast(unioned.area_code as varchar) as area_code,
        {% for column, type in period_columns + class_columns %}
            cast(unioned.{{ column }} as {{ type }}) as {{ column }},
        {% endfor %}
        {% for column, type, _ in measures %}
            cast(unioned.{{ column }} as {{ type }}) as {{ column }},
        {% endfor %}
        cast(unioned.is_modelled as boolean) as is_modelled,
        cast(unioned.source_id as varchar) as source_id,
        cast(unioned.is_stale as boolean) as is_stale,
        cast(unioned.provinces_covered as integer) as provinces_covered,
        coalesce(
            unioned.area_code = 'TH'
            and unioned.provinces_covered < provinces_total.provinces_total,
            false
        ) as is_partial_coverage
    from unioned
    cross join provinces_total

)

select * from final

{% endmacro %}
