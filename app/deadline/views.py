"""Deadlines as the API shows them."""

from __future__ import annotations

from datetime import date

from app.deadline.calendar import WorkCalendar
from app.deadline.ledger import Deadline, Ledger, RemedyFacts, compute_deadlines
from app.intake.schemas import DeadlineRead


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


def deadlines_read(
    ledger: Ledger,
    calendar: WorkCalendar,
    *,
    today: date,
    fee_pauses_clock: bool,
    remedy: RemedyFacts = RemedyFacts(),
) -> list[DeadlineRead]:
    """Every deadline that applies to a ledger today."""
    return [
        deadline_read(d)
        for d in compute_deadlines(
            ledger, calendar, today=today, fee_pauses_clock=fee_pauses_clock, remedy=remedy
        )
    ]
