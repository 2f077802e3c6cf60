-- Road-accident deaths per province and year, plus the country 'TH': the sum over the
-- 2-digit province codes present that year (a raw 'TH' row, if any, is dropped).
-- is_partial_coverage marks a 'TH' row summed over fewer provinces than ref_provinces.

with

road_deaths as (

    select * from {{ ref('stg_rtddi__road_deaths') }}

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

areas as (

    select
        road_deaths.area_code,
        road_deaths.year,
        road_deaths.period,
        road_deaths.deaths,
        road_deaths.is_modelled,
        road_deaths.source_id,
        coalesce(source_status.is_stale, false) as is_stale,
        case when length(road_deaths.area_code) = 2 then 1 end as provinces_covered
    from road_deaths
    left join source_status
        on road_deaths.source_id = source_status.source_id
    where road_deaths.area_code <> 'TH'

),

provinces as (

    select * from areas
    where length(area_code) = 2

),

country as (

    select
        'TH' as area_code,
        year,
        period,
        sum(deaths) as deaths,
        bool_or(is_modelled) as is_modelled,
        string_agg(distinct source_id, ',' order by source_id) as source_id,
        bool_or(is_stale) as is_stale,
        count(distinct area_code) as provinces_covered
    from provinces
    group by year, period

),

unioned as (

    select
        area_code,
        year,
        period,
        deaths,
        is_modelled,
        source_id,
        is_stale,
        provinces_covered
    from areas

    union all

    select
        area_code,
        year,
        period,
        deaths,
        is_modelled,
        source_id,
        is_stale,
        provinces_covered
    from country

),

final as (

    select
        cast(unioned.area_code as varchar) as area_code,
        cast(unioned.year as integer) as year,
        cast(unioned.period as date) as period,
        cast(unioned.deaths as bigint) as deaths,
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
