"""Queries for organs, users and the gapless counters."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import Counter, Organ, User


def organ_by_code(session: Session, code: str) -> Organ | None:
    """One organ by its code."""
    return session.scalars(select(Organ).where(Organ.code == code)).one_or_none()


def organ_by_id(session: Session, organ_id: int) -> Organ | None:
    """One organ by id."""
    return session.get(Organ, organ_id)


def list_organs(session: Session) -> list[Organ]:
    """Every organ, by code."""
    return list(session.scalars(select(Organ).order_by(Organ.code)))


def add(session: Session, row: Organ | User) -> None:
    """Persist a new organ or user and assign its id."""
    session.add(row)
    session.flush()


def users_of_organ(session: Session, organ_id: int) -> list[User]:
    """The staff of an organ."""
    return list(session.scalars(select(User).where(User.organ_id == organ_id).order_by(User.id)))


def next_counter_value(session: Session, *, organ_id: int, year: int, kind: str) -> int:
    """Increment and return the (organ, year, kind) counter inside the caller's transaction.

    The row lock taken by the UPDATE serialises concurrent writers on PostgreSQL (SQLite writers
    are serialised by BEGIN IMMEDIATE); a rolled-back transaction rolls the increment back with
    it, so no number is ever burnt.
    """
    bump = (
        update(Counter)
        .where(Counter.organ_id == organ_id, Counter.year == year, Counter.kind == kind)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    opts = {"synchronize_session": False}
    value = session.execute(bump, execution_options=opts).scalar_one_or_none()
    if value is not None:
        return value
    dialect = session.get_bind().dialect.name
    insert_fn = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert_fn(Counter)
        .values(organ_id=organ_id, year=year, kind=kind, value=0)
        .on_conflict_do_nothing()
    )
    return session.execute(bump, execution_options=opts).scalar_one()
