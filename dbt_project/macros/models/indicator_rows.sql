{#-
    The typed rows of an indicator model (models/intermediate/*/int_*_indicators_*.sql):
    the select of its `final` CTE, one row per area, period and indicator that has a
    value. Every indicator model returns these columns in this order and with these
    types, so that int_indicator_values_unioned can union them.

    relation: the CTE holding area_code, period, indicator_code, value, numerator,
        denominator, source_id, is_modelled and is_stale.
    population_scope, population_period, is_partial_coverage: the SQL of these columns;
        by default the relation's own columns. An indicator that divides by no
        population passes 'null', 'null' and 'false'.
-#}
{% macro indicator_rows(
    relation,
    population_scope='population_scope',
    population_period='population_period',
    is_partial_coverage='is_partial_coverage'
) %}
    select
        cast(area_code as varchar) as area_code,
        cast(period as date) as period,
        cast(indicator_code as varchar) as indicator_code,
        cast(value as double precision) as value,
        cast(numerator as double precision) as numerator,
        cast(denominator as double precision) as denominator,
        cast(source_id as varchar) as source_id,
        cast(is_modelled as boolean) as is_modelled,
        cast(is_stale as boolean) as is_stale,
        cast({{ population_scope }} as varchar) as population_scope,
        cast({{ population_period }} as date) as population_period,
        cast({{ is_partial_coverage }} as boolean) as is_partial_coverage
    from {{ relation }}
    where value is not null
{%- endmacro %}
