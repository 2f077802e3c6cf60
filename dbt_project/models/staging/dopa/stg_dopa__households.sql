with

source as (

    select * from {{ source('dopa', 'dopa_households') }}

),

final as (

    select
        ---------- ids
        cast(lower(trim(row_kind)) as varchar) as row_kind,
        cast(trim(area_code) as varchar) as area_code,
        cast(trim(registration_office) as varchar) as registration_office,
        cast(trim(district_code) as varchar) as district_code,
        cast(trim(province_code) as varchar) as province_code,
        cast(period as date) as period,

        ---------- numerics
        cast(population_male as bigint) as population_male,
        cast(population_female as bigint) as population_female,
        cast(population_total as bigint) as population_total,
        cast(households as bigint) as households,
        cast(houses_total as bigint) as houses_total,

        ---------- labels
        cast(is_modelled as boolean) as is_modelled,

        ---------- lineage
        cast(source_id as varchar) as source_id,
        cast(lower(source_sha256) as varchar) as source_sha256

    from source

)

select * from final
