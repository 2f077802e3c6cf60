-- Which sources hold data for each area and month, and how old that data was when it
-- was fetched: freshness_days = fetch date (Bangkok) - as-at date, the fetch being the latest
-- landing manifest of the source for the as-at month (else the source's latest
-- manifest, for files that hold many months or years). A 'TH' row lists every source
-- of the provinces present that month. Feeds data_freshness_days.

with

population as (

    -- the landed series (int_population_by_age_unioned), read from the table that adds
    -- the country rows to them
    select * from {{ ref('int_population_by_age_with_country') }}
    where area_level is distinct from 'country'

),

vehicles as (

    select * from {{ ref('stg_dlt__vehicles_by_fuel') }}

),

electricity as (

    select * from {{ ref('stg_utilities__electricity_sales') }}

),

road_deaths as (

    select * from {{ ref('stg_rtddi__road_deaths') }}

),

household_income as (

    select * from {{ ref('stg_nso__household_income') }}

),

landing_manifests as (

    select * from {{ ref('stg_pipeline__landing_manifests') }}

),

source_status as (

    select * from {{ ref('stg_pipeline__source_status') }}

),

source_rows as (

    select distinct
        source_id,
        area_code,
        period as as_at_date
    from population

    union

    select distinct
        source_id,
        area_code,
        period as as_at_date
    from vehicles

    union

    select distinct
        source_id,
        area_code,
        period as as_at_date
    from electricity

    union

    select distinct
        source_id,
        area_code,
        period as as_at_date
    from road_deaths

    union

    select distinct
        source_id,
        area_code,
        period as as_at_date
    from household_income

),

source_areas as (

    select
        source_id,
        area_code,
        as_at_date
    from source_rows
    where area_code <> 'TH'

    union

    select
        source_id,
        'TH' as area_code,
        as_at_date
    from source_rows
    where length(area_code) = 2

),

fetches_by_month as (

    select
        source_id,
        period as fetched_month,
        max(fetched_at) as fetched_at
    from landing_manifests
    where fetched_at is not null
    group by source_id, period

),

fetches_by_source as (

    select
        source_id,
        max(fetched_at) as fetched_at
    from landing_manifests
    where fetched_at is not null
    group by source_id

),

fetches as (

    select
        source_areas.source_id,
        source_areas.area_code,
        source_areas.as_at_date,
        -- the fetch date on the Thai calendar, whatever the server's time zone
        cast(
            coalesce(fetches_by_month.fetched_at, fetches_by_source.fetched_at)
            at time zone 'Asia/Bangkok' as date
        ) as fetched_on
    from source_areas
    left join fetches_by_month
        on
            source_areas.source_id = fetches_by_month.source_id
            and {{ year_month('source_areas.as_at_date') }} = fetches_by_month.fetched_month
    left join fetches_by_source
        on source_areas.source_id = fetches_by_source.source_id

),

final as (

    select
        cast(fetches.source_id as varchar) as source_id,
        cast(fetches.area_code as varchar) as area_code,
        cast({{ month_end('fetches.as_at_date') }} as date) as period,
        cast(fetches.as_at_date as date) as as_at_date,
        fetches.fetched_on,
        cast(fetches.fetched_on - fetches.as_at_date as integer) as freshness_days,
        coalesce(source_status.is_stale, false) as is_stale
    from fetches
    left join source_status
        on fetches.source_id = source_status.source_id

)

select * from final
