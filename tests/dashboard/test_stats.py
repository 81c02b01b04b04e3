"""The pure statistics: working days to reply, the mean, the nearest-rank percentile."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.dashboard.stats import mean_one_decimal, nearest_rank, working_days_to_reply
from app.deadline.calendar import WorkCalendar

CALENDAR = WorkCalendar.from_dir(Path(__file__).parents[2] / "workflows" / "calendar")


@pytest.mark.parametrize(
    ("received", "concluded", "days"),
    [
        (date(2026, 3, 2), date(2026, 3, 2), 0),  # answered the day it came
        (date(2026, 3, 2), date(2026, 3, 3), 1),  # the day after is day 1
        (date(2026, 3, 6), date(2026, 3, 8), 0),  # Fri -> Sun: no working day yet
        (date(2026, 3, 6), date(2026, 3, 9), 1),
        (date(2026, 2, 10), date(2026, 3, 16), 20),  # Spring Festival, make-up 2/14 and 2/28
        (date(2026, 9, 18), date(2026, 10, 22), 20),  # RULES §4 worked example (make-up 9/20)
        (date(2026, 9, 30), date(2026, 10, 10), 3),  # 10/8, 10/9, Sat 10/10 make-up
        (date(2026, 4, 3), date(2026, 4, 6), 0),  # Qingming 4/4–4/6
    ],
)
def test_working_days_to_reply_count_from_the_day_after_receipt(
    received: date, concluded: date, days: int
) -> None:
    assert working_days_to_reply(CALENDAR, received, concluded) == days


@pytest.mark.parametrize(
    ("values", "p90"),
    [
        ([7], 7),
        ([5, 10, 20, 20, 26], 26),  # ⌈4.5⌉ = 5th
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 9),  # ⌈9.0⌉ = 9th
        ([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 9),  # order does not matter
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 10),  # ⌈9.9⌉ = 10th
        (list(range(1, 21)), 18),  # ⌈18.0⌉ = 18th
        ([3, 3, 3, 40], 40),  # ⌈3.6⌉ = 4th
    ],
)
def test_p90_is_the_nearest_rank(values: list[int], p90: int) -> None:
    assert nearest_rank(values, 90) == p90


def test_no_values_have_no_statistics() -> None:
    assert nearest_rank([], 90) is None
    assert mean_one_decimal([]) is None


@pytest.mark.parametrize("percent", [0, -5, 101])
def test_a_percentile_outside_0_to_100_is_refused(percent: int) -> None:
    with pytest.raises(ValueError):
        nearest_rank([1, 2], percent)


@pytest.mark.parametrize(
    ("values", "mean"),
    [
        ([5, 10, 20], 11.7),
        ([20, 26], 23.0),
        ([1, 2], 1.5),
        ([0, 0, 1, 0], 0.3),
        ([1, 1, 0, 0], 0.5),
    ],
)
def test_the_mean_is_rounded_half_up_to_one_decimal(values: list[int], mean: float) -> None:
    assert mean_one_decimal(values) == mean


def test_half_way_means_round_up_not_to_even() -> None:
    # 0.25 and 0.35 halfway cases: float round() would give 0.2 and 0.3 (binary, to-even).
    assert mean_one_decimal([0, 0, 0, 1]) == 0.3  # 0.25
    assert mean_one_decimal([1] * 7 + [0] * 13) == 0.4  # 0.35


@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=200))
def test_nearest_rank_definition(values: list[int]) -> None:
    p = nearest_rank(values, 90)
    assert p in values
    rank = -(-9 * len(values) // 10)  # ⌈0.9 n⌉ in integers (0.9 * 70 is 63.00000000000001)
    # At least 90 % of the values are <= p, and fewer than 90 % are < p.
    assert sum(v <= p for v in values) >= rank
    assert sum(v < p for v in values) < rank
