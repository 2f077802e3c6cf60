-- Registered population by sex and households at 31 December for every level, from
-- the house API (dopa_households):
--   subdistrict  the sum of its rows over the offices that serve it (a sub-district whose
--                non-municipal part is served by the district office and its municipal
--                part by a municipal office has two rows);
--   municipality the municipal office's own row (action 193);
--   district     its sub-districts, plus the households its offices count that no
--                sub-district row holds (houses with nobody registered);
--   province     the sum of its offices' rows (action 193);
--   country      the sum of the provinces present (partial coverage when fewer than 77);
--   target_area  the sum over its members, only where every member has a value.
-- Where the house API has no figure for an area and year, DOPA's yearly statistics
-- files fill it (int_population_households_from_stat_files: province, district,
-- municipality and country from stat_a, province and country from stat_c); the house
-- API wins where both have one, except a country it holds for fewer than 77 provinces.
-- population_municipal: persons registered by municipal offices (null for Bangkok, which
-- has no municipal / non-municipal split).

{{ config(materialized='table') }}

with

house_rows as (

    select * from {{ ref('stg_dopa__households') }}

),

municipalities as (

    select * from {{ ref('ref_municipalities') }}

),

members as (

    select * from {{ source('pipeline', 'target_area_members') }}

),

stat_files as (

    select * from {{ ref('int_population_households_from_stat_files') }}

),

source_status as (

    select * from {{ ref('stg_pipeline__source_status') }}

),

subdistrict_rows as (

    select
        house_rows.*,
        municipalities.area_code is not null as is_municipal_office
    from house_rows
    left join municipalities
        on house_rows.registration_office = municipalities.area_code
    where house_rows.row_kind = 'subdistrict'

),

office_rows as (

    select
        house_rows.*,
        municipalities.area_code is not null as is_municipal_office,
        coalesce(municipalities.district_code, house_rows.registration_office) as office_district
    from house_rows
    left join municipalities
        on house_rows.registration_office = municipalities.area_code
    where house_rows.row_kind = 'office'

),

office_subdistrict_sums as (

    select
        registration_office,
        period,
        sum(households) as households
    from subdistrict_rows
    group by registration_office, period

),

unallocated as (

    select
        office_rows.office_district as district_code,
        office_rows.period,
        sum(office_rows.households - coalesce(office_subdistrict_sums.households, 0)) as households
    from office_rows
    left join office_subdistrict_sums
        on
            office_rows.registration_office = office_subdistrict_sums.registration_office
            and office_rows.period = office_subdistrict_sums.period
    group by office_rows.office_district, office_rows.period

),

subdistricts as (

    select
        area_code,
        'subdistrict' as area_level,
        period,
        sum(population_total) as population_total,
        sum(population_male) as population_male,
        sum(population_female) as population_female,
        sum(households) as households,
        case
            when max(province_code) <> '10'
                then sum(case when is_municipal_office then population_total else 0 end)
        end as population_municipal,
        bool_or(is_modelled) as is_modelled,
        false as is_partial_coverage
    from subdistrict_rows
    group by area_code, period

),

districts as (

    select
        left(subdistricts.area_code, 4) as area_code,
        'district' as area_level,
        subdistricts.period,
        sum(subdistricts.population_total) as population_total,
        sum(subdistricts.population_male) as population_male,
        sum(subdistricts.population_female) as population_female,
        sum(subdistricts.households) + coalesce(max(unallocated.households), 0) as households,
        sum(subdistricts.population_municipal) as population_municipal,
        bool_or(subdistricts.is_modelled) as is_modelled,
        false as is_partial_coverage
    from subdistricts
    left join unallocated
        on
            left(subdistricts.area_code, 4) = unallocated.district_code
            and subdistricts.period = unallocated.period
    group by left(subdistricts.area_code, 4), subdistricts.period

),

municipality_offices as (

    select
        registration_office as area_code,
        'municipality' as area_level,
        period,
        population_total,
        population_male,
        population_female,
        households,
        population_total as population_municipal,
        is_modelled,
        false as is_partial_coverage
    from office_rows
    where is_municipal_office

),

provinces as (

    select
        province_code as area_code,
        'province' as area_level,
        period,
        sum(population_total) as population_total,
        sum(population_male) as population_male,
        sum(population_female) as population_female,
        sum(households) as households,
        case
            when province_code <> '10'
                then sum(case when is_municipal_office then population_total else 0 end)
        end as population_municipal,
        bool_or(is_modelled) as is_modelled,
        false as is_partial_coverage
    from office_rows
    group by province_code, period

),

country as (

    select
        'TH' as area_code,
        'country' as area_level,
        period,
        sum(population_total) as population_total,
        sum(population_male) as population_male,
        sum(population_female) as population_female,
        sum(households) as households,
        sum(population_municipal) as population_municipal,
        bool_or(is_modelled) as is_modelled,
        count(*) < 77 as is_partial_coverage
    from provinces
    group by period

),

house_api_units as (

    select
        *,
        'dopa_households' as source_id
    from subdistricts
    union all
    select
        *,
        'dopa_households' as source_id
    from districts
    union all
    select
        *,
        'dopa_households' as source_id
    from municipality_offices
    union all
    select
        *,
        'dopa_households' as source_id
    from provinces
    union all
    select
        *,
        'dopa_households' as source_id
    from country

),

candidates as (

    select
        *,
        case when is_partial_coverage then 3 else 1 end as source_priority
    from house_api_units
    union all
    select
        *,
        'dopa_stat_yearly' as source_id,
        2 as source_priority
    from stat_files

),

ranked as (

    select
        *,
        row_number() over (
            partition by area_code, area_level, period
            order by source_priority
        ) as source_rank
    from candidates

),

preferred as (

    select
        area_code,
        area_level,
        period,
        population_total,
        population_male,
        population_female,
        households,
        population_municipal,
        is_modelled,
        is_partial_coverage,
        source_id
    from ranked
    where source_rank = 1

),

units as (

    select * from preferred
    where area_level <> 'country'

),

target_areas as (

    {{ sum_over_target_area_members(
        'units',
        [
            'population_total',
            'population_male',
            'population_female',
            'households',
            'population_municipal',
        ],
        with_source_id=true
    ) }}

),

unioned as (

    select * from preferred
    union all
    select * from target_areas

),

final as (

    select
        cast(unioned.area_code as varchar) as area_code,
        cast(unioned.area_level as varchar) as area_level,
        cast(unioned.period as date) as period,
        cast(unioned.population_total as bigint) as population_total,
        cast(unioned.population_male as bigint) as population_male,
        cast(unioned.population_female as bigint) as population_female,
        cast(unioned.households as bigint) as households,
        cast(unioned.population_municipal as bigint) as population_municipal,
        cast(unioned.is_modelled as boolean) as is_modelled,
        cast(coalesce(source_status.is_stale, false) as boolean) as is_stale,
        cast(unioned.is_partial_coverage as boolean) as is_partial_coverage,
        cast(unioned.source_id as varchar) as source_id
    from unioned
    left join source_status
        on unioned.source_id = source_status.source_id

)

select * from final
