"""``python -m warehouse.outputs [all|site|exports|where]``: (re)build the outputs of the
current release (``make site``, ``make exports``) or say where they are."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from warehouse import outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse.outputs")
    parser.add_argument(
        "what", choices=["all", "site", "exports", "where"], nargs="?", default="all"
    )
    parser.add_argument("--no-dbt-docs", action="store_true", help="leave out the dbt docs")
    args = parser.parse_args(argv)
    if args.what == "where":
        print(outputs.where())
        return 0
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # progress lines
    summary = outputs.write_release_outputs(
        exports=args.what in {"all", "exports"},
        site=args.what in {"all", "site"},
        dbt_docs=not args.no_dbt_docs,
    )
    print(json.dumps(summary, indent=2, default=str))
    print(outputs.where())
    return 0


if __name__ == "__main__":
    sys.exit(main())
