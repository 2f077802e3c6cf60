{#-
    A DOPA population-by-single-year-of-age table as landed (raw.<source_table>), typed
    and trimmed: the one shape of stg_dopa__population (all nationalities),
    stg_dopa__population_thai (Thai nationals) and stg_dopa__population_district_thai
    (Thai nationals by district, with_registration_office: the office that reported).
-#}
{% macro stg_dopa_population(source_table, with_registration_office=false) %}

with

source as (

    select * from {{ source('dopa', source_table) }}

),

final as (

    select
        ---------- ids
        cast(trim(area_code) as varchar) as area_code,
        {% if with_registration_office %}
            cast(trim(registration_office) as varchar) as registration_office,
        {% endif %}
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

{% endmacro %}
