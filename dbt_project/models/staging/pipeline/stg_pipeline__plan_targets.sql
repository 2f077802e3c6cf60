-- The plan targets of the local targets file (SMARTCITY_PLAN_TARGETS), one row per
-- entry, as warehouse.load wrote them after validating the file. Periods 'YYYY-MM'
-- become month-end dates, like every period of the marts.

with

source as (

    select * from {{ source('pipeline', 'plan_targets') }}

),

final as (

    select
        ---------- ids
        cast(trim(area_code) as varchar) as area_code,
        cast(trim(indicator_code) as varchar) as indicator_code,
        cast(entry_number as integer) as entry_number,

        ---------- dates
        cast({{ month_end("cast(trim(baseline_period) || '-01' as date)") }} as date)
            as baseline_period,
        cast({{ month_end("cast(trim(target_period) || '-01' as date)") }} as date)
            as target_period,

        ---------- numerics
        cast(target_value as double precision) as target_value,

        ---------- labels
        cast(source as varchar) as source  -- noqa: RF04

    from source

)

select * from final
