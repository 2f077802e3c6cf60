-- Every indicator of the catalogue is a column of mart_dimension_<its dimension> and of
-- mart_area_profile, so the catalogue and the wide marts stay in step. Returns the
-- indicators without their column.

{%- set dimensions = [
    'environment', 'economy', 'mobility', 'energy', 'people', 'living', 'governance'
] %}

with

catalogue as (

    select * from {{ ref('indicator_catalogue') }}

),

mart_columns as (

    {% for dimension in dimensions %}
        {%- set mart = ref('mart_dimension_' ~ dimension) %}
        select
            '{{ dimension }}' as dimension,
            column_name
        from information_schema.columns
        where
            table_schema = '{{ mart.schema }}'
            and table_name = '{{ mart.identifier }}'

        union all
    {% endfor %}

    {%- set profile = ref('mart_area_profile') %}
    select
        'profile' as dimension,
        column_name
    from information_schema.columns
    where
        table_schema = '{{ profile.schema }}'
        and table_name = '{{ profile.identifier }}'

),

expected_columns as (

    select
        indicator_code,
        dimension,
        'mart_dimension_' || dimension as mart
    from catalogue

    union all

    select
        indicator_code,
        'profile' as dimension,
        'mart_area_profile' as mart
    from catalogue

),

final as (

    select
        expected_columns.indicator_code,
        expected_columns.mart
    from expected_columns
    left join mart_columns
        on
            expected_columns.dimension = mart_columns.dimension
            and expected_columns.indicator_code = mart_columns.column_name
    where mart_columns.column_name is null

)

select * from final
