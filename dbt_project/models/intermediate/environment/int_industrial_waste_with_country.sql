-- Industrial waste per province and month, plus the country 'TH': the sum over the
-- 2-digit province codes present that month (a raw 'TH' row, if any, is dropped).
-- is_partial_coverage marks a 'TH' row summed over fewer provinces than ref_provinces.

with

industrial_waste as (

    select * from {{ ref('stg_diw__industrial_waste') }}

),

source_status as (

    select * from {{ ref('stg_pipeline__source_status') }}

),

provinces_reference as (

    select * from {{ ref('ref_provinces') }}

),

provinces_total as (

    select count(*) as provinces_total
    from provinces_reference

),

provinces as (

    select
        industrial_waste.area_code,
        industrial_waste.period,
        industrial_waste.non_hazardous_tonnes,
        industrial_waste.hazardous_tonnes,
        industrial_waste.total_tonnes,
        industrial_waste.is_modelled,
        industrial_waste.source_id,
        1 as provinces_covered,
        coalesce(source_status.is_stale, false) as is_stale
    from industrial_waste
    left join source_status
        on industrial_waste.source_id = source_status.source_id
    where length(industrial_waste.area_code) = 2

),

country as (

    select
        'TH' as area_code,
        period,
        sum(non_hazardous_tonnes) as non_hazardous_tonnes,
        sum(hazardous_tonnes) as hazardous_tonnes,
        sum(total_tonnes) as total_tonnes,
        bool_or(is_modelled) as is_modelled,
        string_agg(distinct source_id, ',' order by source_id) as source_id,
        bool_or(is_stale) as is_stale,
        count(distinct area_code) as provinces_covered
    from provinces
    group by period

),

unioned as (

    select
        area_code,
        period,
        non_hazardous_tonnes,
        hazardous_tonnes,
        total_tonnes,
        is_modelled,
        source_id,
        is_stale,
        provinces_covered
    from provinces

    union all

    select
        area_code,
        period,
        non_hazardous_tonnes,
        hazardous_tonnes,
        total_tonnes,
        is_modelled,
        source_id,
        is_stale,
        provinces_covered
    from country

),

final as (

    select
        cast(unioned.area_code as varchar) as area_code,
        cast(unioned.period as date) as period,
        cast(unioned.non_hazardous_tonnes as double precision) as non_hazardous_tonnes,
        cast(unioned.hazardous_tonnes as double precision) as hazardous_tonnes,
        cast(unioned.total_tonnes as double precision) as total_tonnes,
        cast(unioned.is_modelled as boolean) as is_modelled,
        cast(unioned.source_id as varchar) as source_id,
        cast(unioned.is_stale as boolean) as is_stale,
        cast(unioned.provinces_covered as integer) as provinces_covered,
        coalesce(
            unioned.area_code = 'TH'
            and unioned.provinces_covered < provinces_total.provinces_total,
            false
        ) as is_partial_coverage
    from unioned
    cross join provinces_total

)

select * from final
