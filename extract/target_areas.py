"""Smart-city target areas: the file a data engineer edits, its validation and its rows.

A target area is a set of whole administrative units (members): provinces, districts,
sub-districts or municipalities (by DOPA registration-office code). Counts are summed
over the members and ratios recomputed from the summed numerators and denominators, so
members must not overlap: a member inside another member is refused, as are unknown
codes, duplicate area codes and missing fields. The file is checked before any request
(``warehouse.refresh.plan``) and loaded by ``warehouse.load`` into ``raw.target_areas``
and ``raw.target_area_members``.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import re
from pathlib import Path
from typing import Any

import yaml

from extract.errors import RunConfigError
from smartcity import settings

DEFAULT_PATH = Path(__file__).resolve().parent / "reference" / "target_areas.yml"
BASES = ("administrative_unit", "approximate", "unmapped")
REQUIRED = ("code", "name_th", "name_en", "province", "membership_basis", "members", "source")
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")


class TargetAreaError(RunConfigError):
    """The target-area file is not valid; the message names the area and the field."""


def target_areas_path() -> Path:
    """The target-area file: ``SMARTCITY_TARGET_AREAS`` if set, else the shipped file."""
    return settings.target_areas_path()


@dataclasses.dataclass(frozen=True)
class Geography:
    """The codes a member may name, with each one's level and enclosing units."""

    level: dict[str, str]
    parents: dict[str, frozenset[str]]  # code -> every unit that contains it


def _rows(name: str) -> list[dict[str, str]]:
    seeds = settings.dbt_project_dir() / "seeds"
    with (seeds / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@functools.cache
def geography() -> Geography:
    level: dict[str, str] = {}
    parents: dict[str, set[str]] = {}
    for row in _rows("ref_provinces"):
        level[row["area_code"]] = "province"
        parents[row["area_code"]] = set()
    for row in _rows("ref_districts"):
        level[row["area_code"]] = "district"
        parents[row["area_code"]] = {row["province_code"]}
    for row in _rows("ref_municipalities"):
        level[row["area_code"]] = "municipality"
        parents[row["area_code"]] = {row["district_code"], row["province_code"]}
    for row in _rows("ref_subdistricts"):
        level[row["area_code"]] = "subdistrict"
        parents[row["area_code"]] = {row["district_code"], row["province_code"]}
    for row in _rows("ref_municipality_subdistricts"):
        if row["coverage"] == "complete":  # the whole sub-district lies in the municipality
            parents[row["subdistrict_code"]].add(row["municipality_code"])
    return Geography(level, {code: frozenset(p) for code, p in parents.items()})


@dataclasses.dataclass(frozen=True)
class TargetArea:
    code: str
    name_th: str
    name_en: str
    province: str | None
    membership_basis: str
    members: tuple[str, ...]
    note: str | None
    source: str


def _fail(area: str, field: str, problem: str, path: Path) -> TargetAreaError:
    return TargetAreaError(
        f"target areas file {path.name}: area {area!r}, field {field!r}: {problem}"
    )


def parse(document: Any, path: Path = DEFAULT_PATH) -> list[TargetArea]:
    """Validated target areas of a parsed YAML document, or ``TargetAreaError``."""
    geo = geography()
    if not isinstance(document, dict) or not isinstance(document.get("target_areas"), list):
        raise _fail("-", "target_areas", "the file must hold a list under 'target_areas'", path)
    areas: list[TargetArea] = []
    seen: set[str] = set()
    for position, item in enumerate(document["target_areas"], start=1):
        label = (
            str(item.get("code")) if isinstance(item, dict) and item.get("code") else f"#{position}"
        )
        if not isinstance(item, dict):
            raise _fail(label, "-", "each area must be a mapping", path)
        for field in REQUIRED:
            if field not in item or (item[field] in (None, "") and field != "province"):
                raise _fail(label, field, "missing", path)
        unknown_fields = set(item) - set(REQUIRED) - {"note"}
        if unknown_fields:
            raise _fail(label, sorted(unknown_fields)[0], "unknown field", path)
        code = str(item["code"])
        if not _CODE.match(code) or code in geo.level:
            raise _fail(
                label, "code", f"{code!r} must be letters and digits, not a DOPA code", path
            )
        if code in seen:
            raise _fail(label, "code", f"duplicate code {code!r}", path)
        seen.add(code)
        province = item["province"]
        if province is not None and geo.level.get(str(province)) != "province":
            raise _fail(label, "province", f"unknown province code {province!r}", path)
        basis = item["membership_basis"]
        if basis not in BASES:
            raise _fail(label, "membership_basis", f"{basis!r} is not one of {list(BASES)}", path)
        members = item["members"]
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise _fail(label, "members", "must be a list of DOPA codes as strings", path)
        note = item.get("note")
        if basis == "unmapped" and members:
            raise _fail(label, "members", "an unmapped area has no members", path)
        if basis != "unmapped" and not members:
            raise _fail(label, "members", "missing (or set membership_basis: unmapped)", path)
        if basis in ("approximate", "unmapped") and not note:
            raise _fail(label, "note", f"missing: a {basis} area says why", path)
        for member in members:
            if member not in geo.level:
                raise _fail(label, "members", f"unknown code {member!r}", path)
        if len(set(members)) != len(members):
            raise _fail(label, "members", "a code is listed twice", path)
        for member in members:
            inside = geo.parents[member] & set(members)
            if inside:
                raise _fail(
                    label, "members", f"{member!r} lies inside member {sorted(inside)[0]!r}", path
                )
        areas.append(
            TargetArea(
                code=code,
                name_th=str(item["name_th"]),
                name_en=str(item["name_en"]),
                province=None if province is None else str(province),
                membership_basis=basis,
                members=tuple(members),
                note=None if note is None else str(note),
                source=str(item["source"]),
            )
        )
    return areas


def load(path: Path | None = None) -> list[TargetArea]:
    """Read and validate the target-area file (``target_areas_path()`` by default)."""
    path = path or target_areas_path()
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TargetAreaError(
            f"target areas file {path}: cannot be read ({exc.strerror})"
        ) from None
    except yaml.YAMLError as exc:
        raise TargetAreaError(f"target areas file {path.name}: not valid YAML ({exc})") from None
    return parse(document, path)


def area_rows(areas: list[TargetArea]) -> list[dict[str, Any]]:
    return [
        {
            "target_area_code": a.code,
            "name_th": a.name_th,
            "name_en": a.name_en,
            "province_code": a.province,
            "membership_basis": a.membership_basis,
            "note": a.note,
            "source": a.source,
        }
        for a in areas
    ]


def member_rows(areas: list[TargetArea]) -> list[dict[str, Any]]:
    geo = geography()
    return [
        {
            "target_area_code": a.code,
            "member_code": member,
            "member_level": geo.level[member],
            "membership_basis": a.membership_basis,
        }
        for a in areas
        for member in a.members
    ]
