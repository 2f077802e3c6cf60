"""Build the DIW CKAN snapshot (``diw_ckan/``): package ``dataset_33_04`` and its DataStore.

The records are real: the 4,301 DataStore records of resource
``ec2d296d-4a55-466c-9b75-683fde4bbb80`` (industrial waste by province and month, DIW),
as a public repository dumped them to CSV (``real/diw_industrial_waste__dataset_33_04__ec2d296d.csv``).
They are re-serialised into the answer shape of CKAN's ``datastore_search`` (real
records, reconstructed answer shape): one JSON answer holding every record in ``_id``
order with the DataStore's field list; the mirror serves it in pages as CKAN does
(``limit`` default 100, ``offset``, ``_links``). Every value stays the text it was in
the dump (thousands separators, decimals and duplicates included); ``_id`` is an
integer as the DataStore gives it. The ``package_show`` answer is reconstructed around
the real package and resource ids; its dates are stand-ins.

    python -m devtools.snapshots.build_diw_snapshot [--real-dir DIR] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from devtools.snapshots.ckan_snapshot import JSON_TYPE, SnapshotFolder, http_date
from extract.http.ckan import records_body

SNAPSHOTS_DIR = Path(__file__).resolve().parent
DEFAULT_REAL_DIR = SNAPSHOTS_DIR / "real"
DEFAULT_OUT_DIR = SNAPSHOTS_DIR / "diw_ckan"
REAL_FILE = "diw_industrial_waste__dataset_33_04__ec2d296d.csv"
REAL_BASE_URL = "https://gdcatalog.diw.go.th"  # unconfirmed (catalogue: verified false)
LICENCE = "DGA Open Government License (Thailand) (not stated with the records)"
PACKAGE_NAME = "dataset_33_04"
RESOURCE_ID = "ec2d296d-4a55-466c-9b75-683fde4bbb80"
DATASTORE_SEARCH_PATH = "/api/3/action/datastore_search"
DATASTORE_FILE = f"datastore_search_{RESOURCE_ID}.json"
# Published after the last month of the records (Jul 2568 BE = 2025-07): a stand-in.
PUBLISHED = dt.datetime(2025, 8, 15, tzinfo=dt.UTC)
# The DataStore's own row id is an integer; the other columns are kept as the text of
# the dump (the values carry thousands separators, so they are text in the DataStore).
FIELD_TYPES = {"_id": "int"}
METHOD_RECORDS = (
    "Real records, reconstructed answer shape: every record of real/" + REAL_FILE + " "
    "(the DataStore records of resource " + RESOURCE_ID + " dumped to CSV by a public "
    "repository) in CKAN's datastore_search answer, in _id order, values as published "
    "(text, thousands separators and the duplicated June 2566 records included). The "
    "mirror pages it with limit/offset as CKAN does."
)
METHOD_PACKAGE = (
    "Reconstructed CKAN package_show answer: the package name and the DataStore resource "
    "id are the real ones; titles, dates and the other metadata are stand-ins."
)


@dataclasses.dataclass(frozen=True)
class RealRecords:
    columns: list[str]
    records: list[dict[str, Any]]


def read_records(real_dir: Path) -> RealRecords:
    text = (real_dir / REAL_FILE).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    columns = list(reader.fieldnames or [])
    records = []
    for row in reader:
        record: dict[str, Any] = dict(row)
        record["_id"] = int(record["_id"])
        records.append(record)
    records.sort(key=lambda r: r["_id"])
    return RealRecords(columns, records)


def datastore_body(real: RealRecords) -> bytes:
    """The whole resource as one ``datastore_search`` answer (``limit`` = ``total``)."""
    fields = [{"id": "_id", "type": "int"}] + [
        {"id": name, "type": FIELD_TYPES.get(name, "text")}
        for name in real.columns
        if name != "_id"
    ]
    total = len(real.records)
    answer = {
        "help": f"{REAL_BASE_URL}/api/3/action/help_show?name=datastore_search",
        "success": True,
        "result": {
            "include_total": True,
            "resource_id": RESOURCE_ID,
            "fields": fields,
            "records_format": "objects",
            "records": real.records,
            "limit": total,
            "offset": 0,
            "total": total,
            "_links": {
                "start": f"{DATASTORE_SEARCH_PATH}?resource_id={RESOURCE_ID}",
                "next": f"{DATASTORE_SEARCH_PATH}?offset={total}&resource_id={RESOURCE_ID}",
            },
        },
    }
    return (json.dumps(answer, ensure_ascii=False) + "\n").encode("utf-8")


def package(stamp: str) -> dict[str, Any]:
    return {
        "id": PACKAGE_NAME,
        "name": PACKAGE_NAME,
        "title": "ปริมาณกากของเสียอุตสาหกรรม รายจังหวัด รายเดือน",
        "notes": "ปริมาณกากของเสียอุตสาหกรรมไม่อันตรายและอันตราย (ตัน) รายจังหวัด รายเดือน (กรมโรงงานอุตสาหกรรม)",
        "license_id": "dga-ogl",
        "license_title": "DGA Open Government License (Thailand)",
        "organization": {"name": "diw", "title": "กรมโรงงานอุตสาหกรรม"},
        "state": "active",
        "type": "dataset",
        "num_resources": 1,
        "metadata_modified": stamp,
        "resources": [
            {
                "id": RESOURCE_ID,
                "package_id": PACKAGE_NAME,
                "name": "ปริมาณกากของเสียอุตสาหกรรม",
                "format": "CSV",
                "datastore_active": True,
                "url_type": "datastore",
                "url": f"{REAL_BASE_URL}/datastore/dump/{RESOURCE_ID}",
                "created": stamp,
                "last_modified": stamp,
                "metadata_modified": stamp,
            }
        ],
    }


def build(real_dir: Path = DEFAULT_REAL_DIR, out_dir: Path = DEFAULT_OUT_DIR) -> dict[str, Any]:
    real = read_records(real_dir)
    folder = SnapshotFolder(
        publisher="diw",
        publisher_name="Department of Industrial Works (DIW)",
        real_base_url=REAL_BASE_URL,
        licence=LICENCE,
        built_by="python -m devtools.snapshots.build_diw_snapshot",
    )
    folder.add_package(
        package(PUBLISHED.strftime("%Y-%m-%dT%H:%M:%S")),
        file=f"package_show_{PACKAGE_NAME}.json",
        last_modified=http_date(PUBLISHED),
        is_modelled=False,
        method=METHOD_PACKAGE,
        derived_from=[],
    )
    folder.add(
        DATASTORE_FILE,
        datastore_body(real),
        path=DATASTORE_SEARCH_PATH,
        query={"resource_id": RESOURCE_ID},
        content_type=JSON_TYPE,
        last_modified=http_date(PUBLISHED),
        is_modelled=False,
        method=METHOD_RECORDS,
        derived_from=[REAL_FILE],
    )
    # Served page by page (limit / offset), not as one fixed answer.
    folder.entries[-1]["serve"] = "datastore_search"
    folder.entries[-1]["label"] = "real records, reconstructed answer shape"
    # The sha256 of the records as the client lands them (however they are paged): what
    # the provenance labels would name if the recording were modelled.
    fields = json.loads(folder.files[DATASTORE_FILE])["result"]["fields"]
    folder.entries[-1]["records_sha256"] = hashlib.sha256(
        records_body(RESOURCE_ID, fields, real.records, len(real.records))
    ).hexdigest()
    return folder.write(out_dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real-dir", type=Path, default=DEFAULT_REAL_DIR)
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    args = parser.parse_args(argv)
    index = build(args.real_dir, args.out_dir)
    print(f"wrote {len(index['entries'])} responses to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
