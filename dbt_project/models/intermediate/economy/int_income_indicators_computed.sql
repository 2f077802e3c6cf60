-- household_income_monthly_baht: the NSO average monthly household income as
-- published, per province and survey year (period = 31 December). No country value is
-- derived: an average of provincial averages is not the national average.

with

household_income as (

    select * from {{ ref('stg_nso__household_income') }}

),

source_status as (

    select * from {{ ref('stg_pipeline__source_status') }}

),

final as (

    select
        cast(household_income.area_code as varchar) as area_code,
        cast(household_income.period as date) as period,
        cast('household_income_monthly_baht' as varchar) as indicator_code,
        cast(household_income.avg_monthly_income_baht as double precision) as value,
        cast(household_income.source_id as varchar) as source_id,
        cast(household_income.is_modelled as boolean) as is_modelled,
        cast(coalesce(source_status.is_stale, false) as boolean) as is_stale,
        cast(null as varchar) as population_scope,
        cast(null as date) as population_period,
        false as is_partial_coverage
    from household_income
    left join source_status
        on household_income.source_id = source_status.source_id
    where household_income.avg_monthly_income_baht is not null

)

select * from final
