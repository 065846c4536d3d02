"""Tables as files a spreadsheet opens well: CSV with a byte-order mark, and XLSX.

Excel reads a CSV file without a byte-order mark in the machine's ANSI code page (cp1252 in
Western Europe and the Americas), so "Côte d'Ivoire" written in UTF-8 opens as "CÃ'te
d'Ivoire"; with the mark (U+FEFF, EF BB BF in UTF-8) it reads UTF-8. `csv_for_excel` writes
the mark; the CSV that `coopgraph query --format csv` prints stays without it, for the tools
that read a pipe.

XLSX is written with XlsxWriter: maintained, pure Python with no dependencies, write-only
(all coopgraph needs), and it streams rows without building a document model; its created
date is fixed, so the same table gives the same bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

BOM = "\ufeff"
Cell = str | float | int
# The date written into every workbook's properties (a fixed one keeps the bytes stable).
WORKBOOK_DATE = datetime(2000, 1, 1)
MAX_COLUMN_WIDTH = 60
SHEET_NAME_MAX = 31  # Excel's limit
_SHEET_FORBIDDEN = str.maketrans({ch: " " for ch in "[]:*?/\\"})


def csv_for_excel(rows: Sequence[Sequence[Cell]]) -> str:
    """CSV (comma, header first) with a byte-order mark; write it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return BOM + buffer.getvalue()


def xlsx(rows: Sequence[Sequence[Cell]], sheet: str = "Sheet1") -> bytes:
    """A workbook of one sheet: the first row a bold, frozen header with a filter; numbers as
    numbers; columns as wide as their text (up to a limit)."""
    import xlsxwriter  # noqa: PLC0415 - only the report folder writes workbooks

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_urls": False})
    workbook.set_properties({"created": WORKBOOK_DATE, "author": "coopgraph"})
    name = sheet.translate(_SHEET_FORBIDDEN).strip()[:SHEET_NAME_MAX] or "Sheet1"
    worksheet = workbook.add_worksheet(name)
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    widths: dict[int, int] = {}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if r == 0:
                worksheet.write_string(r, c, str(value), bold)
            elif isinstance(value, (int, float)):
                worksheet.write_number(r, c, value)
            else:
                worksheet.write_string(r, c, value, wrap)
            widths[c] = max(widths.get(c, 0), min(len(str(value)), MAX_COLUMN_WIDTH))
    for c, width in widths.items():
        worksheet.set_column(c, c, width + 2)
    if rows:
        worksheet.freeze_panes(1, 0)
        worksheet.autofilter(0, 0, max(len(rows) - 1, 0), max(len(rows[0]) - 1, 0))
    workbook.close()
    return buffer.getvalue()
