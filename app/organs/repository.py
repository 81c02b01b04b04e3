"""Queries for organs, users and the gapless counters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Table, Update, bindparam, exists, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.db import table_of
from app.db_insert import next_id
from app.models import Counter, Organ, ReportLock, User


def organ_by_code(session: Session, code: str) -> Organ | None:
    """One organ by its code."""
    return session.scalars(select(Organ).where(Organ.code == code)).one_or_none()


def organ_by_id(session: Session, organ_id: int) -> Organ | None:
    """One organ by id."""
    return session.get(Organ, organ_id)


def user_by_id(session: Session, user_id: int) -> User | None:
    """One user by id."""
    return session.get(User, user_id)


def list_organs(session: Session) -> list[Organ]:
    """Every organ, by code."""
    return list(session.scalars(select(Organ).order_by(Organ.code)))


def platform_organs(session: Session) -> dict[str, str]:
    """The organs on the platform, code -> name, by code: where a case may be transferred to
    or filed on the applicant's behalf (organs are never deleted)."""
    rows = session.execute(select(Organ.code, Organ.name).order_by(Organ.code))
    return {str(code): str(name) for code, name in rows}


def add(session: Session, row: Organ | User) -> None:
    """Persist a new organ or user and assign its id."""
    session.add(row)
    session.flush()


_COUNTERS = table_of(Counter)
# Built once: the counter is bumped on every registration and numbered letter.
_BUMP = (
    update(_COUNTERS)
    .where(
        _COUNTERS.c.organ_id == bindparam("o"),
        _COUNTERS.c.year == bindparam("y"),
        _COUNTERS.c.kind == bindparam("k"),
    )
    .values(value=_COUNTERS.c.value + 1)
    .returning(_COUNTERS.c.value)
)


def next_counter_value(session: Session, *, organ_id: int, year: int, kind: str) -> int:
    """Increment and return the (organ, year, kind) counter inside the caller's transaction.

    The row lock taken by the UPDATE serialises concurrent writers on PostgreSQL (SQLite writers
    are serialised by BEGIN IMMEDIATE); a rolled-back transaction rolls the increment back with
    it, so no number is ever burnt.
    """
    key = {"o": organ_id, "y": year, "k": kind}
    value: int | None = session.execute(_BUMP, key).scalar_one_or_none()
    if value is not None:
        return value
    _create_counter(session, organ_id=organ_id, year=year, kind=kind)
    first: int = session.execute(_BUMP, key).scalar_one()
    return first


# The same bump, also saying whether the organ has published (locked) any year's report: a
# registration needs both, and asks once (the lock years are read only when there are some).
_LOCKS = table_of(ReportLock)
_BUMP_AND_LOCKED = _BUMP.returning(
    exists().where(_LOCKS.c.organ_id == bindparam("o")).label("locked")
)


@dataclass(frozen=True)
class Counted:
    value: int
    locked: bool
    # The ids reserved for the tables asked, in their order (app.db_insert.next_id).
    ids: tuple[int, ...]


def next_counter_value_and_locked(
    session: Session, *, organ_id: int, year: int, kind: str, reserve: Sequence[Table] = ()
) -> Counted:
    """next_counter_value, whether the organ has any report lock and the next id of each
    table in `reserve`, in one statement: the ids are taken under the counter's row lock,
    before the rows that use them are built (a new case's rows refer to each other)."""
    key = {"o": organ_id, "y": year, "k": kind}
    stmt = _bump_reserving(session.get_bind().dialect.name, tuple(reserve))
    row = session.execute(stmt, key).one_or_none()
    if row is None:
        _create_counter(session, organ_id=organ_id, year=year, kind=kind)
        row = session.execute(stmt, key).one()
    return Counted(int(row[0]), bool(row[1]), tuple(int(x) for x in row[2:]))


_RESERVING: dict[tuple[str, tuple[Table, ...]], Update] = {}


def _bump_reserving(dialect: str, tables: tuple[Table, ...]) -> Update:
    """_BUMP_AND_LOCKED, also returning next_id of each table; built once per (dialect, tables)."""
    stmt = _RESERVING.get((dialect, tables))
    if stmt is None:
        ids = [next_id(t, dialect).label(f"id_{t.name}") for t in tables]
        stmt = _RESERVING[(dialect, tables)] = _BUMP_AND_LOCKED.returning(*ids)
    return stmt


def _create_counter(session: Session, *, organ_id: int, year: int, kind: str) -> None:
    dialect = session.get_bind().dialect.name
    insert_fn = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert_fn(_COUNTERS)
        .values(organ_id=organ_id, year=year, kind=kind, value=0)
        .on_conflict_do_nothing()
    )
