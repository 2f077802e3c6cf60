-- One population series per area and month. When several sources hold the same area
-- and month, one wins whole: all nationalities (dopa_population) first, then Thai
-- nationals (dopa_population_thai), then Thai nationals summed from registration
-- offices (int_population_district_by_age_summed, districts only), then DOPA's yearly
-- single-age files (stg_dopa__age_yearly: the single ages, Thai nationals, of the
-- province and of each district and sub-district the reference geography has a code
-- for).

{#- The series in the order they win: source_priority 1, 2, ... -#}
{%- set sources_by_priority = [
    'population',
    'population_thai',
    'population_district_thai',
    'age_files',
] %}

with

population as (

    select * from {{ ref('stg_dopa__population') }}

),

population_thai as (

    select * from {{ ref('stg_dopa__population_thai') }}

),

population_district_thai as (

    select * from {{ ref('int_population_district_by_age_summed') }}

),

age_files as (

    select * from {{ ref('stg_dopa__age_yearly') }}
    where
        measure = 'age'
        and area_code is not null
        and area_level in ('province', 'district', 'subdistrict')

),

candidates as (

    {% for relation in sources_by_priority %}
        select
            area_code,
            period,
            sex,
            age,
            population,
            population_scope,
            is_modelled,
            source_id,
            source_sha256,
            {{ loop.index }} as source_priority
        from {{ relation }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

preferred_sources as (

    select
        area_code,
        period,
        min(source_priority) as source_priority
    from candidates
    group by area_code, period

),

final as (

    select
        candidates.area_code,
        candidates.period,
        candidates.sex,
        candidates.age,
        candidates.population,
        candidates.population_scope,
        candidates.is_modelled,
        candidates.source_id,
        candidates.source_sha256
    from candidates
    inner join preferred_sources
        on
            candidates.area_code = preferred_sources.area_code
            and candidates.period = preferred_sources.period
            and candidates.source_priority = preferred_sources.source_priority

)

select * from final
