-- The population (people) and ageing (living) indicators in long form: one row per
-- area, month and indicator, from int_area_ageing_aggregated. Each code below is a
-- column there and a row of the indicator_catalogue seed. is_stale: any source summed
-- into the row is stale in raw.source_status; is_partial_coverage: a 'TH' row summed
-- over fewer provinces than ref_provinces holds.

{#- indicator code: (numerator, denominator); value = multiplier * numerator /
    denominator (indicator_catalogue.multiplier), a count has no denominator -#}
{%- set population_indicators = {
    'population_total': ('population_total', none),
    'sex_ratio': ('population_male', 'population_female'),
    'share_60_plus': ('pop_60_plus', 'population_total'),
    'share_65_plus': ('pop_65_plus', 'population_total'),
    'share_80_plus': ('pop_80_plus', 'population_total'),
    'old_age_dependency_ratio': ('pop_65_plus', 'pop_15_64'),
    'total_dependency_ratio': ('pop_0_14 + pop_65_plus', 'pop_15_64'),
    'ageing_index': ('pop_60_plus', 'pop_0_14'),
    'pop_50_59': ('pop_50_59', none),
    'pre_elderly_per_100_elderly': ('pop_50_59', 'pop_60_plus'),
} %}

with

area_ageing as (

    select * from {{ ref('int_area_ageing_aggregated') }}

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

stale_flags as (

    {{ stale_flags_by_area_period('area_ageing') }}

),

flagged as (

    select
        area_ageing.*,
        stale_flags.is_stale,
        coalesce(
            area_ageing.area_code = 'TH'
            and area_ageing.provinces_covered < provinces_total.provinces_total,
            false
        ) as is_partial_coverage
    from area_ageing
    inner join stale_flags
        on
            area_ageing.area_code = stale_flags.area_code
            and area_ageing.period = stale_flags.period
    cross join provinces_total

),

indicator_values as (

    {% for indicator_code, parts in population_indicators.items() %}
        select
            area_code,
            period,
            '{{ indicator_code }}' as indicator_code,
            cast({{ indicator_code }} as double precision) as value,
            cast({{ parts[0] }} as double precision) as numerator,
            cast({{ parts[1] if parts[1] else 'null' }} as double precision) as denominator,
            source_id,
            is_modelled,
            is_stale,
            population_scope,
            cast(null as date) as population_period,
            is_partial_coverage
        from flagged
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    {{ indicator_rows('indicator_values') }}

)

select * from final
