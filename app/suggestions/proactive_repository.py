"""The one query behind the organ-wide Art. 44 report: every requested item of the window.

Read as plain columns of (case, item) rows, not entities: a year of a busy organ is tens of
thousands of items, and the grouping needs a few columns of each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.case_types import FOI_APPLICATION
from app.models import Case, CaseItem


@dataclass(frozen=True)
class ItemRow:
    case_id: int
    number: str
    state: str
    outcome: str | None
    arrived_at: datetime
    receipt_date: date | None
    applicant_id_number: str
    position: int
    description: str
    document_number: str | None


def items_received(
    session: Session,
    *,
    organ_id: int,
    first_day: date,
    last_day: date,
    arrived_from: datetime,
    arrived_before: datetime,
    limit: int,
) -> tuple[list[ItemRow], bool]:
    """The organ's requested items received in the window, the most recent cases first.

    A case counts by its legal receipt date, or, while it has none (awaiting confirmation), by
    its arrival instant. At most `limit` items, whole cases only; True when some were left out.
    """
    stmt = (
        select(
            Case.id.label("case_id"),
            Case.number,
            Case.state,
            Case.outcome,
            Case.arrived_at,
            Case.receipt_date,
            Case.applicant_id_number,
            CaseItem.position,
            CaseItem.description,
            CaseItem.document_number,
        )
        .join(CaseItem, CaseItem.case_id == Case.id)
        .where(
            Case.organ_id == organ_id,
            Case.case_type == FOI_APPLICATION,  # Art. 44 is about FOI applications only
            or_(
                and_(
                    Case.receipt_date.is_not(None),
                    Case.receipt_date >= first_day,
                    Case.receipt_date <= last_day,
                ),
                and_(
                    Case.receipt_date.is_(None),
                    Case.arrived_at >= arrived_from,
                    Case.arrived_at < arrived_before,
                ),
            ),
        )
        .order_by(Case.id.desc(), CaseItem.position)
        .limit(limit + 1)
    )
    rows = [ItemRow(**r._asdict()) for r in session.execute(stmt)]
    if len(rows) <= limit:
        return rows, False
    # Drop the case the limit cut through: a case is grouped with all its items or not at all.
    cut = rows[limit].case_id
    return [r for r in rows[:limit] if r.case_id != cut], True
