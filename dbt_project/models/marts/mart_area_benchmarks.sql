-- Where an area stands among its peers: one row per area x period x indicator x peer
-- group (int_indicator_peer_groups_assigned says which groups). Only values of the same
-- period, indicator and population scope are compared.
-- - rank: 1 = best by the catalogue's direction (highest value for higher_is_better,
--   lowest for lower_is_better); ties share the best rank of the tie (1, 1, 3);
--   null for neutral indicators.
-- - percentile (0..1): directional indicators: (peer_count - rank) / (peer_count - 1),
--   the share of the other peers the area does at least as well as; neutral
--   indicators: the share of the other peers with a lower value (its position in the
--   distribution, no judgement); null when the area is alone in its group.
-- - score_0_100: min-max within the group, oriented by the direction: 100 * (value -
--   min) / (max - min) for higher_is_better, 100 * (max - value) / (max - min) for
--   lower_is_better; null for neutral indicators and when every peer has the same value.
-- - national_value / region_value: multiplier * sum(numerator) / sum(denominator) over
--   every province (of the area's region) with a value of the same period, indicator
--   and population scope (a count: the sum of the numerators); null unless every
--   province of the country (region) has one, and for values that are not ratios of
--   sums (numerator null).

with

peer_values as (

    select * from {{ ref('int_indicator_peer_groups_assigned') }}

),

indicator_catalogue as (

    select * from {{ ref('indicator_catalogue') }}

),

provinces_reference as (

    select * from {{ ref('ref_provinces') }}

),

regions_reference as (

    select * from {{ ref('ref_regions') }}

),

provinces_total as (

    select count(*) as provinces_total
    from provinces_reference

),

region_province_counts as (

    select
        regions_reference.name_en as region,
        count(*) as provinces_in_region
    from provinces_reference
    inner join regions_reference
        on provinces_reference.region_code = regions_reference.region_code
    group by regions_reference.name_en

),

with_direction as (

    select
        peer_values.*,
        indicator_catalogue.direction,
        indicator_catalogue.multiplier,
        case
            when indicator_catalogue.direction = 'higher_is_better' then -peer_values.value
            else peer_values.value
        end as oriented_value
    from peer_values
    inner join indicator_catalogue
        on peer_values.indicator_code = indicator_catalogue.indicator_code

),

ranked as (

    select
        *,
        count(*) over (
            partition by period, indicator_code, peer_scope, peer_group, peer_group_key
        ) as peer_count,
        rank() over (
            partition by period, indicator_code, peer_scope, peer_group, peer_group_key
            order by oriented_value
        ) as oriented_rank,
        rank() over (
            partition by period, indicator_code, peer_scope, peer_group, peer_group_key
            order by value
        ) as ascending_rank,
        min(value) over (
            partition by period, indicator_code, peer_scope, peer_group, peer_group_key
        ) as peer_min,
        max(value) over (
            partition by period, indicator_code, peer_scope, peer_group, peer_group_key
        ) as peer_max
    from with_direction

),

province_values as (

    select distinct
        area_code,
        region,
        period,
        indicator_code,
        peer_scope,
        numerator,
        denominator,
        multiplier
    from with_direction
    where area_level = 'province'

),

national_values as (

    select
        province_values.period,
        province_values.indicator_code,
        province_values.peer_scope,
        case
            when count(*) < max(provinces_total.provinces_total) then null
            when count(province_values.numerator) < count(*) then null
            when count(province_values.denominator) = 0
                then max(province_values.multiplier) * sum(province_values.numerator)
            when count(province_values.denominator) < count(*) then null
            else
                max(province_values.multiplier) * sum(province_values.numerator)
                / nullif(sum(province_values.denominator), 0)
        end as national_value
    from province_values
    cross join provinces_total
    group by province_values.period, province_values.indicator_code, province_values.peer_scope

),

region_values as (

    select
        province_values.region,
        province_values.period,
        province_values.indicator_code,
        province_values.peer_scope,
        case
            when count(*) < max(region_province_counts.provinces_in_region) then null
            when count(province_values.numerator) < count(*) then null
            when count(province_values.denominator) = 0
                then max(province_values.multiplier) * sum(province_values.numerator)
            when count(province_values.denominator) < count(*) then null
            else
                max(province_values.multiplier) * sum(province_values.numerator)
                / nullif(sum(province_values.denominator), 0)
        end as region_value
    from province_values
    inner join region_province_counts
        on province_values.region = region_province_counts.region
    group by
        province_values.region,
        province_values.period,
        province_values.indicator_code,
        province_values.peer_scope

),

scored as (

    select
        ranked.*,
        case when ranked.direction <> 'neutral' then ranked.oriented_rank end as peer_rank,
        case
            when ranked.peer_count < 2 then null
            when ranked.direction = 'neutral'
                then cast(ranked.ascending_rank - 1 as double precision) / (ranked.peer_count - 1)
            else cast(ranked.peer_count - ranked.oriented_rank as double precision)
                / (ranked.peer_count - 1)
        end as percentile,
        case
            when ranked.direction = 'neutral' or ranked.peer_max = ranked.peer_min then null
            when ranked.direction = 'higher_is_better'
                then 100 * ((ranked.value - ranked.peer_min) / (ranked.peer_max - ranked.peer_min))
            else 100 * ((ranked.peer_max - ranked.value) / (ranked.peer_max - ranked.peer_min))
        end as score_0_100
    from ranked

),

final as (

    select
        cast(scored.area_code as varchar) as area_code,
        cast(scored.area_level as varchar) as area_level,
        cast(scored.period as date) as period,
        cast(scored.dimension as varchar) as dimension,
        cast(scored.indicator_code as varchar) as indicator_code,
        cast(scored.population_scope as varchar) as population_scope,
        cast(scored.value as double precision) as value,
        cast(scored.direction as varchar) as direction,
        cast(scored.peer_group as varchar) as peer_group,
        cast(scored.peer_group_key as varchar) as peer_group_key,
        cast(scored.peer_group_label as varchar) as peer_group_label,
        cast(scored.peer_count as integer) as peer_count,
        cast(scored.peer_rank as integer) as rank,
        cast(scored.percentile as double precision) as percentile,
        cast(scored.score_0_100 as double precision) as score_0_100,
        cast(national_values.national_value as double precision) as national_value,
        cast(region_values.region_value as double precision) as region_value,
        cast(scored.is_modelled as boolean) as is_modelled,
        cast(scored.quality_status as varchar) as quality_status
    from scored
    left join national_values
        on
            scored.period = national_values.period
            and scored.indicator_code = national_values.indicator_code
            and scored.peer_scope = national_values.peer_scope
    left join region_values
        on
            scored.region = region_values.region
            and scored.period = region_values.period
            and scored.indicator_code = region_values.indicator_code
            and scored.peer_scope = region_values.peer_scope

)

select * from final
