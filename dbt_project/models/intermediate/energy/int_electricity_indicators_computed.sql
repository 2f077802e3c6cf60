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
-- The factor and household size of a month: int_electricity_parameters_matched.
-- A 'TH' sum that does not cover every province gets no per-person value.

with

electricity as (

    select * from {{ ref('int_electricity_consumption_summarised') }}

),

denominators as (

    select * from {{ ref('int_population_denominators_matched') }}

),

parameters as (

    select * from {{ ref('int_electricity_parameters_matched') }}

),

electricity_with_population as (

    {{ with_population_denominators('electricity') }}

),

with_population_and_factors as (

    select
        electricity_with_population.*,
        parameters.kg_co2e_per_kwh,
        parameters.persons_per_household,
        electricity_with_population.is_stale
        or electricity_with_population.population_is_stale as is_stale_any
    from electricity_with_population
    left join parameters
        on electricity_with_population.period = parameters.period

),

per_person as (

    select
        area_code,
        period,
        'electricity_kwh_per_person' as indicator_code,
        kwh_total as numerator,
        cast(population_total as double precision) as denominator,
        kwh_total / nullif(population_total, 0) as value,
        combined_source_id as source_id,
        is_modelled or population_is_modelled as is_modelled,
        is_stale_any as is_stale,
        population_scope,
        population_period,
        is_partial_coverage
    from with_population_and_factors

    union all

    select
        area_code,
        period,
        'co2_from_electricity_tonnes_per_person' as indicator_code,
        kwh_total * kg_co2e_per_kwh / 1000 as numerator,
        cast(population_total as double precision) as denominator,
        kwh_total * kg_co2e_per_kwh / 1000 / nullif(population_total, 0) as value,
        combined_source_id as source_id,
        true as is_modelled,
        is_stale_any as is_stale,
        population_scope,
        population_period,
        is_partial_coverage
    from with_population_and_factors

),

per_household_from_customers as (

    select
        area_code,
        period,
        'electricity_kwh_per_household' as indicator_code,
        kwh_residential as numerator,
        cast(residential_customers as double precision) as denominator,
        kwh_residential / residential_customers as value,
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
        area_code,
        period,
        'electricity_kwh_per_household' as indicator_code,
        kwh_residential as numerator,
        population_total / persons_per_household as denominator,
        kwh_residential * persons_per_household / nullif(population_total, 0) as value,
        combined_source_id as source_id,
        true as is_modelled,
        is_stale_any as is_stale,
        population_scope,
        population_period,
        is_partial_coverage
    from with_population_and_factors
    where coalesce(residential_customers, 0) = 0

),

growth as (

    select
        current_month.area_code,
        current_month.period,
        'electricity_kwh_growth_yoy' as indicator_code,
        current_month.kwh_total - previous_year.kwh_total as numerator,
        previous_year.kwh_total as denominator,
        current_month.kwh_total / nullif(previous_year.kwh_total, 0) - 1 as value,
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

    {{ indicator_rows('unioned') }}

)

select * from final
