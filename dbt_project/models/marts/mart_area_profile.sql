-- Everything the warehouse knows about one area and month, in one row: the area's
-- level and names, then every indicator of the indicator_catalogue seed as a column
-- (grouped by dimension, in the catalogue's units; null where there is no value).
-- population_period: the population month the per-person indicators divide by.
-- is_modelled: any value of the row is modelled; quality_status: the most severe status
-- of the row's values (quality_statuses seed).

{%- set indicators = [
    'population_total',
    'sex_ratio',
    'crude_birth_rate',
    'crude_death_rate',
    'natural_increase',
    'net_migration_rate',
    'share_60_plus',
    'share_65_plus',
    'share_80_plus',
    'old_age_dependency_ratio',
    'total_dependency_ratio',
    'ageing_index',
    'pop_50_59',
    'pre_elderly_per_100_elderly',
    'population_density',
    'persons_per_household',
    'municipal_population_share',
    'vehicles_registered',
    'vehicles_per_1000_people',
    'bev_share_of_fleet',
    'electrified_share_of_fleet',
    'road_deaths_per_100k',
    'motorcycle_share_of_fleet',
    'passenger_car_share_of_fleet',
    'buses_registered',
    'trucks_registered',
    'new_vehicle_registrations',
    'new_motorcycle_registrations',
    'new_passenger_car_registrations',
    'new_vehicle_registrations_change_yoy',
    'electricity_kwh_per_person',
    'electricity_kwh_per_household',
    'electricity_kwh_growth_yoy',
    'diesel_share_of_fleet',
    'co2_from_electricity_tonnes_per_person',
    'industrial_waste_tonnes_per_1000_people',
    'industrial_waste_tonnes_per_km2',
    'hazardous_waste_share',
    'industrial_waste_change_yoy',
    'household_income_monthly_baht',
    'data_coverage_share',
    'data_freshness_days',
] %}

with

area_indicators as (

    select * from {{ ref('int_area_indicators_described') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

quality_statuses as (

    select * from {{ ref('quality_statuses') }}

),

pivoted as (

    select
        area_code,
        period,
        {% for indicator_code in indicators %}
            max(
                case when indicator_code = '{{ indicator_code }}' then value end
            ) as {{ indicator_code }},
        {% endfor %}
        max(population_period) as population_period,
        bool_or(is_modelled) as is_modelled,
        max(quality_rank) as quality_rank
    from area_indicators
    group by area_code, period

),

final as (

    select
        cast(pivoted.area_code as varchar) as area_code,
        cast(pivoted.period as date) as period,
        cast(areas.area_level as varchar) as area_level,
        cast(areas.name_th as varchar) as name_th,
        cast(areas.name_en as varchar) as name_en,
        {% for indicator_code in indicators %}
            cast(pivoted.{{ indicator_code }} as double precision) as {{ indicator_code }},
        {% endfor %}
        cast(pivoted.population_period as date) as population_period,
        cast(pivoted.is_modelled as boolean) as is_modelled,
        cast(quality_statuses.quality_status as varchar) as quality_status
    from pivoted
    left join areas
        on pivoted.area_code = areas.area_code
    left join quality_statuses
        on pivoted.quality_rank = quality_statuses.severity_rank

)

select * from final
