"""The indicator catalogue, read from the dbt seed that defines every indicator once
(``dbt_project/seeds/indicator_catalogue.csv``).

The gate derives from it the columns of the wide marts (``mart_dimension_<dimension>``,
``mart_area_profile``) and the range each indicator's values must lie in, from its unit.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import math
from pathlib import Path

from smartcity.settings import dbt_project_dir

DIMENSIONS = ("environment", "economy", "mobility", "energy", "people", "living", "governance")


@dataclasses.dataclass(frozen=True)
class Indicator:
    code: str
    dimension: str
    unit: str

    @property
    def value_range(self) -> tuple[float | None, float | None]:
        """(min, max) a value must lie in, from the unit; None for an open bound.

        A ``fraction`` is a share in [0, 1]; a ``fractional change`` is at least -1; a
        number of ``days`` (between two dates) and a ``net ...`` quantity (births minus
        deaths, moves in minus moves out) may have either sign; every other unit
        (persons, vehicles, kWh, baht, rates) is a non-negative quantity.
        """
        if self.unit == "fraction":
            return 0.0, 1.0
        if self.unit.startswith("fractional change"):
            return -1.0, None
        if self.unit == "days" or self.unit.startswith("net "):
            return None, None
        return 0.0, None

    @property
    def is_share(self) -> bool:
        return self.value_range == (0.0, 1.0)


def catalogue_path() -> Path:
    return dbt_project_dir() / "seeds" / "indicator_catalogue.csv"


@functools.cache
def indicators(path: Path | None = None) -> tuple[Indicator, ...]:
    """Every catalogued indicator, in the file's order."""
    path = path or catalogue_path()
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [
            Indicator(row["indicator_code"], row["dimension"], row["unit"])
            for row in csv.DictReader(handle)
        ]
    unknown = sorted({r.dimension for r in rows} - set(DIMENSIONS))
    if unknown:
        raise ValueError(f"{path}: unknown dimension(s) {', '.join(unknown)}")
    return tuple(rows)


def of_dimension(dimension: str) -> tuple[Indicator, ...]:
    return tuple(i for i in indicators() if i.dimension == dimension)


def bounds_text(indicator: Indicator) -> str:
    low, high = indicator.value_range
    if low is not None and high is not None:
        return f"in [{low:g}, {high:g}]"
    if low is not None:
        return f">= {low:g}"
    if high is not None and not math.isinf(high):
        return f"<= {high:g}"
    return "any value"
