"""Reports written as CSV or XLSX (openpyxl, write-only: rows stream to the file).

Paise become rupees here only through `payments.money.rupees` (exact Decimals: the CSV shows
`1234.50`, the spreadsheet a number formatted with two decimals).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

from payments.money import rupees
from payments.recon.reports import Table

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _cells(table: Table) -> Iterator[list[Any]]:
    """Rows with money as rupees."""
    money = [h in table.money for h in table.headers]
    for row in table.rows:
        yield [rupees(int(v)) if is_money and v is not None else v
               for v, is_money in zip(row, money, strict=True)]


def csv_lines(table: Table) -> Iterator[str]:
    """The table as CSV text, a line at a time (for streaming)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.headers)
    for row in _cells(table):
        writer.writerow(["" if v is None else v for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


def write_csv(table: Table, out: IO[str]) -> None:
    """The table as CSV into a text stream."""
    for chunk in csv_lines(table):
        out.write(chunk)


def write_xlsx(table: Table, out: IO[bytes]) -> None:
    """The table as one sheet of an XLSX workbook into a binary stream."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.name[:31])
    sheet.append(table.headers)
    for row in _cells(table):
        cells: list[Any] = []
        for value in row:
            if isinstance(value, Decimal):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0.00"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    book.save(out)
