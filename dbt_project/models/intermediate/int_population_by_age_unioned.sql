-- One population series per area and month: all nationalities where DOPA has them,
-- Thai nationals only where it does not. When both sources hold the same area and
-- month, the all-nationalities rows win and the Thai-nationals rows are dropped.

with

population as (

    select * from {{ ref('stg_dopa__population') }}

),

population_thai as (

    select * from {{ ref('stg_dopa__population_thai') }}

),

all_nationalities_area_periods as (

    select distinct
        area_code,
        period
    from population

),

thai_nationals_not_covered as (

    select population_thai.*
    from population_thai
    left join all_nationalities_area_periods
        on
            population_thai.area_code = all_nationalities_area_periods.area_code
            and population_thai.period = all_nationalities_area_periods.period
    where all_nationalities_area_periods.area_code is null

),

unioned as (

    select
        area_code,
        period,
        sex,
        age,
        population,
        population_scope,
        is_modelled,
        source_id,
        source_sha256
    from population

    union all

    select
        area_code,
        period,
        sex,
        age,
        population,
        population_scope,
        is_modelled,
        source_id,
        source_sha256
    from thai_nationals_not_covered

),

final as (

    select * from unioned

)

select * from final
