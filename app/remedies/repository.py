"""Every query on reconsideration and litigation records, and on what a case's remedy windows
depend on (the issued reply's decisions, the receipt of a reconsideration decision)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Letter, RemedyRecord


def of_case(session: Session, case_id: int) -> list[RemedyRecord]:
    stmt = select(RemedyRecord).where(RemedyRecord.case_id == case_id).order_by(RemedyRecord.id)
    return list(session.scalars(stmt))


def in_case(session: Session, case_id: int, record_id: int) -> RemedyRecord | None:
    stmt = select(RemedyRecord).where(RemedyRecord.id == record_id, RemedyRecord.case_id == case_id)
    return session.scalars(stmt).one_or_none()


def reply_fields_of(session: Session, case_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The fields of each case's latest issued reply (its outcome, items, withheld parts)."""
    stmt = (
        select(Letter.case_id, Letter.fields)
        .where(Letter.case_id.in_(case_ids), Letter.kind == "reply", Letter.status == "issued")
        .order_by(Letter.case_id, Letter.id)
    )
    # Ordered by id: the latest reply wins.
    return {case_id: dict(fields or {}) for case_id, fields in session.execute(stmt)}


def decisions_received_of(session: Session, case_ids: Sequence[int]) -> dict[int, date]:
    """The latest day the applicant received a reconsideration decision, by case."""
    stmt = (
        select(RemedyRecord.case_id, func.max(RemedyRecord.decision_received_on))
        .where(
            RemedyRecord.case_id.in_(case_ids),
            RemedyRecord.kind == "reconsideration",
            RemedyRecord.decision_received_on.is_not(None),
        )
        .group_by(RemedyRecord.case_id)
    )
    return {case_id: on for case_id, on in session.execute(stmt) if on is not None}
