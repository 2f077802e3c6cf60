-- Every population indicator in the catalogue appears in mart_area_indicators once the
-- mart has any population-by-age rows, so the catalogue and the model's indicator list stay in step.

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
        and exists (select 1 from indicators where indicators.source_id like 'dopa_population%')
        and not exists (
            select 1
            from indicators
            where indicators.indicator_code = catalogue.indicator_code
        )

)

select * from final
