"""Thai text as publishers write it: digits, separators, BOMs, cp874 and month names.

Every parser reads numbers and text through these helpers, so a quirk is fixed once:
Thai digits (๐-๙), thousands separators, a lone ``-`` for nil in statistical tables,
UTF-8 with a BOM, legacy TIS-620 / cp874 files, and ``ํา`` typed as two code points.
"""

from __future__ import annotations

import re
import unicodedata

from extract.errors import ParseError
from extract.thai.buddhist_era import BE_OFFSET, PeriodError, be_to_ce

BOM = "\ufeff"
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Declared encodings a catalogue entry may give; "auto" repairs cp874 silently.
ENCODINGS = ("utf-8", "cp874", "auto")
NIL = {"-", "–", "—"}  # Thai statistical tables write nil as a dash
_SPACES = re.compile(r"[\s\u00a0\u200b\u200c\u200d\ufeff]+")
_INTEGER = re.compile(r"^-?\d+$")
_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$")
_THAI_CHAR = re.compile(r"[\u0e01-\u0e5b]")

THAI_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("มกราคม", "ม.ค."),
            ("กุมภาพันธ์", "ก.พ."),
            ("มีนาคม", "มี.ค."),
            ("เมษายน", "เม.ย."),
            ("พฤษภาคม", "พ.ค."),
            ("มิถุนายน", "มิ.ย."),
            ("กรกฎาคม", "ก.ค."),
            ("สิงหาคม", "ส.ค."),
            ("กันยายน", "ก.ย."),
            ("ตุลาคม", "ต.ค."),
            ("พฤศจิกายน", "พ.ย."),
            ("ธันวาคม", "ธ.ค."),
        ),
        start=1,
    )
    for name in names
}


def clean(value: object) -> str:
    """Text of a cell: NFC, ``ํา`` as ``ำ``, BOM and zero-width characters gone, spaces collapsed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\u0e4d\u0e32", "\u0e33")
    return _SPACES.sub(" ", text).strip()


def ascii_digits(text: str) -> str:
    return text.translate(THAI_DIGITS)


def has_thai(text: str) -> bool:
    return bool(_THAI_CHAR.search(text))


def _number_text(value: object) -> str:
    return ascii_digits(clean(value)).replace(",", "").replace(" ", "")


def parse_count(
    value: object, *, source_id: str, field: str, row: object, allow_nil: bool = True
) -> int:
    """A non-negative integer count: Thai digits, separators, ``1,234.0``; ``-`` is nil (0)."""
    if isinstance(value, bool):
        raise ParseError(source_id, field, row, value, "is a boolean, not a count")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ParseError(source_id, field, row, value, "is not an integer")
        number = int(value)
    else:
        text = _number_text(value)
        if allow_nil and clean(value) in NIL:
            return 0
        if not text:
            raise ParseError(source_id, field, row, value, "is empty")
        if _NUMBER.match(text) and not _INTEGER.match(text) and float(text).is_integer():
            text = text.split(".")[0]
        if not _INTEGER.match(text):
            raise ParseError(source_id, field, row, value, "is not an integer")
        number = int(text)
    if number < 0:
        raise ParseError(source_id, field, row, value, "is negative")
    return number


def parse_amount(value: object, *, source_id: str, field: str, row: object) -> float | None:
    """A non-negative decimal amount (kWh, baht); an empty cell is ``None`` (not published)."""
    if isinstance(value, bool):
        raise ParseError(source_id, field, row, value, "is a boolean, not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = _number_text(value)
        if not text:
            return None
        if clean(value) in NIL:
            return 0.0
        if not _NUMBER.match(text):
            raise ParseError(source_id, field, row, value, "is not a number")
        number = float(text)
    if number < 0:
        raise ParseError(source_id, field, row, value, "is negative")
    return number


def decode(body: bytes, *, source_id: str, encoding: str = "utf-8") -> str:
    """Text of a body in its declared encoding, without a BOM.

    ``utf-8`` is strict: a body that is really cp874 / TIS-620 fails with an error that
    says so (declare ``encoding: cp874`` or ``auto`` in the catalogue); ``auto`` takes
    UTF-8 when the bytes are valid UTF-8 and cp874 otherwise.
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}; expected one of {ENCODINGS}")
    if encoding == "cp874":
        return _decode_cp874(body, source_id).removeprefix(BOM)
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            repaired = body.decode("cp874")
        except UnicodeDecodeError:
            raise ParseError(
                source_id,
                "<body>",
                "-",
                body[exc.start : exc.start + 8],
                "is neither UTF-8 nor cp874",
            ) from exc
        if encoding == "auto":
            return repaired
        raise ParseError(
            source_id,
            "<body>",
            "-",
            body[exc.start : exc.start + 8],
            f"is not UTF-8 as declared but decodes as cp874 / TIS-620 (byte {exc.start}); "
            "declare `encoding: cp874` (or `auto`) for this source in the catalogue",
        ) from exc


def _decode_cp874(body: bytes, source_id: str) -> str:
    try:
        return body.decode("cp874")
    except UnicodeDecodeError as exc:
        raise ParseError(
            source_id,
            "<body>",
            "-",
            body[exc.start : exc.start + 8],
            "is not valid cp874 / TIS-620",
        ) from exc


def be_year(value: object, *, source_id: str, field: str, row: object, shown: object = None) -> int:
    """Gregorian year of a Buddhist Era year cell; a Gregorian year given instead is an error.

    ``shown`` is the value an error quotes when ``value`` was cut out of a longer cell.
    """
    text = _number_text(value)
    value = value if shown is None else shown
    if not re.fullmatch(r"\d{4}", text):
        raise ParseError(source_id, field, row, value, "is not a four-digit Buddhist Era year")
    year = int(text)
    if 1857 <= year <= 2157:
        raise ParseError(
            source_id,
            field,
            row,
            value,
            f"looks like a Gregorian year; expected the Buddhist Era year ({year + BE_OFFSET})",
        )
    try:
        return be_to_ce(year)
    except PeriodError as exc:
        raise ParseError(source_id, field, row, value, str(exc)) from None


def be_month(value: object, *, source_id: str, field: str, row: object) -> str:
    """``YYYY-MM`` (Gregorian) of a BE month cell: ``256701``, ``2567-01``, ``01/2567``,
    ``มกราคม 2567`` or ``ม.ค. 2567``."""
    text = ascii_digits(clean(value))
    month_name = re.fullmatch(r"(\S+)\s*(\d{4})", text)
    if month_name and month_name[1] in THAI_MONTHS:
        month, year_text = THAI_MONTHS[month_name[1]], month_name[2]
    elif match := re.fullmatch(r"(\d{4})[-/.]?(\d{2})", text):
        year_text, month = match[1], int(match[2])
    elif match := re.fullmatch(r"(\d{1,2})[-/.](\d{4})", text):
        month, year_text = int(match[1]), match[2]
    else:
        raise ParseError(source_id, field, row, value, "is not a Buddhist Era month (e.g. 2567-01)")
    if not 1 <= month <= 12:
        raise ParseError(source_id, field, row, value, f"has month {month}, not 1..12")
    year = be_year(year_text, source_id=source_id, field=field, row=row, shown=value)
    return f"{year:04d}-{month:02d}"
