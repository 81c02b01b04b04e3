"""Deadline warnings (the periodic job "deadline_warnings"): each open case's cached reply due
date against the organ's thresholds, and external consultations whose window ended unanswered.

A warning is recorded once per (case, deadline, due date, threshold) by its dedupe key; a due
date that moves (a suspension, an extension, a new calendar) makes new keys, so its warnings
are armed again. One query reads the candidates (cases whose reply falls due within the
largest threshold, or is past), the keys already recorded are read in a few more, and the new
warnings are written in one statement.

When a warning fires: ``remaining`` is the number of working days after today through the due
date (0 on the due date itself); the warning of threshold t is due once remaining <= t, and
the one sent is the smallest threshold not below remaining — so the 5-day warning comes on the
5th working day before (across holidays, as the calendar counts), the 1-day one on the last
working day before, and a case registered with 3 days left gets the 5-day one at once rather
than none. `deadline.overdue` comes on the first day after the due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.deadline import ledger as lg
from app.deadline.calendar import WorkCalendar
from app.models import Case, Consultation, Organ
from app.notices.emitting import emit_once
from app.organs.settings import organ_settings
from app.outbox import events as ev
from app.outbox.events import OutboxMessage
from app.runtime import Runtime

REPLY = "reply"


def running_states(rt: Runtime) -> tuple[str, ...]:
    """States whose reply clock counts (a paused clock's due date is not yet known)."""
    found = {
        c: None
        for wf in rt.workflows.values()
        for c, s in wf.states.items()
        if s.clock == "running"
    }
    return tuple(found)


def open_states(rt: Runtime) -> tuple[str, ...]:
    found = {
        c: None
        for wf in rt.workflows.values()
        for c, s in wf.states.items()
        if s.clock in ("running", "paused")
    }
    return tuple(found)


def thresholds_by_organ(session: Session) -> dict[int, tuple[int, ...]]:
    rows = session.execute(select(Organ.id, Organ.settings))
    return {
        int(oid): tuple(sorted(set(organ_settings(raw).warning_thresholds_wd))) for oid, raw in rows
    }


@dataclass(frozen=True)
class Candidate:
    id: int
    organ_id: int
    number: str
    case_type: str
    state: str
    due: date

    def ref(self) -> dict[str, object]:
        return {
            "id": self.id,
            "number": self.number,
            "case_type": self.case_type,
            "state": self.state,
        }


def candidates(session: Session, states: tuple[str, ...], horizon: date) -> list[Candidate]:
    """Open cases whose reply is due by the horizon (or is past): the one candidate query."""
    if not states:
        return []
    q = select(
        Case.id, Case.organ_id, Case.number, Case.case_type, Case.state, Case.reply_due
    ).where(Case.state.in_(states), Case.reply_due.is_not(None), Case.reply_due <= horizon)
    return [
        Candidate(cid, organ_id, number, ctype, state, due)
        for cid, organ_id, number, ctype, state, due in session.execute(q)
        if due is not None
    ]


def warning_for(
    c: Candidate, thresholds: tuple[int, ...], calendar: WorkCalendar, today: date
) -> OutboxMessage | None:
    """The warning this case is due today, if any (its dedupe key makes it once only)."""
    due = c.due
    if due < today:
        return OutboxMessage(
            type=ev.DEADLINE_OVERDUE,
            organ_id=c.organ_id,
            case_id=c.id,
            payload={"case": c.ref(), "deadline": REPLY, "due": due.isoformat()},
            dedupe_key=f"warn:{c.id}:{REPLY}:{due.isoformat()}:overdue",
        )
    remaining = calendar.count_working_days(today, due) if due > today else 0
    fitting = [t for t in thresholds if t >= remaining]
    if not fitting:
        return None
    threshold = fitting[0]
    return OutboxMessage(
        type=ev.DEADLINE_DUE_SOON,
        organ_id=c.organ_id,
        case_id=c.id,
        payload={
            "case": c.ref(),
            "deadline": REPLY,
            "due": due.isoformat(),
            "threshold": threshold,
            "remaining_wd": remaining,
        },
        dedupe_key=f"warn:{c.id}:{REPLY}:{due.isoformat()}:{threshold}",
    )


def reply_warnings(session: Session, rt: Runtime, today: date) -> list[OutboxMessage]:
    calendar = rt.calendar
    by_organ = thresholds_by_organ(session)
    widest = max((t[-1] for t in by_organ.values() if t), default=0)
    horizon = calendar.add_working_days(today, widest)
    out = []
    for c in candidates(session, running_states(rt), horizon):
        m = warning_for(c, by_organ.get(c.organ_id, ()), calendar, today)
        if m is not None:
            out.append(m)
    return out


def consultation_warnings(session: Session, rt: Runtime, today: date) -> list[OutboxMessage]:
    """External consultations of open cases whose 15-WD window ended with no opinion."""
    states = open_states(rt)
    if not states:
        return []
    q = (
        select(
            Consultation.id,
            Consultation.code,
            Consultation.kind,
            Consultation.dispatched_on,
            Consultation.party_received_on,
            Case.id,
            Case.organ_id,
            Case.number,
            Case.case_type,
            Case.state,
        )
        .join(Case, Case.id == Consultation.case_id)
        .where(
            Case.state.in_(states),
            Consultation.kind.in_(tuple(lg.EXTERNAL_KINDS)),
            Consultation.opinion_on.is_(None),
            Consultation.settled_on.is_(None),
        )
    )
    calendar = rt.calendar
    out = []
    for (
        cid,
        code,
        kind,
        sent_on,
        received_on,
        case_id,
        organ_id,
        number,
        ctype,
        state,
    ) in session.execute(q):
        due = lg.consultation_window_end(calendar, kind, sent_on, received_on)
        if due is None or today <= due:
            continue
        ref = {"id": case_id, "number": number, "case_type": ctype, "state": state}
        out.append(
            OutboxMessage(
                type=ev.CONSULTATION_WINDOW_ENDED,
                organ_id=organ_id,
                case_id=case_id,
                payload={
                    "case": ref,
                    "consultation": {"code": code, "kind": kind, "window_due": due.isoformat()},
                },
                dedupe_key=f"consult:{cid}:{due.isoformat()}",
            )
        )
    return out


def deadline_warnings(rt: Runtime, now: datetime) -> int:
    """The periodic job: record every warning due today that was not recorded before."""
    today = now.astimezone(rt.tz).date()
    # Read outside the write transaction, so the scan holds no writer's lock.
    with rt.sessions.read() as session:
        messages = reply_warnings(session, rt, today) + consultation_warnings(session, rt, today)
    if not messages:
        return 0
    with rt.sessions.write.begin() as session:
        return emit_once(session, messages, now=now)
