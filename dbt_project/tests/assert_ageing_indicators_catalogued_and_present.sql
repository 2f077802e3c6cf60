-- Every population indicator in the catalogue appears in mart_area_indicators once the
-- mart has any population indicator, so the catalogue and the model's indicator list
-- stay in step (a run of other sources only has none).

with

indicators as (

    select * from {{ ref('mart_area_indicators') }}

),

catalogue as (

    select * from {{ ref('indicator_catalogue') }}

),

final as (

    select catalogue.indicator_code
    from catalogue
    where
        catalogue.source_id = 'dopa_population'
        and exists (
            select 1
            from indicators
            inner join catalogue as population_catalogue
                on indicators.indicator_code = population_catalogue.indicator_code
            where population_catalogue.source_id = 'dopa_population'
        )
        and not exists (
            select 1
            from indicators
            where indicators.indicator_code = catalogue.indicator_code
        )

)

select * from final
