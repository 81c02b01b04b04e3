"""The annual report's tables as the report page shows them: the published grids of
app.reports.printed (the same merged headings as the XLSX and the PDF) with header cells marked
for assistive technology and every number linking to its drill-down page. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from app.reports.printed import Grid, table3_grid, table4_grid
from app.reports.schemas import CellRead, Table3Read, Table4Read

API_CELLS = "/api/v1/reports/annual/"
PAGE_CELLS = "/staff/reports/"


@dataclass(frozen=True)
class PageCell:
    text: str
    header: bool  # a <th> (column heading or row label) or a <td> (a number)
    scope: str | None  # a header's: col, or row (a spanning header covers every row or
    # column it spans, by HTML's table model)
    rowspan: int
    colspan: int
    href: str | None  # a number's drill-down page


@dataclass(frozen=True)
class PageGrid:
    header_rows: list[list[PageCell]]
    body_rows: list[list[PageCell]]


def page_href(api_href: str) -> str:
    """The drill-down page of a number from the report's own link to its JSON drill-down."""
    if not api_href.startswith(API_CELLS):
        raise ValueError(f"not a drill-down link: {api_href}")
    return PAGE_CELLS + api_href.removeprefix(API_CELLS)


_SCOPES = {"head": "col", "label": "row", "group": "row"}


def _page_grid(grid: Grid, numbers: dict[tuple[int, int], CellRead]) -> PageGrid:
    rows: list[list[PageCell]] = []
    for cells in grid.by_row():
        out = []
        for c in cells:
            if c.kind == "num":
                href = page_href(numbers[c.row, c.col].href)
                out.append(PageCell(c.text, False, None, c.rowspan, c.colspan, href))
                continue
            out.append(PageCell(c.text, True, _SCOPES[c.kind], c.rowspan, c.colspan, None))
        rows.append(out)
    return PageGrid(rows[: grid.header_rows], rows[grid.header_rows :])


def table3(t: Table3Read) -> PageGrid:
    grid = table3_grid(t)
    labels = grid.cols - len(t.columns)
    numbers = {
        (grid.header_rows + i, labels + j): cell
        for i, row in enumerate(t.rows)
        for j, cell in enumerate(row.cells)
    }
    return _page_grid(grid, numbers)


def table4(t: Table4Read) -> PageGrid:
    grid = table4_grid(t)
    k = len(t.columns)
    numbers = {
        (grid.header_rows, g * k + j): cell
        for g, group in enumerate(t.groups)
        for j, cell in enumerate(group.cells)
    }
    return _page_grid(grid, numbers)
