-- DOPA population by single year of age, all nationalities (macros/models/stg_dopa_population.sql).

{{ stg_dopa_population('dopa_population') }}
