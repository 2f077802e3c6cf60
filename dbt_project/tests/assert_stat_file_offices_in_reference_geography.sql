-- Every registration office of DOPA's stat_a file is a district (district office,
-- Bangkok khet) or a municipality of the reference geography. An office that is not
-- (a municipality created after the gazetteer was taken) is left out of the
-- municipality level, and its province's districts are left out for that year
-- (int_population_households_from_stat_files): add it to ref_municipalities.
{{ config(severity=var('quality_severity').optional_value) }}

select
    stat_lines.period,
    stat_lines.province_code,
    stat_lines.area_code as registration_office,
    stat_lines.name_raw
from {{ ref('stg_dopa__stat_yearly') }} as stat_lines
left join {{ ref('dim_area') }} as dim_area
    on
        stat_lines.area_code = dim_area.area_code
        and dim_area.area_level in ('district', 'municipality')
where
    stat_lines.stat_file = 'stat_a'
    and stat_lines.area_kind = 'registration_office'
    and dim_area.area_code is null
