"""Small command line helpers for `make run`: validate a run configuration, summarise a release."""

from __future__ import annotations

import argparse
import json
import sys

from extract.errors import RunConfigError
from warehouse import refresh
from warehouse.targets import target_from_settings

EXAMPLE_QUERY = """select a.area_code, d.name_en, a.period, a.population_total, a.share_60_plus, a.ageing_stage
from marts.mart_area_ageing a join marts.dim_area d using (area_code)
where d.area_level = 'province' order by a.period desc, a.share_60_plus desc limit 5"""


def check_conf(text: str) -> int:
    try:
        conf = json.loads(text or "{}")
        if not isinstance(conf, dict):
            raise RunConfigError(f"run configuration must be a JSON object, got {text!r}")
        slices = refresh.plan(conf)
    except (json.JSONDecodeError, RunConfigError) as exc:
        print(f"Bad run configuration: {exc}", file=sys.stderr)
        return 2
    print(f"Run configuration OK: {len(slices)} slices to extract")
    return 0


def summary() -> int:
    target = target_from_settings()
    release = target.summary(EXAMPLE_QUERY)
    if release is None:
        print(f"No published warehouse at {target.describe()}", file=sys.stderr)
        return 1
    if release.last_run and release.last_run[0][0] != release.run_id:
        statuses = ", ".join(f"{n} {status}" for _, status, n in release.last_run)
        print(f"\nLast run {release.last_run[0][0]}: {statuses} - nothing changed, no new release.")
    print(f"\nPublished warehouse: {release.location}")
    print(
        f"Release {release.release_id} (run {release.run_id}, "
        f"{release.published_at:%Y-%m-%d %H:%M:%S %Z})"
    )
    for table, rows in release.mart_rows:
        print(f"  marts.{table}: {rows} rows")
    print(f"\nExample query ({release.example_hint}):\n{EXAMPLE_QUERY};")
    for row in release.example_rows:
        print("  ", row)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check-conf").add_argument("conf", nargs="?", default="{}")
    sub.add_parser("summary")
    args = parser.parse_args(argv)
    return check_conf(args.conf) if args.command == "check-conf" else summary()


if __name__ == "__main__":
    sys.exit(main())
