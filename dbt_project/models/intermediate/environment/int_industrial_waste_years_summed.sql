-- Industrial waste per area and calendar year (period = 31 December), for complete
-- years only: an area's year with all 12 months reported. A year still being published
-- (2568 BE = 2025 holds January to July) has no row here, so no yearly indicator is
-- emitted for it; its months stay in fct_industrial_waste. A 'TH' year is
-- partial_coverage when any of its months is (previous_is_partial_coverage: the year
-- before).
-- The change on a year earlier compares two complete years; null when the earlier year
-- is not complete or its total is zero.

with

monthly as (

    select * from {{ ref('int_industrial_waste_with_country') }}

),

years as (

    select
        area_code,
        cast(extract(year from period) as integer) as year,
        count(distinct period) as months_reported,
        sum(non_hazardous_tonnes) as non_hazardous_tonnes,
        sum(hazardous_tonnes) as hazardous_tonnes,
        sum(total_tonnes) as total_tonnes,
        bool_or(is_modelled) as is_modelled,
        max(source_id) as source_id,
        bool_or(is_stale) as is_stale,
        bool_or(is_partial_coverage) as is_partial_coverage
    from monthly
    group by area_code, cast(extract(year from period) as integer)

),

complete_years as (

    select * from years
    where months_reported = 12

),

with_previous as (

    select
        current_year.*,
        previous_year.total_tonnes as previous_total_tonnes,
        previous_year.is_partial_coverage as previous_is_partial_coverage
    from complete_years as current_year
    left join complete_years as previous_year
        on
            current_year.area_code = previous_year.area_code
            and current_year.year = previous_year.year + 1

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast(year as integer) as year,
        cast(cast(year as varchar) || '-12-31' as date) as period,
        cast(non_hazardous_tonnes as double precision) as non_hazardous_tonnes,
        cast(hazardous_tonnes as double precision) as hazardous_tonnes,
        cast(total_tonnes as double precision) as total_tonnes,
        cast(previous_total_tonnes as double precision) as previous_total_tonnes,
        cast(is_modelled as boolean) as is_modelled,
        cast(source_id as varchar) as source_id,
        cast(is_stale as boolean) as is_stale,
        cast(is_partial_coverage as boolean) as is_partial_coverage,
        cast(coalesce(previous_is_partial_coverage, false) as boolean)
            as previous_is_partial_coverage
    from with_previous

)

select * from final
