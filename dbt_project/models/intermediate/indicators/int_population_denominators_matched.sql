-- The population each per-person indicator divides by: for every area and month that
-- has vehicles, electricity or road deaths, the population_total of the same area and
-- month when DOPA has it, else of the nearest month (on a tie, the later one). The
-- country 'TH' only takes a month whose population covers every province of
-- ref_provinces; a partial country sum is never used as a denominator.
-- population_period records the month used (macros/models/population_denominators_matched.sql:
-- the industrial-waste indicators take the same match restricted to December).

-- A table: the vehicle, electricity and road-death indicators all read it.

{{ config(materialized='table') }}

{{ population_denominators_matched([
    'int_vehicle_fleet_summarised',
    'int_electricity_consumption_summarised',
    'int_road_deaths_with_country',
]) }}
