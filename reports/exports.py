"""Reports as files: .csv (every table one after another) and .xlsx (a sheet per table), formula-safe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from reports.tables import Table

TYPES = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value: Any) -> Any:
    """A cell value that a spreadsheet will not run: text beginning with = + - @ (or a tab/CR) gets a leading
    apostrophe (OWASP's advice against CSV/formula injection); numbers and None pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(tables: Iterable[Table]) -> bytes:
    """Every table: its title, its headers, its rows, then a blank line. UTF-8 with a BOM so Excel reads Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    for table in tables:
        writer.writerow([safe(table.title)])
        writer.writerow([safe(h) for h in table.headers])
        writer.writerows([["" if v is None else safe(v) for v in row] for row in table.rows])
        writer.writerow([])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(tables: Iterable[Table]) -> bytes:
    """A workbook with one sheet per table (bold headers, frozen header row)."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title, book.sheetnames))
        sheet.append([safe(h) for h in table.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([safe(v) for v in row])
        sheet.freeze_panes = "A2"
        for i, header in enumerate(table.headers, start=1):
            sheet.column_dimensions[sheet.cell(1, i).column_letter].width = max(10, min(40, len(header) * 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str, taken: list[str]) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\, unique."""
    name = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"
    base, n = name, 2
    while name in taken:
        name = f"{base[:28]} {n}"
        n += 1
    return name


def render(tables: list[Table], fmt: str) -> bytes:
    """The tables as ``fmt`` ('csv' or 'xlsx')."""
    return to_xlsx(tables) if fmt == "xlsx" else to_csv(tables)
