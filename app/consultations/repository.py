"""Every query on consultations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Case, Consultation


def consultations_of_case(session: Session, case_id: int) -> list[Consultation]:
    """A case's consultations in the order they were started."""
    stmt = select(Consultation).where(Consultation.case_id == case_id).order_by(Consultation.id)
    return list(session.scalars(stmt))


def open_consultations(
    session: Session,
    organ_id: int,
    states: Sequence[str],
    kinds: Sequence[str],
    *,
    case_ids: Iterable[int] | None,
) -> list[Consultation]:
    """The organ's unanswered, unsettled consultations of these kinds (on cases in these
    states, and among these cases, when given)."""
    stmt = (
        select(Consultation)
        .join(Case, Case.id == Consultation.case_id)
        .where(
            Case.organ_id == organ_id,
            Consultation.kind.in_(kinds),
            Consultation.opinion_on.is_(None),
            Consultation.settled_on.is_(None),
        )
        .order_by(Consultation.id)
    )
    if states:
        stmt = stmt.where(Case.state.in_(states))
    if case_ids is not None:
        stmt = stmt.where(Consultation.case_id.in_(list(case_ids)))
    return list(session.scalars(stmt))
