"""The deadline columns cached on a case for list queries, derived from its ledger (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from app.deadline.calendar import WorkCalendar
from app.deadline.ledger import Deadline, Ledger, compute_deadlines

CACHE_COLUMNS = (
    "reply_due",
    "reply_due_provisional",
    "correction_notice_due",
    "correction_due",
    "reply_status",
)
# Statuses that only say how today relates to the due date are not cached: they change daily.
_TIME_RELATIVE = {"overdue": "running"}


def cache_values(
    ledger: Ledger, calendar: WorkCalendar, *, fee_pauses_clock: bool, today: date
) -> dict[str, Any]:
    """The cached deadline columns for a case with this ledger."""
    return cache_from(
        compute_deadlines(ledger, calendar, today=today, fee_pauses_clock=fee_pauses_clock)
    )


def cache_from(deadlines: Iterable[Deadline]) -> dict[str, Any]:
    """The cached deadline columns from deadlines already computed."""
    by_name = {d.name: d for d in deadlines}
    reply = by_name.get("reply")
    notice = by_name.get("correction_notice")
    correction = by_name.get("correction")
    return {
        "reply_due": reply.due_date if reply else None,
        "reply_due_provisional": bool(reply and reply.provisional),
        "correction_notice_due": notice.due_date if notice else None,
        "correction_due": correction.due_date if correction else None,
        "reply_status": _TIME_RELATIVE.get(reply.status, reply.status) if reply else None,
    }
