-- Hamilton-Perry projection of the population by sex and five-year age group, 5, 10,
-- 15 and 20 years ahead, for every area that has two vintages of the same month five
-- years apart (same population scope).
-- - Cohort-change ratio of a group g >= 5: CCR(g) = P_base(g) / P_earlier(g - 5); of the
--   open group 85+: P_base(85+) / (P_earlier(80-84) + P_earlier(85+)).
-- - Child-woman ratio of the youngest group, per sex: CWR = P_base(0-4) / women aged
--   15-49 at base.
-- - One step of five years: P_next(g) = CCR(g) * P(g - 5), P_next(85+) = CCR(85+) *
--   (P(80-84) + P(85+)), P_next(0-4) = CWR * women aged 15-49 of P_next. Ratios are held
--   constant over the horizon (Hamilton and Perry 1962; Swanson, Schlottmann and
--   Schmidt 2010).
-- - Small cohorts: where the ratio's denominator (the earlier cohort, or the women
--   aged 15-49) is below projection_min_cohort (planning_assumptions seed), the parent
--   area's ratio (dim_area.parent_code: a district takes its province's, a province the
--   country's) is used instead when the parent has one from a large enough cohort
--   (ratio_source 'parent'); else the area's own ratio ('own_small_cohort'); an empty
--   earlier cohort without a parent ratio keeps the cohort unchanged (CCR 1) and gives
--   no children (CWR 0) ('none').

{%- set age_group_starts = range(0, 90, 5) %}
{%- set steps = [1, 2, 3, 4] %}

-- A table: mart_population_projection and this model's tests read it (a view would
-- project every cohort again for each).

{{ config(materialized='table') }}

with

age_groups as (

    select * from {{ ref('int_population_age_groups_summed') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

planning_assumptions as (

    select * from {{ ref('planning_assumptions') }}

),

min_cohort as (

    select max(value) as min_cohort
    from planning_assumptions
    where assumption_code = 'projection_min_cohort'

),

sexes as (

    select 'male' as sex
    union all
    select 'female' as sex

),

group_starts as (

    {% for start in age_group_starts %}
        select {{ start }} as age_group_start
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

area_vintages as (

    select
        area_code,
        period,
        min(population_scope) as population_scope,
        count(distinct population_scope) as scope_count,
        bool_or(is_modelled) as is_modelled
    from age_groups
    group by area_code, period

),

vintage_pairs as (

    select
        base.area_code,
        base.period as base_period,
        earlier.period as earlier_period,
        base.population_scope,
        base.is_modelled or earlier.is_modelled as inputs_modelled
    from area_vintages as base
    inner join area_vintages as earlier
        on
            base.area_code = earlier.area_code
            and extract(year from earlier.period) = extract(year from base.period) - 5
            and extract(month from earlier.period) = extract(month from base.period)
            and base.population_scope = earlier.population_scope
    where base.scope_count = 1 and earlier.scope_count = 1

),

-- every sex x group of every pair, so that a group nobody is counted in is a zero
pair_cells as (

    select
        vintage_pairs.area_code,
        vintage_pairs.base_period,
        vintage_pairs.earlier_period,
        sexes.sex,
        group_starts.age_group_start,
        coalesce(base.population, 0) as base_population,
        coalesce(earlier.population, 0) as earlier_population
    from vintage_pairs
    cross join sexes
    cross join group_starts
    left join age_groups as base
        on
            vintage_pairs.area_code = base.area_code
            and vintage_pairs.base_period = base.period
            and sexes.sex = base.sex
            and group_starts.age_group_start = base.age_group_start
    left join age_groups as earlier
        on
            vintage_pairs.area_code = earlier.area_code
            and vintage_pairs.earlier_period = earlier.period
            and sexes.sex = earlier.sex
            and group_starts.age_group_start = earlier.age_group_start

),

earlier_cohorts as (

    -- the earlier cohort that became group g: g - 5, and 80-84 with 85+ for 85+
    select
        cell.area_code,
        cell.base_period,
        cell.sex,
        cell.age_group_start,
        cell.base_population,
        sum(earlier_cell.earlier_population) as cohort_earlier
    from pair_cells as cell
    inner join pair_cells as earlier_cell
        on
            cell.area_code = earlier_cell.area_code
            and cell.base_period = earlier_cell.base_period
            and cell.sex = earlier_cell.sex
            and (
                earlier_cell.age_group_start = cell.age_group_start - 5
                or (cell.age_group_start = 85 and earlier_cell.age_group_start = 85)
            )
    where cell.age_group_start >= 5
    group by
        cell.area_code,
        cell.base_period,
        cell.sex,
        cell.age_group_start,
        cell.base_population

),

women_at_base as (

    select
        area_code,
        base_period,
        sum(base_population) as women_15_49
    from pair_cells
    where sex = 'female' and age_group_start between 15 and 45
    group by area_code, base_period

),

ratio_inputs as (

    select
        area_code,
        base_period,
        sex,
        age_group_start,
        base_population as numerator,
        cohort_earlier as denominator
    from earlier_cohorts

    union all

    select
        pair_cells.area_code,
        pair_cells.base_period,
        pair_cells.sex,
        pair_cells.age_group_start,
        pair_cells.base_population as numerator,
        women_at_base.women_15_49 as denominator
    from pair_cells
    inner join women_at_base
        on
            pair_cells.area_code = women_at_base.area_code
            and pair_cells.base_period = women_at_base.base_period
    where pair_cells.age_group_start = 0

),

ratios as (

    select
        own.area_code,
        own.base_period,
        own.sex,
        own.age_group_start,
        case
            when own.denominator >= min_cohort.min_cohort
                then own.numerator / own.denominator
            when parent.denominator >= min_cohort.min_cohort
                then parent.numerator / parent.denominator
            when own.denominator > 0 then own.numerator / own.denominator
            when own.age_group_start = 0 then 0
            else 1
        end as ratio,
        case
            when own.denominator >= min_cohort.min_cohort then 'own'
            when parent.denominator >= min_cohort.min_cohort then 'parent'
            when own.denominator > 0 then 'own_small_cohort'
            else 'none'
        end as ratio_source
    from ratio_inputs as own
    cross join min_cohort
    left join areas
        on own.area_code = areas.area_code
    left join ratio_inputs as parent
        on
            areas.parent_code = parent.area_code
            and own.base_period = parent.base_period
            and own.sex = parent.sex
            and own.age_group_start = parent.age_group_start

),

step_0 as (

    select
        area_code,
        base_period,
        sex,
        age_group_start,
        base_population as population
    from pair_cells

),

{% for step in steps %}

    aged_{{ step }} as (

        select
            previous.area_code,
            previous.base_period,
            previous.sex,
            ratios.age_group_start,
            sum(previous.population * ratios.ratio) as population
        from step_{{ step - 1 }} as previous
        inner join ratios
            on
                previous.area_code = ratios.area_code
                and previous.base_period = ratios.base_period
                and previous.sex = ratios.sex
                and ratios.age_group_start = least(previous.age_group_start + 5, 85)
        group by
            previous.area_code,
            previous.base_period,
            previous.sex,
            ratios.age_group_start

    ),

    women_{{ step }} as (

        select
            area_code,
            base_period,
            sum(population) as women_15_49
        from aged_{{ step }}
        where sex = 'female' and age_group_start between 15 and 45
        group by area_code, base_period

    ),

    step_{{ step }} as (

        select * from aged_{{ step }}

        union all

        select
            ratios.area_code,
            ratios.base_period,
            ratios.sex,
            ratios.age_group_start,
            ratios.ratio * women_{{ step }}.women_15_49 as population
        from ratios
        inner join women_{{ step }}
            on
                ratios.area_code = women_{{ step }}.area_code
                and ratios.base_period = women_{{ step }}.base_period
        where ratios.age_group_start = 0

    ),

{% endfor %}

projected as (

    {% for step in steps %}
        select
            area_code,
            base_period,
            {{ step * 5 }} as horizon_years,
            sex,
            age_group_start,
            population
        from step_{{ step }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        cast(projected.area_code as varchar) as area_code,
        cast(projected.base_period as date) as base_period,
        cast(vintage_pairs.earlier_period as date) as earlier_period,
        cast(extract(year from projected.base_period) + projected.horizon_years as integer) as year,
        cast(projected.horizon_years as integer) as horizon_years,
        cast(projected.sex as varchar) as sex,
        cast(projected.age_group_start as integer) as age_group_start,
        cast(
            case
                when projected.age_group_start = 85 then '85+'
                else
                    cast(projected.age_group_start as varchar)
                    || '-' || cast(projected.age_group_start + 4 as varchar)
            end as varchar
        ) as age_group,
        cast(projected.population as double precision) as population,
        cast(ratios.ratio as double precision) as ratio,
        cast(ratios.ratio_source as varchar) as ratio_source,
        cast(vintage_pairs.population_scope as varchar) as population_scope,
        cast(vintage_pairs.inputs_modelled as boolean) as inputs_modelled
    from projected
    inner join vintage_pairs
        on
            projected.area_code = vintage_pairs.area_code
            and projected.base_period = vintage_pairs.base_period
    inner join ratios
        on
            projected.area_code = ratios.area_code
            and projected.base_period = ratios.base_period
            and projected.sex = ratios.sex
            and projected.age_group_start = ratios.age_group_start

)

select * from final
