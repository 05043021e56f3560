"""Reports as files: .csv (every table one after another) and .xlsx (a sheet per table), formula-safe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reports.tables import Table

TYPES = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)


def safe(value: Any) -> Any:
    """A cell value that a spreadsheet will not run: text beginning with = + - @ (or a tab/CR) gets a leading
    apostrophe (OWASP's advice against CSV/formula injection); numbers and None pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_chunks(tables: Iterable[Table], rows_per_chunk: int = 1000) -> Iterator[bytes]:
    """Every table: its title, its headers, its rows, then a blank line; UTF-8 with a BOM so Excel reads Chinese.
    Yielded a thousand rows at a time, so a long table streams to the reader while it is read."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    for table in tables:
        writer.writerow([safe(table.title)])
        writer.writerow([safe(h) for h in table.headers])
        for n, row in enumerate(table.rows, start=1):
            writer.writerow(["" if v is None else safe(v) for v in row])
            if n % rows_per_chunk == 0:
                yield _drain(out)
        writer.writerow([])
    yield _drain(out)


def _drain(out: io.StringIO) -> bytes:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text.encode("utf-8")


def to_csv(tables: Iterable[Table]) -> bytes:
    """The tables as one CSV document (see ``csv_chunks``)."""
    return b"".join(csv_chunks(tables))


def to_xlsx(tables: Iterable[Table]) -> bytes:
    """A workbook with one sheet per table (bold headers, frozen header row), written in openpyxl's write-only
    mode: rows go straight to the file instead of becoming cell objects first."""
    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title, book.sheetnames))
        sheet.freeze_panes = "A2"
        for i, header in enumerate(table.headers, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(header) * 2))
        sheet.append([_bold(sheet, safe(h)) for h in table.headers])
        for row in table.rows:
            sheet.append([safe(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _bold(sheet: Any, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = BOLD
    return cell


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
