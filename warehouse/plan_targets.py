"""Plan targets: a province's (or any area's) master-plan KPIs, read from a YAML file.

    targets:
      - area_code: "91"            # any area level, target areas included
        indicator_code: road_deaths_per_100k
        baseline_period: "2020-12"
        target_value: 10.0
        target_period: "2027-12"
        source: "Satun smart city master plan, KPI 2.3"

The file is ``$SMARTCITY_PLAN_TARGETS``, else ``plan_targets.yml`` in the data directory;
an absent or empty file means no local targets (the national policy targets of the
``national_targets`` seed still apply). The file is validated in the plan step, before
any request: an unknown area or indicator, a period that is not ``YYYY-MM``, a target
period not after its baseline, a missing field or a repeated area and indicator is a
``PlanTargetsError`` naming the entry. The load step writes the entries to
``raw.plan_targets`` for ``marts.mart_plan_progress``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from extract import target_areas
from extract.errors import RunConfigError
from smartcity import settings

PLAN_TARGETS_ENV = settings.PLAN_TARGETS
FIELDS = (
    "area_code",
    "indicator_code",
    "baseline_period",
    "target_value",
    "target_period",
    "source",
)
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
RAW_COLUMNS = (
    "entry_number integer, area_code varchar, indicator_code varchar, baseline_period varchar, "
    "target_value double, target_period varchar, source varchar"
)


class PlanTargetsError(RunConfigError):
    """The plan targets file cannot be used (raised before any request)."""


@dataclass(frozen=True)
class PlanTarget:
    entry_number: int
    area_code: str
    indicator_code: str
    baseline_period: str
    target_value: float
    target_period: str
    source: str


def targets_path() -> Path:
    """The plan targets file: ``$SMARTCITY_PLAN_TARGETS``, else ``<data dir>/plan_targets.yml``."""
    return settings.plan_targets_file() or settings.data_dir() / settings.DEFAULT_PLAN_TARGETS_NAME


def _seed_codes(name: str, column: str) -> set[str]:
    path = settings.dbt_project_dir() / "seeds" / name
    if not path.exists():
        return set()
    with path.open(encoding="utf-8", newline="") as handle:
        return {row[column].strip() for row in csv.DictReader(handle) if row.get(column)}


def known_area_codes() -> set[str]:
    """Codes of every area in ``marts.dim_area``: 'TH', the area reference seeds
    (``ref_*.csv`` with an ``area_code`` column: provinces, districts, sub-districts,
    municipalities and any further level added to the reference) and the target areas of
    the target-area file (``SMARTCITY_TARGET_AREAS``, validated by ``extract.target_areas``)."""
    codes = {"TH"}
    for path in sorted((settings.dbt_project_dir() / "seeds").glob("ref_*.csv")):
        codes |= _seed_codes(path.name, "area_code")
    codes |= {area.code for area in target_areas.load()}
    return codes


def known_indicator_codes() -> set[str]:
    return _seed_codes("indicator_catalogue.csv", "indicator_code")


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | str):
        text = str(value).strip()
        return text or None
    return None


def _entry_error(path: Path, number: int, entry: Any, problem: str) -> PlanTargetsError:
    label = ""
    if isinstance(entry, dict):
        label = f" (area_code {entry.get('area_code')!r}, indicator_code {entry.get('indicator_code')!r})"
    return PlanTargetsError(f"plan targets file {path}: entry {number}{label}: {problem}")


def parse_targets(
    document: Any,
    path: Path,
    *,
    area_codes: set[str] | None = None,
    indicator_codes: set[str] | None = None,
) -> list[PlanTarget]:
    """Validated targets of a parsed YAML document (``None`` = an empty file)."""
    if document is None:
        return []
    if not isinstance(document, dict) or set(document) - {"targets"}:
        raise PlanTargetsError(
            f"plan targets file {path}: expected a mapping with one key 'targets', "
            f"got {type(document).__name__}"
            + (f" with keys {sorted(map(str, document))}" if isinstance(document, dict) else "")
        )
    entries = document.get("targets")
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise PlanTargetsError(f"plan targets file {path}: 'targets' must be a list")
    areas = known_area_codes() if area_codes is None else area_codes
    indicators = known_indicator_codes() if indicator_codes is None else indicator_codes
    targets: list[PlanTarget] = []
    seen: dict[tuple[str, str], int] = {}
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise _entry_error(
                path, number, entry, "an entry must be a mapping of the fields " + ", ".join(FIELDS)
            )
        missing = [field for field in FIELDS if entry.get(field) is None or entry.get(field) == ""]
        if missing:
            raise _entry_error(path, number, entry, f"missing field(s) {', '.join(missing)}")
        unknown = sorted(set(map(str, entry)) - set(FIELDS))
        if unknown:
            raise _entry_error(path, number, entry, f"unknown field(s) {', '.join(unknown)}")
        area_code = _text(entry["area_code"])
        if area_code not in areas:
            raise _entry_error(
                path, number, entry, f"unknown area_code {entry['area_code']!r} (not in dim_area)"
            )
        indicator_code = _text(entry["indicator_code"])
        if indicator_code not in indicators:
            raise _entry_error(
                path,
                number,
                entry,
                f"unknown indicator_code {entry['indicator_code']!r} (not in the indicator catalogue)",
            )
        periods = {}
        for field in ("baseline_period", "target_period"):
            text = _text(entry[field])
            if text is None or not _PERIOD.match(text):
                raise _entry_error(
                    path, number, entry, f"{field} {entry[field]!r} is not a 'YYYY-MM' month"
                )
            if int(text[:4]) > 2400:
                raise _entry_error(
                    path,
                    number,
                    entry,
                    f"{field} {text} looks like a Buddhist Era year: give the Gregorian 'YYYY-MM'",
                )
            periods[field] = text
        if periods["target_period"] <= periods["baseline_period"]:
            raise _entry_error(
                path,
                number,
                entry,
                f"target_period {periods['target_period']} is not after baseline_period {periods['baseline_period']}",
            )
        value = entry["target_value"]
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise _entry_error(path, number, entry, f"target_value {value!r} is not a number")
        source = _text(entry["source"])
        if source is None:
            raise _entry_error(path, number, entry, f"source {entry['source']!r} is not text")
        key = (area_code, indicator_code)
        if key in seen:
            raise _entry_error(
                path, number, entry, f"repeats the area and indicator of entry {seen[key]}"
            )
        seen[key] = number
        targets.append(
            PlanTarget(
                number,
                area_code,
                indicator_code,
                periods["baseline_period"],
                float(value),
                periods["target_period"],
                source,
            )  # fmt: skip
        )
    return targets


def load_targets(path: Path | None = None) -> list[PlanTarget]:
    """The validated targets of the file (``targets_path()`` by default); ``[]`` when absent."""
    path = path or targets_path()
    if not path.exists():
        if settings.plan_targets_file() is not None:
            raise PlanTargetsError(f"plan targets file {path} ({PLAN_TARGETS_ENV}) does not exist")
        return []
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PlanTargetsError(f"plan targets file {path}: cannot be read as YAML: {exc}") from exc
    return parse_targets(document, path)


def write_raw(con: Any, targets: list[PlanTarget]) -> int:
    """``raw.plan_targets`` in a build file (a DuckDB connection); returns the rows written."""
    con.execute(f"create table raw.plan_targets ({RAW_COLUMNS})")
    if targets:
        rows = [tuple(asdict(t).values()) for t in targets]
        con.executemany("insert into raw.plan_targets values (?, ?, ?, ?, ?, ?, ?)", rows)
    return len(targets)
