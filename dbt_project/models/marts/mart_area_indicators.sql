-- Long form for scoring tools: one row per area, month and indicator, for every
-- indicator of the indicator_catalogue seed (names, units and dimensions come from
-- there). Values are computed in the intermediate models (int_*_indicators_*);
-- indicators whose value is undefined (zero denominator, no population) are left out.
-- source_vintage is the as-at month 'YYYY-MM', followed by ' (population YYYY-MM)'
-- when the value divides by a population of another month or source.

with

area_indicators as (

    select * from {{ ref('int_area_indicators_described') }}

),

final as (

    select
        area_code,
        period,
        dimension,
        indicator_code,
        value,
        unit,
        source_id,
        source_vintage,
        is_modelled,
        quality_status
    from area_indicators

)

select * from final
