"""Who a notice goes to, and how each user chose to receive it.

A case's warnings go to its assignee (承办人) when it has one; otherwise to its handlers — the
staff of the case's organ who took a step on its timeline (the case list's `actor` filter) —
or, while nobody has, to the organ's clerks; and always to the organ's supervisors (督办). An
assignment goes to the new assignee, or — routed to a department only — to the department's
members; a clerk's own claim goes to nobody. An assistance request goes to the target
department's members, of whichever organ; its answer to the requester and the case's assignee.
A case transferred in from another organ goes to the receiving organ's clerks. The digest goes
to its user, the calendar reminder
to the platform's administrators. Users who chose "none" for the kind get nothing; inactive
users nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.models import Case, CaseEvent, DepartmentMember, NoticePreference, User
from app.notices.kinds import DEFAULTS, EVENT_KIND, Method
from app.outbox import events as ev
from app.outbox.channels import EventView


def preferences(session: Session, user_ids: Iterable[int], kind: str) -> dict[int, Method]:
    """Each user's method for this kind of notice (the default where they chose none)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    q = select(NoticePreference.user_id, NoticePreference.method).where(
        NoticePreference.user_id.in_(ids), NoticePreference.kind == kind
    )
    chosen = {int(u): m for u, m in session.execute(q)}
    return {u: chosen.get(u, DEFAULTS[kind]) for u in ids}  # type: ignore[misc]


def _organ_staff(session: Session, organ_id: int) -> list[tuple[int, list[str]]]:
    q = select(User.id, User.roles).where(User.organ_id == organ_id, User.active.is_(True))
    return [(int(u), list(r or [])) for u, r in session.execute(q)]


def case_recipients(session: Session, organ_id: int, case_id: int) -> list[int]:
    """The case's assignee or handlers (or the organ's clerks) and the organ's supervisors."""
    staff = _organ_staff(session, organ_id)
    members = {u for u, _ in staff}
    assignee = session.scalar(select(Case.assignee_id).where(Case.id == case_id))
    handlers: set[int] = {assignee} if assignee in members else set()
    if not handlers:
        q = select(CaseEvent.actor_user_id).where(
            CaseEvent.case_id == case_id, CaseEvent.actor_user_id.is_not(None)
        )
        handlers = {int(u) for u in session.scalars(q).unique() if u in members}
    if not handlers:
        handlers = {u for u, roles in staff if Role.clerk in roles}
    supervisors = {u for u, roles in staff if Role.supervisor in roles}
    return sorted(handlers | supervisors)


def assigned_to(session: Session, event: EventView) -> list[int]:
    """Whom an assignment is for: the new assignee, else the department's active members."""
    p = event.payload
    if p.get("action") == "claim_case" or event.organ_id is None:
        return []
    members = {u for u, _ in _organ_staff(session, event.organ_id)}
    assignee, department = p.get("assignee_id"), p.get("department_id")
    if isinstance(assignee, int):
        return [assignee] if assignee in members else []
    if isinstance(department, int):
        q = select(DepartmentMember.user_id).where(DepartmentMember.department_id == department)
        return sorted(int(u) for u in session.scalars(q) if u in members)
    return []


def _active(session: Session, user_ids: Iterable[object]) -> list[int]:
    ids = sorted({u for u in user_ids if isinstance(u, int)})
    if not ids:
        return []
    q = select(User.id).where(User.id.in_(ids), User.active.is_(True))
    return sorted(int(u) for u in session.scalars(q))


def assistance_for(session: Session, event: EventView) -> list[int]:
    """A request goes to the target department's members (whichever organ they serve); its
    answer to whoever asked and to the case's assignee."""
    p = event.payload
    if event.type == ev.ASSISTANCE_REQUESTED:
        department = p.get("department_id")
        if not isinstance(department, int):
            return []
        q = select(DepartmentMember.user_id).where(DepartmentMember.department_id == department)
        return _active(session, session.scalars(q))
    assignee = session.scalar(select(Case.assignee_id).where(Case.id == event.case_id))
    return _active(session, [p.get("requested_by_id"), assignee])


def organ_clerks(session: Session, event: EventView) -> list[int]:
    """Whom a case transferred in is for: the receiving organ's active clerks, who confirm
    its receipt (转办)."""
    if event.organ_id is None:
        return []
    return sorted(u for u, roles in _organ_staff(session, event.organ_id) if Role.clerk in roles)


def admins(session: Session) -> list[int]:
    q = select(User.id, User.roles).where(User.organ_id.is_(None), User.active.is_(True))
    return sorted(int(u) for u, roles in session.execute(q) if Role.admin in (roles or []))


def recipients(session: Session, event: EventView) -> list[int]:
    """The users this event is for (before their preferences)."""
    if event.type == ev.DIGEST_DUE:
        uid = event.payload.get("user_id")
        if not isinstance(uid, int):
            return []
        active = session.scalar(select(User.active).where(User.id == uid))
        return [uid] if active else []
    if event.type == ev.CALENDAR_MISSING:
        return admins(session)
    if event.type == ev.CASE_ASSIGNED:
        return assigned_to(session, event)
    if event.type in (ev.ASSISTANCE_REQUESTED, ev.ASSISTANCE_ANSWERED):
        return assistance_for(session, event)
    if event.type == ev.CASE_TRANSFERRED_IN:
        return organ_clerks(session, event)
    if event.organ_id is None or event.case_id is None:
        return []
    return case_recipients(session, event.organ_id, event.case_id)


def wanted(session: Session, event: EventView) -> list[int]:
    """The users this event goes to: its recipients who did not choose "none"."""
    kind = EVENT_KIND.get(event.type)
    if kind is None:
        return []
    users = recipients(session, event)
    prefs = preferences(session, users, kind)
    return [u for u in users if prefs[u] != "none"]
