-- Registered population by sex and households at 31 December from DOPA's yearly
-- statistics files (dopa_stat_yearly), at the levels of fct_population_households:
--   country, province  the file's own lines (stat_a, else stat_c);
--   municipality       a municipal office's stat_a line (Pattaya City included), where
--                      the reference geography knows the office;
--   district           stat_a: the district office (the non-municipal part; Bangkok: the
--                      khet office) plus the municipal offices that lie in the district.
--                      Left out for a province and year where a municipal office is not
--                      in the reference geography: its district is not known, so no
--                      district total of that province would be complete.
-- Houses (stat_a) and households (stat_c) are the same count as the house API's
-- lssumnotTermDate. population_municipal: persons registered by municipal offices
-- (null for Bangkok, which has no municipal / non-municipal split).

with

stat_lines as (

    select * from {{ ref('stg_dopa__stat_yearly') }}

),

municipalities as (

    select * from {{ ref('ref_municipalities') }}

),

office_lines as (

    select
        stat_lines.*,
        stat_lines.office_kind in ('municipal_office', 'pattaya') as is_municipal_office,
        case
            when stat_lines.office_kind in ('district_office', 'bangkok_khet')
                then stat_lines.area_code
            else municipalities.district_code
        end as district_code
    from stat_lines
    left join municipalities
        on stat_lines.area_code = municipalities.area_code
    where
        stat_lines.stat_file = 'stat_a'
        and stat_lines.area_kind = 'registration_office'

),

-- Provinces and years where every office is placed in a district.
placed_provinces as (

    select
        province_code,
        period
    from office_lines
    group by province_code, period
    having count(*) = count(district_code)

),

-- stat_a before stat_c where a year has both (the same figures when DOPA is consistent).
area_lines as (

    select
        stat_lines.*,
        row_number() over (
            partition by stat_lines.area_code, stat_lines.period
            order by case when stat_lines.stat_file = 'stat_a' then 1 else 2 end
        ) as file_rank
    from stat_lines
    where stat_lines.area_kind in ('country', 'province')

),

municipal_sums as (

    select
        province_code,
        period,
        sum(case when is_municipal_office then total else 0 end) as population_municipal
    from office_lines
    group by province_code, period

),

provinces_and_country as (

    select
        area_lines.area_code,
        area_lines.area_kind as area_level,
        area_lines.period,
        area_lines.total as population_total,
        area_lines.male as population_male,
        area_lines.female as population_female,
        area_lines.households,
        case
            when area_lines.area_kind = 'province' and area_lines.area_code <> '10'
                then municipal_sums.population_municipal
        end as population_municipal,
        area_lines.is_modelled,
        false as is_partial_coverage
    from area_lines
    left join municipal_sums
        on
            area_lines.area_code = municipal_sums.province_code
            and area_lines.period = municipal_sums.period
            and area_lines.stat_file = 'stat_a'
    where area_lines.file_rank = 1

),

municipality_offices as (

    select
        area_code,
        'municipality' as area_level,
        period,
        total as population_total,
        male as population_male,
        female as population_female,
        households,
        total as population_municipal,
        is_modelled,
        false as is_partial_coverage
    from office_lines
    where is_municipal_office and district_code is not null

),

districts as (

    select
        office_lines.district_code as area_code,
        'district' as area_level,
        office_lines.period,
        sum(office_lines.total) as population_total,
        sum(office_lines.male) as population_male,
        sum(office_lines.female) as population_female,
        sum(office_lines.households) as households,
        case
            when max(office_lines.province_code) <> '10'
                then sum(
                        case
                            when office_lines.is_municipal_office then office_lines.total else 0
                        end
                    )
        end as population_municipal,
        bool_or(office_lines.is_modelled) as is_modelled,
        false as is_partial_coverage
    from office_lines
    inner join placed_provinces
        on
            office_lines.province_code = placed_provinces.province_code
            and office_lines.period = placed_provinces.period
    group by office_lines.district_code, office_lines.period

),

final as (

    select * from provinces_and_country
    union all
    select * from municipality_offices
    union all
    select * from districts

)

select * from final
