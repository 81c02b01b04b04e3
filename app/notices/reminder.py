"""The calendar reminder (periodic job "calendar_reminder"): from 1 November, while next year's
official calendar (节假日安排) is not loaded, remind the administrators once that year
(dedupe key ``calendar:<year>``), listing the open cases whose reply due date is provisional
(counted on a year the calendar does not hold, weekends only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.models import Case
from app.notices.emitting import emit_once, recorded_keys
from app.notices.scan import open_states
from app.outbox import events as ev
from app.outbox.events import OutboxMessage
from app.runtime import Runtime

FROM_MONTH = 11
LISTED = 200


def calendar_key(year: int) -> str:
    return f"calendar:{year}"


def calendar_reminder(rt: Runtime, now: datetime) -> int:
    today = now.astimezone(rt.tz).date()
    year = today.year + 1
    if today.month < FROM_MONTH or year in rt.calendar.years:
        return 0
    key = calendar_key(year)
    with rt.sessions.read() as session:
        if recorded_keys(session, [key]):
            return 0
        q = (
            select(Case.id, Case.organ_id, Case.number, Case.reply_due)
            .where(
                Case.state.in_(open_states(rt)),
                Case.reply_due_provisional.is_(True),
            )
            .order_by(Case.reply_due, Case.id)
        )
        rows = list(session.execute(q))
    cases: list[dict[str, Any]] = [
        {"id": i, "organ_id": o, "number": n, "due": d.isoformat() if d else None}
        for i, o, n, d in rows[:LISTED]
    ]
    message = OutboxMessage(
        type=ev.CALENDAR_MISSING,
        payload={"year": year, "cases": cases, "case_count": len(rows)},
        dedupe_key=key,
    )
    with rt.sessions.write.begin() as session:
        return emit_once(session, [message], now=now)
