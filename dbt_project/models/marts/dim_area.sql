-- Every area the marts report on: the country ('TH'), the 77 provinces and the 928
-- districts, with DOPA codes, Thai and English names, parent and region.

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

country_area as (

    select
        'TH' as area_code,
        'country' as area_level,
        'ประเทศไทย' as name_th,
        'Thailand' as name_en,
        null as parent_code,
        null as region

),

province_areas as (

    select
        provinces.area_code,
        'province' as area_level,
        provinces.name_th,
        provinces.name_en,
        'TH' as parent_code,
        regions.name_en as region
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
        province_areas.region
    from districts
    left join province_areas
        on districts.province_code = province_areas.area_code

),

unioned as (

    select * from country_area
    union all
    select * from province_areas
    union all
    select * from district_areas

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast(area_level as varchar) as area_level,
        cast(name_th as varchar) as name_th,
        cast(name_en as varchar) as name_en,
        cast(parent_code as varchar) as parent_code,
        cast(region as varchar) as region
    from unioned

)

select * from final
