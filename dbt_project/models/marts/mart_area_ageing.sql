-- One row per area and month: age bands, shares, dependency ratios, ageing index,
-- sex ratio and ageing stage (formulas in int_area_ageing_aggregated).

with

area_ageing as (

    select * from {{ ref('int_area_ageing_aggregated') }}

),

final as (

    select
        area_code,
        period,
        population_total,
        population_male,
        population_female,
        pop_0_14,
        pop_15_64,
        pop_60_plus,
        pop_65_plus,
        pop_80_plus,
        share_60_plus,
        share_65_plus,
        share_80_plus,
        old_age_dependency_ratio,
        total_dependency_ratio,
        ageing_index,
        sex_ratio,
        ageing_stage,
        is_modelled,
        population_scope,
        provinces_covered
    from area_ageing

)

select * from final
