-- DOPA population by single year of age, Thai nationals (macros/models/stg_dopa_population.sql).

{{ stg_dopa_population('dopa_population_thai') }}
