"""Build ``dopa_registration_offices.csv``: DOPA registration offices and their districts.

Statpop action 24 answers per registration office (``rcode``), not per district. The
real Satun recording lists each office with the district (``aa``) it lies in; municipal
offices (``rcode`` 9193-9199) lie inside a district and map to it.

    python -m devtools.reference.build_registration_offices [--real-dir DIR] [--out FILE]

Deterministic: the same input gives a byte-identical file.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REAL_DIR = REPO_ROOT / "devtools" / "snapshots" / "real"
DEFAULT_OUT = REPO_ROOT / "extract" / "reference" / "dopa_registration_offices.csv"
SATUN_FILE = "dopa_statpop_satun_6909_thai.json"
COLUMNS = ("province_code", "registration_office", "district_code", "office_kind", "office_name_th")


def office_rows(recording: dict) -> list[dict[str, str]]:
    rows = []
    for office in recording["offices"]:
        rcode = office["rcode"]
        districts = sorted(set(office["aa"]))
        if len(districts) != 1:
            raise ValueError(f"office {rcode} lies in {len(districts)} districts: {districts}")
        province = rcode[:2]
        rows.append(
            {
                "province_code": province,
                "registration_office": rcode,
                "district_code": f"{province}{int(districts[0]):02d}",
                # Offices xx01..xx92 are district offices; xx93..xx99 are municipal ones.
                "office_kind": "municipal" if int(rcode[2:]) >= 93 else "district",
                "office_name_th": office["name"],
            }
        )
    return sorted(rows, key=lambda row: row["registration_office"])


def render(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def build(real_dir: Path = DEFAULT_REAL_DIR, out: Path = DEFAULT_OUT) -> list[dict[str, str]]:
    recording = json.loads((real_dir / SATUN_FILE).read_text(encoding="utf-8"))
    rows = office_rows(recording)
    out.write_bytes(render(rows))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real-dir", type=Path, default=DEFAULT_REAL_DIR)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    rows = build(args.real_dir, args.out)
    print(f"wrote {len(rows)} registration offices to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
