"""Re-answering (重新答复, RULES §9) in the clock ledger: the new deadline follows the decision,
is explained, and nothing of the first answer leaks into it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.deadline import codec
from app.deadline.calendar import WorkCalendar
from app.deadline.ledger import (
    LedgerError,
    Received,
    Reopened,
    Served,
    Stopped,
    compute_deadlines,
    reply_due,
)

CAL = WorkCalendar.from_dir(Path(__file__).resolve().parents[2] / "workflows" / "calendar")
FIRST = [
    Received(on=date(2026, 3, 2)),
    Stopped(on=date(2026, 3, 20), reason="已出具答复 / reply issued"),
    Served(on=date(2026, 3, 23)),
]


def _reopened(reply_by: date | None = None) -> Reopened:
    return Reopened(
        on=date(2026, 5, 20),
        decision="reconsideration",
        document_number="示府复〔2026〕12号",
        reply_by=reply_by,
        approved_by="王局长",
    )


def test_a_reopened_case_has_20_working_days_from_the_receipt_of_the_decision() -> None:
    # Wed 20 May 2026 + 20 WD: 21, 22, 25–29 May, 1–5, 8–12, 15–17 June -> Wed 17 June.
    [reply] = compute_deadlines([*FIRST, _reopened()], CAL, today=date(2026, 5, 21))
    assert (reply.name, reply.label, reply.due_date, reply.status) == (
        "reply",
        "重新答复期限",
        date(2026, 6, 17),
        "running",
    )
    assert (reply.start_event, reply.start_date) == ("decision_received", date(2026, 5, 20))
    text = reply.text_zh()
    assert "自2026-05-20（本机关收到决定）起算" in text
    assert "自本机关收到该决定之日起20个工作日内重新答复" in text
    assert reply_due([*FIRST, _reopened()], CAL) == (date(2026, 6, 17), False)


def test_the_first_answers_stop_service_and_remedy_windows_do_not_leak() -> None:
    deadlines = compute_deadlines([*FIRST, _reopened()], CAL, today=date(2026, 7, 1))
    assert [d.name for d in deadlines] == ["reply"]
    assert deadlines[0].status == "overdue"  # not "met" by the first answer's stop


def test_the_date_the_decision_sets_replaces_the_20_days_and_is_explained() -> None:
    ledger = [*FIRST, _reopened(reply_by=date(2026, 6, 30))]
    [reply] = compute_deadlines(ledger, CAL, today=date(2026, 5, 21))
    assert (reply.label, reply.due_date, reply.status) == (
        "重新答复期限",
        date(2026, 6, 30),
        "running",
    )
    text = reply.text_zh()
    assert "行政复议决定（示府复〔2026〕12号）规定于2026-06-30前重新答复" in text
    assert "重新答复期限为行政复议决定（示府复〔2026〕12号）确定的日期" in text
    assert reply_due(ledger, CAL) == (date(2026, 6, 30), False)


@pytest.mark.parametrize(
    ("answered", "status"), [(date(2026, 6, 30), "met"), (date(2026, 7, 1), "late")]
)
def test_the_new_answer_is_judged_against_the_new_deadline(answered: date, status: str) -> None:
    ledger = [
        *FIRST,
        _reopened(reply_by=date(2026, 6, 30)),
        Stopped(on=answered, reason="重新答复"),
    ]
    reply = compute_deadlines(ledger, CAL, today=date(2026, 7, 2))[0]
    assert reply.status == status


def test_remedy_windows_run_again_from_the_new_service() -> None:
    ledger = [
        *FIRST,
        _reopened(),
        Stopped(on=date(2026, 6, 1), reason="重新答复"),
        Served(on=date(2026, 6, 3)),
    ]
    by_name = {d.name: d for d in compute_deadlines(ledger, CAL, today=date(2026, 6, 4))}
    assert by_name["reply"].status == "met"
    assert by_name["reconsideration_until"].start_date == date(2026, 6, 3)


def test_only_an_answered_case_can_be_reopened() -> None:
    with pytest.raises(LedgerError):
        compute_deadlines([FIRST[0], _reopened()], CAL, today=date(2026, 5, 21))


def test_the_entry_is_stored_and_read_back() -> None:
    entry = _reopened(reply_by=date(2026, 6, 30))
    assert codec.decode(codec.kind_of(entry), codec.encode(entry)) == entry
