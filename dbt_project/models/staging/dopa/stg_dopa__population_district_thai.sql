-- DOPA population by single year of age, Thai nationals by district and registration
-- office (macros/models/stg_dopa_population.sql).

{{ stg_dopa_population('dopa_population_district_thai', with_registration_office=true) }}
