"""Recording many once-only events fast: the keys already recorded are looked up in a few
queries, and the new events are inserted in one statement that still skips a key a racing
writer recorded meanwhile (ON CONFLICT DO NOTHING on the dedupe key)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.db import table_of
from app.models import OutboxEvent
from app.outbox import events as ev
from app.outbox.events import OutboxMessage
from app.outbox.service import new_uid

CHUNK = 900


def recorded_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """Which of these dedupe keys the outbox holds already."""
    found: set[str] = set()
    for i in range(0, len(keys), CHUNK):
        part = keys[i : i + CHUNK]
        q = select(OutboxEvent.dedupe_key).where(OutboxEvent.dedupe_key.in_(part))
        found.update(k for k in session.scalars(q) if k is not None)
    return found


def emit_once(session: Session, messages: Sequence[OutboxMessage], *, now: datetime) -> int:
    """Record the messages whose dedupe key is new (each must have one); returns how many."""
    keys = [m.dedupe_key for m in messages if m.dedupe_key is not None]
    if len(keys) != len(messages):
        raise ValueError("emit_once records keyed messages only")
    seen = recorded_keys(session, keys)
    rows = []
    for m in messages:
        if m.dedupe_key in seen:
            continue
        seen.add(m.dedupe_key)  # type: ignore[arg-type]
        rows.append(
            {
                "uid": new_uid(),
                "type": m.type,
                "schema_version": ev.SCHEMA_VERSION,
                "organ_id": m.organ_id,
                "case_id": m.case_id,
                "payload": m.payload,
                "occurred_at": now,
                "dedupe_key": m.dedupe_key,
                "dispatched_at": None,
            }
        )
    if not rows:
        return 0
    table = table_of(OutboxEvent)
    make = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = make(table).on_conflict_do_nothing(index_elements=["dedupe_key"])
    for i in range(0, len(rows), 5000):
        session.execute(stmt, rows[i : i + 5000])
    return len(rows)
