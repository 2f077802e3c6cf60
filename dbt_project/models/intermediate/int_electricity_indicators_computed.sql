-- Energy and environment indicators of electricity sold, in long form, per area and
-- month:
-- - electricity_kwh_per_person: kwh over all classes / population_total of the same or
--   nearest population month;
-- - electricity_kwh_per_household: residential kwh / residential customers (a meter
--   stands for a household); where customers are not reported, residential kwh /
--   (population_total / average_household_size of the planning_assumptions seed),
--   marked modelled;
-- - electricity_kwh_growth_yoy: kwh / kwh of the same month a year earlier - 1 (a 'TH'
--   value only when both months cover the same number of provinces);
-- - co2_from_electricity_tonnes_per_person: kwh * grid emission factor (emission_factors
--   seed, kgCO2e/kWh: the latest factor valid at the month, else the earliest) / 1000 /
--   population_total; always modelled (one national factor for every area).
-- A 'TH' sum that does not cover every province gets no per-person value.

with

electricity as (

    select * from {{ ref('int_electricity_consumption_summarised') }}

),

denominators as (

    select * from {{ ref('int_population_denominators_matched') }}

),

emission_factors as (

    select * from {{ ref('emission_factors') }}

),

planning_assumptions as (

    select * from {{ ref('planning_assumptions') }}

),

electricity_periods as (

    select distinct period
    from electricity

),

grid_factors as (

    select
        electricity_periods.period,
        emission_factors.value as kg_co2e_per_kwh,
        row_number() over (
            partition by electricity_periods.period
            order by
                case
                    when emission_factors.valid_from <= electricity_periods.period then 0
                    else 1
                end,
                abs(electricity_periods.period - emission_factors.valid_from)
        ) as factor_rank
    from electricity_periods
    inner join emission_factors
        on emission_factors.factor_code = 'grid_electricity_scope2'

),

household_sizes as (

    select
        electricity_periods.period,
        planning_assumptions.value as persons_per_household,
        row_number() over (
            partition by electricity_periods.period
            order by abs(electricity_periods.period - planning_assumptions.reference_date)
        ) as assumption_rank
    from electricity_periods
    inner join planning_assumptions
        on planning_assumptions.assumption_code = 'average_household_size'

),

electricity_with_population as (

    select
        electricity.*,
        denominators.population_period,
        denominators.population_total,
        denominators.population_scope,
        denominators.population_is_modelled,
        denominators.population_is_stale,
        case
            when electricity.source_id < denominators.population_source_id
                then electricity.source_id || ',' || denominators.population_source_id
            else denominators.population_source_id || ',' || electricity.source_id
        end as combined_source_id
    from electricity
    inner join denominators
        on
            electricity.area_code = denominators.area_code
            and electricity.period = denominators.period
    where not electricity.is_partial_coverage

),

per_person as (

    select
        electricity_with_population.area_code,
        electricity_with_population.period,
        'electricity_kwh_per_person' as indicator_code,
        electricity_with_population.kwh_total
        / nullif(electricity_with_population.population_total, 0) as value,
        electricity_with_population.kwh_total as numerator,
        cast(electricity_with_population.population_total as double precision) as denominator,
        electricity_with_population.combined_source_id as source_id,
        electricity_with_population.is_modelled
        or electricity_with_population.population_is_modelled as is_modelled,
        electricity_with_population.is_stale
        or electricity_with_population.population_is_stale as is_stale,
        electricity_with_population.population_scope,
        electricity_with_population.population_period,
        electricity_with_population.is_partial_coverage
    from electricity_with_population

    union all

    select
        electricity_with_population.area_code,
        electricity_with_population.period,
        'co2_from_electricity_tonnes_per_person' as indicator_code,
        electricity_with_population.kwh_total * grid_factors.kg_co2e_per_kwh / 1000
        / nullif(electricity_with_population.population_total, 0) as value,
        electricity_with_population.kwh_total * grid_factors.kg_co2e_per_kwh / 1000 as numerator,
        cast(electricity_with_population.population_total as double precision) as denominator,
        electricity_with_population.combined_source_id as source_id,
        true as is_modelled,
        electricity_with_population.is_stale
        or electricity_with_population.population_is_stale as is_stale,
        electricity_with_population.population_scope,
        electricity_with_population.population_period,
        electricity_with_population.is_partial_coverage
    from electricity_with_population
    inner join grid_factors
        on
            electricity_with_population.period = grid_factors.period
            and grid_factors.factor_rank = 1

),

per_household_from_customers as (

    select
        area_code,
        period,
        'electricity_kwh_per_household' as indicator_code,
        kwh_residential / residential_customers as value,
        kwh_residential as numerator,
        cast(residential_customers as double precision) as denominator,
        source_id,
        is_modelled,
        is_stale,
        cast(null as varchar) as population_scope,
        cast(null as date) as population_period,
        is_partial_coverage
    from electricity
    where residential_customers > 0

),

per_household_from_population as (

    select
        electricity_with_population.area_code,
        electricity_with_population.period,
        'electricity_kwh_per_household' as indicator_code,
        electricity_with_population.kwh_residential * household_sizes.persons_per_household
        / nullif(electricity_with_population.population_total, 0) as value,
        electricity_with_population.kwh_residential as numerator,
        electricity_with_population.population_total
        / household_sizes.persons_per_household as denominator,
        electricity_with_population.combined_source_id as source_id,
        true as is_modelled,
        electricity_with_population.is_stale
        or electricity_with_population.population_is_stale as is_stale,
        electricity_with_population.population_scope,
        electricity_with_population.population_period,
        electricity_with_population.is_partial_coverage
    from electricity_with_population
    inner join household_sizes
        on
            electricity_with_population.period = household_sizes.period
            and household_sizes.assumption_rank = 1
    where coalesce(electricity_with_population.residential_customers, 0) = 0

),

growth as (

    select
        current_month.area_code,
        current_month.period,
        'electricity_kwh_growth_yoy' as indicator_code,
        current_month.kwh_total / nullif(previous_year.kwh_total, 0) - 1 as value,
        current_month.kwh_total - previous_year.kwh_total as numerator,
        previous_year.kwh_total as denominator,
        current_month.source_id,
        current_month.is_modelled or previous_year.is_modelled as is_modelled,
        current_month.is_stale or previous_year.is_stale as is_stale,
        cast(null as varchar) as population_scope,
        cast(null as date) as population_period,
        current_month.is_partial_coverage
    from electricity as current_month
    inner join electricity as previous_year
        on
            current_month.area_code = previous_year.area_code
            and extract(year from current_month.period)
            = extract(year from previous_year.period) + 1
            and extract(month from current_month.period)
            = extract(month from previous_year.period)
    where
        current_month.area_code <> 'TH'
        or current_month.provinces_covered = previous_year.provinces_covered

),

unioned as (

    select * from per_person
    union all
    select * from per_household_from_customers
    union all
    select * from per_household_from_population
    union all
    select * from growth

),

final as (

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
        cast(population_scope as varchar) as population_scope,
        cast(population_period as date) as population_period,
        cast(is_partial_coverage as boolean) as is_partial_coverage
    from unioned
    where value is not null

)

select * from final
