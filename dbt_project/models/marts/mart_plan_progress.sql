-- Progress towards every plan target (int_plan_targets_combined): one row per area and
-- indicator with a target.
-- - baseline_value: the indicator's value at baseline_period; latest_value: its value
--   at the latest period with one (latest_period).
-- - progress_share = (latest - baseline) / (target - baseline); null when target =
--   baseline, a value is missing or the latest value is not after the baseline.
-- - required_annual_change = (target - baseline) / years from baseline to target;
--   actual_annual_change = (latest - baseline) / years from baseline to latest (years =
--   months / 12); null when latest is not after the baseline.
-- - status, the first that applies:
--   no_data    no baseline value, no latest value, or no value after the baseline;
--   achieved   the latest value has reached the target (at or beyond it, seen from the
--              baseline; where target = baseline: no worse by the catalogue's
--              direction, or equal for a neutral indicator);
--   on_track   progress_share >= the share of the planned time elapsed (years from
--              baseline to latest / years from baseline to target, at most 1), i.e.
--              the actual pace is at least the required pace;
--   off_track  otherwise (too slow, or moving away from the target).
-- - u4ssc_band, the four bands of ITU's U4SSC KPIs on progress_share: 1 below 33 %
--   (including negative progress), 2 from 33 % to below 66 %, 3 from 66 % to below
--   95 %, 4 from 95 %; null when progress_share is.
-- - baseline_is_modelled / latest_is_modelled: the value is computed from modelled
--   figures (e.g. the bundled snapshot's modelled population).

with

targets as (

    select * from {{ ref('int_plan_targets_combined') }}

),

area_indicators as (

    select * from {{ ref('int_area_indicators_described') }}

),

indicator_catalogue as (

    select * from {{ ref('indicator_catalogue') }}

),

latest_ranked as (

    select
        area_code,
        indicator_code,
        period,
        value,
        is_modelled,
        quality_status,
        row_number() over (
            partition by area_code, indicator_code
            order by period desc
        ) as recency_rank
    from area_indicators

),

latest as (

    select * from latest_ranked
    where recency_rank = 1

),

joined as (

    select
        targets.area_code,
        targets.indicator_code,
        indicator_catalogue.unit,
        indicator_catalogue.direction,
        targets.baseline_period,
        baseline.value as baseline_value,
        baseline.is_modelled as baseline_is_modelled,
        targets.target_period,
        targets.target_value,
        latest.period as latest_period,
        latest.value as latest_value,
        latest.is_modelled as latest_is_modelled,
        latest.quality_status as latest_quality_status,
        targets.source,
        targets.target_origin,
        (
            (
                extract(year from targets.target_period) * 12
                + extract(month from targets.target_period)
            )
            - (
                extract(year from targets.baseline_period) * 12
                + extract(month from targets.baseline_period)
            )
        ) / 12.0 as planned_years,
        (
            (extract(year from latest.period) * 12 + extract(month from latest.period))
            - (
                extract(year from targets.baseline_period) * 12
                + extract(month from targets.baseline_period)
            )
        ) / 12.0 as elapsed_years
    from targets
    left join indicator_catalogue
        on targets.indicator_code = indicator_catalogue.indicator_code
    left join area_indicators as baseline
        on
            targets.area_code = baseline.area_code
            and targets.indicator_code = baseline.indicator_code
            and targets.baseline_period = baseline.period
    left join latest
        on
            targets.area_code = latest.area_code
            and targets.indicator_code = latest.indicator_code

),

measured as (

    select
        *,
        case
            when target_value <> baseline_value and elapsed_years > 0
                then (latest_value - baseline_value) / (target_value - baseline_value)
        end as progress_share,
        (target_value - baseline_value) / nullif(planned_years, 0) as required_annual_change,
        case
            when elapsed_years > 0 then (latest_value - baseline_value) / elapsed_years
        end as actual_annual_change,
        case
            when elapsed_years >= planned_years then 1.0
            else elapsed_years / nullif(planned_years, 0)
        end as elapsed_share
    from joined

),

assessed as (

    select
        *,
        case
            when baseline_value is null or latest_value is null or elapsed_years <= 0
                then 'no_data'
            when target_value > baseline_value and latest_value >= target_value then 'achieved'
            when target_value < baseline_value and latest_value <= target_value then 'achieved'
            when
                target_value = baseline_value
                and (
                    (direction = 'higher_is_better' and latest_value >= target_value)
                    or (direction = 'lower_is_better' and latest_value <= target_value)
                    or latest_value = target_value
                )
                then 'achieved'
            when progress_share >= elapsed_share then 'on_track'
            else 'off_track'
        end as status,
        case
            when progress_share is null then null
            when progress_share < 0.33 then 1
            when progress_share < 0.66 then 2
            when progress_share < 0.95 then 3
            else 4
        end as u4ssc_band
    from measured

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast(indicator_code as varchar) as indicator_code,
        cast(unit as varchar) as unit,
        cast(direction as varchar) as direction,
        cast(baseline_period as date) as baseline_period,
        cast(baseline_value as double precision) as baseline_value,
        cast(baseline_is_modelled as boolean) as baseline_is_modelled,
        cast(target_period as date) as target_period,
        cast(target_value as double precision) as target_value,
        cast(latest_period as date) as latest_period,
        cast(latest_value as double precision) as latest_value,
        cast(latest_is_modelled as boolean) as latest_is_modelled,
        cast(latest_quality_status as varchar) as latest_quality_status,
        cast(progress_share as double precision) as progress_share,
        cast(required_annual_change as double precision) as required_annual_change,
        cast(actual_annual_change as double precision) as actual_annual_change,
        cast(elapsed_share as double precision) as elapsed_share,
        cast(status as varchar) as status,
        cast(u4ssc_band as integer) as u4ssc_band,
        cast(source as varchar) as source,  -- noqa: RF04
        cast(target_origin as varchar) as target_origin
    from assessed

)

select * from final
