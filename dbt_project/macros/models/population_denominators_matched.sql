{#-
    The population each per-person indicator divides by: for every area and period of
    the numerator models, the population_total of the same area and month when DOPA has
    it, else of the nearest month (on a tie, the later one). The country 'TH' only takes
    a month whose population covers every province of ref_provinces; a partial country
    sum is never used as a denominator. population_period records the month used. The
    query of int_population_denominators_matched (every month), and of an indicator
    that divides by one month of the year only.

    numerator_models: the models whose (area_code, period) need a denominator.
    month: the month of the year (1..12) a population must be of, e.g. 12 for the
        December (year-end) populations; none: any month.
-#}
{% macro population_denominators_matched(numerator_models, month=none) %}

with

{% for model in numerator_models %}
    numerator_{{ loop.index }} as (

        select * from {{ ref(model) }}

    ),
{% endfor %}

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

numerator_area_periods as (

    {% for model in numerator_models %}
        select
            area_code,
            period
        from numerator_{{ loop.index }}
        {% if not loop.last %}union{% endif %}
    {% endfor %}

),

population_stale_flags as (

    {{ stale_flags_by_area_period('area_ageing') }}

),

eligible_populations as (

    select
        area_ageing.area_code,
        area_ageing.period,
        area_ageing.population_total,
        area_ageing.population_scope,
        area_ageing.is_modelled,
        area_ageing.source_id,
        population_stale_flags.is_stale
    from area_ageing
    inner join population_stale_flags
        on
            area_ageing.area_code = population_stale_flags.area_code
            and area_ageing.period = population_stale_flags.period
    cross join provinces_total
    where
        area_ageing.population_total > 0
        {% if month is not none %}
            and extract(month from area_ageing.period) = {{ month }}
        {% endif %}
        and (
            area_ageing.area_code <> 'TH'
            or area_ageing.provinces_covered = provinces_total.provinces_total
        )

),

ranked as (

    select
        numerator_area_periods.area_code,
        numerator_area_periods.period,
        eligible_populations.period as population_period,
        eligible_populations.population_total,
        eligible_populations.population_scope,
        eligible_populations.is_modelled,
        eligible_populations.source_id,
        eligible_populations.is_stale,
        row_number() over (
            partition by numerator_area_periods.area_code, numerator_area_periods.period
            order by
                abs(numerator_area_periods.period - eligible_populations.period),
                eligible_populations.period desc
        ) as nearness_rank
    from numerator_area_periods
    inner join eligible_populations
        on numerator_area_periods.area_code = eligible_populations.area_code

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast(period as date) as period,
        cast(population_period as date) as population_period,
        cast(population_total as bigint) as population_total,
        cast(population_scope as varchar) as population_scope,
        cast(is_modelled as boolean) as population_is_modelled,
        cast(source_id as varchar) as population_source_id,
        cast(is_stale as boolean) as population_is_stale
    from ranked
    where nearness_rank = 1

)

select * from final

{% endmacro %}
