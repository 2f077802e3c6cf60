-- The Hamilton-Perry projection (int_population_projected): population by sex and
-- five-year age group 5, 10, 15 and 20 years after the base vintage, for every area
-- with two vintages of the same month five years apart. Every row is modelled: a
-- projection of the registered population that holds the cohort-change and
-- child-woman ratios of the last five years constant (no migration shocks, no change
-- of mortality or fertility beyond what those ratios carry).

with

projected as (

    select * from {{ ref('int_population_projected') }}

),

final as (

    select
        area_code,
        base_period,
        earlier_period,
        year,
        horizon_years,
        sex,
        age_group_start,
        age_group,
        population,
        cast('hamilton_perry' as varchar) as method,  -- noqa: RF04
        ratio,
        ratio_source,
        population_scope,
        cast(true as boolean) as is_modelled
    from projected

)

select * from final
