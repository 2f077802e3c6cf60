{#-
    Per area and period of a relation whose source_id lists the sources of a row
    (comma-separated, e.g. 'dopa_population,dopa_population_thai'): is_stale, true when
    any of those sources is stale in raw.source_status. Used for the population rows of
    int_area_ageing_aggregated, whose source_id names every source summed into them.

    relation: the CTE (area_code, period, source_id).
    source_status: the CTE of stg_pipeline__source_status.
-#}
{% macro stale_flags_by_area_period(relation, source_status='source_status') %}
    select
        {{ relation }}.area_code,
        {{ relation }}.period,
        count({{ source_status }}.source_id) > 0 as is_stale
    from {{ relation }}
    left join {{ source_status }}
        on
            {{ source_status }}.is_stale
            and ',' || {{ relation }}.source_id || ','
            like '%,' || {{ source_status }}.source_id || ',%'
    group by {{ relation }}.area_code, {{ relation }}.period
{%- endmacro %}
