{#-
    The source_id of a value computed from two sources' rows: both ids, in alphabetical
    order, comma-separated (e.g. 'dlt_vehicles,dopa_population'). Used where an
    indicator divides a source's figure by the population of
    int_population_denominators_matched.
-#}
{% macro source_id_pair(first_source_id, second_source_id) -%}
    case
        when {{ first_source_id }} < {{ second_source_id }}
            then {{ first_source_id }} || ',' || {{ second_source_id }}
        else {{ second_source_id }} || ',' || {{ first_source_id }}
    end
{%- endmacro %}
