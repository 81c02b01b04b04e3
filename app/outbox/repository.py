"""The worker's queries: claim events to dispatch and deliveries that are due, finish a
delivery, hold a named lease. On PostgreSQL claims use FOR UPDATE SKIP LOCKED so several
workers share the queue without waiting on each other; SQLite's single writer serialises them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.db import table_of
from app.models import OutboxAttempt, OutboxDelivery, OutboxEvent, WorkerLease


def claim_undispatched(session: Session, limit: int) -> Sequence[OutboxEvent]:
    """Events whose deliveries are not planned yet, oldest first, locked for this worker."""
    q = (
        select(OutboxEvent)
        .where(OutboxEvent.dispatched_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return session.scalars(q).all()


def add_deliveries(
    session: Session, event_id: int, channel: str, targets: Sequence[str], now: datetime
) -> None:
    if not targets:
        return
    session.execute(
        insert(table_of(OutboxDelivery)),
        [
            {
                "event_id": event_id,
                "channel": channel,
                "target": t,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for t in targets
        ],
    )


def mark_dispatched(session: Session, event_ids: Sequence[int], now: datetime) -> None:
    if event_ids:
        session.execute(
            update(OutboxEvent).where(OutboxEvent.id.in_(event_ids)).values(dispatched_at=now)
        )


def claim_due(
    session: Session, *, now: datetime, limit: int, holder: str, lease: timedelta
) -> list[tuple[OutboxDelivery, OutboxEvent]]:
    """Deliveries due now and not held by a live lease, leased to `holder`."""
    q = (
        select(OutboxDelivery)
        .where(
            OutboxDelivery.status == "pending",
            OutboxDelivery.next_attempt_at <= now,
            or_(OutboxDelivery.leased_until.is_(None), OutboxDelivery.leased_until < now),
        )
        .order_by(OutboxDelivery.next_attempt_at, OutboxDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    deliveries = list(session.scalars(q).all())
    if not deliveries:
        return []
    ids = [d.id for d in deliveries]
    session.execute(
        update(OutboxDelivery)
        .where(OutboxDelivery.id.in_(ids))
        .values(leased_until=now + lease, leased_by=holder)
    )
    event_ids = {d.event_id for d in deliveries}
    events = {
        e.id: e for e in session.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(event_ids)))
    }
    return [(d, events[d.event_id]) for d in deliveries]


def finish_delivery(
    session: Session,
    delivery_id: int,
    *,
    holder: str,
    values: dict[str, Any],
    attempt: dict[str, Any] | None,
) -> bool:
    """Record how a delivery went, if `holder` still holds it (a worker whose lease ran out
    and was taken over records nothing). Returns whether it did."""
    done = session.execute(
        update(OutboxDelivery)
        .where(OutboxDelivery.id == delivery_id, OutboxDelivery.leased_by == holder)
        .values(leased_until=None, leased_by=None, **values)
        .returning(OutboxDelivery.id)
    ).first()
    if done is None:
        return False
    if attempt is not None:
        session.execute(insert(table_of(OutboxAttempt)), [{"delivery_id": delivery_id, **attempt}])
    return True


def release_deliveries(session: Session, ids: Sequence[int], *, holder: str) -> None:
    """Give back deliveries `holder` claimed but will not attempt now (due again at once)."""
    if ids:
        session.execute(
            update(OutboxDelivery)
            .where(OutboxDelivery.id.in_(ids), OutboxDelivery.leased_by == holder)
            .values(leased_until=None, leased_by=None)
        )


def take_lease(session: Session, name: str, *, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the named lease; True when `holder` has it until now + ttl."""
    table = table_of(WorkerLease)
    dialect = session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        make(table)
        .values(name=name, holder=holder, expires_at=now + ttl)
        .on_conflict_do_update(
            index_elements=["name"],
            set_={"holder": holder, "expires_at": now + ttl},
            where=or_(table.c.expires_at < now, table.c.holder == holder),
        )
        .returning(table.c.name)
    )
    return session.execute(stmt).first() is not None


def release_lease(session: Session, name: str, *, holder: str) -> None:
    session.execute(
        update(WorkerLease)
        .where(WorkerLease.name == name, WorkerLease.holder == holder)
        .values(expires_at=datetime(1970, 1, 1, tzinfo=UTC))
    )
