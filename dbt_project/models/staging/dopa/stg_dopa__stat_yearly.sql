with

source as (

    select * from {{ source('dopa', 'dopa_stat_yearly') }}

),

final as (

    select
        ---------- ids
        cast(trim(area_code) as varchar) as area_code,
        cast(period as date) as period,
        cast(lower(trim(area_kind)) as varchar) as area_kind,
        cast(lower(trim(office_kind)) as varchar) as office_kind,
        cast(trim(province_code) as varchar) as province_code,
        cast(lower(trim(stat_file)) as varchar) as stat_file,

        ---------- numerics
        cast(male as bigint) as male,
        cast(female as bigint) as female,
        cast(total as bigint) as total,
        cast(households as bigint) as households,

        ---------- labels
        cast(trim(name_raw) as varchar) as name_raw,
        cast(is_modelled as boolean) as is_modelled,

        ---------- lineage
        cast(source_id as varchar) as source_id,
        cast(lower(source_sha256) as varchar) as source_sha256

    from source

)

select * from final
