"""Shared pieces of the CKAN snapshot builders: the ``package_show`` envelope, the
mirror's ``index.json`` and byte-reproducible xlsx files.

A CKAN portal is recorded as the answer of ``/api/3/action/package_show?id=<package>``
plus one entry per resource download path (``/dataset/<id>/resource/<id>/download/<file>``),
so the mirror serves them like any other request. Builders are deterministic: the same
inputs give byte-identical folders, and a test rebuilds each one to check it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import io
import json
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

INDEX_FORMAT = 1
JSON_TYPE = "application/json; charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PACKAGE_SHOW_PATH = "/api/3/action/package_show"
# Fixed time inside every generated xlsx (zip entries and document properties).
XLSX_STAMP = (2024, 1, 1, 0, 0, 0)
_NAMESPACE = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")  # RFC 4122 URL namespace


def stand_in_uuid(*parts: str) -> str:
    """A stable UUID for an identifier the real portal assigns but the recording lacks."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def http_date(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def month_after(year: int, month: int) -> dt.datetime:
    """Start of the month after ``year``-``month`` (UTC): a fixed publication stand-in."""
    last_day = calendar.monthrange(year, month)[1]
    return dt.datetime(year, month, last_day, tzinfo=dt.UTC) + dt.timedelta(days=1)


def package_show_body(package: dict[str, Any], real_base_url: str) -> bytes:
    """A ``package_show`` answer in CKAN's envelope, pretty-printed like the portals do."""
    envelope = {
        "help": f"{real_base_url}/api/3/action/help_show?name=package_show",
        "success": True,
        "result": package,
    }
    return (json.dumps(envelope, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def deterministic_xlsx(workbook: Any) -> bytes:
    """An openpyxl workbook saved with fixed timestamps, so rebuilds are byte-identical."""
    stamp = dt.datetime(*XLSX_STAMP)
    workbook.properties.creator = "smartcity-warehouse snapshot builder"
    workbook.properties.created = stamp
    raw = io.BytesIO()
    workbook.save(raw)  # openpyxl stamps "modified" with the current time: replaced below
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2024-01-01T00:00:00Z\g<2>",
                    data,
                )
            info = zipfile.ZipInfo(item.filename, date_time=XLSX_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            out.writestr(info, data)
    return fixed.getvalue()


class SnapshotFolder:
    """One publisher folder: recorded bodies and their ``index.json`` entries."""

    def __init__(
        self,
        *,
        publisher: str,
        publisher_name: str,
        real_base_url: str,
        licence: str,
        built_by: str,
    ) -> None:
        self.meta = {
            "format": INDEX_FORMAT,
            "publisher": publisher,
            "publisher_name": publisher_name,
            "real_base_url": real_base_url,
            "licence": licence,
            "provenance": "PROVENANCE.md",
            "built_by": built_by,
        }
        self.files: dict[str, bytes] = {}
        self.entries: list[dict[str, Any]] = []

    def add(
        self,
        file: str,
        body: bytes,
        *,
        path: str,
        query: dict[str, str] | None = None,
        content_type: str,
        last_modified: str,
        is_modelled: bool,
        method: str,
        derived_from: list[str],
    ) -> None:
        if file in self.files:
            raise ValueError(f"duplicate snapshot file {file}")
        query = query or {}
        self.files[file] = body
        self.entries.append(
            {
                "path": path,
                "query": query,
                "url": path
                + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""),
                "file": file,
                "sha256": hashlib.sha256(body).hexdigest(),
                "bytes": len(body),
                "content_type": content_type,
                "last_modified": last_modified,
                "is_modelled": is_modelled,
                "method": method,
                "derived_from": derived_from,
            }
        )

    def add_package(
        self,
        package: dict[str, Any],
        *,
        file: str,
        last_modified: str,
        is_modelled: bool,
        method: str,
        derived_from: list[str],
        requested_as: str | None = None,
    ) -> None:
        """The ``package_show`` answer of a package, asked for by ``requested_as`` (an id
        or a name; CKAN answers to both) or else its ``name``."""
        self.add(
            file,
            package_show_body(package, self.meta["real_base_url"]),
            path=PACKAGE_SHOW_PATH,
            query={"id": requested_as or package["name"]},
            content_type=JSON_TYPE,
            last_modified=last_modified,
            is_modelled=is_modelled,
            method=method,
            derived_from=derived_from,
        )

    def add_resource(self, resource_url: str, body: bytes, **meta: Any) -> None:
        """A resource download, served at the path of its real URL."""
        path = urlsplit(resource_url).path
        self.add(path.rsplit("/", 1)[-1], body, path=path, **meta)

    def index(self) -> dict[str, Any]:
        return {**self.meta, "entries": sorted(self.entries, key=lambda e: e["file"])}

    def write(self, out_dir: Path) -> dict[str, Any]:
        """Write bodies and ``index.json``; drop bodies of entries no longer built."""
        out_dir.mkdir(parents=True, exist_ok=True)
        index = self.index()
        outputs = {
            **self.files,
            "index.json": (
                json.dumps(index, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
            ).encode(),
        }
        previous = out_dir / "index.json"
        if previous.exists():
            for entry in json.loads(previous.read_text(encoding="utf-8"))["entries"]:
                if entry["file"] not in outputs:
                    (out_dir / entry["file"]).unlink(missing_ok=True)
        for name, data in sorted(outputs.items()):
            (out_dir / name).write_bytes(data)
        return index
