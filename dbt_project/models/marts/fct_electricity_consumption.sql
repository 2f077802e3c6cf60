-- Electricity sold (PEA, MEA) per area, month, customer class and utility, for the
-- provinces landed and the country 'TH' (their sum per utility). quality_status:
-- 'stale' when the source is stale this run, 'partial_coverage' for a 'TH' row summed
-- over fewer provinces than the country has, else 'ok'.

with

consumption as (

    select * from {{ ref('int_electricity_consumption_with_country') }}

),

final as (

    select
        area_code,
        period,
        customer_class,
        kwh,
        customers,
        utility,
        is_modelled,
        {{ fact_quality_status() }} as quality_status
    from consumption

)

select * from final
