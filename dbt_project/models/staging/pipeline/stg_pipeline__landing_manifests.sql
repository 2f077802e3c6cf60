with

source as (

    select * from {{ source('pipeline', 'landing_manifests') }}

),

final as (

    select
        ---------- ids
        cast(source_id as varchar) as source_id,
        cast(period as varchar) as period,
        cast(slice_key as varchar) as slice_key,

        ---------- fetch
        cast(status as varchar) as status,
        cast(url as varchar) as url,
        cast(lower(sha256) as varchar) as sha256,
        cast(bytes as bigint) as bytes,
        cast(rows as bigint) as row_count,
        fetched_at,
        cast(etag as varchar) as etag,
        cast(last_modified as varchar) as last_modified,

        ---------- labels
        cast(is_modelled as boolean) as is_modelled,
        cast(population_scope as varchar) as population_scope,
        cast(licence as varchar) as licence,
        cast(publisher as varchar) as publisher,
        cast(parser_version as varchar) as parser_version

    from source

)

select * from final
