"""The daily digest (periodic job "daily_digest"): at 08:30 Beijing time on each working day,
one `digest.due` event per user who asked for it — what is overdue, what falls due this week
and what awaits them — once per user and day (dedupe key ``digest:<user>:<date>``).

Scope: a supervisor's digest covers the organ's open cases; anyone else's the open cases they
took a step on (the dashboard's per-user definition). "Awaiting them": the organ's cases in a
state where one of the user's roles may act (their worklist queues), counted per state.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.cases.repository import case_actors
from app.models import Case, NoticePreference, User
from app.notices.emitting import emit_once, recorded_keys
from app.notices.scan import running_states
from app.outbox import events as ev
from app.outbox.events import OutboxMessage
from app.runtime import Runtime

DIGEST_AT = time(8, 30)
LISTED = 50


def digest_key(user_id: int, day: date) -> str:
    return f"digest:{user_id}:{day.isoformat()}"


def _subscribers(session: Session) -> list[tuple[int, int, str, list[str]]]:
    """(user, organ, name, roles) of active organ users who chose a way to get the digest."""
    q = (
        select(User.id, User.organ_id, User.name, User.roles)
        .join(NoticePreference, NoticePreference.user_id == User.id)
        .where(
            NoticePreference.kind == "digest",
            NoticePreference.method != "none",
            User.active.is_(True),
            User.organ_id.is_not(None),
        )
        .order_by(User.id)
    )
    return [
        (int(u), int(o), str(n), list(r or []))
        for u, o, n, r in session.execute(q)
        if o is not None
    ]


def _rows(session: Session, q: Any) -> tuple[list[dict[str, Any]], int]:
    rows = list(session.execute(q.order_by(Case.reply_due, Case.id)))
    listed = [{"id": i, "number": n, "due": d.isoformat()} for i, n, d in rows[:LISTED]]
    return listed, len(rows)


def digest_payload(
    session: Session, rt: Runtime, user_id: int, organ_id: int, roles: list[str], today: date
) -> dict[str, Any]:
    states = running_states(rt)
    base = select(Case.id, Case.number, Case.reply_due).where(
        Case.organ_id == organ_id, Case.state.in_(states), Case.reply_due.is_not(None)
    )
    if Role.supervisor not in roles:
        actors = case_actors()
        mine = select(actors.c.case_id).where(actors.c.actor_user_id == user_id)
        base = base.where(Case.id.in_(mine))
    sunday = today + timedelta(days=6 - today.weekday())
    overdue, overdue_n = _rows(session, base.where(Case.reply_due < today))
    week, week_n = _rows(session, base.where(Case.reply_due >= today, Case.reply_due <= sunday))
    awaiting = []
    for case_type, wf in rt.workflows.items():
        acting = [
            code
            for code, st in wf.states.items()
            if not st.final and wf.allowed_actions(code, roles)
        ]
        if not acting:
            continue
        q = (
            select(Case.state, func.count())
            .where(
                Case.organ_id == organ_id,
                Case.case_type == case_type,
                Case.state.in_(acting),
            )
            .group_by(Case.state)
        )
        for state, n in session.execute(q):
            awaiting.append({"state": state, "label": wf.states[state].label, "count": int(n)})
    return {
        "user_id": user_id,
        "date": today.isoformat(),
        "overdue": overdue,
        "overdue_count": overdue_n,
        "due_this_week": week,
        "due_this_week_count": week_n,
        "awaiting": awaiting,
    }


def daily_digest(rt: Runtime, now: datetime) -> int:
    """The periodic job: each subscriber's digest, once a day from 08:30 on working days."""
    local = now.astimezone(rt.tz)
    today = local.date()
    if local.time() < DIGEST_AT or not rt.calendar.is_working_day(today):
        return 0
    with rt.sessions.read() as session:
        users = _subscribers(session)
        done = recorded_keys(session, [digest_key(u, today) for u, *_ in users])
        messages = [
            OutboxMessage(
                type=ev.DIGEST_DUE,
                organ_id=organ_id,
                payload=digest_payload(session, rt, uid, organ_id, roles, today),
                dedupe_key=digest_key(uid, today),
            )
            for uid, organ_id, _name, roles in users
            if digest_key(uid, today) not in done
        ]
    if not messages:
        return 0
    with rt.sessions.write.begin() as session:
        return emit_once(session, messages, now=now)
