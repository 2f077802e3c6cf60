{#-
    The target areas of a by-level model (int_population_households_by_level,
    int_vital_events_by_level): per target area and period, the sum of each measure over
    its members (raw.target_area_members), only where every member has a row that
    period; a target area with a member missing that period has no row. A member is
    matched on its code and level (member_code, member_level = area_code, area_level).

    units: the CTE of the member rows (area_code, area_level, period, the measures,
        is_modelled and, with_source_id, source_id).
    measures: the columns summed, in their order.
    members: the CTE of raw.target_area_members.
    with_source_id: add source_id, the smallest of the members' (after
        is_partial_coverage).

    Columns: area_code (the target area), area_level 'target_area', period, the
    measures, is_modelled (any member's) and is_partial_coverage (false).
-#}
{% macro sum_over_target_area_members(
    units, measures, members='members', with_source_id=false
) %}
    select
        {{ members }}.target_area_code as area_code,
        'target_area' as area_level,
        {{ units }}.period,
        {% for measure in measures %}
            sum({{ units }}.{{ measure }}) as {{ measure }},
        {% endfor %}
        bool_or({{ units }}.is_modelled) as is_modelled,
        false as is_partial_coverage
        {%- if with_source_id %},
            min({{ units }}.source_id) as source_id
        {%- endif %}
    from {{ members }}
    inner join {{ units }}
        on
            {{ members }}.member_code = {{ units }}.area_code
            and {{ members }}.member_level = {{ units }}.area_level
    group by {{ members }}.target_area_code, {{ units }}.period
    having count(*) = (
        select count(*)
        from {{ members }} as every_member
        where every_member.target_area_code = {{ members }}.target_area_code
    )
{%- endmacro %}
