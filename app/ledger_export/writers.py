"""CSV and XLSX writers for the ledger: flat memory however many rows.

CSV is produced in chunks as the rows arrive. XLSX is a zip whose directory comes last, so it
cannot be sent before it is finished: openpyxl's write-only mode streams the sheet's XML to a
temporary file and zips it into `out`, never holding the rows.

Both defuse spreadsheet formula injection: applicant-supplied text such as `=HYPERLINK(...)`
would otherwise run as a formula when the file is opened, so a text cell that begins with `=`,
`+`, `-`, `@`, a tab or a carriage return gets a leading `'` (the OWASP recommendation).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from typing import IO, Any

# openpyxl ships no type hints (types-openpyxl would provide them).
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.ledger_export.rows import PROVISIONAL_MARK, Cell, Column, Provisional

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CSV_CHUNK_CHARS = 64 * 1024
SHEET_TITLE = "台账"
DATE_FORMAT = "yyyy-mm-dd"
# The date shown with its mark, the cell still a date Excel can sort and compute with.
PROVISIONAL_FORMAT = f'{DATE_FORMAT}"{PROVISIONAL_MARK}"'
# An XLSX sheet holds 1,048,576 rows, the header included, and a cell 32,767 characters.
XLSX_MAX_DATA_ROWS = 1_048_575
XLSX_MAX_CELL_CHARS = 32_767
TRUNCATED_MARK = "…（超出单元格长度，已截断）"


class TooManyRows(ValueError):
    """More rows than one XLSX sheet can hold."""


def defuse(text: str) -> str:
    """Text a spreadsheet will not read as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_value(cell: Cell) -> str:
    """A cell as CSV text: ISO dates (Excel reads them as dates), defused text."""
    if cell is None:
        return ""
    if isinstance(cell, Provisional):
        return cell.on.isoformat() + PROVISIONAL_MARK
    if isinstance(cell, date):
        return cell.isoformat()
    return defuse(cell)


def csv_chunks(
    columns: Sequence[Column], rows: Iterable[Sequence[Cell]], *, chunk_chars: int = CSV_CHUNK_CHARS
) -> Iterator[bytes]:
    """UTF-8 with a BOM (so Excel on Chinese Windows reads it as UTF-8), CRLF line ends,
    RFC 4180 quoting; yielded in chunks of about `chunk_chars` characters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow([csv_value(cell) for cell in row])
        if buffer.tell() >= chunk_chars:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _xlsx_text(text: str) -> str:
    # XML 1.0 cannot carry most control characters; openpyxl refuses them rather than drop them.
    text = defuse(ILLEGAL_CHARACTERS_RE.sub("", text))
    if len(text) > XLSX_MAX_CELL_CHARS:
        # Excel would refuse the file; say so in the cell rather than cut silently.
        text = text[: XLSX_MAX_CELL_CHARS - len(TRUNCATED_MARK)] + TRUNCATED_MARK
    return text


def write_xlsx(
    columns: Sequence[Column],
    rows: Iterable[Sequence[Cell]],
    out: IO[bytes],
    *,
    title: str = SHEET_TITLE,
    max_rows: int = XLSX_MAX_DATA_ROWS,
) -> int:
    """Write the workbook to `out`: a bold, frozen, filterable header row, column widths,
    dates as Excel dates shown yyyy-mm-dd. Returns how many rows were written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    # Widths and panes must be set before the first row in write-only mode.
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", vertical="center")
        header.append(cell)
    sheet.append(header)
    count = 0
    try:
        for row in rows:
            if count >= max_rows:
                raise TooManyRows(f"more than {max_rows} rows")
            sheet.append([_xlsx_value(sheet, cell) for cell in row])
            count += 1
    except BaseException:
        _discard(sheet)
        raise
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(out)
    return count


def _discard(sheet: Any) -> None:
    """Close the sheet and remove its temporary file now: openpyxl removes it only when the
    workbook is saved, else at the process's exit."""
    sheet.close()
    sheet._writer.cleanup()


def _xlsx_value(sheet: Any, cell: Cell) -> Any:
    if cell is None:
        return None
    if isinstance(cell, Provisional):
        return _date_cell(sheet, cell.on, PROVISIONAL_FORMAT)
    if isinstance(cell, date):
        return _date_cell(sheet, cell, DATE_FORMAT)
    return _xlsx_text(cell)


def _date_cell(sheet: Any, day: date, number_format: str) -> Any:
    # Midnight of the day: the same Excel serial number as the date (cells hold datetimes).
    styled = WriteOnlyCell(sheet, value=datetime.combine(day, time.min))
    styled.number_format = number_format
    return styled
