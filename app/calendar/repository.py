"""Every SQL statement of the calendar domain: the stored years and the bulk deadline recompute."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Text, cast, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.db import table_of
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
