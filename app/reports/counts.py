"""The annual report's counting: two grouped queries, done by the database (RULES §8).

Table 三: one pass over the cases the year touches (periods.in_scope), grouped by applicant
category and outcome, summing the period counters. Table 四: one pass over the year's
reconsideration and litigation records, grouped by kind and status at year end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Case, RemedyRecord
from app.reports.periods import (
    Period,
    counted_type,
    counters,
    in_scope,
    remedy_filed_in,
    remedy_status,
)


@dataclass(frozen=True)
class Table3Group:
    category: str
    outcome: str | None
    new: int
    carried_over: int
    results: int
    carried_forward: int


@dataclass(frozen=True)
class Table4Group:
    kind: str
    status: str
    count: int


def table3_groups(session: Session, organ_ids: Sequence[int], period: Period) -> list[Table3Group]:
    c = counters(period)
    stmt = (
        select(
            Case.applicant_category,
            Case.outcome,
            *(func.sum(expr).label(name) for name, expr in c.items()),
        )
        .where(Case.organ_id.in_(organ_ids), in_scope(period))
        .group_by(Case.applicant_category, Case.outcome)
    )
    return [
        Table3Group(
            category=row[0],
            outcome=row[1],
            new=int(row[2] or 0),
            carried_over=int(row[3] or 0),
            results=int(row[4] or 0),
            carried_forward=int(row[5] or 0),
        )
        for row in session.execute(stmt)
    ]


def table4_groups(session: Session, organ_ids: Sequence[int], period: Period) -> list[Table4Group]:
    status = remedy_status(period).label("status")
    stmt = (
        select(RemedyRecord.kind, status, func.count())
        .join(Case, Case.id == RemedyRecord.case_id)
        .where(Case.organ_id.in_(organ_ids), counted_type(), remedy_filed_in(period))
        .group_by(RemedyRecord.kind, status)
    )
    return [Table4Group(kind=k, status=s, count=int(n)) for k, s, n in session.execute(stmt)]
