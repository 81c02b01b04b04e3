"""What the printed annual report (XLSX and PDF) shows, independent of the file format: the
published tables as grids of merged cells (国办公开办函〔2021〕30号), the lines above them and the
record of corrections after publication. Pure: the report's JSON model in, text and grids out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from zoneinfo import ZoneInfo

from app.letters.formatting import cn_date, cn_datetime
from app.reports import layout
from app.reports.schemas import AnnualReport, ColumnRead, Table3Read, Table4Read
from app.workflow.definition import WorkflowDef

# The top-left cell of the published table 三, over the three label columns.
TABLE3_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
OVERRIDES_HEADING = "发布后经授权的更正"
CHANGED_HEADING = "发布后变化的数字"
OVERRIDE_COLUMNS = ("案件编号", "更正理由", "授权人", "授权时间", "更正操作", "涉及的数字")
CHANGED_COLUMNS = ("表", "行", "列", "发布时", "现在")

_RESULT_KEYS = frozenset(r.key for r in layout.RESULT_ROWS) | {layout.TOTAL.key}
# Changes that are not workflow actions but can use an override (app.remedies).
_OTHER_ACTIONS = {"record_remedy": "登记复议、诉讼记录", "update_remedy": "更新复议、诉讼记录"}


@dataclass(frozen=True)
class Cell:
    """One cell of a printed table, at its top-left grid position."""

    row: int
    col: int
    text: str
    kind: str  # "head" (column headings), "label" (row labels), "group" (tall row labels), "num"
    rowspan: int = 1
    colspan: int = 1
    value: int | None = None  # for "num"


@dataclass(frozen=True)
class Grid:
    rows: int
    cols: int
    header_rows: int
    cells: tuple[Cell, ...]

    def by_row(self) -> list[list[Cell]]:
        """The cells starting on each grid row, left to right (an HTML table's <tr>s)."""
        out: list[list[Cell]] = [[] for _ in range(self.rows)]
        for c in sorted(self.cells, key=lambda c: (c.row, c.col)):
            out[c.row].append(c)
        return out


def _spans(columns: list[ColumnRead]) -> list[tuple[str | None, list[ColumnRead]]]:
    """Consecutive columns under the same spanning heading."""
    return [(h, list(cols)) for h, cols in groupby(columns, key=lambda c: c.heading)]


def table3_grid(t: Table3Read) -> Grid:
    """Table 三: three header rows, three label columns, then the 25 rows of 7 numbers."""
    labels, heads = 3, 3
    n = len(t.columns)
    cells = [
        Cell(0, 0, TABLE3_CORNER, "head", rowspan=heads, colspan=labels),
        Cell(0, labels, t.applicant_heading, "head", colspan=n),
    ]
    col = labels
    for heading, cols in _spans(t.columns):
        if heading is None:
            cells += [Cell(1, col + i, c.label, "head", rowspan=2) for i, c in enumerate(cols)]
        else:
            cells.append(Cell(1, col, heading, "head", colspan=len(cols)))
            cells += [Cell(2, col + i, c.label, "head") for i, c in enumerate(cols)]
        col += len(cols)
    results = [i for i, r in enumerate(t.rows) if r.key in _RESULT_KEYS]
    if results != list(range(results[0], results[0] + len(results))):
        raise ValueError("the result rows of table 三 are not contiguous")
    cells.append(Cell(heads + results[0], 0, t.results_heading, "group", rowspan=len(results)))
    for i, row in enumerate(t.rows):
        r = heads + i
        if row.key not in _RESULT_KEYS:
            cells.append(Cell(r, 0, row.label, "label", colspan=labels))
        elif row.group is None:
            cells.append(Cell(r, 1, row.label, "label", colspan=labels - 1))
        else:
            if i == 0 or t.rows[i - 1].group != row.group:
                run = 1
                while i + run < len(t.rows) and t.rows[i + run].group == row.group:
                    run += 1
                cells.append(Cell(r, 1, row.group, "group", rowspan=run))
            cells.append(Cell(r, 2, row.label, "label"))
        cells += [
            Cell(r, labels + j, str(c.value), "num", value=c.value) for j, c in enumerate(row.cells)
        ]
    return Grid(heads + len(t.rows), labels + n, heads, tuple(cells))


def table4_grid(t: Table4Read) -> Grid:
    """Table 四: 行政复议 | 行政诉讼 (未经复议直接起诉 | 复议后起诉), five results each, then one
    row of 15 numbers."""
    k = len(t.columns)
    cells: list[Cell] = []
    col = 0
    for heading, run in groupby(t.groups, key=lambda g: g.heading):
        groups = list(run)
        width = k * len(groups)
        cells.append(Cell(0, col, heading, "head", colspan=width))
        for g in groups:
            if g.label == heading:  # 行政复议: its five results directly below it
                cells += [
                    Cell(1, col + i, c.label, "head", rowspan=2) for i, c in enumerate(t.columns)
                ]
            else:
                cells.append(Cell(1, col, g.label, "head", colspan=k))
                cells += [Cell(2, col + i, c.label, "head") for i, c in enumerate(t.columns)]
            cells += [
                Cell(3, col + i, str(c.value), "num", value=c.value) for i, c in enumerate(g.cells)
            ]
            col += k
    return Grid(4, col, 3, tuple(cells))


# --- the lines above the tables and the corrections below them ------------------------------


def title(report: AnnualReport) -> str:
    return f"{report.organ.name} {report.year}年度政府信息公开工作年度报告（节选）"


def _local(dt: datetime, tz: ZoneInfo) -> str:
    return cn_datetime(dt.astimezone(tz))


def status_lines(report: AnnualReport, tz: ZoneInfo) -> list[str]:
    """When the numbers were counted, whether the year is over, publication, organs summed."""
    if report.year_complete:
        lines = [f"统计日期：{cn_date(report.as_of)}"]
    else:
        lines = [f"统计截至{cn_date(report.as_of)}，{report.year}年度尚未结束，数字将随办理变化"]
    lock = report.lock
    if lock is not None:
        line = f"已于{_local(lock.locked_at, tz)}发布（锁定），发布人：{lock.locked_by}"
        if lock.overrides:
            line += f"；发布后经管理员授权更正{len(lock.overrides)}次，见“{OVERRIDES_HEADING}”"
        lines.append(line)
    if len(report.organs_included) > 1:
        names = "、".join(f"{o.name}（{o.code}）" for o in report.organs_included)
        lines.append(f"本表为以下{len(report.organs_included)}个机关的合计：{names}")
    return lines


def cell_label(report: AnnualReport, row: str, col: str) -> tuple[str, str, str]:
    """(table, row label, column label) of a cell address such as withheld.1 / natural_person."""
    for r in report.table3.rows:
        if r.key == row:
            cols = {c.key: c for c in report.table3.columns}
            c = cols.get(col)
            return (
                "表三",
                f"{r.group} {r.label}" if r.group else r.label,
                col if c is None else (f"{c.heading}·{c.label}" if c.heading else c.label),
            )
    for g in report.table4.groups:
        if g.key == row:
            label = g.label if g.label == g.heading else f"{g.heading}·{g.label}"
            c4 = {c.key: c.label for c in report.table4.columns}
            return "表四", label, c4.get(col, col)
    return "", row, col


def _print_order(report: AnnualReport) -> dict[tuple[str, str], int]:
    """Each cell address's position in the printed tables, table 三 row by row, then 四."""
    keys = [(r.key, c.key) for r in report.table3.rows for c in report.table3.columns]
    keys += [(g.key, c.key) for g in report.table4.groups for c in report.table4.columns]
    return {k: i for i, k in enumerate(keys)}


def _action_label(code: str | None, workflow: WorkflowDef) -> str:
    if code is None:
        return "尚未使用"
    action = workflow.actions.get(code)
    label = action.label if action is not None else _OTHER_ACTIONS.get(code, code)
    return f"{label}（{code}）"


def override_rows(report: AnnualReport, tz: ZoneInfo, workflow: WorkflowDef) -> list[list[str]]:
    """One row per override: case number, reason, granted by, granted at, the change that used
    it (action, by whom, when), and the numbers it changed."""
    if report.lock is None:
        return []
    order = _print_order(report)
    rows = []
    for o in report.lock.overrides:
        used = _action_label(o.used_action, workflow)
        if o.used_at is not None:
            used += f"，{o.used_by or ''}，{_local(o.used_at, tz)}"
        cells = []
        addresses = [a.partition("/")[::2] for a in o.used_cells or []]
        for row, col in sorted(addresses, key=lambda a: order.get(a, len(order))):
            table, row_label, col_label = cell_label(report, row, col)
            cells.append(f"{table} {row_label} / {col_label}".strip())
        rows.append(
            [
                o.case_number,
                o.reason,
                o.granted_by,
                _local(o.granted_at, tz),
                used,
                "；".join(cells) or "—",
            ]
        )
    return rows


def changed_rows(report: AnnualReport) -> list[tuple[str, str, str, int, int]]:
    """The numbers that differ from the published ones: table, row, column, published, now."""
    if report.lock is None:
        return []
    order = _print_order(report)
    out = []
    # In print order (the published numbers are stored as JSON, whose key order may change).
    ordered = sorted(
        report.lock.changed_since_publication,
        key=lambda c: order.get((c.row, c.column), len(order)),
    )
    for c in ordered:
        _, row_label, col_label = cell_label(report, c.row, c.column)
        out.append((f"表{c.table}", row_label, col_label, c.published, c.current))
    return out


# --- the download ---------------------------------------------------------------------------


def filename(report: AnnualReport, ext: str) -> str:
    """The Chinese file name (for filename*=)."""
    summed = "（含下属部门）" if len(report.organs_included) > 1 else ""
    return f"{report.organ.name}{summed}{report.year}年度报告表三表四.{ext}"


def ascii_filename(report: AnnualReport, ext: str) -> str:
    """The fallback for clients without RFC 5987: the organ code is [A-Za-z0-9_.-]."""
    summed = "-with-departments" if len(report.organs_included) > 1 else ""
    return f"annual-report-{report.organ.code}{summed}-{report.year}.{ext}"
