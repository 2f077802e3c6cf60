with

source as (

    select * from {{ source('dopa', 'dopa_age_yearly') }}

),

final as (

    select
        ---------- ids
        cast(trim(area_code) as varchar) as area_code,
        cast(period as date) as period,
        cast(lower(trim(area_level)) as varchar) as area_level,
        cast(trim(district_code) as varchar) as district_code,
        cast(line_number as integer) as line_number,
        cast(lower(trim(measure)) as varchar) as measure,
        cast(lower(trim(sex)) as varchar) as sex,
        cast(age as smallint) as age,

        ---------- numerics
        cast(population as bigint) as population,

        ---------- labels
        cast(trim(area_name_raw) as varchar) as area_name_raw,
        cast(lower(trim(population_scope)) as varchar) as population_scope,
        cast(is_modelled as boolean) as is_modelled,

        ---------- lineage
        cast(source_id as varchar) as source_id,
        cast(lower(source_sha256) as varchar) as source_sha256

    from source

)

select * from final
