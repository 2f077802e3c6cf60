-- Road-accident deaths per area and year (integrated three-database figures), for the
-- provinces landed and the country 'TH' (their sum). quality_status: 'stale' when the
-- source is stale this run, 'partial_coverage' for a 'TH' row summed over fewer
-- provinces than the country has, else 'ok'.

with

road_deaths as (

    select * from {{ ref('int_road_deaths_with_country') }}

),

final as (

    select
        area_code,
        period,
        year,
        deaths,
        is_modelled,
        {{ fact_quality_status() }} as quality_status
    from road_deaths

)

select * from final
