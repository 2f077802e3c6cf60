"""The parser registry: catalogue ``parser:`` names -> the modules that parse them.

A parser module exposes ``SCHEMA`` (the landed table's pyarrow schema, contract of
``docs/architecture.md``), ``PARSER_VERSION`` (bumped when output for the same bytes
changes) and ``parse_table(body, ctx) -> pyarrow.Table`` for one slice. It raises
``ParseError`` for content that breaks the dataset's rules and ``NoDataYet`` when the
publisher has nothing for the slice yet. Adding a dataset of a new layout is one module
here plus a catalogue entry.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import json
from collections.abc import Iterable, Mapping, Sequence
from types import ModuleType
from typing import Any

import pyarrow as pa

from extract.catalogue import Feed, Source
from extract.errors import ParseError
from extract.run_config import Slice
from extract.thai import text as thai_text
from extract.thai.buddhist_era import period_end

REGISTRY: dict[str, str] = {
    "dopa_statpop": "extract.parsers.dopa_statpop",
    "dopa_statpop_office": "extract.parsers.dopa_statpop_office",
    "dlt_vehicles_by_fuel": "extract.parsers.dlt_vehicles",
    "rtddi_road_deaths": "extract.parsers.rtddi",
    "electricity_sales": "extract.parsers.electricity_sales",
    "nso_household_income": "extract.parsers.nso_income",
    "diw_industrial_waste": "extract.parsers.diw_industrial_waste",
    "dlt_new_registrations": "extract.parsers.dlt_new_registrations",
    "dopa_stat_yearly": "extract.parsers.dopa_stat_yearly",
    "dopa_age_yearly": "extract.parsers.dopa_age_yearly",
    "dopa_house": "extract.parsers.dopa_house",
    "dopa_vital_events": "extract.parsers.dopa_vital_events",
}
PROVENANCE_FIELDS: tuple[tuple[str, pa.DataType], ...] = (
    ("is_modelled", pa.bool_()),
    ("source_id", pa.string()),
    ("source_sha256", pa.string()),
)
# Row labels of total rows in Thai statistical tables (compared without spaces).
TOTAL_LABELS = frozenset(
    {"รวม", "รวมทั้งสิ้น", "รวมทั้งประเทศ", "ทั่วประเทศ", "ทั้งประเทศ", "ทั่วราชอาณาจักร", "total"}
)


@dataclasses.dataclass(frozen=True)
class Resource:
    """The file a CKAN package offers for a period (``as_at``: the date it is as at)."""

    name: str
    url: str
    format: str
    period: str
    as_at: dt.date
    # The portal's change signal: the resource's last_modified and size, the package's
    # metadata_modified (None when the portal does not give one).
    last_modified: str | None = None
    size: int | None = None
    package_modified: str | None = None


@dataclasses.dataclass(frozen=True)
class ParseContext:
    """What a parser knows about the slice besides the body."""

    source: Source
    feed: Feed
    slice: Slice
    sha256: str
    is_modelled: bool
    resource: Resource | None = None
    # The body already parsed as JSON by the client's body check (the same bytes, decoded
    # as UTF-8), or None: a JSON parser takes it instead of decoding the body again.
    document: Any = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def source_id(self) -> str:
        return self.source.id

    @property
    def as_at(self) -> dt.date:
        """The date the slice's figures are as at: the resource's, else the month end."""
        return self.resource.as_at if self.resource else period_end(self.slice.period)


def get(name: str) -> ModuleType:
    """The parser module registered under ``name``, checked for its interface."""
    if name not in REGISTRY:
        raise KeyError(f"no parser {name!r}; registered: {sorted(REGISTRY)}")
    module = importlib.import_module(REGISTRY[name])
    for attribute in ("SCHEMA", "PARSER_VERSION", "parse_table"):
        if not hasattr(module, attribute):
            raise TypeError(f"parser module {module.__name__} has no {attribute}")
    return module


def schema_of(source: Source) -> pa.Schema:
    return get(source.parser).SCHEMA


def with_provenance(
    schema: pa.Schema, columns: Mapping[str, Sequence[Any] | pa.Array], ctx: ParseContext
) -> pa.Table:
    """The landed table: the parser's columns plus ``is_modelled``/``source_id``/``source_sha256``."""
    n = len(next(iter(columns.values()))) if columns else 0
    provenance = {
        name: pa.repeat(pa.scalar(value, schema.field(name).type), n)
        for name, value in (
            ("is_modelled", ctx.is_modelled),
            ("source_id", ctx.source.id),
            ("source_sha256", ctx.sha256),
        )
    }
    return pa.table({**columns, **provenance}, schema=schema)


def json_records(body: bytes, source_id: str, part: str) -> list[dict]:
    """The JSON array of objects a statpop-style API answers (one ``part`` of a slice)."""
    text = thai_text.decode(body, source_id=source_id)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(source_id, part, "body", text[:60], f"is not JSON ({exc.msg})") from None
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ParseError(
            source_id, part, "body", type(data).__name__, "is not a JSON array of objects"
        )
    return data


def header_key(value: object) -> str:
    """A header cell compared without case, spaces or a trailing colon."""
    return thai_text.clean(value).casefold().replace(" ", "").rstrip(":")


def is_total_label(value: object) -> bool:
    return header_key(value) in TOTAL_LABELS


def match_columns(
    header: Iterable[object],
    aliases: Mapping[str, Iterable[str]],
    *,
    required: Iterable[str],
    source_id: str,
    ignored: Iterable[str] = (),
) -> dict[str, int]:
    """Field -> column index from a header row; any unknown, missing or repeated column
    is a ``ParseError`` naming it, so a layout change stops the run instead of shifting data."""
    lookup = {header_key(alias): field for field, names in aliases.items() for alias in names}
    skip = {header_key(name) for name in ignored}
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = header_key(cell)
        if not key or key in skip:
            continue
        field = lookup.get(key)
        if field is None:
            raise ParseError(
                source_id, thai_text.clean(cell), "header", cell, "is not a known column"
            )
        if field in found:
            raise ParseError(
                source_id, thai_text.clean(cell), "header", cell, f"repeats the {field} column"
            )
        found[field] = index
    for field in required:
        if field not in found:
            names = " / ".join(aliases[field])
            raise ParseError(
                source_id, field, "header", None, f"is missing (expected a column {names})"
            )
    return found


def cell(row: list[Any], index: int | None) -> Any:
    return row[index] if index is not None and index < len(row) else None
