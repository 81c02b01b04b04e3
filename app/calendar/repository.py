"""Every SQL statement of the calendar domain: the stored years and the bulk deadline recompute."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, Text, cast, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.db import table_of
from app.deadline.cache import CACHE_COLUMNS
from app.models import CalendarYearRecord, Case, CaseEvent, ClockEntry, Organ

_YEARS = table_of(CalendarYearRecord)
_CASES = table_of(Case)
_EVENTS = table_of(CaseEvent)


@dataclass(frozen=True)
class YearRow:
    year: int
    data: dict[str, Any]
    source: str
    updated_at: datetime
    updated_by_id: int | None


Stamp = tuple[int, datetime | None]


def all_years(session: Session | Connection) -> list[YearRow]:
    """Every stored year, in order."""
    rows = session.execute(
        select(
            _YEARS.c.year,
            _YEARS.c.data,
            _YEARS.c.source,
            _YEARS.c.updated_at,
            _YEARS.c.updated_by_id,
        ).order_by(_YEARS.c.year)
    )
    return [YearRow(*r) for r in rows]


def stamp(session: Session | Connection) -> Stamp:
    """(number of years, latest change): moves whenever a year is added or changed."""
    count, latest = session.execute(
        select(func.count(), func.max(CalendarYearRecord.updated_at))
    ).one()
    return int(count), latest


def insert_years(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert years that are not stored yet; returns the years actually inserted."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(_YEARS).on_conflict_do_nothing(index_elements=["year"])
    inserted = session.execute(stmt.returning(_YEARS.c.year), list(rows)).scalars().all()
    return sorted(inserted)


def update_year(session: Session, values: dict[str, Any]) -> None:
    """Replace a stored year's data, source and change stamp."""
    year = values["year"]
    session.execute(
        update(_YEARS)
        .where(_YEARS.c.year == year)
        .values({k: v for k, v in values.items() if k != "year"})
    )


def lock_for_recompute(session: Session) -> None:
    """Keep other writers out of the tables a recompute reads and writes, until commit.

    SQLite writers already hold the database's only write lock (BEGIN IMMEDIATE). On PostgreSQL
    EXCLUSIVE mode still lets plain reads through but queues every writer, so no event can be
    appended to a chain, and no ledger change, between the read and the write of the job.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("LOCK TABLE calendar_years, cases, case_events, clock_entries IN EXCLUSIVE MODE")
        )


def organ_settings_by_id(session: Session) -> dict[int, dict[str, Any] | None]:
    """Every organ's stored settings, by id."""
    return {row.id: row.settings for row in session.execute(select(Organ.id, Organ.settings))}


@dataclass(frozen=True)
class OpenCase:
    id: int
    organ_id: int
    state: str
    cached: tuple[date | None, bool, date | None, date | None, str | None]


def open_cases(session: Session, final_states: Collection[str]) -> list[OpenCase]:
    """Every case not in a final state, with its cached deadline columns, by id."""
    c = _CASES.c
    stmt = (
        select(
            c.id,
            c.organ_id,
            c.state,
            c.reply_due,
            c.reply_due_provisional,
            c.correction_notice_due,
            c.correction_due,
            c.reply_status,
        )
        .where(c.state.not_in(list(final_states)))
        .order_by(c.id)
    )
    return [
        OpenCase(r[0], r[1], r[2], (r[3], bool(r[4]), r[5], r[6], r[7]))
        for r in session.execute(stmt)
    ]


def open_case_entries(
    session: Session, final_states: Collection[str], *, batch_size: int = 20000
) -> Iterator[tuple[int, str, str]]:
    """(case_id, kind, data as JSON text) of every open case's ledger, by (case_id, seq)."""
    # JSON as text: identical ledgers give identical keys without parsing every row.
    e = table_of(ClockEntry).c
    stmt = (
        select(e.case_id, e.kind, cast(e.data, Text))
        .join(_CASES, _CASES.c.id == e.case_id)
        .where(_CASES.c.state.not_in(list(final_states)))
        .order_by(e.case_id, e.seq)
        .execution_options(yield_per=batch_size)
    )
    for row in session.execute(stmt):
        yield row.case_id, row.kind, row[2]


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


_EVENT_COLUMNS = (
    "case_id",
    "seq",
    "action",
    "from_state",
    "to_state",
    "actor_kind",
    "actor_user_id",
    "actor_label",
    "occurred_at",
    "payload",
    "workflow_version",
    "prev_hash",
    "hash",
    "hash_alg",
)
assert set(_EVENT_COLUMNS) == {c.name for c in _EVENTS.columns} - {"id"}
_COPY_EVENTS = """
    COPY case_events (case_id, seq, action, from_state, to_state, actor_kind, actor_user_id,
                      actor_label, occurred_at, payload, workflow_version, prev_hash, hash,
                      hash_alg)
    FROM STDIN
"""
_INSERT_EVENTS_SQLITE = """
    INSERT INTO case_events (case_id, seq, action, from_state, to_state, actor_kind,
                             actor_user_id, actor_label, occurred_at, payload, workflow_version,
                             prev_hash, hash, hash_alg)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


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
