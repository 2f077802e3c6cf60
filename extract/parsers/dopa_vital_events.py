"""Parser for DOPA's registered vital events (stattranall API, action 191): births,
deaths, moves in and moves out of a province in a year.

One slice is a province and year-end, four answers (parts ``births``, ``deaths``,
``moves_in``, ``moves_out``), each a JSON array of rows that are summed. Births rows carry
``lssumtotalBoy``, ``lssumtotalGirl``, ``lssumtotalAll``; the others ``lssumtotMale``,
``lssumtotFemale``, ``lssumtotTot``. Counts may be numbers or digit strings; male +
female must equal the total on every row. Every part empty means no data yet.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from extract.errors import NoDataYet, ParseError
from extract.parsers import PROVENANCE_FIELDS, ParseContext, json_records, with_provenance
from extract.thai import text as thai_text
from extract.thai.buddhist_era import period_end

PARSER_VERSION = "dopa_vital_events/1"
EVENTS = {
    "births": ("lssumtotalBoy", "lssumtotalGirl", "lssumtotalAll"),
    "deaths": ("lssumtotMale", "lssumtotFemale", "lssumtotTot"),
    "moves_in": ("lssumtotMale", "lssumtotFemale", "lssumtotTot"),
    "moves_out": ("lssumtotMale", "lssumtotFemale", "lssumtotTot"),
}
SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("period", pa.date32()),
        ("event", pa.string()),
        ("male", pa.int64()),
        ("female", pa.int64()),
        ("total", pa.int64()),
        ("source_rows", pa.int32()),
        *PROVENANCE_FIELDS,
    ]
)


def parse_parts(parts: Mapping[str, bytes], ctx: ParseContext) -> pa.Table:
    source_id = ctx.source_id
    unknown = set(parts) - set(EVENTS)
    missing = set(EVENTS) - set(parts)
    if unknown or missing:
        name = sorted(unknown or missing)[0]
        raise ParseError(source_id, "part", name, name, "is not one of " + ", ".join(EVENTS))
    records = {event: json_records(parts[event], source_id, event) for event in EVENTS}
    if not any(records.values()):
        raise NoDataYet(f"{source_id}: no vital events for cc={ctx.slice.province} yet")
    columns: dict[str, list] = {
        name: [] for name in SCHEMA.names if name not in dict(PROVENANCE_FIELDS)
    }
    period = period_end(ctx.slice.period)
    for event, (male_field, female_field, total_field) in EVENTS.items():
        if not records[event]:
            raise ParseError(
                source_id, event, "body", "[]", "is empty while other events have rows"
            )
        sums = [0, 0, 0]
        for index, record in enumerate(records[event]):
            row = f"{event}[{index}]"
            values = [
                thai_text.parse_count(
                    record.get(f), source_id=source_id, field=f, row=row, allow_nil=False
                )
                for f in (male_field, female_field, total_field)
            ]
            if values[0] + values[1] != values[2]:
                raise ParseError(
                    source_id,
                    total_field,
                    row,
                    values[2],
                    f"is not male + female ({values[0]} + {values[1]})",
                )
            sums = [a + b for a, b in zip(sums, values, strict=True)]
        columns["area_code"].append(ctx.slice.province)
        columns["period"].append(period)
        columns["event"].append(event)
        columns["male"].append(sums[0])
        columns["female"].append(sums[1])
        columns["total"].append(sums[2])
        columns["source_rows"].append(len(records[event]))
    return with_provenance(SCHEMA, columns, ctx)


def parse_table(body: bytes, ctx: ParseContext) -> pa.Table:
    """A slice of this source is four answers: use ``parse_parts``."""
    raise TypeError(f"{ctx.source_id}: a vital-events slice is parsed with parse_parts")
