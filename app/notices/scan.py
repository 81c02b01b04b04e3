"""Deadline warnings (the periodic job "deadline_warnings"): each open case's cached due dates
(the reply while its clock runs; the applicant's correction period while the case awaits the
correction) against the organ's thresholds, and external consultations whose window ended
unanswered.

A warning is recorded once per (case, deadline, due date, threshold) by its dedupe key; a due
date that moves (a suspension, an extension, a new calendar) makes new keys, so its warnings
are armed again. One query selects exactly the warnings due today and not yet recorded: the
rule below is turned, for the scan's day, into date bands (the due dates that get each
threshold), and NOT EXISTS on the outbox's dedupe key (built in SQL the way Python builds it)
drops those already sent; so an unchanged day reads nothing and writes nothing. The same
query builds each event (key, payload) in SQL, and the new warnings go from it straight into
the outbox in one INSERT .. SELECT (`insert_selected`). `warning_for` is the rule per case; the
tests hold the query to it.

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
from typing import Any

from sqlalchemy import Select, String, case, cast, exists, literal, select, union_all
from sqlalchemy.orm import Session

from app.deadline import ledger as lg
from app.deadline.calendar import WorkCalendar
from app.models import Case, Consultation, Organ, OutboxEvent
from app.notices.emitting import any_row, emit_once, insert_selected
from app.notices.sql import IsoDate, json_object
from app.organs.settings import organ_settings
from app.outbox import events as ev
from app.outbox.events import OutboxMessage
from app.runtime import Runtime

REPLY = "reply"
CORRECTION = "correction"
OVERDUE = "overdue"


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
    """Open cases whose reply is due by the horizon (or is past), warned or not (the bench's
    reference: the rows a scan would look at without knowing what was sent)."""
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


def level_of(remaining: int, thresholds: tuple[int, ...]) -> int | None:
    """The rule: the smallest threshold not below the working days remaining (None: none yet)."""
    return min((t for t in thresholds if t >= remaining), default=None)


def warning_for(
    c: Candidate,
    thresholds: tuple[int, ...],
    calendar: WorkCalendar,
    today: date,
    deadline: str = REPLY,
) -> OutboxMessage | None:
    """The warning this case is due today by the rule, if any (its dedupe key makes it once
    only). The scan does not call this per row: it selects the same warnings in SQL
    (`warning_bands`); this is the rule the tests hold the scan to."""
    due = c.due
    if due < today:
        return overdue_message(c, deadline)
    remaining = calendar.count_working_days(today, due) if due > today else 0
    threshold = level_of(remaining, thresholds)
    if threshold is None:
        return None
    return due_soon_message(c, deadline, threshold, remaining)


def warn_key(case_id: int, deadline: str, due: date, level: int | str) -> str:
    return f"warn:{case_id}:{deadline}:{due.isoformat()}:{level}"


def overdue_message(c: Candidate, deadline: str) -> OutboxMessage:
    return OutboxMessage(
        type=ev.DEADLINE_OVERDUE,
        organ_id=c.organ_id,
        case_id=c.id,
        payload={"case": c.ref(), "deadline": deadline, "due": c.due.isoformat()},
        dedupe_key=warn_key(c.id, deadline, c.due, OVERDUE),
    )


def due_soon_message(c: Candidate, deadline: str, threshold: int, remaining: int) -> OutboxMessage:
    return OutboxMessage(
        type=ev.DEADLINE_DUE_SOON,
        organ_id=c.organ_id,
        case_id=c.id,
        payload={
            "case": c.ref(),
            "deadline": deadline,
            "due": c.due.isoformat(),
            "threshold": threshold,
            "remaining_wd": remaining,
        },
        dedupe_key=warn_key(c.id, deadline, c.due, threshold),
    )


# -- the fast path: the rule as date bands, the once-only check in SQL ---------------------


def warning_bands(
    calendar: WorkCalendar, today: date, thresholds: tuple[int, ...]
) -> list[tuple[date, int]]:
    """For today: (first due date NOT in the band, threshold) in ascending order.

    remaining(due) = working days after today through due is non-decreasing in due, and
    remaining <= t exactly when due < add_working_days(today, t + 1); so the threshold a due
    date >= today gets by the rule is the first band whose bound lies after it, and a due date
    on or after the last bound gets none yet. Due dates before today are overdue."""
    return [(calendar.add_working_days(today, t + 1), t) for t in sorted(set(thresholds))]


@dataclass(frozen=True)
class Watched:
    """A cached deadline the scan warns: its name in the keys and payloads, its column on
    cases, and the states in which it runs."""

    name: str
    column: Any  # InstrumentedAttribute[date | None]
    states: tuple[str, ...]


def watched(rt: Runtime) -> list[Watched]:
    return [
        Watched(REPLY, Case.reply_due, running_states(rt)),
        Watched(CORRECTION, Case.correction_due, correction_states(rt)),
    ]


def correction_states(rt: Runtime) -> tuple[str, ...]:
    """States that wait on the applicant's correction (their task's deadline is "correction")."""
    found = {
        c: None
        for wf in rt.workflows.values()
        for c, s in wf.states.items()
        if s.applicant_task is not None and s.applicant_task.deadline == CORRECTION
    }
    return tuple(found)


def due_warning_query(
    w: Watched,
    organ_ids: list[int],
    bands: list[tuple[date, int]],
    remaining: dict[date, int],
    today: date,
) -> Select[Any]:
    """The warnings of cases of these organs whose deadline `w` crosses a threshold (or has
    passed) today and that are not in the outbox yet, as events (`insert_selected`'s columns):
    type, organ_id, case_id, payload and dedupe_key, written as `overdue_message` and
    `due_soon_message` write them. `remaining`: working days left for each due date from
    today to the last band."""
    col = w.column
    overdue = col < today
    level = case(
        (overdue, literal(OVERDUE)),
        *[(col < bound, literal(str(t))) for bound, t in bands],
        else_=literal(None, String),
    )
    threshold = case(*[(col < bound, literal(t)) for bound, t in bands], else_=None)
    inner = (
        select(
            Case.id.label("id"),
            Case.organ_id.label("organ_id"),
            Case.number.label("number"),
            Case.case_type.label("case_type"),
            Case.state.label("state"),
            col.label("due"),
            level.label("level"),
            threshold.label("threshold"),
            case(remaining, value=col, else_=None).label("remaining"),
        )
        .where(
            Case.organ_id.in_(organ_ids),
            Case.state.in_(w.states),
            col.is_not(None),
            col < bands[-1][0],
        )
        .subquery()
    )
    c = inner.c
    due_iso = IsoDate(c.due)
    key = (
        literal("warn:")
        + cast(c.id, String)
        + literal(f":{w.name}:")
        + due_iso
        + literal(":")
        + c.level
    )
    base = {
        "case": json_object(
            {"id": c.id, "number": c.number, "case_type": c.case_type, "state": c.state}
        ),
        "deadline": literal(w.name, String),
        "due": due_iso,
    }
    is_overdue = c.level == literal(OVERDUE)
    kind = case((is_overdue, literal(ev.DEADLINE_OVERDUE)), else_=literal(ev.DEADLINE_DUE_SOON))
    payload = case(
        (is_overdue, json_object(base)),
        else_=json_object({**base, "threshold": c.threshold, "remaining_wd": c.remaining}),
    )
    known = select(literal(1)).where(OutboxEvent.dedupe_key == key)
    return select(
        kind.label("type"),
        c.organ_id.label("organ_id"),
        c.id.label("case_id"),
        payload.label("payload"),
        key.label("dedupe_key"),
    ).where(~exists(known))


def due_warnings(session: Session, rt: Runtime, today: date) -> Select[Any] | None:
    """Every cached-deadline warning due today and not yet recorded, as one SELECT of events
    (None when no organ has thresholds or no state is watched)."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for organ_id, ts in thresholds_by_organ(session).items():
        if ts:
            groups.setdefault(ts, []).append(organ_id)
    calendar = rt.calendar
    parts = []
    for ts, organ_ids in groups.items():
        bands = warning_bands(calendar, today, ts)
        remaining = {
            day: calendar.count_working_days(today, day) if day > today else 0
            for day in days_between(today, bands[-1][0])
        }
        parts += [
            due_warning_query(w, organ_ids, bands, remaining, today)
            for w in watched(rt)
            if w.states
        ]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    union = union_all(*parts).subquery()
    return select(union)


def days_between(first: date, end: date) -> list[date]:
    """The dates from first up to (not including) end."""
    return [date.fromordinal(n) for n in range(first.toordinal(), end.toordinal())]


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
    # Read outside the write transaction, so a scan with nothing to write holds no writer's
    # lock: whether any warning is due stops at the first one found.
    with rt.sessions.read() as session:
        due = due_warnings(session, rt, today)
        pending = due is not None and any_row(session, due)
        consult = consultation_warnings(session, rt, today)
    if not pending and not consult:
        return 0
    with rt.sessions.write.begin() as session:
        # The due warnings go from the SELECT into the outbox in one statement (no row passes
        # through Python); a racing scan's rows are skipped by the insert itself (ON CONFLICT
        # DO NOTHING on the dedupe key).
        written = insert_selected(session, due, now=now) if due is not None and pending else 0
        if consult:
            written += emit_once(session, consult, now=now)
        return written
