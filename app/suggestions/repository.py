"""Queries behind the suggestions: earlier cases of one applicant, recent cases of others.

Candidates are read as plain columns, not as `Case` entities: a list of up to a few thousand
cases needs eight columns and the items, not the whole row and the identity map.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from app.case_types import FOI_APPLICATION
from app.letters.kinds import LetterKind
from app.models import Case, CaseItem, Letter

# Earlier applications of one applicant considered for a repeat, most recent first.
EARLIER_LIMIT = 200
# Other applicants' recent applications considered for Art. 44, most recent first.
OTHERS_LIMIT = 2000
# Ids bound per IN list: well under any driver's limit on bound parameters.
_CHUNK = 500


@dataclass(frozen=True)
class PastItem:
    position: int
    description: str
    document_number: str | None


@dataclass(frozen=True)
class PastCase:
    id: int
    number: str
    state: str
    arrived_at: datetime
    receipt_date: date | None
    applicant_name: str
    applicant_category: str
    applicant_id_number: str
    items: tuple[PastItem, ...]


@dataclass(frozen=True)
class IssuedReply:
    letter_id: int
    case_id: int
    number: str | None
    letter_date: date | None
    context: dict[str, Any] | None


_COLUMNS = (
    Case.id,
    Case.number,
    Case.state,
    Case.arrived_at,
    Case.receipt_date,
    Case.applicant_name,
    Case.applicant_category,
    Case.applicant_id_number,
)


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[k : k + _CHUNK] for k in range(0, len(ids), _CHUNK)]


def _most_recent(session: Session, *criteria: ColumnElement[bool], limit: int) -> list[PastCase]:
    """The most recently arrived cases meeting the criteria, with their items."""
    stmt = (
        select(*_COLUMNS)
        # Repeats (Art. 36(6)) and Art. 44 groups are about FOI applications only: a request
        # to correct records about oneself (Art. 41) is neither.
        .where(Case.case_type == FOI_APPLICATION, *criteria)
        .order_by(Case.arrived_at.desc(), Case.id.desc())
        .limit(limit)
    )
    rows = session.execute(stmt).all()
    ids = [r.id for r in rows]
    items: dict[int, list[PastItem]] = {i: [] for i in ids}
    for chunk in _chunks(ids):
        item_stmt = (
            select(
                CaseItem.case_id, CaseItem.position, CaseItem.description, CaseItem.document_number
            )
            .where(CaseItem.case_id.in_(chunk))
            .order_by(CaseItem.case_id, CaseItem.position)
        )
        for it in session.execute(item_stmt):
            items[it.case_id].append(PastItem(it.position, it.description, it.document_number))
    return [
        PastCase(
            id=r.id,
            number=r.number,
            state=r.state,
            arrived_at=r.arrived_at,
            receipt_date=r.receipt_date,
            applicant_name=r.applicant_name,
            applicant_category=r.applicant_category,
            applicant_id_number=r.applicant_id_number,
            items=tuple(items[r.id]),
        )
        for r in rows
    ]


def earlier_cases_of_applicant(
    session: Session,
    *,
    organ_id: int,
    id_number: str,
    case_id: int,
    arrived_at: datetime,
    limit: int = EARLIER_LIMIT,
) -> list[PastCase]:
    """The applicant's applications to the organ that arrived before this one, with items."""
    return _most_recent(
        session,
        Case.organ_id == organ_id,
        Case.applicant_id_number == id_number,
        Case.id != case_id,
        # Arrived earlier; of two arriving at the same instant, the one registered first.
        or_(Case.arrived_at < arrived_at, and_(Case.arrived_at == arrived_at, Case.id < case_id)),
        limit=limit,
    )


def recent_cases_of_others(
    session: Session,
    *,
    organ_id: int,
    id_number: str,
    since: datetime,
    limit: int = OTHERS_LIMIT,
) -> list[PastCase]:
    """Other applicants' applications to the organ that arrived since the instant, with items."""
    return _most_recent(
        session,
        Case.organ_id == organ_id,
        Case.applicant_id_number != id_number,
        Case.arrived_at >= since,
        limit=limit,
    )


def issued_replies(
    session: Session, organ_id: int, case_ids: Sequence[int]
) -> dict[int, IssuedReply]:
    """The latest issued reply (答复书) of each of the cases that has one."""
    found: dict[int, IssuedReply] = {}
    for chunk in _chunks(case_ids):
        stmt = (
            select(Letter.id, Letter.case_id, Letter.number, Letter.letter_date, Letter.context)
            .where(
                Letter.organ_id == organ_id,
                Letter.case_id.in_(chunk),
                Letter.kind == LetterKind.reply,
                Letter.status == "issued",
            )
            .order_by(Letter.case_id, Letter.issued_at, Letter.id)
        )
        for r in session.execute(stmt):
            # Ordered oldest first: a later reply of the same case replaces an earlier one.
            found[r.case_id] = IssuedReply(r.id, r.case_id, r.number, r.letter_date, r.context)
    return found
