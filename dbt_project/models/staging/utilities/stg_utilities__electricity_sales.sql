with

source as (

    select * from {{ source('utilities', 'electricity_sales') }}

),

final as (

    select
        ---------- ids
        cast(trim(area_code) as varchar) as area_code,
        cast(period as date) as period,
        cast(lower(trim(customer_class)) as varchar) as customer_class,
        cast(upper(trim(utility)) as varchar) as utility,

        ---------- numerics
        cast(kwh as double precision) as kwh,
        cast(customers as bigint) as customers,

        ---------- labels
        cast(is_modelled as boolean) as is_modelled,

        ---------- lineage
        cast(source_id as varchar) as source_id,
        cast(lower(source_sha256) as varchar) as source_sha256

    from source

)

select * from final
