-- The household, density, municipal-share and vital-event indicators per area and year
-- (period = 31 December), computed from the summed counts of fct_population_households
-- and fct_vital_events (a target area's ratio is its summed numerator over its summed
-- denominator, never an average of its members' ratios). value = multiplier *
-- numerator / denominator (indicator_catalogue.multiplier); natural_increase is a count
-- (no denominator). Undefined values (zero or unknown denominator) are left out.

with

households as (

    select * from {{ ref('int_population_households_by_level') }}

),

events as (

    select * from {{ ref('int_vital_events_by_level') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

household_values as (

    select
        households.area_code,
        households.period,
        indicator.indicator_code,
        case
            when indicator.denominator > 0 then indicator.numerator / indicator.denominator
        end as value,
        indicator.numerator,
        indicator.denominator,
        households.source_id,
        households.is_modelled,
        households.is_stale,
        households.is_partial_coverage
    from households
    left join areas
        on households.area_code = areas.area_code
    cross join lateral (
        values
        (
            'persons_per_household',
            households.population_total,
            nullif(households.households, 0)
        ),
        (
            'population_density',
            households.population_total,
            case when areas.area_km2 > 0 then areas.area_km2 end
        ),
        (
            'municipal_population_share',
            households.population_municipal,
            nullif(households.population_total, 0)
        )
    ) as indicator (indicator_code, numerator, denominator)

),

event_values as (

    select
        events.area_code,
        events.period,
        indicator.indicator_code,
        case
            when indicator.denominator is null and indicator.indicator_code = 'natural_increase'
                then indicator.numerator
            when indicator.denominator > 0
                then indicator.multiplier * indicator.numerator / indicator.denominator
        end as value,
        indicator.numerator,
        indicator.denominator,
        'dopa_vital_events,' || coalesce(households.source_id, 'dopa_households') as source_id,
        events.is_modelled or coalesce(households.is_modelled, false) as is_modelled,
        events.is_stale or coalesce(households.is_stale, false) as is_stale,
        events.is_partial_coverage
        or coalesce(households.is_partial_coverage, false) as is_partial_coverage
    from events
    left join households
        on
            events.area_code = households.area_code
            and events.period = households.period
    cross join lateral (
        values
        ('crude_birth_rate', 1000.0, events.births, households.population_total),
        ('crude_death_rate', 1000.0, events.deaths, households.population_total),
        ('natural_increase', 1.0, events.births - events.deaths, null),
        (
            'net_migration_rate',
            1000.0,
            events.moves_in - events.moves_out,
            households.population_total
        )
    ) as indicator (indicator_code, multiplier, numerator, denominator)

),

unioned as (

    select * from household_values
    union all
    select * from event_values

),

final as (

    {{ indicator_rows(
        'unioned',
        population_scope="'all_nationalities'",
        population_period='period'
    ) }}

)

select * from final
