"""Report rows as CSV or XLSX files, with the very numbers the page shows.

``columns`` is a sequence of ``(key, label)``: the header is the labels (in the active
language), each line the rows' values under those keys. Amounts are two-place decimals:
text such as ``1234.50`` in CSV and on the page (``cell_text``), numbers formatted ``0.00``
in XLSX. An empty value (a rate without a divisor) is an empty cell.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Columns = Sequence[tuple[str, Any]]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_MAX = 31


def cell_text(value: Any) -> str:
    """A value as the page and the CSV write it."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _safe_text(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is quoted; numbers are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def as_csv(rows: Iterable[Mapping[str, Any]], columns: Columns) -> bytes:
    """The rows as CSV in UTF-8 with a byte-order mark (so Excel reads Chinese right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(label) for _key, label in columns])
    for row in rows:
        writer.writerow([cell_text(_safe_text(row.get(key))) for key, _label in columns])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def as_xlsx(rows: Iterable[Mapping[str, Any]], columns: Columns, *, title: str = "") -> bytes:
    """The rows as one XLSX sheet (see :func:`as_xlsx_book`)."""
    return as_xlsx_book([(title, rows, columns)])


def as_xlsx_book(sheets: Iterable[tuple[str, Iterable[Mapping[str, Any]], Columns]]) -> bytes:
    """One XLSX sheet per ``(title, rows, columns)``, written as a stream: a bold header,
    then numbers as numbers (``0.00`` for amounts and percentages), text as text."""
    book = Workbook(write_only=True)
    for title, rows, columns in sheets:
        clean = "".join(c for c in title if c not in "[]:*?/\\")[:SHEET_TITLE_MAX]
        sheet = book.create_sheet(clean)
        for index, (_key, label) in enumerate(columns, start=1):
            width = max(10, len(str(label)) * 2)
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.append([_cell(sheet, str(label), bold=True) for _key, label in columns])
        for row in rows:
            sheet.append([_cell(sheet, _safe_text(row.get(key))) for key, _label in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(sheet, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = Font(bold=True)
    if isinstance(value, Decimal):
        cell.number_format = "0.00"
    return cell
