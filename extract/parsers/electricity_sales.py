"""Parser for electricity sold by province, customer class and month (PEA, MEA).

The layout is the distribution utilities' monthly sales table: Thai headers ``เดือน``
(a BE month: ``2567-01``, ``256701``, ``มกราคม 2567``), ``จังหวัด``, ``ประเภทผู้ใช้ไฟ``,
``หน่วยจำหน่าย (kWh)`` and, optionally, ``จำนวนผู้ใช้ไฟ``; title rows above the header
are skipped. Every row must be of the slice's month. The utility (``PEA`` / ``MEA``)
comes from the catalogue feed (``options.utility``), not from the file.
"""

from __future__ import annotations

import pyarrow as pa

from extract.errors import ParseError
from extract.parsers import (
    PROVENANCE_FIELDS,
    ParseContext,
    cell,
    header_key,
    is_total_label,
    match_columns,
    spreadsheets,
    with_provenance,
)
from extract.thai import province_names
from extract.thai import text as thai_text
from extract.thai.buddhist_era import period_end

PARSER_VERSION = "electricity_sales/1"
SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("period", pa.date32()),
        ("customer_class", pa.string()),
        ("kwh", pa.float64()),
        ("customers", pa.int64()),
        ("utility", pa.string()),
        *PROVENANCE_FIELDS,
    ]
)
COLUMNS = {
    "month": ("เดือน", "ปี-เดือน", "เดือน/ปี", "month"),
    "province": ("จังหวัด", "province"),
    "customer_class": ("ประเภทผู้ใช้ไฟ", "ประเภทผู้ใช้ไฟฟ้า", "customer_class"),
    "kwh": ("หน่วยจำหน่าย (kWh)", "หน่วยจำหน่าย (หน่วย)", "หน่วยจำหน่าย", "kwh"),
    "customers": ("จำนวนผู้ใช้ไฟ", "จำนวนผู้ใช้ไฟฟ้า", "จำนวนผู้ใช้ไฟฟ้า (ราย)", "customers"),
}
# Tariff classes as the utilities name them -> the landed class.
CUSTOMER_CLASSES = {
    header_key(name): code
    for code, names in {
        "residential": ("บ้านอยู่อาศัย", "บ้านที่อยู่อาศัย", "residential"),
        "small_business": ("กิจการขนาดเล็ก", "small_business"),
        "medium_business": ("กิจการขนาดกลาง", "medium_business"),
        "large_business": ("กิจการขนาดใหญ่", "large_business"),
        "specific_business": ("กิจการเฉพาะอย่าง", "specific_business"),
        "government": (
            "ส่วนราชการและองค์กรที่ไม่แสวงหากำไร",
            "องค์กรที่ไม่แสวงหากำไร",
            "ส่วนราชการ",
            "government",
        ),
        "agriculture": ("สูบน้ำเพื่อการเกษตร", "agriculture"),
        "other": ("ไฟฟ้าชั่วคราว", "ไฟชั่วคราว", "อื่นๆ", "อื่น ๆ", "other"),
    }.items()
    for name in names
}
UTILITIES = ("PEA", "MEA")


def _header_row(sheets: list[spreadsheets.Sheet]) -> tuple[spreadsheets.Sheet, int]:
    wanted = {header_key(name) for name in COLUMNS["province"]}
    for sheet in sheets:
        for index, row in enumerate(sheet.rows):
            if wanted & {header_key(value) for value in row}:
                return sheet, index
    raise LookupError


def parse_table(body: bytes, ctx: ParseContext) -> pa.Table:
    source_id = ctx.source_id
    utility = ctx.feed.options.get("utility", "")
    if utility not in UTILITIES:
        raise ValueError(f"{source_id}: feed {ctx.feed.id} needs options.utility in {UTILITIES}")
    sheets = spreadsheets.read_sheets(body, source_id=source_id, encoding=ctx.feed.encoding)
    try:
        sheet, header_index = _header_row(sheets)
    except LookupError:
        raise ParseError(
            source_id, "province", "header", None, "is missing (no จังหวัด column)"
        ) from None
    columns = match_columns(
        sheet.rows[header_index],
        COLUMNS,
        required=("month", "province", "customer_class", "kwh"),
        source_id=source_id,
    )
    rows: dict[tuple[str, str], tuple[float, int | None]] = {}
    for number, row in enumerate(sheet.rows[header_index + 1 :], start=header_index + 2):
        if spreadsheets.is_blank(row):
            continue
        where = f"{sheet.name}:{number}"
        month = thai_text.be_month(
            cell(row, columns["month"]), source_id=source_id, field="month", row=where
        )
        if month != ctx.slice.period:
            raise ParseError(
                source_id,
                "month",
                where,
                cell(row, columns["month"]),
                f"is not the month of the slice ({ctx.slice.period})",
            )
        name = cell(row, columns["province"])
        if is_total_label(name):
            continue
        code = province_names.province_code(name, source_id=source_id, field="province", row=where)
        raw_class = cell(row, columns["customer_class"])
        customer_class = CUSTOMER_CLASSES.get(header_key(raw_class))
        if customer_class is None:
            raise ParseError(
                source_id, "customer_class", where, raw_class, "is not a known customer class"
            )
        kwh = thai_text.parse_amount(
            cell(row, columns["kwh"]), source_id=source_id, field="kwh", row=where
        )
        if kwh is None:
            raise ParseError(source_id, "kwh", where, None, "is empty")
        customers = None
        if "customers" in columns and thai_text.clean(cell(row, columns["customers"])):
            customers = thai_text.parse_count(
                cell(row, columns["customers"]), source_id=source_id, field="customers", row=where
            )
        if (code, customer_class) in rows:
            raise ParseError(
                source_id,
                "customer_class",
                where,
                raw_class,
                f"is a duplicate row for province {code}",
            )
        rows[(code, customer_class)] = (kwh, customers)
    if not rows:
        raise ParseError(source_id, "province", "-", None, "has no rows")
    keys = sorted(rows)
    columns_out = {
        "area_code": [code for code, _ in keys],
        "period": [period_end(ctx.slice.period)] * len(keys),
        "customer_class": [cls for _, cls in keys],
        "kwh": [rows[k][0] for k in keys],
        "customers": [rows[k][1] for k in keys],
        "utility": [utility] * len(keys),
    }
    return with_provenance(SCHEMA, columns_out, ctx)
