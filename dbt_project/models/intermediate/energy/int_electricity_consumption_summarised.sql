-- Electricity sold per area and month over all customer classes and both utilities,
-- with the residential part and its customers (null when any residential row does not
-- report customers), for the energy and environment indicators.

with

consumption as (

    select * from {{ ref('int_electricity_consumption_with_country') }}

),

summarised as (

    select
        area_code,
        period,
        sum(kwh) as kwh_total,
        sum(case when customer_class = 'residential' then kwh end) as kwh_residential,
        case
            when
                count(case when customer_class = 'residential' then 1 end)
                = count(case when customer_class = 'residential' then customers end)
                then sum(case when customer_class = 'residential' then customers end)
        end as residential_customers,
        bool_or(is_modelled) as is_modelled,
        string_agg(distinct source_id, ',' order by source_id) as source_id,
        bool_or(is_stale) as is_stale,
        max(provinces_covered) as provinces_covered,
        bool_or(is_partial_coverage) as is_partial_coverage
    from consumption
    group by area_code, period

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast(period as date) as period,
        cast(kwh_total as double precision) as kwh_total,
        cast(kwh_residential as double precision) as kwh_residential,
        cast(residential_customers as bigint) as residential_customers,
        cast(is_modelled as boolean) as is_modelled,
        cast(source_id as varchar) as source_id,
        cast(is_stale as boolean) as is_stale,
        cast(provinces_covered as integer) as provinces_covered,
        cast(is_partial_coverage as boolean) as is_partial_coverage
    from summarised

)

select * from final
