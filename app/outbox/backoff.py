"""When a failed delivery is tried again: exponential backoff with jitter, for up to 24 hours."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=2)
GIVE_UP_AFTER = timedelta(hours=24)


def next_attempt(
    attempts: int, *, now: datetime, since: datetime, rng: random.Random | None = None
) -> datetime | None:
    """When to try again after `attempts` failed attempts, or None to give up (dead letter).

    The delay doubles from 30 s to a cap of 2 h; each is scaled by a random factor in
    [0.5, 1.0] so receivers that come back are not hit by every worker at once. A delivery
    first queued at `since` is given up 24 hours later.
    """
    if now - since >= GIVE_UP_AFTER:
        return None
    base = min(FIRST_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)
    factor = (rng or random).uniform(0.5, 1.0)
    at: datetime = now + base * factor
    end: datetime = since + GIVE_UP_AFTER
    return min(at, end)
