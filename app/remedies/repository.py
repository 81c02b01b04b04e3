"""Every query on reconsideration and litigation records."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import RemedyRecord


def of_case(session: Session, case_id: int) -> list[RemedyRecord]:
    stmt = select(RemedyRecord).where(RemedyRecord.case_id == case_id).order_by(RemedyRecord.id)
    return list(session.scalars(stmt))


def in_case(session: Session, case_id: int, record_id: int) -> RemedyRecord | None:
    stmt = select(RemedyRecord).where(RemedyRecord.id == record_id, RemedyRecord.case_id == case_id)
    return session.scalars(stmt).one_or_none()
