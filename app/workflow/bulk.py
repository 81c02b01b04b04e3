"""The bulk variant of the one write path (app.workflow.write): `record_recomputed` writes what a
calendar change moved for tens of thousands of cases at once, with its set-based statements (the
last event of many chains, the cached due dates of many cases, many events at once).

It imports no feature package, so the calendar (which the runtime loads) can call it."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, text
from sqlalchemy.orm import Session

from app.audit.chain import GENESIS, AuditKey
from app.audit.service import HASHED_COLUMNS, event_row
from app.auth.principal import SYSTEM
from app.db import table_of
from app.deadline.cache import CACHE_COLUMNS
from app.models import Case, CaseEvent

_CASES = table_of(Case)
_EVENTS = table_of(CaseEvent)


_LAST_EVENTS_PG = text(
    """
    SELECT e.case_id, e.seq, e.hash
    FROM unnest(CAST(:ids AS integer[])) AS m(id)
    CROSS JOIN LATERAL (
        SELECT case_id, seq, hash FROM case_events
        WHERE case_id = m.id ORDER BY seq DESC LIMIT 1
    ) AS e
    """
)
_LAST_EVENTS_SQLITE = text(
    """
    SELECT e.case_id, e.seq, e.hash
    FROM json_each(:ids) AS m
    JOIN case_events AS e ON e.case_id = m.value
    WHERE e.seq = (SELECT max(seq) FROM case_events WHERE case_id = m.value)
    """
)


def last_events(session: Session, case_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    """The last (seq, hash) of each case's chain, in one query with the ids as one parameter."""
    if not case_ids:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(_LAST_EVENTS_PG, {"ids": list(case_ids)})
    else:
        rows = session.execute(_LAST_EVENTS_SQLITE, {"ids": json.dumps(list(case_ids))})
    return {cid: (seq, h) for cid, seq, h in rows}


def _bind_processors(
    conn: Connection, table: Table, columns: Sequence[str]
) -> list[Callable[[Any], Any] | None]:
    # The conversions SQLAlchemy itself applies (dates to SQLite's text, UTC to naive), looked up
    # once, so that rows can go to the driver's executemany without per-row statement handling.
    return [
        table.c[c].type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for c in columns
    ]


def _converted(values: Sequence[Any], procs: Sequence[Callable[[Any], Any] | None]) -> list[Any]:
    return [v if p is None or v is None else p(v) for v, p in zip(values, procs, strict=True)]


# PostgreSQL: one statement over arrays instead of one round of the pipeline per row.
_UPDATE_CACHED_PG = text(
    """
    UPDATE cases SET
        reply_due = v.reply_due,
        reply_due_provisional = v.reply_due_provisional,
        correction_notice_due = v.correction_notice_due,
        correction_due = v.correction_due,
        reply_status = v.reply_status
    FROM unnest(
        CAST(:ids AS integer[]),
        CAST(:reply_due AS date[]),
        CAST(:reply_due_provisional AS boolean[]),
        CAST(:correction_notice_due AS date[]),
        CAST(:correction_due AS date[]),
        CAST(:reply_status AS varchar[])
    ) AS v(id, reply_due, reply_due_provisional, correction_notice_due, correction_due,
           reply_status)
    WHERE cases.id = v.id
    """
)
_UPDATE_CACHED_SQLITE = """
    UPDATE cases SET
        reply_due = ?, reply_due_provisional = ?, correction_notice_due = ?, correction_due = ?,
        reply_status = ?
    WHERE id = ?
"""
assert CACHE_COLUMNS == (
    "reply_due",
    "reply_due_provisional",
    "correction_notice_due",
    "correction_due",
    "reply_status",
), "the statements above list the cached columns in this order"


def update_cached(session: Session, rows: Sequence[tuple[int, Sequence[Any]]]) -> None:
    """Write the cached deadline columns, (case id, values in CACHE_COLUMNS order) per case.

    `version` is left alone: the columns are derived, not a change a client made.
    """
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        params: dict[str, list[Any]] = {"ids": [case_id for case_id, _ in rows]}
        for i, c in enumerate(CACHE_COLUMNS):
            params[c] = [values[i] for _, values in rows]
        conn.execute(_UPDATE_CACHED_PG, params)
        return
    procs = _bind_processors(conn, _CASES, CACHE_COLUMNS)
    conn.exec_driver_sql(
        _UPDATE_CACHED_SQLITE,
        [(*_converted(values, procs), case_id) for case_id, values in rows],
    )


# The hashed content (one list, app.audit.service) and the chain's columns.
_EVENT_COLUMNS = (*HASHED_COLUMNS, "prev_hash", "hash", "hash_alg")
assert set(_EVENT_COLUMNS) == {c.name for c in _EVENTS.columns} - {"id"}
# Constant column names only, no input: the statements cannot drift from the list.
_EVENT_COLUMN_LIST = ", ".join(_EVENT_COLUMNS)
_COPY_EVENTS = f"COPY case_events ({_EVENT_COLUMN_LIST}) FROM STDIN"
_PLACEHOLDERS = ", ".join("?" for _ in _EVENT_COLUMNS)
_INSERT_EVENTS_SQLITE = f"INSERT INTO case_events ({_EVENT_COLUMN_LIST}) VALUES ({_PLACEHOLDERS})"  # noqa: S608


def insert_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many ready-made timeline rows (see app.audit.service.event_row)."""
    if not rows:
        return
    conn = session.connection()
    # Rows often share one payload: serialise each distinct one once, as the column stores it.
    texts: dict[int, str] = {}
    for row in rows:
        if id(row["payload"]) not in texts:
            texts[id(row["payload"])] = json.dumps(row["payload"], ensure_ascii=False)
    procs = _bind_processors(conn, _EVENTS, _EVENT_COLUMNS)
    procs[_EVENT_COLUMNS.index("payload")] = None
    values = (
        _converted(
            [texts[id(row["payload"])] if c == "payload" else row[c] for c in _EVENT_COLUMNS], procs
        )
        for row in rows
    )
    if conn.dialect.name == "postgresql":
        # COPY: an order of magnitude faster than any INSERT form for tens of thousands of rows.
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor, cursor.copy(_COPY_EVENTS) as copy:
            for v in values:
                copy.write_row(v)
        return
    conn.exec_driver_sql(_INSERT_EVENTS_SQLITE, [tuple(v) for v in values])


@dataclass(frozen=True)
class Recomputed:
    """One case whose cached due dates a calendar change moved: the values to store (in
    app.deadline.cache.CACHE_COLUMNS order) and the event's payload (already JSON-safe; many
    cases share one payload object)."""

    case_id: int
    state: str
    cached: Sequence[Any]
    payload: dict[str, Any]


RECOMPUTED = "deadlines_recomputed"


def record_recomputed(
    session: Session,
    moved: Sequence[Recomputed],
    *,
    key: AuditKey,
    now: datetime,
    workflow_version: int,
) -> None:
    """The bulk `record` of a calendar change: every moved case's cached due dates in one
    statement and one system event per case appended to its chain (COPY on PostgreSQL)."""
    if not moved:
        return
    last = last_events(session, [m.case_id for m in moved])
    events = []
    for m in moved:
        seq, prev = last.get(m.case_id, (0, GENESIS))
        events.append(
            event_row(
                key=key,
                case_id=m.case_id,
                seq=seq + 1,
                prev_hash=prev,
                action=RECOMPUTED,
                from_state=m.state,
                to_state=m.state,
                actor=SYSTEM,
                now=now,
                payload=m.payload,
                workflow_version=workflow_version,
                payload_is_json_safe=True,
            )
        )
    update_cached(session, [(m.case_id, m.cached) for m in moved])
    insert_events(session, events)
