{#-
    The quality_status of a fact mart's row (quality_statuses seed), as varchar: 'stale'
    when its source is stale this run (is_stale), else 'partial_coverage' for a 'TH' row
    summed over fewer provinces than the country has (is_partial_coverage), else 'ok'.
    Used by the fct_* marts whose rows carry both flags.
-#}
{% macro fact_quality_status() -%}
    cast(
        case
            when is_stale then 'stale'
            when is_partial_coverage then 'partial_coverage'
            else 'ok'
        end as varchar
    )
{%- endmacro %}
