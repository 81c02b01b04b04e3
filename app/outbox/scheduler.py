"""Periodic work the worker runs under the "scheduler" lease, so one worker runs it at a time.

Each job is idempotent: what it emits carries a dedupe key (a warning per case, deadline, due
date and threshold; a digest per user and day), so running it twice, or on two workers after a
lease changed hands, sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.runtime import Runtime


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    run: Callable[[Runtime, datetime], int]  # returns how many events it emitted


def jobs() -> list[PeriodicJob]:
    """Every periodic job (imported here so their packages may import the worker's)."""
    from app.notices.digest import daily_digest
    from app.notices.reminder import calendar_reminder
    from app.notices.scan import deadline_warnings
    from app.releases.expiry import expiry_notices

    return [
        PeriodicJob("deadline_warnings", timedelta(minutes=10), deadline_warnings),
        PeriodicJob("daily_digest", timedelta(minutes=5), daily_digest),
        PeriodicJob("calendar_reminder", timedelta(hours=1), calendar_reminder),
        PeriodicJob("release_expiry", timedelta(hours=1), expiry_notices),
    ]
