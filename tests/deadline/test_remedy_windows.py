"""The remedy windows after service (RULES §4, §5): which the remedy clause opens, the 15 days
after a reconsideration decision, and periods whose last day is an official day off ending on
the next working day — the due date, the status and the explanation agreeing.

Hand-counted against the 2026 notice: National Day days off 10/1–10/7, make-up working days
9/20 (Sun) and 10/10 (Sat).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.deadline.calendar import WorkCalendar
from app.deadline.ledger import (
    Deadline,
    LedgerEntry,
    Received,
    RemedyFacts,
    Served,
    Stopped,
    compute_deadlines,
)
from app.outcomes import Remedy

CAL = WorkCalendar.from_dir(Path(__file__).resolve().parents[2] / "workflows" / "calendar")
D = date
FIRST = Remedy.reconsideration_first
WINDOWS = ("reconsideration_until", "litigation_until", "litigation_after_reconsideration_until")


def served(on: date) -> list[LedgerEntry]:
    return [Received(D(2026, 3, 2)), Stopped(D(2026, 3, 20), "已答复"), Served(on)]


def windows(
    ledger: list[LedgerEntry],
    today: date,
    clause: Remedy = Remedy.either,
    decision_received_on: date | None = None,
) -> dict[str, Deadline]:
    facts = RemedyFacts(clause, decision_received_on)
    out = compute_deadlines(ledger, CAL, today=today, remedy=facts)
    return {d.name: d for d in out if d.name in WINDOWS}


# --- which windows the clause opens -------------------------------------------------------------


def test_reconsideration_first_shows_only_the_reconsideration_window() -> None:
    ws = windows(served(D(2026, 3, 23)), D(2026, 3, 24), FIRST)
    assert list(ws) == ["reconsideration_until"]
    assert ws["reconsideration_until"].due_date == D(2026, 5, 22)


def test_reconsideration_first_never_shows_a_direct_lawsuit_even_after_a_decision() -> None:
    ws = windows(served(D(2026, 3, 23)), D(2026, 6, 10), FIRST, D(2026, 6, 8))
    assert list(ws) == ["reconsideration_until", "litigation_after_reconsideration_until"]
    after = ws["litigation_after_reconsideration_until"]
    assert (after.start_event, after.start_date, after.due_date) == (
        "reconsideration_decision_received",
        D(2026, 6, 8),
        D(2026, 6, 23),
    )
    assert after.status == "running"
    assert "《行政诉讼法》第四十五条" in after.explanation.text_zh()
    assert "15日" in after.explanation.text_zh()


def test_either_shows_both_windows_and_the_fifteen_days_once_a_decision_is_received() -> None:
    ws = windows(served(D(2026, 3, 23)), D(2026, 3, 24))
    assert list(ws) == ["reconsideration_until", "litigation_until"]
    assert ws["litigation_until"].due_date == D(2026, 9, 23)
    ws = windows(served(D(2026, 3, 23)), D(2026, 6, 10), Remedy.either, D(2026, 6, 8))
    assert list(ws) == list(WINDOWS)


def test_a_decision_with_no_remedy_clause_opens_no_window() -> None:
    assert windows(served(D(2026, 3, 23)), D(2026, 3, 24), Remedy.none) == {}


def test_no_window_before_service() -> None:
    ledger: list[LedgerEntry] = [Received(D(2026, 3, 2)), Stopped(D(2026, 3, 20), "已答复")]
    assert windows(ledger, D(2026, 3, 24), FIRST) == {}
    assert windows(ledger, D(2026, 3, 24)) == {}


# --- periods that end on an official day off ----------------------------------------------------


def test_a_reconsideration_period_ending_on_national_day_is_due_after_the_holiday() -> None:
    # Served Sun 2 August: the 60th day is Thu 1 October, a day off through 7 October.
    ledger = served(D(2026, 8, 2))
    ws = windows(ledger, D(2026, 10, 5), FIRST)
    rec = ws["reconsideration_until"]
    assert rec.due_date == D(2026, 10, 8)
    assert rec.status == "running"
    text = rec.explanation.text_zh()
    assert "2026-10-01" in text
    assert "2026-10-08" in text
    assert "第八十五条" in text
    assert windows(ledger, D(2026, 10, 8), FIRST)["reconsideration_until"].status == "running"
    assert windows(ledger, D(2026, 10, 9), FIRST)["reconsideration_until"].status == "expired"
    assert windows(ledger, D(2026, 9, 30), FIRST)["reconsideration_until"].status == "running"


def test_a_six_month_lawsuit_period_ending_on_national_day_is_due_after_the_holiday() -> None:
    ledger = served(D(2026, 4, 1))
    ws = windows(ledger, D(2026, 10, 5))
    lit = ws["litigation_until"]
    assert lit.due_date == D(2026, 10, 8)
    assert lit.status == "running"
    assert "2026-10-08" in lit.explanation.text_en()
    assert windows(ledger, D(2026, 10, 9))["litigation_until"].status == "expired"
    # Its 60 days end on Sun 31 May: Monday 1 June.
    assert ws["reconsideration_until"].due_date == D(2026, 6, 1)
    assert ws["reconsideration_until"].status == "expired"


def test_fifteen_days_after_a_decision_ending_on_national_day_are_due_after_the_holiday() -> None:
    ledger = served(D(2026, 4, 1))
    for clause in (FIRST, Remedy.either):
        ws = windows(ledger, D(2026, 10, 5), clause, D(2026, 9, 16))
        after = ws["litigation_after_reconsideration_until"]
        assert after.due_date == D(2026, 10, 8)
        assert after.status == "running"
    ws = windows(ledger, D(2026, 10, 9), FIRST, D(2026, 9, 16))
    assert ws["litigation_after_reconsideration_until"].status == "expired"


@pytest.mark.parametrize(
    ("served_on", "last_day"),
    [
        (D(2026, 8, 11), D(2026, 10, 10)),  # Sat 10 October is a make-up working day
        (D(2026, 7, 30), D(2026, 9, 28)),  # a plain Monday
    ],
)
def test_a_period_ending_on_a_working_day_keeps_its_day(served_on: date, last_day: date) -> None:
    rec = windows(served(served_on), served_on, FIRST)["reconsideration_until"]
    assert rec.due_date == last_day
    assert rec.explanation.notes == ()


def test_a_weekend_end_rolls_to_monday() -> None:
    rec = windows(served(D(2026, 4, 5)), D(2026, 4, 6), FIRST)["reconsideration_until"]
    assert rec.due_date == D(2026, 6, 4)  # Thu 4 June is a working day: no roll
    rec = windows(served(D(2026, 4, 7)), D(2026, 4, 8), FIRST)["reconsideration_until"]
    assert rec.due_date == D(2026, 6, 8)  # Sat 6 June -> Mon 8 June
