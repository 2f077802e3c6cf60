-- Electricity sold per province, month, customer class and utility, plus the country
-- 'TH' per month, class and utility: the sum over the 2-digit province codes present
-- that month (a raw 'TH' row, if any, is dropped). The country's customers are null
-- when any province summed does not report them. provinces_covered counts the
-- provinces of the month over both utilities; is_partial_coverage marks a 'TH' row
-- summed over fewer provinces than ref_provinces holds.

with

sales as (

    select * from {{ ref('stg_utilities__electricity_sales') }}

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
        sales.area_code,
        sales.period,
        sales.customer_class,
        sales.utility,
        sales.kwh,
        sales.customers,
        sales.is_modelled,
        sales.source_id,
        coalesce(source_status.is_stale, false) as is_stale,
        case when length(sales.area_code) = 2 then 1 end as provinces_covered
    from sales
    left join source_status
        on sales.source_id = source_status.source_id
    where sales.area_code <> 'TH'

),

provinces as (

    select * from areas
    where length(area_code) = 2

),

country_per_period as (

    select
        period,
        count(distinct area_code) as provinces_covered
    from provinces
    group by period

),

country_by_class as (

    select
        period,
        customer_class,
        utility,
        sum(kwh) as kwh,
        case when count(customers) = count(*) then sum(customers) end as customers,
        bool_or(is_modelled) as is_modelled,
        string_agg(distinct source_id, ',' order by source_id) as source_id,
        bool_or(is_stale) as is_stale
    from provinces
    group by period, customer_class, utility

),

country as (

    select
        'TH' as area_code,
        country_by_class.period,
        country_by_class.customer_class,
        country_by_class.utility,
        country_by_class.kwh,
        country_by_class.customers,
        country_by_class.is_modelled,
        country_by_class.source_id,
        country_by_class.is_stale,
        country_per_period.provinces_covered
    from country_by_class
    inner join country_per_period
        on country_by_class.period = country_per_period.period

),

unioned as (

    select
        area_code,
        period,
        customer_class,
        utility,
        kwh,
        customers,
        is_modelled,
        source_id,
        is_stale,
        provinces_covered
    from areas

    union all

    select
        area_code,
        period,
        customer_class,
        utility,
        kwh,
        customers,
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
        cast(unioned.customer_class as varchar) as customer_class,
        cast(unioned.utility as varchar) as utility,
        cast(unioned.kwh as double precision) as kwh,
        cast(unioned.customers as bigint) as customers,
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
