"""The annual report as an XLSX workbook laid out like the published tables.

One sheet per table: table 三 needs three wide label columns and seven number columns, table 四
fifteen equal number columns and no label column; on one sheet the columns would have to serve
both and one of the tables would print badly. A third sheet lists the corrections made after
publication, when there are any. Every sheet repeats the title and status lines so a sheet
printed on its own still says whose numbers they are and as of when.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

# openpyxl ships no type hints (types-openpyxl would provide them).
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.reports import printed
from app.reports.printed import Grid
from app.reports.schemas import AnnualReport
from app.runtime import Runtime

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_FONT_NAME = "宋体"
_FONT = Font(name=_FONT_NAME, size=10.5)
_BOLD = Font(name=_FONT_NAME, size=10.5, bold=True)
_TITLE = Font(name=_FONT_NAME, size=16, bold=True)
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_LINE_PT = 14.0  # row height of one line of 10.5 pt text
_PAD_PT = 4.0

# Column widths in Excel's units (about one Latin digit; a CJK character takes about two).
_TABLE3_WIDTHS = (7.0, 12.0, 40.0) + (9.0,) * 7
_TABLE4_WIDTHS = (10.0,) * 15
# The corrections sheet: overrides (six columns), then changed numbers (five) below them.
_CORRECTION_WIDTHS = (22.0, 40.0, 27.0, 20.0, 30.0, 50.0)


def _text_width(text: str) -> float:
    """Width of the text in column units: CJK and full-width characters count double."""
    return sum(2.0 if ord(ch) > 0x2E7F or 0xFF00 <= ord(ch) <= 0xFFEF else 1.1 for ch in text)


def _lines(text: str, width: float) -> int:
    """How many lines the text wraps to in cells of this total width."""
    usable = max(width - 1.5, 2.0)
    return max(1, math.ceil(_text_width(text) / usable))


class _Sheet:
    """A worksheet written top to bottom, tracking the height each row's text needs."""

    def __init__(self, ws: Any, widths: Sequence[float]) -> None:
        self.ws = ws
        self.widths = widths
        self.next_row = 1
        self.needed: dict[int, float] = {}
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w

    def _need(self, row: int, height: float) -> None:
        self.needed[row] = max(self.needed.get(row, _LINE_PT + _PAD_PT), height)

    def line(self, text: str, font: Font = _FONT, *, center: bool = False) -> None:
        """A line of text across the whole width (merged)."""
        r = self.next_row
        cell = self.ws.cell(row=r, column=1, value=text)
        cell.font = font
        cell.alignment = _CENTER if center else _LEFT
        if len(self.widths) > 1:
            self.ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(self.widths))
        size = font.sz or 10.5
        self._need(r, _lines(text, sum(self.widths)) * size * 1.35 + _PAD_PT)
        self.next_row += 1

    def gap(self) -> None:
        self.next_row += 1

    def grid(self, grid: Grid) -> None:
        """A table of merged cells: borders on every cell, headings centred."""
        top = self.next_row
        for c in grid.cells:
            r, col = top + c.row, 1 + c.col
            cell = self.ws.cell(row=r, column=col, value=c.value if c.kind == "num" else c.text)
            cell.font = _FONT
            cell.alignment = _LEFT if c.kind == "label" else _CENTER
            if c.kind == "num":
                cell.number_format = "0"
            if c.rowspan > 1 or c.colspan > 1:
                self.ws.merge_cells(
                    start_row=r,
                    start_column=col,
                    end_row=r + c.rowspan - 1,
                    end_column=col + c.colspan - 1,
                )
            width = sum(self.widths[col - 1 : col - 1 + c.colspan])
            per_row = _lines(c.text, width) * _LINE_PT / c.rowspan + _PAD_PT
            for rr in range(r, r + c.rowspan):
                self._need(rr, per_row)
        # Merged cells keep their own borders: every cell of the table gets all four.
        for rr in range(top, top + grid.rows):
            for cc in range(1, grid.cols + 1):
                self.ws.cell(row=rr, column=cc).border = _BORDER
        self.next_row = top + grid.rows

    def list_table(self, headings: Sequence[str], rows: Sequence[Sequence[str | int]]) -> None:
        """A plain bordered table, one heading row."""
        lines: list[tuple[Sequence[str | int], Any]] = [(headings, _BOLD)]
        lines += [(values, _FONT) for values in rows]
        for values, font in lines:
            r = self.next_row
            for i, v in enumerate(values, start=1):
                cell = self.ws.cell(row=r, column=i, value=v)
                cell.font = font
                cell.border = _BORDER
                cell.alignment = _CENTER if font is _BOLD or isinstance(v, int) else _LEFT
                if isinstance(v, int):
                    cell.number_format = "0"
                self._need(r, _lines(str(v), self.widths[i - 1]) * _LINE_PT + _PAD_PT)
            self.next_row += 1

    def finish(self, *, repeat_rows: tuple[int, int] | None = None) -> None:
        for r, h in self.needed.items():
            self.ws.row_dimensions[r].height = round(h, 1)
        ps = self.ws.page_setup
        ps.orientation = "landscape"
        ps.paperSize = self.ws.PAPERSIZE_A4
        ps.fitToWidth = 1
        ps.fitToHeight = 0  # as many pages down as needed
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.print_options.horizontalCentered = True
        margins = self.ws.page_margins
        margins.left = margins.right = 0.5
        margins.top = margins.bottom = 0.6
        if repeat_rows is not None:
            self.ws.print_title_rows = f"{repeat_rows[0]}:{repeat_rows[1]}"


def _table_sheet(
    ws: Any, widths: Sequence[float], heading: str, grid: Grid, lines: Sequence[str], name: str
) -> None:
    sheet = _Sheet(ws, widths)
    sheet.line(name, _TITLE, center=True)
    for text in lines:
        sheet.line(text)
    sheet.gap()
    sheet.line(heading, _BOLD)
    header_top = sheet.next_row
    sheet.grid(grid)
    # A table broken across pages repeats its column headings.
    sheet.finish(repeat_rows=(header_top, header_top + grid.header_rows - 1))


def render(rt: Runtime, report: AnnualReport) -> bytes:
    """Tables 三 and 四 (and the corrections after publication) as an XLSX workbook."""
    wb = Workbook()
    name = printed.title(report)
    lines = printed.status_lines(report, rt.tz)
    ws3 = wb.active
    assert isinstance(ws3, Worksheet)  # a new workbook's one sheet
    ws3.title = "表三"
    _table_sheet(
        ws3,
        _TABLE3_WIDTHS,
        report.table3.title,
        printed.table3_grid(report.table3),
        lines,
        name,
    )
    _table_sheet(
        wb.create_sheet("表四"),
        _TABLE4_WIDTHS,
        report.table4.title,
        printed.table4_grid(report.table4),
        lines,
        name,
    )
    overrides = printed.override_rows(report, rt.tz, rt.workflow)
    changed = printed.changed_rows(report)
    if overrides or changed:
        sheet = _Sheet(wb.create_sheet("更正记录"), _CORRECTION_WIDTHS)
        sheet.line(name, _TITLE, center=True)
        for text in lines:
            sheet.line(text)
        if overrides:
            sheet.gap()
            sheet.line(printed.OVERRIDES_HEADING, _BOLD)
            sheet.list_table(printed.OVERRIDE_COLUMNS, overrides)
        if changed:
            sheet.gap()
            sheet.line(printed.CHANGED_HEADING, _BOLD)
            sheet.list_table(printed.CHANGED_COLUMNS, changed)
        sheet.finish()
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
