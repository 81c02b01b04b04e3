"""The SQL of the tamper-evident record: chain heads, checkpoints, the cases to check."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date
from typing import Any

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from app.deadline.cache import CACHE_COLUMNS
from app.models import AuditCheckpoint, Case, CaseEvent, ClockEntry

Head = list[Any]  # [case_id, event_id, seq, hash]


def chain_heads(session: Session) -> list[Head]:
    """Every case's last event, ordered by case id, read in one statement (one snapshot)."""
    last = (
        select(CaseEvent.case_id, func.max(CaseEvent.seq).label("seq"))
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    rows = session.execute(
        select(CaseEvent.case_id, CaseEvent.id, CaseEvent.seq, CaseEvent.hash)
        .join(last, (CaseEvent.case_id == last.c.case_id) & (CaseEvent.seq == last.c.seq))
        .order_by(CaseEvent.case_id)
    )
    return [[r.case_id, r.id, r.seq, r.hash] for r in rows]


def daily_checkpoint_exists(session: Session, day: date) -> bool:
    """Whether the day's checkpoint (its lease) is taken."""
    stmt = select(AuditCheckpoint.id).where(AuditCheckpoint.daily_on == day)
    return session.scalar(stmt) is not None


def checkpoints(session: Session) -> list[AuditCheckpoint]:
    """Every stored checkpoint, oldest first."""
    stmt = select(AuditCheckpoint).order_by(AuditCheckpoint.taken_at, AuditCheckpoint.id)
    return list(session.scalars(stmt))


def case_facts(session: Session, *, batch_size: int = 5000) -> Iterator[Any]:
    """Each case's id, organ, state, outcome and cached deadline columns, by id."""
    columns = [getattr(Case, c) for c in ("id", "organ_id", "state", "outcome", *CACHE_COLUMNS)]
    stmt = select(*columns).order_by(Case.id).execution_options(yield_per=batch_size)
    yield from session.execute(stmt)


def ledgers(
    session: Session, case_ids: Collection[int], *, batch_size: int = 20000
) -> dict[int, tuple[tuple[str, str], ...]]:
    """The ledgers of these cases as (kind, data as JSON text) entries, in one streaming read."""
    # JSON as text: identical ledgers give identical keys, so each is computed once.
    stmt = (
        select(ClockEntry.case_id, ClockEntry.kind, cast(ClockEntry.data, Text))
        .order_by(ClockEntry.case_id, ClockEntry.seq)
        .execution_options(yield_per=batch_size)
    )
    out: dict[int, list[tuple[str, str]]] = {}
    for case_id, kind, data in session.execute(stmt):
        if case_id in case_ids:
            out.setdefault(case_id, []).append((kind, data))
    return {case_id: tuple(entries) for case_id, entries in out.items()}
