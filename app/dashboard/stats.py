"""Reply-time statistics: working days from receipt to reply, their mean and 90th percentile.

Pure module: no FastAPI, no SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from app.deadline.calendar import WorkCalendar


def working_days_to_reply(calendar: WorkCalendar, received: date, concluded: date) -> int:
    """Working days from the receipt to the reply, counted the statutory way (RULES §4): the
    receipt day is not counted, day 1 is the first working day after it, and the reply day
    counts when it is a working day. A reply on the receipt day took 0 working days."""
    return calendar.count_working_days(received, concluded)


def mean_one_decimal(values: Sequence[int]) -> float | None:
    """The arithmetic mean rounded half up to one decimal; None for no values."""
    if not values:
        return None
    mean = Decimal(sum(values)) / Decimal(len(values))
    return float(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def nearest_rank(values: Iterable[int], percent: int) -> int | None:
    """The nearest-rank percentile: the smallest value such that at least `percent` % of the
    values are less than or equal to it, i.e. the ⌈percent/100 × n⌉-th smallest value (n
    values, ranks from 1). Always one of the values; None for no values."""
    if not 0 < percent <= 100:
        raise ValueError(f"percent must be in (0, 100], got {percent}")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = -(-percent * len(ordered) // 100)  # ceiling, in integers
    return ordered[rank - 1]
