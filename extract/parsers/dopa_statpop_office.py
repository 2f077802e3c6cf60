"""Parser for statpop action 24: one registration office, landed under its district.

The body is the action-23 shape (male and female rows of single ages). The landed
``area_code`` is the 4-digit district the office lies in (municipal offices map to
their district, see ``extract/reference/registration_offices.py``); ``registration_office`` keeps
the office, so a district is the sum of its offices' rows.
"""

from __future__ import annotations

import pyarrow as pa

from extract.errors import ParseError
from extract.landing import POPULATION_SCHEMA
from extract.parsers import ParseContext, dopa_statpop, with_provenance
from extract.reference import registration_offices
from extract.thai.buddhist_era import period_end

PARSER_VERSION = "dopa_statpop_office/1"
SCHEMA = POPULATION_SCHEMA.append(pa.field("registration_office", pa.string()))


def parse_table(body: bytes, ctx: ParseContext) -> pa.Table:
    office = ctx.slice.office or ""
    try:
        district = registration_offices.district_of(office)
    except KeyError:
        raise ParseError(
            ctx.source_id, "rcode", "-", office, "is not in the registration office table"
        ) from None
    period = period_end(ctx.slice.period)
    by_sex = dopa_statpop.parse_counts(
        body, source_id=ctx.source_id, area_code=district, period=period, document=ctx.document
    )
    columns = dopa_statpop.population_columns(district, period, by_sex, ctx.source.population_scope)
    rows = len(columns["area_code"])
    return with_provenance(SCHEMA, {**columns, "registration_office": [office] * rows}, ctx)
