"""The first deadlines a received application has (RULES §4), computed from its receipt date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.deadline.calendar import WorkCalendar

REPLY_WORKING_DAYS = 20  # Art. 33
CORRECTION_NOTICE_WORKING_DAYS = 7  # Art. 30


@dataclass(frozen=True)
class Deadline:
    name: str
    label: str
    start_date: date
    working_days: int
    due_date: date
    provisional: bool
    explanation: str


def _deadline(calendar: WorkCalendar, name: str, label: str, start: date, n: int) -> Deadline:
    why = calendar.explain(start, n)
    return Deadline(
        name=name,
        label=label,
        start_date=start,
        working_days=n,
        due_date=why.due_date,
        provisional=why.provisional,
        explanation=f"{label}：收到申请之日 {start.isoformat()} 不计入。{why.summary()}",
    )


def deadlines_from_receipt(calendar: WorkCalendar, receipt_date: date) -> list[Deadline]:
    """Reply (20 WD) and correction notice (7 WD) deadlines counted from the receipt date."""
    return [
        _deadline(calendar, "reply", "答复期限", receipt_date, REPLY_WORKING_DAYS),
        _deadline(
            calendar,
            "correction_notice",
            "补正告知期限",
            receipt_date,
            CORRECTION_NOTICE_WORKING_DAYS,
        ),
    ]
