"""Every query on cases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, Subquery, and_, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.assistance import repository as assistance_repo
from app.db import table_of
from app.db_insert import Rows
from app.models import Attachment, Case, CaseEvent, CaseItem, Organ
from app.search import repository as search_repo
from app.search.text import SearchPlan


def case_rows(
    case_id: int,
    values: dict[str, Any],
    *,
    items: list[dict[str, Any]],
    attachments: list[dict[str, Any]],
) -> list[Rows]:
    """The rows of a new case (its id reserved: app.db_insert.next_id), its items and its
    attachments, for app.db_insert.insert_rows."""
    return [
        Rows(_CASES, [{**values, "id": case_id}]),
        Rows(_ITEMS, [{**i, "case_id": case_id} for i in items]),
        Rows(_ATTACHMENTS, [{**a, "case_id": case_id} for a in attachments]),
    ]


_CASES = table_of(Case)
# The state of a case transferred before receipt (workflows/foi_application.yaml).
TRANSFERRED = "transferred"
_ITEMS = table_of(CaseItem)
_ATTACHMENTS = table_of(Attachment)


_CHILDREN = (selectinload(Case.items), selectinload(Case.attachments))


def _with_children(stmt: Select[Case]) -> Select[Case]:
    return stmt.options(*_CHILDREN)


def case_in_organ(
    session: Session, case_id: int, organ_id: int, *, for_update: bool = False
) -> Case | None:
    """A case with its items and attachments, only if it belongs to the organ; `for_update`
    locks its row until the transaction ends (PostgreSQL; SQLite writers are serial anyway).

    Unlocked, a case this session already holds is taken from its identity map without a
    query (as a plain SELECT would return that same object): a page composed of several
    services, each checking access to the case, reads it once."""
    if not for_update:
        case = session.get(Case, case_id, options=_CHILDREN)
        return case if case is not None and case.organ_id == organ_id else None
    stmt = _with_children(select(Case).where(Case.id == case_id, Case.organ_id == organ_id))
    return session.scalars(_locked(stmt)).one_or_none()


def case_by_id(session: Session, case_id: int, *, for_update: bool = False) -> Case | None:
    """A case by id with its items and attachments (callers have already checked access)."""
    stmt = _with_children(select(Case).where(Case.id == case_id))
    return session.scalars(_locked(stmt, for_update)).one_or_none()


def _locked(stmt: Select[Case], for_update: bool = True) -> Select[Case]:
    return stmt.with_for_update(of=Case) if for_update else stmt


def case_by_number(session: Session, number: str) -> Case | None:
    """A case by its registration number, with its items and attachments."""
    return session.scalars(_with_children(select(Case).where(Case.number == number))).one_or_none()


@dataclass(frozen=True)
class CaseFilter:
    organ_id: int
    states: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    received_from: date | None = None
    received_to: date | None = None
    reply_due_before: date | None = None
    reply_due_by: date | None = None
    # With reply_due_by: "due within N working days" lists what is not yet overdue.
    reply_due_from: date | None = None
    overdue_on: date | None = None
    open_states: tuple[str, ...] = ()
    # States left out (the worklist of open cases leaves out the final ones).
    exclude_states: tuple[str, ...] = ()
    only_ids: tuple[int, ...] | None = None
    legal_involved_only: bool = False
    # Cases with an open legal consultation; with those under review awaiting the legal office.
    legal_queue: tuple[int, ...] | None = None
    # A search (app.search.text.plan); name rows only where the caller may look people up.
    search: SearchPlan | None = None
    search_names: bool = False
    # Cases on whose timeline this user took a step (the dashboard's per-user figures).
    actor_id: int | None = None
    # Who handles it (承办人): this user's cases, the unassigned queue, these departments'.
    assignee_id: int | None = None
    unassigned: bool = False
    department_ids: tuple[int, ...] | None = None
    # Cases with an open assistance request (协办) past its internal date on this day.
    assistance_overdue_on: date | None = None


def case_actors() -> Subquery:
    """(case_id, actor_user_id) of every step a staff user took on a case's timeline: who
    handled what, for the dashboard's per-user counts and the case list's `actor` filter."""
    return (
        select(CaseEvent.case_id, CaseEvent.actor_user_id)
        .where(CaseEvent.actor_user_id.is_not(None))
        .subquery()
    )


# A search reports how many cases it found up to this many, then "more" (total_capped): a
# count of every hit of a common two-character query would cost more than the page itself.
SEARCH_COUNT_CAP = 1000


def _filtered(f: CaseFilter) -> Select[Case]:
    stmt = select(Case).where(Case.organ_id == f.organ_id)
    if f.states:
        stmt = stmt.where(Case.state.in_(f.states))
    if f.exclude_states:
        stmt = stmt.where(Case.state.not_in(f.exclude_states))
    if f.channels:
        stmt = stmt.where(Case.channel.in_(f.channels))
    if f.received_from is not None:
        stmt = stmt.where(Case.receipt_date >= f.received_from)
    if f.received_to is not None:
        stmt = stmt.where(Case.receipt_date <= f.received_to)
    if f.reply_due_before is not None:
        stmt = stmt.where(Case.reply_due < f.reply_due_before)
    if f.reply_due_by is not None:
        stmt = stmt.where(Case.reply_due <= f.reply_due_by, Case.state.in_(f.open_states))
    if f.reply_due_from is not None:
        stmt = stmt.where(Case.reply_due >= f.reply_due_from)
    if f.overdue_on is not None:
        stmt = stmt.where(Case.reply_due < f.overdue_on, Case.state.in_(f.open_states))
    if f.only_ids is not None:
        stmt = stmt.where(Case.id.in_(f.only_ids))
    if f.legal_involved_only:
        stmt = stmt.where(Case.legal_involved.is_(True))
    if f.legal_queue is not None:
        pending = and_(Case.state == "under_review", Case.legal_review == "pending")
        stmt = stmt.where(or_(pending, Case.id.in_(f.legal_queue)))
    if f.assignee_id is not None:
        stmt = stmt.where(Case.assignee_id == f.assignee_id)
    if f.unassigned:
        stmt = stmt.where(Case.assignee_id.is_(None))
    if f.department_ids is not None:
        stmt = stmt.where(Case.department_id.in_(f.department_ids))
    if f.assistance_overdue_on is not None:
        stmt = stmt.where(
            Case.id.in_(assistance_repo.overdue_cases_condition(f.assistance_overdue_on))
        )
    if f.actor_id is not None:
        actors = case_actors()
        stmt = stmt.where(
            Case.id.in_(select(actors.c.case_id).where(actors.c.actor_user_id == f.actor_id))
        )
    return stmt


def count_cases(session: Session, f: CaseFilter) -> int:
    """How many of the organ's cases the worklist filter selects (without a search)."""
    if f.search is not None:
        raise ValueError("count_cases does not search: use list_cases")
    return session.scalar(select(func.count()).select_from(_filtered(f).subquery())) or 0


@dataclass(frozen=True)
class CaseList:
    rows: list[Case]
    total: int
    # The total stopped counting at SEARCH_COUNT_CAP: more cases match.
    capped: bool = False


def list_cases(session: Session, f: CaseFilter, *, offset: int, limit: int) -> CaseList:
    """One page of the organ's cases and the total count. Without a search, most urgent
    first: the cases whose reply clock counts (overdue, then due soonest), then the rest by
    their reply day. With one, best match first (number, then name or ID number, then item,
    then letter), newest first within a rank; the total is counted up to SEARCH_COUNT_CAP."""
    stmt = _filtered(f)
    if f.search is not None:
        return _searched(session, stmt, f, offset=offset, limit=limit)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    counting = and_(Case.state.in_(f.open_states), Case.reply_due.is_not(None))
    urgency = case((counting, 0), else_=1)
    page = (
        stmt.order_by(urgency, Case.reply_due.is_(None), Case.reply_due, Case.id)
        .offset(offset)
        .limit(limit)
    )
    return CaseList(list(session.scalars(page.options(selectinload(Case.items)))), total)


def _searched(
    session: Session, stmt: Select[Case], f: CaseFilter, *, offset: int, limit: int
) -> CaseList:
    assert f.search is not None
    # Only the organ (the JSON list's default): the index rows carry it, no case need be read.
    organ_only = replace(f, search=None, search_names=False, open_states=()) == CaseFilter(
        organ_id=f.organ_id
    )
    found = search_repo.search_page(
        session,
        f.organ_id,
        None if organ_only else stmt.whereclause,
        f.search,
        names=f.search_names,
        offset=offset,
        limit=limit,
        cap=SEARCH_COUNT_CAP,
    )
    by_id = {
        c.id: c
        for c in session.scalars(
            select(Case).where(Case.id.in_(found.ids)).options(selectinload(Case.items))
        )
    }
    return CaseList([by_id[i] for i in found.ids], found.total, capped=found.capped)


def attachment_of_case(session: Session, case_id: int, attachment_id: int) -> Attachment | None:
    """One attachment, only if it belongs to the case."""
    stmt = select(Attachment).where(Attachment.id == attachment_id, Attachment.case_id == case_id)
    return session.scalars(stmt).one_or_none()


def query_code_hash(session: Session, number: str) -> str | None:
    """The keyed hash of a case's query code, by registration number."""
    return session.scalar(select(Case.query_code_hash).where(Case.number == number))


def linked_cases(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, str, str, str]]:
    """Case id -> (number, organ code, organ name, state) of the cases a transfer links (转办)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    q = (
        select(Case.id, Case.number, Organ.code, Organ.name, Case.state)
        .join(Organ, Organ.id == Case.organ_id)
        .where(Case.id.in_(wanted))
    )
    return {int(i): (n, c, name, st) for i, n, c, name, st in session.execute(q)}


def forward_case(session: Session, case: Case) -> Case:
    """The case an applicant's case was last transferred to before receipt (itself if never):
    the query code of the first number keeps opening it. A case answered and filed anew
    elsewhere (linked filing) stays itself: its reply is the applicant's to read."""
    seen = {case.id}
    while (
        case.state == TRANSFERRED
        and case.transferred_to_id is not None
        and case.transferred_to_id not in seen
    ):
        nxt = session.get(Case, case.transferred_to_id, options=_CHILDREN)
        if nxt is None:
            break
        seen.add(nxt.id)
        case = nxt
    return case
