"""CSV for a spreadsheet (with a byte-order mark) and XLSX, read back by another library."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from coopgraph.query.spreadsheet import BOM, csv_for_excel, xlsx

ROWS: list[list[str | float]] = [["State", "Instruments"], ["Côte d'Ivoire", 2], ["Mali", 5.0]]


def test_csv_for_excel_starts_with_a_byte_order_mark() -> None:
    data = csv_for_excel(ROWS).encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[1] == "Côte d'Ivoire,2"
    assert csv_for_excel(ROWS).startswith(BOM + "State,")


def test_xlsx_holds_text_and_numbers() -> None:
    sheet = load_workbook(io.BytesIO(xlsx(ROWS, "States: [all]"))).active
    assert sheet is not None
    assert sheet.title == "States   all"  # what Excel forbids in a sheet name taken out
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [("State", "Instruments"), ("Côte d'Ivoire", 2), ("Mali", 5)]
    assert sheet.freeze_panes == "A2"


def test_the_same_table_gives_the_same_workbook() -> None:
    assert xlsx(ROWS) == xlsx(ROWS)
