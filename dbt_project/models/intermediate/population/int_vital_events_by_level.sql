-- Registered births, deaths, moves in and moves out per year (period = 31 December) for
-- provinces (the source's grain), the country (sum of the provinces present; partial
-- coverage when fewer than 77) and the target areas whose members are all whole
-- provinces (other target areas have no vital events: DOPA publishes them per province).

{{ config(materialized='table') }}

with

events as (

    select * from {{ ref('stg_dopa__vital_events') }}

),

members as (

    select * from {{ source('pipeline', 'target_area_members') }}

),

source_status as (

    select * from {{ ref('stg_pipeline__source_status') }}

),

provinces as (

    select
        area_code,
        'province' as area_level,
        period,
        sum(case when event_type = 'births' then total end) as births,
        sum(case when event_type = 'deaths' then total end) as deaths,
        sum(case when event_type = 'moves_in' then total end) as moves_in,
        sum(case when event_type = 'moves_out' then total end) as moves_out,
        bool_or(is_modelled) as is_modelled,
        false as is_partial_coverage
    from events
    group by area_code, period

),

country as (

    select
        'TH' as area_code,
        'country' as area_level,
        period,
        sum(births) as births,
        sum(deaths) as deaths,
        sum(moves_in) as moves_in,
        sum(moves_out) as moves_out,
        bool_or(is_modelled) as is_modelled,
        count(*) < 77 as is_partial_coverage
    from provinces
    group by period

),

target_areas as (

    {{ sum_over_target_area_members('provinces', ['births', 'deaths', 'moves_in', 'moves_out']) }}

),

unioned as (

    select * from provinces
    union all
    select * from country
    union all
    select * from target_areas

),

final as (

    select
        cast(unioned.area_code as varchar) as area_code,
        cast(unioned.area_level as varchar) as area_level,
        cast(unioned.period as date) as period,
        cast(unioned.births as bigint) as births,
        cast(unioned.deaths as bigint) as deaths,
        cast(unioned.moves_in as bigint) as moves_in,
        cast(unioned.moves_out as bigint) as moves_out,
        cast(unioned.is_modelled as boolean) as is_modelled,
        cast(coalesce(source_status.is_stale, false) as boolean) as is_stale,
        cast(unioned.is_partial_coverage as boolean) as is_partial_coverage
    from unioned
    left join source_status
        on source_status.source_id = 'dopa_vital_events'

)

select * from final
