-- Every area the marts report on: the country ('TH'), the 77 provinces, the 928
-- districts, the sub-districts (6-digit DOPA codes), the municipalities (4-digit DOPA
-- registration-office codes, never equal to a district code) and the smart-city target
-- areas of the target-area file, with DOPA codes, Thai and English names, parent,
-- region and area in km2 where known.

with

regions as (

    select * from {{ ref('ref_regions') }}

),

provinces as (

    select * from {{ ref('ref_provinces') }}

),

districts as (

    select * from {{ ref('ref_districts') }}

),

subdistricts as (

    select * from {{ ref('ref_subdistricts') }}

),

municipalities as (

    select * from {{ ref('ref_municipalities') }}

),

area_sizes as (

    select * from {{ ref('ref_area_sizes') }}

),

target_areas as (

    select * from {{ source('pipeline', 'target_areas') }}

),

country_area as (

    select
        'TH' as area_code,
        'country' as area_level,
        'ประเทศไทย' as name_th,
        'Thailand' as name_en,
        null as parent_code,
        null as region,
        null as municipality_type,
        true as is_current

),

province_areas as (

    select
        provinces.area_code,
        'province' as area_level,
        provinces.name_th,
        provinces.name_en,
        'TH' as parent_code,
        regions.name_en as region,
        null as municipality_type,
        true as is_current
    from provinces
    left join regions
        on provinces.region_code = regions.region_code

),

district_areas as (

    select
        districts.area_code,
        'district' as area_level,
        districts.name_th,
        districts.name_en,
        districts.province_code as parent_code,
        province_areas.region,
        null as municipality_type,
        true as is_current
    from districts
    left join province_areas
        on districts.province_code = province_areas.area_code

),

subdistrict_areas as (

    select
        subdistricts.area_code,
        'subdistrict' as area_level,
        subdistricts.name_th,
        coalesce(subdistricts.name_en, subdistricts.name_th) as name_en,
        subdistricts.district_code as parent_code,
        province_areas.region,
        null as municipality_type,
        subdistricts.is_current
    from subdistricts
    left join province_areas
        on subdistricts.province_code = province_areas.area_code

),

-- A municipality's parent is the district its registration office lies in; the
-- sub-districts it serves are in ref_municipality_subdistricts.
municipality_areas as (

    select
        municipalities.area_code,
        'municipality' as area_level,
        municipalities.name_th,
        coalesce(municipalities.name_en, municipalities.name_th) as name_en,
        municipalities.district_code as parent_code,
        province_areas.region,
        municipalities.municipality_type,
        municipalities.is_current
    from municipalities
    left join province_areas
        on municipalities.province_code = province_areas.area_code

),

-- A target area's parent is its province ('TH' when the province is not known).
target_area_areas as (

    select
        target_areas.target_area_code as area_code,
        'target_area' as area_level,
        target_areas.name_th,
        target_areas.name_en,
        coalesce(target_areas.province_code, 'TH') as parent_code,
        province_areas.region,
        null as municipality_type,
        true as is_current
    from target_areas
    left join province_areas
        on target_areas.province_code = province_areas.area_code

),

unioned as (

    select * from country_area
    union all
    select * from province_areas
    union all
    select * from district_areas
    union all
    select * from subdistrict_areas
    union all
    select * from municipality_areas
    union all
    select * from target_area_areas

),

-- Area in km2: districts from the gazetteer, provinces as the sum of their districts
-- (where every district is known), municipalities from DOLA; target areas are summed
-- over their members in int_target_area_sizes_summed.
sized as (

    select
        unioned.*,
        coalesce(
            area_sizes.area_km2,
            case when unioned.area_level = 'municipality' then municipalities.area_km2 end,
            target_area_sizes.area_km2
        ) as area_km2
    from unioned
    left join area_sizes
        on
            unioned.area_code = area_sizes.area_code
            and unioned.area_level = area_sizes.area_level
    left join municipalities
        on unioned.area_code = municipalities.area_code
    left join {{ ref('int_target_area_sizes_summed') }} as target_area_sizes
        on
            unioned.area_code = target_area_sizes.target_area_code
            and unioned.area_level = 'target_area'

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast(area_level as varchar) as area_level,
        cast(name_th as varchar) as name_th,
        cast(name_en as varchar) as name_en,
        cast(parent_code as varchar) as parent_code,
        cast(region as varchar) as region,
        cast(area_km2 as double precision) as area_km2,
        cast(municipality_type as varchar) as municipality_type,
        cast(is_current as boolean) as is_current
    from sized

)

select * from final
