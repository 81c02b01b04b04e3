"""The brake on query-code guessing: per client address and per registration number.

A query code carries 100 bits, so no rate a client is allowed comes near guessing one; the brake
is there to make trying expensive, never to lock the applicant out. Per client address: `free`
failures, then an exponentially growing wait, then a lock. Per number: only a bound on how many
guesses are evaluated in a window, set high; a locked number is reopened by the organ's staff.

The check, the comparison of the code and the count of a failure are one transaction holding
the subjects' rows (SELECT ... FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE serialises SQLite
writers): concurrent guesses across processes cannot all pass the check before any failure is
counted. It is the only connection the lookup holds while it runs, so a lookup never waits for
a second connection from a pool its own first one helps to drain.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, sessionmaker

from app.db import table_of
from app.errors import TooManyAttempts
from app.models import LookupFailure
from app.models.security import FailureCount

Row = TypeVar("Row", bound=FailureCount)

MAX_BACKOFF_SECONDS = 300


@dataclass(frozen=True)
class Rule:
    """After `free_failures` in `window` each attempt waits 2^n s; at `lock_failures`, a lock."""

    window: timedelta
    free_failures: int
    lock_failures: int
    lock_duration: timedelta


@dataclass(frozen=True)
class BrakePolicy:
    # Per client address.
    window: timedelta
    free_failures: int
    lock_failures: int
    lock_duration: timedelta
    # Per registration number: a bound on evaluated guesses, no slowing before it.
    number_failures: int
    number_window: timedelta

    @property
    def client(self) -> Rule:
        return Rule(self.window, self.free_failures, self.lock_failures, self.lock_duration)

    @property
    def number(self) -> Rule:
        # Locked for a whole window from the failure that reached the bound: at most
        # `number_failures` evaluations in any stretch of a window's length that holds a lock.
        return Rule(
            self.number_window, self.number_failures, self.number_failures, self.number_window
        )


def retry_after(row: FailureCount, rule: Rule, now: datetime) -> int:
    """Seconds the subject must still wait (0 = may try now)."""
    if row.locked_until is not None and row.locked_until > now:
        return math.ceil((row.locked_until - now).total_seconds())
    if row.failures == 0 or now - row.first_failure_at > rule.window:
        return 0
    excess = row.failures - rule.free_failures
    if excess < 0:
        return 0
    wait = timedelta(seconds=min(2**excess, MAX_BACKOFF_SECONDS))
    remaining = (row.last_failure_at + wait - now).total_seconds()
    return max(0, math.ceil(remaining))


def count_failure(row: FailureCount, rule: Rule, now: datetime) -> None:
    """Count one failure on the subject's row (a new window starts after the old one ends)."""
    if now - row.first_failure_at > rule.window:
        row.failures = 0
        row.first_failure_at = now
        row.locked_until = None
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= rule.lock_failures:
        row.locked_until = now + rule.lock_duration


class NumberLocked(TooManyAttempts):
    code = "lookup-locked"
    title = "查询已锁定 / Lookups locked"


CLIENT_BRAKED = (
    "查询失败次数过多，请稍后再试 / too many failed attempts from your address, try again later"
)
NUMBER_LOCKED = (
    "该编号的错误查询过多，已暂停查询。请携带身份证件联系受理机关的政府信息公开工作机构"
    "（见登记回执），工作人员核实后可解除锁定。/ Too many wrong codes were tried for this "
    "number, so lookups are paused. Contact the disclosure office of the organ named on your "
    "receipt with your identity document: its staff can lift the lock, or wait until it ends."
)


def client_subject(client: str) -> str:
    return f"client:{client}"


def number_subject(number: str) -> str:
    return f"number:{number}"


class LookupBrake:
    def __init__(self, factory: sessionmaker[Session], policy: BrakePolicy) -> None:
        self._factory = factory
        self.policy = policy

    def attempt(
        self, client: str, number: str, now: datetime, matches: Callable[[Session], bool]
    ) -> bool:
        """Whether `matches` (the code comparison) holds; a failure is counted, a braked client
        or a locked number is refused with 429 before anything is compared."""
        rules = {
            client_subject(client): self.policy.client,
            number_subject(number): self.policy.number,
        }
        with self._factory.begin() as session:
            rows = locked_rows(session, LookupFailure, list(rules), now)
            number_wait = retry_after(rows[number_subject(number)], self.policy.number, now)
            if number_wait > 0:
                raise NumberLocked(NUMBER_LOCKED, retry_after=number_wait)
            client_wait = retry_after(rows[client_subject(client)], self.policy.client, now)
            if client_wait > 0:
                raise TooManyAttempts(CLIENT_BRAKED, retry_after=client_wait)
            if matches(session):
                # Rows made only to be locked: a right code leaves nothing behind.
                session.execute(
                    delete(_TABLE).where(_TABLE.c.subject.in_(list(rules)), _TABLE.c.failures == 0)
                )
                return True
            for subject, rule in rules.items():
                row = rows[subject]
                if row not in session:
                    session.add(row)
                count_failure(row, rule, now)
        return False


_TABLE = table_of(LookupFailure)
# A concurrent release (or a right code's clean-up) may delete a row between our insert and our
# lock; insert again. Each retry needs another transaction to have committed a delete.
_LOCK_TRIES = 5


def locked_rows(
    session: Session, model: type[Row], subjects: list[str], now: datetime
) -> dict[str, Row]:
    """The subjects' rows in `model`'s table, held until the transaction ends; a subject without one gets a fresh
    row (not yet added to the session).

    PostgreSQL: rows are inserted first so there is something to lock, and locked in one order,
    so two transactions locking the same pair cannot deadlock. SQLite: BEGIN IMMEDIATE already
    holds the only write lock.
    """
    subjects = sorted(subjects)
    found: dict[str, Row] = {}
    table = model.__table__  # type: ignore[attr-defined]
    postgres = session.get_bind().dialect.name == "postgresql"
    for _ in range(_LOCK_TRIES if postgres else 1):
        if postgres:
            fresh = {"failures": 0, "first_failure_at": now, "last_failure_at": now}
            session.execute(
                pg_insert(table)
                .values([{"subject": s, **fresh} for s in subjects])
                .on_conflict_do_nothing()
            )
        stmt = (
            select(model)
            .where(model.subject.in_(subjects))
            .order_by(model.subject)
            .with_for_update()
        )
        found = {row.subject: row for row in session.scalars(stmt)}
        if len(found) == len(subjects):
            break
    return {s: found.get(s) or _fresh(model, s, now) for s in subjects}


def _fresh(model: type[Row], subject: str, now: datetime) -> Row:
    row = model()
    row.subject, row.failures = subject, 0
    row.first_failure_at = row.last_failure_at = now
    row.locked_until = None
    return row


@dataclass(frozen=True)
class ReleasedLock:
    failures: int
    was_locked: bool


def release_number(session: Session, number: str, now: datetime) -> ReleasedLock:
    """Forget the wrong guesses at a number (staff lifting its lock), in the caller's transaction."""
    row = session.execute(
        delete(_TABLE)
        .where(_TABLE.c.subject == number_subject(number))
        .returning(_TABLE.c.failures, _TABLE.c.locked_until)
    ).first()
    if row is None:
        return ReleasedLock(failures=0, was_locked=False)
    return ReleasedLock(
        failures=row.failures, was_locked=row.locked_until is not None and row.locked_until > now
    )
