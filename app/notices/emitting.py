"""Recording many once-only events fast: the keys already recorded are looked up in a few
queries (or filtered out by the caller's query), and the new events are inserted in bulk (or
straight from the caller's SELECT), still skipping a key a racing writer recorded meanwhile
(ON CONFLICT DO NOTHING)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, literal, select, text, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.db import table_of
from app.models import OutboxEvent
from app.models.types import UTCDateTime
from app.outbox import events as ev
from app.outbox.events import OutboxMessage
from app.outbox.service import NewUid, new_uid

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
    fresh = []
    for m in messages:
        if m.dedupe_key in seen:
            continue
        seen.add(m.dedupe_key)  # type: ignore[arg-type]
        fresh.append(m)
    return insert_events(session, fresh, now=now)


def any_row(session: Session, q: Select[Any]) -> bool:
    """Whether the query has a row (it stops at the first)."""
    return (
        session.execute(select(literal(1)).select_from(q.subquery()).limit(1)).first() is not None
    )


def insert_selected(session: Session, events: Select[Any], *, now: datetime) -> int:
    """Insert the events a SELECT of (type, organ_id, case_id, payload, dedupe_key) gives, in
    one statement: nothing passes through Python, however many rows. Keys recorded meanwhile
    are skipped (ON CONFLICT DO NOTHING); returns how many rows were inserted."""
    table = table_of(OutboxEvent)
    e = events.subquery()
    rows = select(
        NewUid(),
        e.c.type,
        literal(ev.SCHEMA_VERSION),
        e.c.organ_id,
        e.c.case_id,
        e.c.payload,
        literal(now, UTCDateTime()),
        e.c.dedupe_key,
    ).where(true())  # SQLite: an INSERT .. SELECT with ON CONFLICT needs a WHERE
    make = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        make(table)
        .from_select(
            [
                "uid",
                "type",
                "schema_version",
                "organ_id",
                "case_id",
                "payload",
                "occurred_at",
                "dedupe_key",
            ],
            rows,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    # An INSERT's rowcount is kept only when asked for (SQLAlchemy reads it for UPDATE/DELETE).
    result = session.execute(stmt, execution_options={"preserve_rowcount": True})
    return int(result.rowcount)  # type: ignore[attr-defined]


def insert_events(session: Session, messages: Sequence[OutboxMessage], *, now: datetime) -> int:
    """Insert keyed events, skipping keys recorded meanwhile (ON CONFLICT DO NOTHING on the
    dedupe key); returns how many rows were inserted.

    Tens of thousands of rows at once (a first scan) must take well under a second, so the
    per-row work of the ORM is skipped: on PostgreSQL the rows go as one JSON document into
    one INSERT .. SELECT FROM jsonb_to_recordset(..); on SQLite as plain tuples to the driver's executemany.
    The values are what the column types would write (payload as JSON, naive-UTC times)."""
    if not messages:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        return _insert_recordset(session, messages, now)
    return _insert_executemany(session, messages, now)


_PG_INSERT = text(
    """
    INSERT INTO outbox_events
        (uid, type, schema_version, organ_id, case_id, payload, occurred_at, dedupe_key)
    SELECT u.uid, u.type, :schema_version, u.organ_id, u.case_id, u.payload, :occurred_at,
           u.dedupe_key
    FROM jsonb_to_recordset(CAST(:rows AS jsonb))
        AS u(uid text, type text, organ_id integer, case_id integer, payload jsonb,
             dedupe_key text)
    ON CONFLICT (dedupe_key) DO NOTHING
    """
).bindparams(bindparam("occurred_at", type_=UTCDateTime()))


def _insert_recordset(session: Session, messages: Sequence[OutboxMessage], now: datetime) -> int:
    # One JSON document for all rows: encoded in C by json.dumps, parsed once by the server
    # (arrays of tens of thousands of strings cost more to adapt than the insert itself).
    rows = [
        {
            "uid": new_uid(),
            "type": m.type,
            "organ_id": m.organ_id,
            "case_id": m.case_id,
            "payload": m.payload,
            "dedupe_key": m.dedupe_key,
        }
        for m in messages
    ]
    result = session.execute(
        _PG_INSERT,
        {
            "schema_version": ev.SCHEMA_VERSION,
            "occurred_at": now,
            "rows": json.dumps(rows, ensure_ascii=False),
        },
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _insert_executemany(session: Session, messages: Sequence[OutboxMessage], now: datetime) -> int:
    dialect = session.get_bind().dialect
    occurred = table_of(OutboxEvent).c.occurred_at.type.bind_processor(dialect)
    at = occurred(now) if occurred is not None else now
    dumps = json.dumps
    rows = [
        (
            new_uid(),
            m.type,
            ev.SCHEMA_VERSION,
            m.organ_id,
            m.case_id,
            dumps(m.payload),
            at,
            m.dedupe_key,
        )
        for m in messages
    ]
    sql = (
        "INSERT INTO outbox_events"
        " (uid, type, schema_version, organ_id, case_id, payload, occurred_at, dedupe_key)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        "ON CONFLICT (dedupe_key) DO NOTHING"
    )
    before = session.connection().exec_driver_sql("SELECT total_changes()").scalar_one()
    session.connection().exec_driver_sql(sql, rows)
    after = session.connection().exec_driver_sql("SELECT total_changes()").scalar_one()
    return int(after) - int(before)
