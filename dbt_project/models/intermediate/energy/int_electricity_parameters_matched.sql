-- The planning parameters of each month of electricity sales: the grid emission factor
-- (emission_factors seed, kgCO2e/kWh: the latest factor valid at the month, else the
-- earliest) and the average household size (planning_assumptions seed: the one of the
-- nearest reference date). Null where the seed holds none.

with

electricity as (

    select * from {{ ref('int_electricity_consumption_summarised') }}

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

final as (

    select
        cast(electricity_periods.period as date) as period,
        cast(grid_factors.kg_co2e_per_kwh as double precision) as kg_co2e_per_kwh,
        cast(household_sizes.persons_per_household as double precision)
            as persons_per_household
    from electricity_periods
    left join grid_factors
        on
            electricity_periods.period = grid_factors.period
            and grid_factors.factor_rank = 1
    left join household_sizes
        on
            electricity_periods.period = household_sizes.period
            and household_sizes.assumption_rank = 1

)

select * from final
