-- Every indicator value of an area with the peer groups it is compared in, one row per
-- value x peer group. Values are compared only within the same period, indicator and
-- population scope (peer_scope). Peer groups, by dim_area.area_level and parent_code:
-- - all_provinces: every province (key 'TH');
-- - same_region: the provinces of the province's region (key: the region);
-- - similar_size: the provinces of the same population size class (peer_size_classes
--   seed, key: the class), from the province's population_total of the same period,
--   else of the nearest period with one (on a tie, the later);
-- - all_target_areas: every target area (key 'all');
-- - <level>_in_province: the areas of one level (district, municipality, subdistrict,
--   ...) that lie in one province (key: the province code, the first two digits of the
--   DOPA code);
-- - <level>_in_<parent level>: the same level under one parent below the province
--   (key: parent_code), e.g. the subdistricts of one district.
-- The country ('TH') has no peers.

with

area_indicators as (

    select * from {{ ref('int_area_indicators_described') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

size_classes as (

    select * from {{ ref('peer_size_classes') }}

),

area_values as (

    select
        area_indicators.*,
        areas.area_level,
        areas.parent_code,
        areas.region,
        coalesce(area_indicators.population_scope, 'none') as peer_scope
    from area_indicators
    inner join areas
        on area_indicators.area_code = areas.area_code
    where areas.area_level <> 'country'

),

province_populations as (

    select
        area_code,
        period,
        value as population_total
    from area_values
    where area_level = 'province' and indicator_code = 'population_total'

),

province_periods as (

    select distinct
        area_code,
        period
    from area_values
    where area_level = 'province'

),

nearest_population as (

    select
        province_periods.area_code,
        province_periods.period,
        province_populations.population_total,
        row_number() over (
            partition by province_periods.area_code, province_periods.period
            order by
                abs(province_periods.period - province_populations.period),
                province_populations.period desc
        ) as nearness_rank
    from province_periods
    inner join province_populations
        on province_periods.area_code = province_populations.area_code

),

province_size_classes as (

    select
        nearest_population.area_code,
        nearest_population.period,
        size_classes.size_class,
        size_classes.label
    from nearest_population
    inner join size_classes
        on
            nearest_population.population_total >= size_classes.min_population
            and (
                size_classes.max_population is null
                or nearest_population.population_total < size_classes.max_population
            )
    where nearest_population.nearness_rank = 1

),

parents as (

    select
        area_code,
        area_level
    from areas

),

memberships as (

    select
        area_values.*,
        'all_provinces' as peer_group,
        'TH' as peer_group_key,
        'all provinces' as peer_group_label
    from area_values
    where area_values.area_level = 'province'

    union all

    select
        area_values.*,
        'same_region' as peer_group,
        area_values.region as peer_group_key,
        'provinces of the ' || area_values.region || ' region' as peer_group_label
    from area_values
    where area_values.area_level = 'province' and area_values.region is not null

    union all

    select
        area_values.*,
        'similar_size' as peer_group,
        province_size_classes.size_class as peer_group_key,
        'provinces with ' || province_size_classes.label as peer_group_label
    from area_values
    inner join province_size_classes
        on
            area_values.area_code = province_size_classes.area_code
            and area_values.period = province_size_classes.period
    where area_values.area_level = 'province'

    union all

    select
        area_values.*,
        'all_target_areas' as peer_group,
        'all' as peer_group_key,
        'all target areas' as peer_group_label
    from area_values
    where area_values.area_level = 'target_area'

    union all

    select
        area_values.*,
        area_values.area_level || '_in_province' as peer_group,
        left(area_values.area_code, 2) as peer_group_key,
        area_values.area_level || ' areas of province ' || left(area_values.area_code, 2)
            as peer_group_label
    from area_values
    where
        area_values.area_level not in ('country', 'province', 'target_area')
        and {{ full_match('area_values.area_code', '[0-9]{4,}') }}

    union all

    select
        area_values.*,
        area_values.area_level || '_in_' || parents.area_level as peer_group,
        area_values.parent_code as peer_group_key,
        area_values.area_level || ' areas of ' || parents.area_level || ' '
        || area_values.parent_code as peer_group_label
    from area_values
    inner join parents
        on area_values.parent_code = parents.area_code
    where
        area_values.area_level not in ('country', 'province', 'target_area')
        and parents.area_level not in ('country', 'province')

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast(area_level as varchar) as area_level,
        cast(region as varchar) as region,
        cast(period as date) as period,
        cast(dimension as varchar) as dimension,
        cast(indicator_code as varchar) as indicator_code,
        cast(peer_scope as varchar) as peer_scope,
        cast(population_scope as varchar) as population_scope,
        cast(value as double precision) as value,
        cast(numerator as double precision) as numerator,
        cast(denominator as double precision) as denominator,
        cast(peer_group as varchar) as peer_group,
        cast(peer_group_key as varchar) as peer_group_key,
        cast(peer_group_label as varchar) as peer_group_label,
        cast(is_modelled as boolean) as is_modelled,
        cast(quality_status as varchar) as quality_status
    from memberships

)

select * from final
