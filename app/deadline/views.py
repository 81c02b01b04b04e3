"""Deadlines as the API shows them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from app.deadline.calendar import WorkCalendar
from app.deadline.ledger import Deadline, Ledger, RemedyFacts, compute_deadlines
from app.deadline.schemas import DeadlineRead


def deadline_read(d: Deadline) -> DeadlineRead:
    """One deadline with its explanation in Chinese and English."""
    return DeadlineRead(
        name=d.name,
        label=d.label,
        start_date=d.start_date,
        working_days=d.working_days_total,
        due_date=d.due_date,
        provisional=d.provisional,
        status=d.status,
        working_days_elapsed=d.working_days_elapsed,
        working_days_left=d.working_days_left,
        explanation=f"{d.text_zh()}\n{d.text_en()}",
    )


# Who approved an extension or an Art. 35 date, as the applicant reads it: the office, not the
# staff member's name (the letter the applicant received is signed by the organ).
APPLICANT_APPROVER = "机关负责人"


def without_names(d: Deadline) -> Deadline:
    """The deadline with the approving staff member's name replaced by their office."""
    ex = d.explanation
    if not ex.extensions and ex.art35 is None:
        return d
    return replace(
        d,
        explanation=replace(
            ex,
            extensions=tuple(replace(e, approved_by=APPLICANT_APPROVER) for e in ex.extensions),
            art35=replace(ex.art35, approved_by=APPLICANT_APPROVER) if ex.art35 else None,
        ),
    )


def deadlines_read(
    ledger: Ledger,
    calendar: WorkCalendar,
    *,
    today: date,
    fee_pauses_clock: bool,
    remedy: RemedyFacts = RemedyFacts(),
    anonymous: bool = False,
) -> list[DeadlineRead]:
    """Every deadline that applies to a ledger today (`anonymous`: no staff names, for the
    applicant)."""
    return [
        deadline_read(without_names(d) if anonymous else d)
        for d in compute_deadlines(
            ledger, calendar, today=today, fee_pauses_clock=fee_pauses_clock, remedy=remedy
        )
    ]
