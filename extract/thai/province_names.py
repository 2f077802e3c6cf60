"""Province names, as publishers write them, to DOPA two-digit codes.

The canonical names (Thai and English) and the province codes come from the reference seed
``dbt_project/seeds/ref_provinces.csv`` (under ``SMARTCITY_DBT_PROJECT_DIR``), read when
first needed; the variants the seed
does not hold (``ส่วนกลาง`` for Bangkok in DLT sheets, ``กทม.``, older romanisations) are
in ``extract/reference/province_name_variants.csv``, each with where it was seen.
Matching ignores case, spaces, dots and hyphens and the ``จังหวัด`` / ``จ.`` prefix, so
``Lop Buri`` / ``Lopburi`` and ``จังหวัดสตูล`` / ``สตูล`` need no entry of their own.
"""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

from extract.errors import ParseError
from extract.thai import text as thai_text
from smartcity import settings

VARIANTS_PATH = Path(__file__).resolve().parents[1] / "reference" / "province_name_variants.csv"
_PREFIX = re.compile(r"^(จังหวัด|จ\.|changwat\s+|province\s+of\s+)\s*")
_SUFFIX = re.compile(r"\s+province$")
_IGNORED = re.compile(r"[\s.\-'’_]")


def seed_path() -> Path:
    """The reference seed; the dbt project may live elsewhere (the container image)."""
    return settings.dbt_project_dir() / "seeds" / "ref_provinces.csv"


def name_key(name: object) -> str:
    """The form names are compared in: case, spacing, dots, hyphens and prefixes ignored."""
    text = thai_text.clean(name).casefold()
    text = _SUFFIX.sub("", _PREFIX.sub("", text))
    return _IGNORED.sub("", text)


@functools.cache
def _lookup(seed: Path, variants: Path) -> dict[str, str]:
    table: dict[str, str] = {}

    def add(name: str, code: str, where: Path) -> None:
        key = name_key(name)
        if not key:
            return
        if table.setdefault(key, code) != code:
            raise ValueError(f"{where.name}: {name!r} names both {table[key]} and {code}")

    with seed.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            for column in ("name_th", "name_en"):
                add(row[column], row["area_code"], seed)
    codes = set(table.values())
    with variants.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["area_code"] not in codes:
                raise ValueError(
                    f"{variants.name}: {row['name']!r} has unknown code {row['area_code']}"
                )
            add(row["name"], row["area_code"], variants)
    return table


@functools.cache
def _codes(seed: Path) -> tuple[str, ...]:
    with seed.open(encoding="utf-8-sig", newline="") as handle:
        codes = tuple(sorted(row["area_code"] for row in csv.DictReader(handle)))
    if not codes or len(set(codes)) != len(codes):
        raise ValueError(f"{seed}: expected distinct province codes, got {codes}")
    return codes


def province_codes() -> tuple[str, ...]:
    """The DOPA two-digit province codes of the reference seed, in code order (cached).

    The seed is the one list of provinces: the catalogue's ``default_provinces: all`` and
    the run configuration's ``provinces`` check are read from it, not written in code.
    """
    return _codes(seed_path())


def lookup_table() -> dict[str, str]:
    """Normalised name -> DOPA code, from the seed and the variants table (cached)."""
    return _lookup(seed_path(), VARIANTS_PATH)


def province_code(name: object, *, source_id: str, field: str, row: object = "-") -> str:
    """The DOPA code of a province name, or ``ParseError`` quoting the exact name."""
    code = lookup_table().get(name_key(name))
    if code is None:
        raise ParseError(source_id, field, row, name, "is not a known province name")
    return code
