"""Electronic service is proved, not assumed (RULES §4), at the level of the pure rules: a
notice sent to an applicant who consented to e-service starts no window until its arrival is
recorded, and a recorded arrival names its evidence."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from app.auth.principal import SYSTEM
from app.deadline import ledger as lg
from app.deadline.calendar import WorkCalendar
from app.deadline.pending import pending_receipt
from app.organs.settings import OrganSettings
from app.workflow import rules, rules_fee, rules_reply
from app.workflow.context import CaseFacts, Change, Ctx
from app.workflow.definition import load_workflow

CAL = WorkCalendar.from_dir(Path(__file__).resolve().parents[2] / "workflows" / "calendar")
FOI = load_workflow(Path(__file__).resolve().parents[2] / "workflows" / "foi_application.yaml")
BEIJING = timezone(timedelta(hours=8))
RECEIVED = date(2026, 3, 2)
SENT = date(2026, 3, 4)


def _ctx(
    payload: dict[str, Any],
    *,
    ledger: list[lg.LedgerEntry] | None = None,
    today: date = SENT,
    consent: bool = True,
    state: str = "received",
) -> Ctx:
    return Ctx(
        case=CaseFacts(
            state=state,
            channel="online",
            arrived_on=RECEIVED,
            receipt_date=RECEIVED,
            e_service_consent=consent,
            # Paper copies by post: a per-volume fee applies (国办函〔2020〕109号 Art. 5).
            delivery_form="paper",
            delivery_method="post",
            awaits_receipt_of=FOI.states[state].awaits_receipt_of,
        ),
        ledger=ledger if ledger is not None else [lg.Received(on=RECEIVED)],
        payload=payload,
        actor=SYSTEM,
        today=today,
        now=datetime(today.year, today.month, today.day, 2, tzinfo=UTC),
        calendar=CAL,
        settings=OrganSettings(),
        tz=BEIJING,
    )


def _deadline(ledger: list[lg.LedgerEntry], name: str, today: date) -> lg.Deadline:
    found = lg.compute_deadlines(ledger, CAL, today=today)
    return next(d for d in found if d.name == name)


def _errors(change: Change) -> set[str]:
    return {str(e["loc"][-1]) for e in change.errors}


def test_correction_notice_served_electronically_is_not_received_on_the_day_it_is_sent() -> None:
    change = Change()
    rules.suspend_reply_clock(_ctx({"items_to_correct": ["年份"]}), change)
    assert not change.errors
    [entry] = change.entries
    assert isinstance(entry, lg.CorrectionRequested)
    assert entry.applicant_received_on is None
    ledger = [lg.Received(on=RECEIVED), entry]
    # Forty working days later the applicant's window has still not started.
    later = CAL.add_working_days(SENT, 40)
    correction = _deadline(ledger, "correction", later)
    assert correction.status == "not_started"
    assert correction.due_date is None
    assert _deadline(ledger, "reply", later).status == "suspended"
    guard_ctx = _ctx({}, ledger=ledger, today=later, state="awaiting_correction")
    assert rules.correction_period_elapsed(guard_ctx) is not None
    # A notice handed over at the counter is received that day, consent or not.
    counter = Change()
    payload = {"items_to_correct": ["年份"], "notice_received_on": SENT}
    rules.suspend_reply_clock(_ctx(payload), counter)
    [handed] = counter.entries
    assert isinstance(handed, lg.CorrectionRequested)
    assert handed.applicant_received_on == SENT


def test_fee_notice_served_electronically_starts_no_payment_window() -> None:
    change = Change()
    payload = {"method": "per_volume", "quantity": 100, "payment": "缴费"}
    rules_fee.pause_reply_clock_for_fee(_ctx(payload), change)
    assert not change.errors
    [entry] = change.entries
    assert isinstance(entry, lg.FeeNoticeSent)
    assert entry.applicant_received_on is None
    ledger = [lg.Received(on=RECEIVED), entry]
    later = CAL.add_working_days(SENT, 40)
    assert _deadline(ledger, "fee_payment", later).status == "not_started"
    assert rules_fee.fee_window_elapsed(_ctx({}, ledger=ledger, today=later)) is not None


@pytest.mark.parametrize(
    ("effect", "ledger", "state"),
    [
        (
            rules.start_correction_period,
            [lg.Received(on=RECEIVED), lg.CorrectionRequested(SENT, None, 15)],
            "awaiting_correction",
        ),
        (
            rules_fee.start_fee_period,
            [lg.Received(on=RECEIVED), lg.FeeNoticeSent(SENT, None)],
            "awaiting_fee",
        ),
    ],
)
def test_a_recorded_arrival_of_an_electronic_notice_names_its_evidence(
    effect: Any, ledger: list[lg.LedgerEntry], state: str
) -> None:
    today = date(2026, 3, 6)

    def run(payload: dict[str, Any], consent: bool = True) -> set[str]:
        change = Change()
        effect(_ctx(payload, ledger=ledger, today=today, consent=consent, state=state), change)
        return _errors(change)

    assert run({"received_on": today}) == {"evidence"}
    assert run({"received_on": today, "evidence": "短信回执"}) == set()
    # A notice that went on paper: the signed-for day is the record (backwards compatible).
    assert run({"received_on": today}, consent=False) == set()
    # The moment of arrival, when given, is the day recorded (Beijing time).
    at = datetime(2026, 3, 5, 16, 30, tzinfo=UTC)  # 00:30 on 03-06 in Beijing
    wrong_day = {"received_on": date(2026, 3, 5), "evidence": "邮件回执", "received_at": at}
    assert run(wrong_day) == {"received_at"}
    assert run({**wrong_day, "received_on": today}) == set()


def test_a_second_receipt_of_the_correction_notice_is_refused() -> None:
    ledger: list[lg.LedgerEntry] = [
        lg.Received(on=RECEIVED),
        lg.CorrectionRequested(SENT, None, 15),
        lg.CorrectionNoticeReceived(on=date(2026, 3, 5)),
    ]
    change = Change()
    payload = {"received_on": date(2026, 3, 6), "evidence": "签收单"}
    ctx = _ctx(payload, ledger=ledger, today=date(2026, 3, 6), state="awaiting_correction")
    rules.start_correction_period(ctx, change)
    assert _errors(change) == {"received_on"}


def test_electronic_service_of_the_reply_needs_its_evidence() -> None:
    at = datetime(2026, 3, 23, 1, tzinfo=UTC)
    bare = Change()
    day = rules_reply._delivery_day(_ctx({"method": "electronic", "delivered_at": at}), bare)
    assert _errors(bare) == {"evidence"}
    proved = Change()
    day = rules_reply._delivery_day(
        _ctx({"method": "electronic", "delivered_at": at, "evidence": "申请人通过平台下载"}),
        proved,
    )
    assert not proved.errors
    assert day == (date(2026, 3, 23), date(2026, 3, 23))


def test_the_notice_awaiting_receipt_is_named_with_the_day_it_was_sent() -> None:
    received = [lg.Received(on=RECEIVED)]
    asked = [*received, lg.CorrectionRequested(SENT, None, 15)]
    assert pending_receipt("correction_notice", asked) == ("correction_notice", SENT)
    signed = [*asked, lg.CorrectionNoticeReceived(on=date(2026, 3, 6))]
    assert pending_receipt("correction_notice", signed) is None
    at_counter = [*received, lg.CorrectionRequested(SENT, SENT, 15)]
    assert pending_receipt("correction_notice", at_counter) is None
    fee = [*received, lg.FeeNoticeSent(SENT, None)]
    assert pending_receipt("fee_notice", fee) == ("fee_notice", SENT)
    assert pending_receipt("fee_notice", [*fee, lg.FeeNoticeReceived(on=SENT)]) is None
    # Once the case has moved on (corrected, paid), nothing awaits receipt.
    assert pending_receipt(None, asked) is None
    assert pending_receipt(None, fee) is None
