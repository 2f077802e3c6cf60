{#-
    The rows of a per-person indicator's numerator with the population they divide by
    (int_population_denominators_matched, joined on area_code and period): every column
    of the relation, the population's period, total, scope, is_modelled and is_stale
    (population_*), and combined_source_id (source_id_pair of both sources). A 'TH' row
    summed over fewer provinces than the country has (is_partial_coverage) is left out:
    it gets no per-person value.

    relation: the CTE of the numerator rows (area_code, period, source_id,
        is_partial_coverage).
    denominators: the CTE of int_population_denominators_matched.
-#}
{% macro with_population_denominators(relation, denominators='denominators') %}
    select
        {{ relation }}.*,
        {{ denominators }}.population_period,
        {{ denominators }}.population_total,
        {{ denominators }}.population_scope,
        {{ denominators }}.population_is_modelled,
        {{ denominators }}.population_is_stale,
        {{ source_id_pair(
            relation ~ '.source_id', denominators ~ '.population_source_id'
        ) }} as combined_source_id
    from {{ relation }}
    inner join {{ denominators }}
        on
            {{ relation }}.area_code = {{ denominators }}.area_code
            and {{ relation }}.period = {{ denominators }}.period
    where not {{ relation }}.is_partial_coverage
{%- endmacro %}
