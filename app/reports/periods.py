"""Which year's numbers a case counts in (RULES §8) — the one place that says so.

[interpretation] of RULES §8, implemented exactly, for year Y:
- 一 (new): the receipt date is in Y;
- 二 (carried over): received before Y and not concluded by 31 December of Y−1;
- 三 (results): concluded in Y, by outcome; the conclusion date is the reply's issue date or the
  closure date (`cases.concluded_on`);
- 四 (carried forward): received by the end of Y and not concluded by then.
An application without a receipt date (its receipt was never confirmed — e.g. withdrawn while
awaiting confirmation) is counted nowhere: it was never received.

Table 四 [interpretation, ours: RULES §8 does not say which year a record belongs to]: a
reconsideration or litigation record counts in the year it was filed, with its result as it stood
on 31 December of that year — a result dated later is 尚未审结 (pending) in that year's table. A
published year's table 四 therefore does not move when a result arrives the next year.

Both the SQL the report counts with and the Python the year lock compares with live here, so
they cannot drift apart; tests check them against each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, or_

from app.case_types import FOI_APPLICATION
from app.models import Case, RemedyRecord
from app.reports.layout import ROW_OF_OUTCOME

# Rows whose cells are not a category count but derived totals.
TOTAL = "total"


@dataclass(frozen=True)
class Period:
    year: int

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 12, 31)


# --- table 三 ---------------------------------------------------------------------------------


def table3_rows(period: Period, received: date | None, concluded: date | None) -> list[str]:
    """The period rows (new, carried_over, results, carried_forward) a case counts in; the
    results row is given as "results" (its outcome picks the line)."""
    if received is None or received > period.end:
        return []
    if concluded is not None and concluded < period.start:
        return []
    rows = ["new" if received >= period.start else "carried_over"]
    if concluded is not None and concluded <= period.end:
        rows.append("results")
    else:
        rows.append("carried_forward")
    return rows


@dataclass(frozen=True)
class CaseStats:
    """What a case contributes to table 三: the fields RULES §8 counts by."""

    receipt_date: date | None
    concluded_on: date | None
    outcome: str | None
    category: str
    counted: bool = True  # False: a case type the report does not count (Art. 41)

    @classmethod
    def of(cls, c: Case) -> CaseStats:
        counted = c.case_type == FOI_APPLICATION
        return cls(c.receipt_date, c.concluded_on, c.outcome, c.applicant_category, counted)


def table3_cells(period: Period, s: CaseStats) -> frozenset[tuple[str, str]]:
    """Every (row, column) of table 三 the case is counted in, totals included."""
    cells: set[tuple[str, str]] = set()
    if not s.counted:
        return frozenset()
    for row in table3_rows(period, s.receipt_date, s.concluded_on):
        keys = [row]
        if row == "results":
            keys = [ROW_OF_OUTCOME.get(s.outcome or "", f"unknown:{s.outcome}"), TOTAL]
        for key in keys:
            cells.update({(key, s.category), (key, TOTAL)})
    return frozenset(cells)


def counted_type() -> ColumnElement[bool]:
    """Only FOI applications are counted in the report, tables 三 and 四: a request to correct
    records about oneself (Art. 41) is not an application for disclosure (RULES §9)."""
    return Case.case_type == FOI_APPLICATION


def in_scope(period: Period) -> ColumnElement[bool]:
    """Cases counted anywhere in the period's table 三 (SQL)."""
    return and_(
        counted_type(),
        Case.receipt_date.is_not(None),
        Case.receipt_date <= period.end,
        or_(Case.concluded_on.is_(None), Case.concluded_on >= period.start),
    )


def row_condition(period: Period, row: str) -> ColumnElement[bool]:
    """Cases counted in a row of table 三 (SQL), for the drill-down and the counts."""
    concluded_in = and_(
        in_scope(period), Case.concluded_on.is_not(None), Case.concluded_on <= period.end
    )
    if row == "new":
        return and_(in_scope(period), Case.receipt_date >= period.start)
    if row == "carried_over":
        return and_(in_scope(period), Case.receipt_date < period.start)
    if row == "carried_forward":
        return and_(
            in_scope(period), or_(Case.concluded_on.is_(None), Case.concluded_on > period.end)
        )
    if row == TOTAL:
        return concluded_in
    codes = [code for code, key in ROW_OF_OUTCOME.items() if key == row]
    if not codes:
        raise KeyError(row)
    return and_(concluded_in, Case.outcome.in_(codes))


def counters(period: Period) -> dict[str, ColumnElement[Any]]:
    """The period counters of one grouped query over in_scope(period), grouped by category and
    outcome: each is 1 for a case in that row, else 0."""

    def one_if(cond: ColumnElement[bool]) -> ColumnElement[Any]:
        return case((cond, 1), else_=0)

    return {
        "new": one_if(Case.receipt_date >= period.start),
        "carried_over": one_if(Case.receipt_date < period.start),
        "results": one_if(and_(Case.concluded_on.is_not(None), Case.concluded_on <= period.end)),
        "carried_forward": one_if(or_(Case.concluded_on.is_(None), Case.concluded_on > period.end)),
    }


# --- table 四 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemedyStats:
    kind: str
    filed_on: date
    result: str
    result_on: date | None

    @classmethod
    def of(cls, r: RemedyRecord) -> RemedyStats:
        return cls(r.kind, r.filed_on, r.result, r.result_on)


def status_at_year_end(period: Period, r: RemedyStats) -> str:
    """The record's result as it stood on 31 December: pending until its result date."""
    if r.result == "pending" or r.result_on is None or r.result_on > period.end:
        return "pending"
    return r.result


def table4_cells(period: Period, r: RemedyStats) -> frozenset[tuple[str, str]]:
    """The (group, column) cells of table 四 a record is counted in, totals included."""
    if not period.start <= r.filed_on <= period.end:
        return frozenset()
    return frozenset({(r.kind, status_at_year_end(period, r)), (r.kind, TOTAL)})


def remedy_filed_in(period: Period) -> ColumnElement[bool]:
    return and_(RemedyRecord.filed_on >= period.start, RemedyRecord.filed_on <= period.end)


def remedy_status(period: Period) -> ColumnElement[Any]:
    """status_at_year_end in SQL."""
    return case(
        (
            and_(
                RemedyRecord.result != "pending",
                RemedyRecord.result_on.is_not(None),
                RemedyRecord.result_on <= period.end,
            ),
            RemedyRecord.result,
        ),
        else_="pending",
    )
