-- Registration offices summed to their district: one row per district, month, sex and
-- age. The extract step lands each office under the district it lies in (municipal
-- offices included), so the sum over a district's offices is the district.

with

offices as (

    select * from {{ ref('stg_dopa__population_district_thai') }}

),

summed as (

    select
        area_code,
        period,
        sex,
        age,
        sum(population) as population,
        min(population_scope) as population_scope,
        bool_or(is_modelled) as is_modelled,
        min(source_id) as source_id,
        string_agg(distinct source_sha256, ',' order by source_sha256) as source_sha256,
        count(distinct registration_office) as registration_offices
    from offices
    group by area_code, period, sex, age

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast(period as date) as period,
        cast(sex as varchar) as sex,
        cast(age as smallint) as age,
        cast(population as bigint) as population,
        cast(population_scope as varchar) as population_scope,
        cast(is_modelled as boolean) as is_modelled,
        cast(source_id as varchar) as source_id,
        cast(source_sha256 as varchar) as source_sha256,
        cast(registration_offices as integer) as registration_offices
    from summed

)

select * from final
