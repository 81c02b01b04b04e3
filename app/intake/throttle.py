"""The brake on query-code guessing: per registration number and per client address.

After `free` failures inside the window each further attempt must wait an exponentially growing
time; after `lock` failures the subject is locked for a while, even for the right code. Failures
are committed in their own short transaction, because the request that records them fails.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.errors import TooManyAttempts
from app.models import LookupFailure

MAX_BACKOFF_SECONDS = 300


@dataclass(frozen=True)
class BrakePolicy:
    window: timedelta
    free_failures: int
    lock_failures: int
    lock_duration: timedelta


def retry_after(row: LookupFailure, policy: BrakePolicy, now: datetime) -> int:
    """Seconds the subject must still wait (0 = may try now)."""
    if row.locked_until is not None and row.locked_until > now:
        return math.ceil((row.locked_until - now).total_seconds())
    if now - row.first_failure_at > policy.window:
        return 0
    excess = row.failures - policy.free_failures
    if excess < 0:
        return 0
    wait = timedelta(seconds=min(2**excess, MAX_BACKOFF_SECONDS))
    remaining = (row.last_failure_at + wait - now).total_seconds()
    return max(0, math.ceil(remaining))


class LookupBrake:
    def __init__(self, factory: sessionmaker[Session], policy: BrakePolicy) -> None:
        self._factory = factory
        self.policy = policy

    def check(self, subjects: Iterable[str], now: datetime) -> None:
        """Refuse with 429 while any subject is locked or backing off."""
        subjects = list(subjects)
        with self._factory() as session:
            rows = session.scalars(
                select(LookupFailure).where(LookupFailure.subject.in_(subjects))
            ).all()
        waits = [retry_after(row, self.policy, now) for row in rows]
        wait = max(waits, default=0)
        if wait > 0:
            raise TooManyAttempts(
                "查询失败次数过多，请稍后再试 / too many failed attempts, try again later",
                retry_after=wait,
            )

    def record_failure(self, subjects: Iterable[str], now: datetime) -> None:
        """Count one failure against every subject (committed at once)."""
        subjects = list(subjects)
        try:
            self._record(subjects, now)
        except IntegrityError:
            # Another process inserted the same subject's first row at the same moment.
            self._record(subjects, now)

    def _record(self, subjects: list[str], now: datetime) -> None:
        with self._factory.begin() as session:
            for subject in subjects:
                row = session.get(LookupFailure, subject)
                if row is None or now - row.first_failure_at > self.policy.window:
                    if row is None:
                        row = LookupFailure(subject=subject)
                        session.add(row)
                    row.failures = 0
                    row.first_failure_at = now
                    row.locked_until = None
                row.failures += 1
                row.last_failure_at = now
                if row.failures >= self.policy.lock_failures:
                    row.locked_until = now + self.policy.lock_duration
