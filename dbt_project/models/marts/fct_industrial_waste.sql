-- Industrial waste per area and month (DIW, CKAN DataStore records), for the provinces
-- landed and the country 'TH' (their sum). quality_status: 'stale' when the source is
-- stale this run, 'partial_coverage' for a 'TH' row summed over fewer provinces than
-- the country has, else 'ok'.

with

industrial_waste as (

    select * from {{ ref('int_industrial_waste_with_country') }}

),

final as (

    select
        area_code,
        period,
        non_hazardous_tonnes,
        hazardous_tonnes,
        total_tonnes,
        is_modelled,
        {{ fact_quality_status() }} as quality_status
    from industrial_waste

)

select * from final
