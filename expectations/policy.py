"""The quality policy: for each class of rule, whether a failure blocks the release.

The table lives once, in ``dbt_project/dbt_project.yml`` (``vars.quality_severity``),
because dbt's data tests read their severity from it (``error`` = blocking, ``warn`` =
warning); the quality gate reads the same table here, so a rule class has one severity
whichever engine checks it. ``docs/quality.md`` lists the classes and what checks them.

Row-level rules (keys, accepted values, ranges, sums and consistency within a row) are
dbt data tests only. The gate keeps what dbt cannot see well: marts present, requested
slices present, change against the previous release, reconciliation across area levels
and classes, plausibility of whole distributions.
"""

from __future__ import annotations

import functools

import yaml

from smartcity.settings import dbt_project_dir

BLOCKING = "blocking"
WARNING = "warning"
SEVERITIES = (BLOCKING, WARNING)
# dbt's severity of a data test -> the gate's
FROM_DBT = {"error": BLOCKING, "warn": WARNING}

# rule classes checked by dbt data tests (the rest are the gate's)
DBT_CLASSES = ("key", "accepted_values", "range", "row_sum", "row_consistency", "optional_value")


@functools.cache
def dbt_severities() -> dict[str, str]:
    """rule class -> ``error`` | ``warn``, as dbt_project.yml declares it."""
    project = yaml.safe_load((dbt_project_dir() / "dbt_project.yml").read_text(encoding="utf-8"))
    table = project["vars"]["quality_severity"]
    unknown = {c: s for c, s in table.items() if s not in FROM_DBT}
    if unknown:
        raise ValueError(f"dbt_project.yml quality_severity: unknown severity {unknown}")
    return dict(table)


def severity(rule_class: str) -> str:
    """``blocking`` or ``warning`` for a rule class of the policy."""
    try:
        return FROM_DBT[dbt_severities()[rule_class]]
    except KeyError:
        raise KeyError(f"rule class {rule_class!r} is not in the quality policy") from None
