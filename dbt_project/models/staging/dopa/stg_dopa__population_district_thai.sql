with

source as (

    select * from {{ source('dopa', 'dopa_population_district_thai') }}

),

final as (

    select
        ---------- ids
        cast(trim(area_code) as varchar) as area_code,
        cast(trim(registration_office) as varchar) as registration_office,
        cast(period as date) as period,
        cast(lower(trim(sex)) as varchar) as sex,
        cast(age as smallint) as age,

        ---------- numerics
        cast(population as bigint) as population,

        ---------- labels
        cast(lower(trim(population_scope)) as varchar) as population_scope,
        cast(is_modelled as boolean) as is_modelled,

        ---------- lineage
        cast(source_id as varchar) as source_id,
        cast(lower(source_sha256) as varchar) as source_sha256

    from source

)

select * from final
