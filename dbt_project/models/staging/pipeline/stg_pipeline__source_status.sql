with

source as (

    select * from {{ source('pipeline', 'source_status') }}

),

final as (

    select
        ---------- ids
        cast(trim(source_id) as varchar) as source_id,

        ---------- labels
        cast(lower(trim(status)) as varchar) as status,
        cast(detail as varchar) as detail,

        ---------- flags
        coalesce(lower(trim(status)) = 'stale', false) as is_stale

    from source

)

select * from final
