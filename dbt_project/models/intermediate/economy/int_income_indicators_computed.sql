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

income_values as (

    select
        household_income.area_code,
        household_income.period,
        'household_income_monthly_baht' as indicator_code,
        household_income.avg_monthly_income_baht as value,
        cast(null as double precision) as numerator,
        cast(null as double precision) as denominator,
        household_income.source_id,
        household_income.is_modelled,
        coalesce(source_status.is_stale, false) as is_stale
    from household_income
    left join source_status
        on household_income.source_id = source_status.source_id

),

final as (

    {{ indicator_rows(
        'income_values',
        population_scope='null',
        population_period='null',
        is_partial_coverage='false'
    ) }}

)

select * from final
