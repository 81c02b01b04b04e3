"""Every query of the dashboard: grouped counts, never every case loaded.

A "reply" here is a case concluded by issuing a reply: `reply_late` is set (true or false) by
the reply's issue and only by it, so closures (no correction, fee unpaid) and withdrawals, whose
`reply_late` stays null, are not replies. "This year" is a range of `concluded_on`, the
conclusion date the statistics use (RULES §8).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Subquery, and_, case, func, select
from sqlalchemy.orm import Session

from app.models import Case, CaseEvent, User


@dataclass(frozen=True)
class Period:
    """The organ and the conclusion dates counted (both ends included)."""

    organ_id: int
    first: date
    last: date


@dataclass(frozen=True)
class ReplyRow:
    """One reply concluded in the period: what its working days are computed from."""

    received: date
    concluded: date
    author_id: int | None


def _replies(p: Period) -> ColumnElement[bool]:
    return and_(
        Case.organ_id == p.organ_id,
        Case.concluded_on >= p.first,
        Case.concluded_on <= p.last,
        Case.reply_late.is_not(None),
    )


def _count_true(condition: ColumnElement[bool]) -> ColumnElement[int]:
    # SUM(CASE ...) rather than COUNT(*) FILTER: one spelling for SQLite and PostgreSQL.
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _per_user(rows: Iterable[tuple[int | None, int]]) -> dict[int, int]:
    return {u: int(n) for u, n in rows if u is not None}


def state_counts(session: Session, organ_id: int) -> dict[str, int]:
    """The organ's cases per state (states with no case are absent)."""
    stmt = select(Case.state, func.count()).where(Case.organ_id == organ_id).group_by(Case.state)
    return {str(state): int(n) for state, n in session.execute(stmt)}


def states_of_cases(session: Session, organ_id: int, states: Sequence[str]) -> dict[int, str]:
    """Case id -> state of the organ's cases in these states."""
    stmt = select(Case.id, Case.state).where(Case.organ_id == organ_id, Case.state.in_(states))
    return {int(case_id): str(state) for case_id, state in session.execute(stmt)}


def reply_totals(session: Session, p: Period) -> tuple[int, int]:
    """(replies concluded in the period, of which issued after their due date)."""
    stmt = select(func.count(), _count_true(Case.reply_late.is_(True))).where(_replies(p))
    replies, late = session.execute(stmt).one()
    return int(replies), int(late)


def awaiting_service(session: Session, organ_id: int, states: Sequence[str]) -> tuple[int, int]:
    """(cases in the states that await service, of which replies rather than closures)."""
    stmt = select(func.count(), _count_true(Case.reply_late.is_not(None))).where(
        Case.organ_id == organ_id, Case.state.in_(states)
    )
    total, replies = session.execute(stmt).one()
    return int(total), int(replies)


def _authors(p: Period, submit_actions: Sequence[str]) -> Subquery:
    """(case_id, author_id) of the period's replies: the actor of the case's last submission.

    A reply returned for revision is submitted again; the draft issued is always the last one
    submitted, as submission is not allowed while a draft is under review.
    """
    last = (
        select(CaseEvent.case_id, func.max(CaseEvent.seq).label("seq"))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(_replies(p), CaseEvent.action.in_(submit_actions))
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    return (
        select(CaseEvent.case_id, CaseEvent.actor_user_id.label("author_id"))
        .join(last, and_(CaseEvent.case_id == last.c.case_id, CaseEvent.seq == last.c.seq))
        .subquery()
    )


def reply_rows(session: Session, p: Period, submit_actions: Sequence[str]) -> list[ReplyRow]:
    """The period's replies: receipt date, conclusion date and author (three columns a row)."""
    authors = _authors(p, submit_actions)
    stmt = (
        select(Case.receipt_date, Case.concluded_on, authors.c.author_id)
        .outerjoin(authors, authors.c.case_id == Case.id)
        .where(_replies(p), Case.receipt_date.is_not(None))
        .order_by(Case.id)
    )
    return [
        ReplyRow(received=r, concluded=c, author_id=a)
        for r, c, a in session.execute(stmt)
        if r is not None and c is not None
    ]


def replies_by_author(
    session: Session, p: Period, submit_actions: Sequence[str]
) -> dict[int, tuple[int, int]]:
    """Per author (user id): (replies concluded in the period, of which late)."""
    authors = _authors(p, submit_actions)
    stmt = (
        select(authors.c.author_id, func.count(), _count_true(Case.reply_late.is_(True)))
        .join(Case, Case.id == authors.c.case_id)
        .where(authors.c.author_id.is_not(None))
        .group_by(authors.c.author_id)
    )
    return {int(u): (int(n), int(late)) for u, n, late in session.execute(stmt)}


def replies_by_issuer(session: Session, p: Period, issue_actions: Sequence[str]) -> dict[int, int]:
    """Per user: replies concluded in the period that the user issued."""
    stmt = (
        select(CaseEvent.actor_user_id, func.count(func.distinct(CaseEvent.case_id)))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(
            _replies(p),
            CaseEvent.action.in_(issue_actions),
            CaseEvent.actor_user_id.is_not(None),
        )
        .group_by(CaseEvent.actor_user_id)
    )
    return _per_user(session.execute(stmt))


def open_cases_by_assignee(
    session: Session,
    organ_id: int,
    open_states: Sequence[str],
    *,
    due_before: date | None = None,
    due_from: date | None = None,
    due_by: date | None = None,
) -> dict[int, int]:
    """Per user: the organ's open cases assigned to the user (承办人); with `due_before`, only
    those whose reply was due before that day (overdue); with `due_from` and `due_by`, only
    those due in that span (the case list's `assignee` filter with the same deadline filters,
    so each figure is that list's total)."""
    stmt = (
        select(Case.assignee_id, func.count())
        .where(
            Case.organ_id == organ_id,
            Case.state.in_(open_states),
            Case.assignee_id.is_not(None),
        )
        .group_by(Case.assignee_id)
    )
    if due_before is not None:
        stmt = stmt.where(Case.reply_due < due_before)
    if due_from is not None:
        stmt = stmt.where(Case.reply_due >= due_from)
    if due_by is not None:
        stmt = stmt.where(Case.reply_due <= due_by)
    return _per_user(session.execute(stmt))


def users(session: Session, ids: Collection[int]) -> dict[int, tuple[str, list[str]]]:
    """Name and roles of these users."""
    if not ids:
        return {}
    stmt = select(User.id, User.name, User.roles).where(User.id.in_(sorted(ids)))
    return {i: (name, list(roles or [])) for i, name, roles in session.execute(stmt)}
