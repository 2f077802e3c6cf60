-- Every target mart_plan_progress follows: the entries of the local plan targets file
-- (target_origin 'local_plan') and the national policy targets of the national_targets
-- seed applied to every area of their area_level ('national_policy'), except where the
-- file sets a target for the same area and indicator (the file overrides).

with

local_targets as (

    select * from {{ ref('stg_pipeline__plan_targets') }}

),

national_targets as (

    select * from {{ ref('national_targets') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

local_plan as (

    select
        area_code,
        indicator_code,
        baseline_period,
        target_value,
        target_period,
        source,
        'local_plan' as target_origin
    from local_targets

),

national_policy as (

    select
        areas.area_code,
        national_targets.indicator_code,
        {{ month_end("cast(national_targets.baseline_period || '-01' as date)") }}
            as baseline_period,
        national_targets.target_value,
        {{ month_end("cast(national_targets.target_period || '-01' as date)") }}
            as target_period,
        national_targets.source_title
        || ' (' || national_targets.source_url || ')' as source,  -- noqa: RF04
        'national_policy' as target_origin
    from national_targets
    inner join areas
        on national_targets.area_level = areas.area_level
    where not exists (
            select 1
            from local_targets
            where
                local_targets.area_code = areas.area_code
                and local_targets.indicator_code = national_targets.indicator_code
        )

),

unioned as (

    select * from local_plan
    union all
    select * from national_policy

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast(indicator_code as varchar) as indicator_code,
        cast(baseline_period as date) as baseline_period,
        cast(target_value as double precision) as target_value,
        cast(target_period as date) as target_period,
        cast(source as varchar) as source,  -- noqa: RF04
        cast(target_origin as varchar) as target_origin
    from unioned

)

select * from final
