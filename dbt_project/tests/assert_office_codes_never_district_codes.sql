-- A municipal registration-office code (4 digits) is never also a district code, so
-- dim_area.area_code stays unique across the district and municipality levels.

select
    ref_municipalities.area_code
from {{ ref('ref_municipalities') }} as ref_municipalities
inner join {{ ref('ref_districts') }} as ref_districts
    on ref_municipalities.area_code = ref_districts.area_code
