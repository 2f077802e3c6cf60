"""DOPA registration offices (``rcode``) and the districts they lie in.

Office-sliced sources (statpop action 24) are fetched per office; the landed rows carry
the district. The table (``extract/reference/dopa_registration_offices.csv``) is built
from a real DOPA answer by ``python -m devtools.reference.build_registration_offices``;
provinces it does not cover have no office slices.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
from pathlib import Path

OFFICES_PATH = Path(__file__).with_name("dopa_registration_offices.csv")


@dataclasses.dataclass(frozen=True)
class Office:
    rcode: str
    province: str
    district: str
    kind: str  # district | municipal
    name_th: str


@functools.cache
def _offices(path: Path = OFFICES_PATH) -> dict[str, Office]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["registration_office"]: Office(
                rcode=row["registration_office"],
                province=row["province_code"],
                district=row["district_code"],
                kind=row["office_kind"],
                name_th=row["office_name_th"],
            )
            for row in csv.DictReader(handle)
        }


def offices_of(province: str) -> tuple[str, ...]:
    """The registration offices of a province (empty when the table does not cover it)."""
    return tuple(sorted(o.rcode for o in _offices().values() if o.province == province))


def provinces_covered() -> tuple[str, ...]:
    return tuple(sorted({o.province for o in _offices().values()}))


def district_of(rcode: str) -> str:
    """The 4-digit district code an office lies in; ``KeyError`` for an unknown office."""
    return _offices()[rcode].district
