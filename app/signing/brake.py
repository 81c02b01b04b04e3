"""The brake on /verify per client address: uploads (each costs a parse and a signature check)
and unknown codes (guesses) count; after the free ones in the window each attempt waits 2, 4,
8 … s (at most 5 min), and at the lock count the address is locked for the lock time.

The query-code brake's machinery (app/intake/throttle.py) over its table, under a subject of
its own ("verify:<address>"): the check and the count are one transaction holding the row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.errors import TooManyAttempts
from app.intake.throttle import Rule, count_failure, locked_rows, retry_after
from app.models import LookupFailure

BRAKED = "核验次数过多，请稍后再试 / too many verifications from your address, try again later"


def rule(settings: Settings) -> Rule:
    return Rule(
        window=timedelta(minutes=settings.verify_window_minutes),
        free_failures=settings.verify_free_attempts,
        lock_failures=settings.verify_lock_attempts,
        lock_duration=timedelta(minutes=settings.verify_lock_minutes),
    )


def subject(client: str) -> str:
    return f"verify:{client}"


def check(session: Session, client: str, rule: Rule, now: datetime) -> None:
    """429 if the client must wait; nothing is counted."""
    row = session.scalars(
        select(LookupFailure).where(LookupFailure.subject == subject(client))
    ).one_or_none()
    wait = retry_after(row, rule, now) if row is not None else 0
    if wait > 0:
        raise TooManyAttempts(BRAKED, retry_after=wait)


def count(factory: sessionmaker[Session], client: str, rule: Rule, now: datetime) -> None:
    """Count one attempt by the client, in a short transaction of its own; 429 (uncounted) if
    the client must wait first."""
    with factory.begin() as session:
        row = locked_rows(session, LookupFailure, [subject(client)], now)[subject(client)]
        wait = retry_after(row, rule, now)
        if wait > 0:
            raise TooManyAttempts(BRAKED, retry_after=wait)
        if row not in session:
            session.add(row)
        count_failure(row, rule, now)
