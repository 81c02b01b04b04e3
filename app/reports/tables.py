"""Tables 三 and 四 assembled from the grouped counts, and the identities they must satisfy.

Totals are counted, not derived: the 总计 column counts every case whatever its category, and
(七) every concluded case whatever its outcome. So a case with a category or outcome the layout
does not know breaks an identity — which names the cell — instead of silently vanishing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from app.errors import Conflict
from app.reports.counts import Table3Group, Table4Group
from app.reports.layout import (
    CATEGORY_COLUMNS,
    RESULT_ROWS,
    ROW_OF_OUTCOME,
    TABLE3_COLUMNS,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    TABLE4_RESULTS,
)
from app.reports.periods import TOTAL

Cells = dict[str, dict[str, int]]  # row -> column -> count

_CATEGORIES = frozenset(c.key for c in CATEGORY_COLUMNS)
_PERIOD_ROWS = ("new", "carried_over", "carried_forward")


def _zero(rows: Iterable[str], cols: Iterable[str]) -> Cells:
    cols = tuple(cols)
    return {r: dict.fromkeys(cols, 0) for r in rows}


def table3(groups: Iterable[Table3Group]) -> Cells:
    """Table 三's 25 × 7 numbers from the grouped counts."""
    cells = _zero((r.key for r in TABLE3_ROWS), (c.key for c in TABLE3_COLUMNS))
    for g in groups:
        columns = [TOTAL, g.category] if g.category in _CATEGORIES else [TOTAL]
        result_row = ROW_OF_OUTCOME.get(g.outcome or "")
        for col in columns:
            for row in _PERIOD_ROWS:
                cells[row][col] += getattr(g, row)
            cells[TOTAL][col] += g.results
            if result_row is not None:
                cells[result_row][col] += g.results
    return cells


def table4(groups: Iterable[Table4Group]) -> Cells:
    """Table 四's three groups of five from the grouped counts."""
    cells = _zero((g.key for g in TABLE4_GROUPS), (c.key for c in TABLE4_COLUMNS))
    known = {c.key for c in TABLE4_RESULTS}
    for g in groups:
        row = cells.setdefault(g.kind, dict.fromkeys((c.key for c in TABLE4_COLUMNS), 0))
        row[TOTAL] += g.count
        if g.status in known:
            row[g.status] += g.count
    return cells


@dataclass(frozen=True)
class Failure:
    table: str  # "三" or "四"
    row: str
    column: str
    rule: str
    expected: int
    actual: int


@dataclass
class Check:
    failures: list[Failure] = field(default_factory=list)
    checked: int = 0

    def equal(self, table: str, row: str, col: str, rule: str, expected: int, actual: int) -> None:
        self.checked += 1
        if expected != actual:
            self.failures.append(Failure(table, row, col, rule, expected, actual))


def check_table3(cells: Cells) -> Check:
    """一 + 二 = (七) + 四 in every column; 总计 = the sum of the six categories in every row;
    (七) = the sum of (一)…(六) in every column."""
    check = Check()
    for col in (c.key for c in TABLE3_COLUMNS):
        check.equal(
            "三",
            "carried_forward",
            col,
            "一 + 二 = (七) + 四",
            cells["new"][col] + cells["carried_over"][col] - cells[TOTAL][col],
            cells["carried_forward"][col],
        )
        check.equal(
            "三",
            TOTAL,
            col,
            "(七) = (一)…(六)之和",
            sum(cells[r.key][col] for r in RESULT_ROWS),
            cells[TOTAL][col],
        )
    for row in (r.key for r in TABLE3_ROWS):
        check.equal(
            "三",
            row,
            TOTAL,
            "总计 = 各类申请人之和",
            sum(cells[row][c] for c in _CATEGORIES),
            cells[row][TOTAL],
        )
    return check


def check_table4(cells: Cells) -> Check:
    """Each 总计 = the sum of its four; and no record outside the three groups."""
    check = Check()
    for group, row in cells.items():
        known = group in {g.key for g in TABLE4_GROUPS}
        check.equal(
            "四",
            group,
            TOTAL,
            "总计 = 四项之和" if known else "未知类别 / unknown kind",
            sum(row[c.key] for c in TABLE4_RESULTS) if known else 0,
            row[TOTAL],
        )
    return check


class ReportInconsistent(Conflict):
    code = "report-inconsistent"
    title = "报表数据不平衡 / The report's numbers do not add up"


def ensure_consistent(t3: Cells, t4: Cells) -> int:
    """Raise naming every failing cell; return how many identities were checked."""
    c3, c4 = check_table3(t3), check_table4(t4)
    failures = c3.failures + c4.failures
    if failures:
        first = failures[0]
        raise ReportInconsistent(
            f"表{first.table}第 {first.row} 行 {first.column} 列不满足 {first.rule} / table "
            f"{first.table} cell {first.row}/{first.column} fails {first.rule}: expected "
            f"{first.expected}, counted {first.actual}",
            failures=[
                {
                    "table": f.table,
                    "row": f.row,
                    "column": f.column,
                    "rule": f.rule,
                    "expected": f.expected,
                    "actual": f.actual,
                }
                for f in failures
            ],
        )
    return c3.checked + c4.checked
