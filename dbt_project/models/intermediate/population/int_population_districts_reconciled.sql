-- Districts against their province, per month, population scope, sex and age, wherever
-- the province and at least one of its districts are present with the same scope and
-- month. districts_expected counts the province's districts in ref_districts; when all
-- are present (is_complete) their sum must equal the province, otherwise it must not
-- exceed it (tested in _intermediate__models.yml).

with

population_by_age as (

    select * from {{ ref('int_population_by_age_with_country') }}

),

districts_reference as (

    select * from {{ ref('ref_districts') }}

),

provinces as (

    select
        area_code as province_code,
        period,
        population_scope,
        sex,
        age,
        population
    from population_by_age
    where area_level = 'province'

),

districts as (

    select
        area_code,
        period,
        population_scope,
        sex,
        age,
        population,
        left(area_code, 2) as province_code
    from population_by_age
    where area_level = 'district'

),

districts_present as (

    select
        province_code,
        period,
        population_scope,
        count(distinct area_code) as districts_present
    from districts
    group by province_code, period, population_scope

),

districts_expected as (

    select
        province_code,
        count(*) as districts_expected
    from districts_reference
    group by province_code

),

districts_summed as (

    select
        province_code,
        period,
        population_scope,
        sex,
        age,
        sum(population) as districts_population
    from districts
    group by province_code, period, population_scope, sex, age

),

province_groups as (

    select distinct
        province_code,
        period,
        population_scope
    from provinces

),

compared_groups as (

    select
        districts_present.province_code,
        districts_present.period,
        districts_present.population_scope,
        districts_present.districts_present,
        coalesce(districts_expected.districts_expected, 0) as districts_expected
    from districts_present
    inner join province_groups
        on
            districts_present.province_code = province_groups.province_code
            and districts_present.period = province_groups.period
            and districts_present.population_scope = province_groups.population_scope
    left join districts_expected
        on districts_present.province_code = districts_expected.province_code

),

cells as (

    select
        province_code,
        period,
        population_scope,
        sex,
        age
    from provinces

    union

    select
        province_code,
        period,
        population_scope,
        sex,
        age
    from districts_summed

),

final as (

    select
        cast(compared_groups.province_code as varchar) as province_code,
        cast(compared_groups.period as date) as period,
        cast(compared_groups.population_scope as varchar) as population_scope,
        cast(cells.sex as varchar) as sex,
        cast(cells.age as smallint) as age,
        cast(coalesce(provinces.population, 0) as bigint) as province_population,
        cast(coalesce(districts_summed.districts_population, 0) as bigint)
            as districts_population,
        cast(compared_groups.districts_present as integer) as districts_present,
        cast(compared_groups.districts_expected as integer) as districts_expected,
        compared_groups.districts_present >= compared_groups.districts_expected
            as is_complete
    from compared_groups
    inner join cells
        on
            compared_groups.province_code = cells.province_code
            and compared_groups.period = cells.period
            and compared_groups.population_scope = cells.population_scope
    left join provinces
        on
            cells.province_code = provinces.province_code
            and cells.period = provinces.period
            and cells.population_scope = provinces.population_scope
            and cells.sex = provinces.sex
            and cells.age = provinces.age
    left join districts_summed
        on
            cells.province_code = districts_summed.province_code
            and cells.period = districts_summed.period
            and cells.population_scope = districts_summed.population_scope
            and cells.sex = districts_summed.sex
            and cells.age = districts_summed.age

)

select * from final
