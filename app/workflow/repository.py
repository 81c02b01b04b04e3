"""Queries the workflow's rules need beyond the case and its ledger."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.models import Case, CaseItem, Letter


def _month(on: date) -> tuple[date, date]:
    start = on.replace(day=1)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start, end


def earlier_pieces_in_month(session: Session, case: Case, on: date) -> int:
    """Pieces of the applicant's other applications to the same organ received earlier in the
    same natural month (matched by ID number) — RULES §6 per-piece counting [interpretation]:
    an application that had a per-piece fee notice counts the pieces that notice charged for,
    any other counts its items."""
    start, end = _month(on)
    this_day = case.receipt_date or on
    others = (
        select(Case.id)
        .where(
            Case.organ_id == case.organ_id,
            Case.applicant_id_number == case.applicant_id_number,
            Case.id != case.id,
            Case.receipt_date >= start,
            Case.receipt_date < end,
            or_(
                Case.receipt_date < this_day,
                and_(Case.receipt_date == this_day, Case.id < case.id),
            ),
        )
        .subquery()
    )
    items = dict(
        session.execute(
            select(CaseItem.case_id, func.count())
            .where(CaseItem.case_id.in_(select(others.c.id)))
            .group_by(CaseItem.case_id)
        ).all()
    )
    notices = session.execute(
        select(Letter.case_id, Letter.context).where(
            Letter.case_id.in_(select(others.c.id)),
            Letter.kind == "fee_notice",
            Letter.status == "issued",
        )
    ).all()
    for case_id, context in notices:
        if context and context.get("method") == "per_piece":
            items[case_id] = int(context.get("quantity") or items.get(case_id, 0))
    return sum(items.values())
