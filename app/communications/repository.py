"""Every query on communication log entries."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import CommunicationRecord


def of_case(session: Session, case_id: int) -> list[CommunicationRecord]:
    stmt = (
        select(CommunicationRecord)
        .where(CommunicationRecord.case_id == case_id)
        .order_by(CommunicationRecord.occurred_at, CommunicationRecord.id)
    )
    return list(session.scalars(stmt))


def in_case(session: Session, case_id: int, record_id: int) -> CommunicationRecord | None:
    stmt = select(CommunicationRecord).where(
        CommunicationRecord.id == record_id, CommunicationRecord.case_id == case_id
    )
    return session.scalars(stmt).one_or_none()


def latest_of_cases(session: Session, case_ids: Collection[int]) -> dict[int, CommunicationRecord]:
    """The latest entry of each case that has one (by time, then by id)."""
    if not case_ids:
        return {}
    ranked = (
        select(
            CommunicationRecord.id,
            func.row_number()
            .over(
                partition_by=CommunicationRecord.case_id,
                order_by=(CommunicationRecord.occurred_at.desc(), CommunicationRecord.id.desc()),
            )
            .label("rank"),
        )
        .where(CommunicationRecord.case_id.in_(list(case_ids)))
        .subquery()
    )
    stmt = (
        select(CommunicationRecord)
        .join(ranked, ranked.c.id == CommunicationRecord.id)
        .where(ranked.c.rank == 1)
    )
    return {r.case_id: r for r in session.scalars(stmt)}
