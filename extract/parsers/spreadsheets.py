"""Tabular bodies (CSV, XLSX, ``.xls`` that is really an HTML table) as grids of cells.

Parsers of tabular sources read sheets from here and never care which container the
publisher used this year. A binary (BIFF) ``.xls`` is refused with a clear error: no
reader for it is installed, and the publishers in the catalogue do not use it.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import zipfile
from html.parser import HTMLParser
from typing import Any

from extract.errors import ParseError
from extract.http.client import OLE2_MAGIC, ZIP_MAGIC
from extract.thai import text as thai_text

Cell = str | int | float | None
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([a-z0-9_-]+)""", re.IGNORECASE)
_CP874_NAMES = {"windows-874", "cp874", "tis-620", "tis620", "iso-8859-11", "x-windows-874"}


@dataclasses.dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[Cell]]


def read_sheets(body: bytes, *, source_id: str, encoding: str = "utf-8") -> list[Sheet]:
    """Every sheet of a body, whatever the container: xlsx, HTML tables or CSV."""
    head = body[:8]
    if head.startswith(ZIP_MAGIC):
        return read_xlsx(body, source_id=source_id)
    if head.startswith(OLE2_MAGIC):
        raise ParseError(
            source_id,
            "<body>",
            "-",
            "binary .xls",
            "is a legacy binary Excel file, which no installed reader parses; "
            "ask for the CSV or XLSX resource, or add an xls reader to the dependencies",
        )
    if b"<table" in body[:65536].lower():
        return read_html_tables(body, source_id=source_id, encoding=encoding)
    return [read_csv(thai_text.decode(body, source_id=source_id, encoding=encoding))]


def read_csv(text: str, name: str = "csv") -> Sheet:
    rows: list[list[Cell]] = [list(row) for row in csv.reader(io.StringIO(text))]
    return Sheet(name, rows)


def read_xlsx(body: bytes, *, source_id: str) -> list[Sheet]:
    from openpyxl import load_workbook  # heavy import, only for xlsx bodies

    try:
        book = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ParseError(source_id, "<body>", "-", str(exc)[:80], "is not a readable xlsx") from exc
    try:
        return [
            Sheet(sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)])
            for sheet in book.worksheets
        ]
    finally:
        book.close()


class _TableParser(HTMLParser):
    """Collects every ``<table>`` as rows of cell text; ``colspan`` becomes empty cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Sheet] = []
        self._rows: list[list[Cell]] | None = None
        self._row: list[Cell] | None = None
        self._cell: list[str] | None = None
        self._span = 1
        self._caption: list[str] | None = None
        self._name = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._rows, self._name = [], ""
        elif tag == "caption" and self._rows is not None:
            self._caption = []
        elif tag == "tr" and self._rows is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = int(span) if span.isdigit() else 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(thai_text.clean("".join(self._cell)) or None)
            self._row.extend([None] * (self._span - 1))
            self._cell = None
        elif tag == "tr" and self._rows is not None and self._row is not None:
            self._rows.append(self._row)
            self._row = None
        elif tag == "caption" and self._caption is not None:
            self._name = thai_text.clean("".join(self._caption))
            self._caption = None
        elif tag == "table" and self._rows is not None:
            self.tables.append(Sheet(self._name or f"table{len(self.tables) + 1}", self._rows))
            self._rows = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._caption is not None:
            self._caption.append(data)


def read_html_tables(body: bytes, *, source_id: str, encoding: str = "utf-8") -> list[Sheet]:
    """The tables of an HTML document (an ``.xls`` export); the ``<meta charset>`` wins."""
    declared = _CHARSET.search(body[:4096])
    charset = declared[1].decode().lower() if declared else ""
    if charset in _CP874_NAMES:
        encoding = "cp874"
    elif charset in ("utf-8", "utf8"):
        encoding = "utf-8"
    parser = _TableParser()
    parser.feed(thai_text.decode(body, source_id=source_id, encoding=encoding))
    parser.close()
    if not parser.tables:
        raise ParseError(source_id, "<body>", "-", body[:60], "is an HTML page without a table")
    return parser.tables


def is_blank(row: list[Any]) -> bool:
    return all(thai_text.clean(cell) == "" for cell in row)
