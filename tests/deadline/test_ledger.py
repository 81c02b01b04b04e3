"""Deadlines from a case's clock ledger: RULES §4 worked examples, edge cases and properties.

Every expected date below was counted by hand against the 2026 notice (国办发明电〔2025〕7号):
days off 1/1–1/3, 2/15–2/23, 4/4–4/6, 5/1–5/5, 6/19–6/21, 9/25–9/27, 10/1–10/7; make-up working
days 1/4, 2/14, 2/28, 5/9, 9/20, 10/10.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.deadline.calendar import WorkCalendar
from app.deadline.ledger import (
    Art35DateSet,
    ConsultationAnswered,
    ConsultationStarted,
    CorrectionReceived,
    CorrectionRequested,
    Deadline,
    Extended,
    FeeNoticeSent,
    FeePaid,
    LedgerEntry,
    LedgerError,
    Received,
    Served,
    Stopped,
    can_extend,
    compute_deadlines,
    reply_due,
)

CAL = WorkCalendar.from_dir(Path(__file__).resolve().parents[2] / "workflows" / "calendar")
D = date


def deadlines(
    ledger: list[LedgerEntry], today: date, *, fee_pauses_clock: bool = True
) -> dict[str, Deadline]:
    """compute_deadlines keyed by name, checking the fast path agrees on the reply."""
    out = compute_deadlines(ledger, CAL, today=today, fee_pauses_clock=fee_pauses_clock)
    by_name = {d.name: d for d in out}
    assert len(by_name) == len(out), "deadline names must be unique"
    reply = by_name["reply"]
    assert reply_due(ledger, CAL, fee_pauses_clock) == (reply.due_date, reply.provisional)
    return by_name


# --- a naive, day-by-day reading of RULES §4 to compare with -----------------------------------


def naive_working(d: date) -> bool:
    cy = CAL.years.get(d.year)
    if cy is not None and d in cy.makeup_days:
        return True
    return d.weekday() < 5 and not (cy is not None and d in cy.days_off)


def naive_add(start: date, n: int, spans: Sequence[tuple[date, date]] = ()) -> date:
    """The n-th working day after start that no span (after, through] covers."""
    d, counted = start, 0
    while counted < n:
        d += timedelta(days=1)
        if naive_working(d) and not any(a < d <= b for a, b in spans):
            counted += 1
    return d


def naive_reply_due(ledger: list[LedgerEntry], fee_pauses_clock: bool) -> date | None:
    """The reply clock simulated one day at a time (no Art. 35 in the ledger)."""
    start, n, stop, suspended = None, 20, None, False
    sent: dict[str, ConsultationStarted] = {}
    answered: dict[str, date] = {}
    fees: list[list[date | None]] = []
    for e in ledger:
        if isinstance(e, Received):
            start = e.on
        elif isinstance(e, CorrectionRequested):
            suspended = True
        elif isinstance(e, CorrectionReceived):
            start, n, suspended = e.on, 20, False
        elif isinstance(e, Extended):
            n += e.days
        elif isinstance(e, ConsultationStarted):
            sent[e.consultation_id] = e
        elif isinstance(e, ConsultationAnswered):
            answered[e.consultation_id] = e.on
        elif isinstance(e, FeeNoticeSent):
            fees.append([e.sent_on, e.applicant_received_on, None])
        elif isinstance(e, FeePaid):
            fees[-1][2] = e.on
        elif isinstance(e, Stopped):
            stop = e.on
    if start is None or suspended:
        return None
    spans = []
    for cid, c in sent.items():
        if c.kind in ("third_party", "other_organ"):
            end = naive_add(c.party_received_on or c.dispatched_on, 15)
            last = min(answered[cid], end) if cid in answered else end
            spans.append((c.dispatched_on, last))
    for sent_on, received_on, paid_on in fees if fee_pauses_clock else []:
        assert sent_on is not None
        end = naive_add(received_on or sent_on, 20)
        spans.append((sent_on, min(paid_on, end) if paid_on else end))
    if stop is not None:
        spans = [(a, min(b, stop)) for a, b in spans]
    return naive_add(start, n, spans)


# --- RULES §4 worked examples ------------------------------------------------------------------


def test_received_fri_2026_09_18_reply_due_thu_2026_10_22() -> None:
    ds = deadlines([Received(D(2026, 9, 18))], today=D(2026, 9, 21))
    reply = ds["reply"]
    assert reply.due_date == D(2026, 10, 22)
    assert reply.status == "running"
    assert (reply.working_days_total, reply.working_days_elapsed) == (20, 2)  # 9-20 and 9-21
    assert reply.working_days_left == 18
    assert not reply.provisional
    ex = reply.explanation
    assert ex.makeup_days_counted == ((D(2026, 9, 20), "国庆节"), (D(2026, 10, 10), "国庆节"))
    assert [d for d, _ in ex.days_off_skipped] == [
        D(2026, 9, 25),
        D(2026, 10, 1),
        D(2026, 10, 2),
        D(2026, 10, 5),
        D(2026, 10, 6),
        D(2026, 10, 7),
    ]
    assert ex.years_used == ((2026, "国办发明电〔2025〕7号"),)
    assert ex.calendar_version == CAL.version
    assert ds["correction_notice"].due_date == D(2026, 9, 29)
    assert set(ds) == {"reply", "correction_notice"}


def test_received_tue_2026_02_10_correction_notice_thu_02_26_reply_mon_03_16() -> None:
    ds = deadlines([Received(D(2026, 2, 10))], today=D(2026, 2, 11))
    assert ds["correction_notice"].due_date == D(2026, 2, 26)
    assert ds["reply"].due_date == D(2026, 3, 16)
    # Crossing the Spring Festival: 2-14 and 2-28 are worked, 2-16..2-20 and 2-23 are not.
    ex = ds["reply"].explanation
    assert (D(2026, 2, 14), "春节") in ex.makeup_days_counted
    assert (D(2026, 2, 28), "春节") in ex.makeup_days_counted
    assert len(ex.days_off_skipped) == 6


def test_received_mon_2026_09_28_reply_due_fri_2026_10_30_across_national_day() -> None:
    ds = deadlines([Received(D(2026, 9, 28))], today=D(2026, 9, 28))
    assert ds["reply"].due_date == D(2026, 10, 30)
    assert ds["reply"].working_days_elapsed == 0


def test_received_on_a_day_off_counts_from_the_next_working_day() -> None:
    # Sat 10-03 in the National Day break: 10-08 is day 1, make-up Sat 10-10 is day 3.
    ds = deadlines([Received(D(2026, 10, 3))], today=D(2026, 10, 3))
    assert ds["reply"].due_date == D(2026, 11, 3)
    assert ds["correction_notice"].due_date == D(2026, 10, 15)


def test_received_the_day_before_a_makeup_saturday_counts_it_as_day_one() -> None:
    ds = deadlines([Received(D(2026, 2, 27))], today=D(2026, 2, 28))
    assert ds["reply"].due_date == D(2026, 3, 26)
    assert ds["correction_notice"].due_date == D(2026, 3, 9)
    assert ds["reply"].working_days_elapsed == 1  # the make-up Saturday itself


def test_reaching_into_2027_is_provisional() -> None:
    # 12-11 … 12-31 are 15 working days; 2027 has no notice, so Fri 1-1 counts (weekends only).
    ds = deadlines([Received(D(2026, 12, 10))], today=D(2026, 12, 10))
    reply = ds["reply"]
    assert reply.due_date == D(2027, 1, 7)
    assert reply.provisional
    assert reply.explanation.years_used[-1] == (2027, "provisional (no data)")
    assert "暂定" in reply.text_zh()
    assert not ds["correction_notice"].provisional  # 12-21 stays inside 2026


# --- correction (Art. 30) ----------------------------------------------------------------------

CORRECTION = [
    Received(D(2026, 2, 10)),
    CorrectionRequested(D(2026, 2, 12), D(2026, 2, 13), 15),
]


def test_correction_suspends_the_reply_clock_and_starts_the_applicants_window() -> None:
    ds = deadlines(CORRECTION, today=D(2026, 2, 24))
    reply = ds["reply"]
    assert reply.status == "suspended"
    assert reply.due_date is None
    assert "中止" in reply.explanation.text_zh()
    assert ds["correction_notice"].status == "met"
    corr = ds["correction"]
    # From the applicant's receipt 2-13: make-up 2-14 is day 1, then 2-24..2-27, 2-28, 3-2…
    assert corr.due_date == D(2026, 3, 12)
    assert corr.status == "running"
    assert corr.start_event == "correction_notice_received"


def test_correction_restarts_the_reply_clock_from_zero_at_the_corrected_receipt() -> None:
    ds = deadlines([*CORRECTION, CorrectionReceived(D(2026, 3, 2))], today=D(2026, 3, 3))
    reply = ds["reply"]
    assert reply.due_date == D(2026, 3, 30)  # 20 WD after 3-02, not after 2-10
    assert reply.start_event == "correction_received"
    assert reply.start_date == D(2026, 3, 2)
    assert reply.status == "running"
    assert ds["correction"].status == "met"
    assert ds["correction_notice"].status == "met"


def test_correction_window_not_started_until_the_applicant_receives_the_notice() -> None:
    ledger = [Received(D(2026, 2, 10)), CorrectionRequested(D(2026, 2, 12), None, 15)]
    corr = deadlines(ledger, today=D(2026, 2, 13))["correction"]
    assert corr.status == "not_started"
    assert corr.due_date is None
    assert "尚未起算" in corr.explanation.text_zh()


def test_no_correction_in_time_is_overdue_and_a_late_notice_is_late() -> None:
    ds = deadlines(CORRECTION, today=D(2026, 3, 13))
    assert ds["correction"].status == "overdue"
    late = [Received(D(2026, 2, 10)), CorrectionRequested(D(2026, 2, 27), D(2026, 2, 27), 15)]
    assert deadlines(late, today=D(2026, 3, 2))["correction_notice"].status == "late"


def test_an_unused_correction_notice_window_stops_being_listed_once_it_lapses() -> None:
    ledger = [Received(D(2026, 2, 10))]
    assert "correction_notice" in deadlines(ledger, today=D(2026, 2, 26))
    assert "correction_notice" not in deadlines(ledger, today=D(2026, 2, 27))


def test_restart_drops_an_extension_granted_on_the_old_clock() -> None:
    ledger = [
        Received(D(2026, 2, 10)),
        Extended(10, "王主任", D(2026, 2, 11), "检索"),
        CorrectionRequested(D(2026, 2, 12), D(2026, 2, 13), 15),
        CorrectionReceived(D(2026, 3, 2)),
    ]
    reply = deadlines(ledger, today=D(2026, 3, 3))["reply"]
    assert reply.due_date == D(2026, 3, 30)
    assert reply.explanation.extensions == ()
    assert any(n.kind == "interpretation" and "失效" in n.zh for n in reply.explanation.notes)


# --- consultations (Arts. 32–34) ---------------------------------------------------------------

BASE = Received(D(2026, 3, 2))  # reply due 3-30 without exclusions
C1 = ConsultationStarted("c1", "third_party", D(2026, 3, 5), D(2026, 3, 6))
C2 = ConsultationStarted("c2", "other_organ", D(2026, 3, 10), D(2026, 3, 11))
OVERLAPPING = [
    BASE,
    C1,
    C2,
    ConsultationAnswered("c1", D(2026, 3, 20)),
    ConsultationAnswered("c2", D(2026, 3, 25)),
]


def test_two_overlapping_consultations_are_excluded_once() -> None:
    ds = deadlines(OVERLAPPING, today=D(2026, 3, 26))
    reply = ds["reply"]
    ex = reply.explanation
    # c1 (3-05, 3-20] and c2 (3-10, 3-25] are 11 WD each; their union (3-05, 3-25] is 14.
    assert [(s.source, s.working_days, s.state) for s in ex.excluded_spans] == [
        ("consultation:c1", 11, "closed"),
        ("consultation:c2", 11, "closed"),
    ]
    assert ex.excluded_working_days == 14
    # 34 WD after 3-02, skipping Qingming (Mon 4-06).
    assert reply.due_date == D(2026, 4, 20)
    assert reply.working_days_total == 34
    assert reply.status == "running"
    assert ds["consultation:c1"].due_date == D(2026, 3, 27)
    assert ds["consultation:c1"].status == "met"
    assert ds["consultation:c2"].due_date == D(2026, 4, 1)
    assert ds["consultation:c2"].status == "met"


def test_internal_legal_office_consultation_does_not_move_the_deadline() -> None:
    ledger = [
        BASE,
        ConsultationStarted("lo", "legal_office", D(2026, 3, 5), D(2026, 3, 5)),
        ConsultationAnswered("lo", D(2026, 3, 20)),
    ]
    ds = deadlines(ledger, today=D(2026, 3, 10))
    assert ds["reply"].due_date == D(2026, 3, 30)
    assert ds["reply"].status == "running"
    assert ds["reply"].explanation.excluded_spans == ()
    assert "内部会商" in ds["reply"].explanation.text_zh()
    assert "consultation:lo" not in ds


def test_unanswered_consultation_counts_through_the_end_of_its_window() -> None:
    ledger = [BASE, C1]
    paused = deadlines(ledger, today=D(2026, 3, 16))
    # Window: 15 WD after the third party's receipt on 3-06 → 3-27; (3-05, 3-27] is 16 WD.
    assert paused["consultation:c1"].due_date == D(2026, 3, 27)
    assert paused["consultation:c1"].status == "running"
    assert paused["reply"].due_date == D(2026, 4, 22)  # 36 WD after 3-02
    assert paused["reply"].status == "paused"
    assert paused["reply"].explanation.excluded_spans[0].state == "open"
    later = deadlines(ledger, today=D(2026, 3, 30))
    assert later["reply"].due_date == D(2026, 4, 22)
    assert later["reply"].status == "running"
    assert later["reply"].explanation.excluded_spans[0].state == "lapsed"
    assert later["consultation:c1"].status == "overdue"


def test_unknown_receipt_of_the_letter_is_assumed_to_be_its_dispatch_day() -> None:
    ledger = [BASE, ConsultationStarted("c1", "third_party", D(2026, 3, 5), None)]
    ds = deadlines(ledger, today=D(2026, 3, 6))
    c1 = ds["consultation:c1"]
    assert c1.due_date == D(2026, 3, 26)
    assert c1.start_date == D(2026, 3, 5)
    assert [n.kind for n in c1.explanation.notes] == ["assumption"]
    assert ds["reply"].due_date == D(2026, 4, 21)  # (3-05, 3-26] is 15 WD


def test_an_opinion_after_the_window_does_not_extend_the_exclusion() -> None:
    ledger = [BASE, C1, ConsultationAnswered("c1", D(2026, 4, 3))]
    ds = deadlines(ledger, today=D(2026, 4, 3))
    assert ds["consultation:c1"].status == "late"
    assert ds["reply"].due_date == D(2026, 4, 22)  # as if capped at the window end 3-27


def test_a_consultation_opened_after_the_clock_ran_out_does_not_revive_it() -> None:
    ledger = [BASE, ConsultationStarted("c1", "third_party", D(2026, 3, 30), D(2026, 3, 31))]
    reply = deadlines(ledger, today=D(2026, 4, 2))["reply"]
    assert reply.due_date == D(2026, 3, 30)
    assert reply.status == "overdue"
    assert reply.explanation.excluded_spans[0].counted is False
    assert reply.explanation.excluded_working_days == 0


def test_a_consultation_sent_the_day_before_the_deadline_moves_it_past_the_opinion() -> None:
    ledger = [
        BASE,
        ConsultationStarted("c1", "third_party", D(2026, 3, 27), D(2026, 3, 27)),
        ConsultationAnswered("c1", D(2026, 4, 2)),
    ]
    # One day left on 3-27; (3-27, 4-02] is 4 WD, so the 20th counted day is the next, 4-03.
    assert deadlines(ledger, today=D(2026, 4, 2))["reply"].due_date == D(2026, 4, 3)


def test_extension_after_a_pause_adds_to_the_moved_deadline() -> None:
    ext = Extended(10, "王主任", D(2026, 4, 10), "需检索多个年度的档案")
    assert can_extend(OVERLAPPING, CAL, D(2026, 4, 10), days=10) is None
    ds = deadlines([*OVERLAPPING, ext], today=D(2026, 4, 21))
    reply = ds["reply"]
    # 20 + 10 + 14 = 44 WD after 3-02, skipping Qingming and Labour Day (5-01..5-05).
    assert reply.due_date == D(2026, 5, 7)
    assert reply.working_days_total == 44
    assert reply.explanation.extension_working_days == 10
    assert "王主任" in reply.explanation.text_zh()
    assert "already extended" in (can_extend([*OVERLAPPING, ext], CAL, D(2026, 4, 21)) or "")


def test_can_extend_gives_the_reason_it_cannot() -> None:
    assert can_extend([], CAL, D(2026, 3, 3)) is not None
    assert "passed" in (can_extend([BASE], CAL, D(2026, 3, 31)) or "")
    assert can_extend([BASE], CAL, D(2026, 3, 30)) is None
    assert "1-20" in (can_extend([BASE], CAL, D(2026, 3, 3), days=21) or "")
    assert "suspended" in (can_extend(CORRECTION, CAL, D(2026, 2, 13)) or "")
    stopped = [BASE, Stopped(D(2026, 3, 20), "已答复")]
    assert "stopped" in (can_extend(stopped, CAL, D(2026, 3, 21)) or "")
    art35 = [BASE, Art35DateSet(D(2026, 6, 30), "王主任", D(2026, 3, 10))]
    assert "Art. 35" in (can_extend(art35, CAL, D(2026, 3, 11)) or "")


# --- fees (109号) ------------------------------------------------------------------------------

FEE = [BASE, FeeNoticeSent(D(2026, 3, 4), D(2026, 3, 5)), FeePaid(D(2026, 3, 12))]


def test_fee_pause_on_excludes_notice_to_payment() -> None:
    ds = deadlines(FEE, today=D(2026, 3, 13), fee_pauses_clock=True)
    assert ds["reply"].explanation.excluded_working_days == 6  # 3-05, 3-06, 3-09..3-12
    assert ds["reply"].due_date == D(2026, 4, 8)
    fee = ds["fee_payment"]
    assert fee.due_date == D(2026, 4, 2)  # 20 WD after the applicant's receipt 3-05
    assert fee.status == "met"


def test_fee_pause_off_leaves_the_reply_deadline_alone() -> None:
    ds = deadlines(FEE, today=D(2026, 3, 13), fee_pauses_clock=False)
    assert ds["reply"].due_date == D(2026, 3, 30)
    assert ds["reply"].explanation.excluded_spans == ()
    assert ds["fee_payment"].due_date == D(2026, 4, 2)


def test_unpaid_fee_pauses_through_the_fee_deadline() -> None:
    ledger = [BASE, FeeNoticeSent(D(2026, 3, 4), D(2026, 3, 5))]
    ds = deadlines(ledger, today=D(2026, 3, 10))
    assert ds["reply"].status == "paused"
    # (3-04, 4-02] is 21 WD: 20 + 21 = 41 WD after 3-02.
    assert ds["reply"].explanation.excluded_working_days == 21
    assert ds["reply"].due_date == D(2026, 4, 29)
    assert ds["fee_payment"].status == "running"
    assert deadlines(ledger, today=D(2026, 4, 3))["fee_payment"].status == "overdue"


# --- Art. 35, stop, service ----------------------------------------------------------------------


def test_art35_date_replaces_the_reply_deadline() -> None:
    ledger = [BASE, Art35DateSet(D(2026, 6, 30), "王主任", D(2026, 3, 10))]
    reply = deadlines(ledger, today=D(2026, 4, 1))["reply"]
    assert reply.due_date == D(2026, 6, 30)
    assert reply.status == "running"
    assert not reply.provisional
    art = reply.explanation.art35
    assert art is not None
    assert (art.approved_by, art.statutory_due_date) == ("王主任", D(2026, 3, 30))
    assert "第三十五条" in reply.explanation.text_zh()
    stopped = deadlines([*ledger, Stopped(D(2026, 6, 29), "已答复")], today=D(2026, 7, 1))
    assert stopped["reply"].status == "met"


def test_stop_on_the_due_date_is_met_and_after_it_is_late() -> None:
    received = Received(D(2026, 9, 18))
    on_time = deadlines([received, Stopped(D(2026, 10, 22), "已答复")], today=D(2026, 11, 1))
    assert on_time["reply"].status == "met"
    assert on_time["reply"].working_days_left == 0
    late = deadlines([received, Stopped(D(2026, 10, 23), "已答复")], today=D(2026, 11, 1))
    assert late["reply"].status == "late"
    assert deadlines([received], today=D(2026, 10, 23))["reply"].status == "overdue"


def test_a_withdrawal_ends_the_clock_neither_met_nor_late() -> None:
    received = Received(D(2026, 9, 18))
    for on in (D(2026, 10, 9), D(2026, 10, 30)):  # before and after the due date (10-22)
        withdrawn = Stopped(on, "申请人撤回", answered=False)
        reply = deadlines([received, withdrawn], today=D(2026, 11, 2))["reply"]
        assert reply.status == "ended"
        assert "申请已撤回" in reply.explanation.text_zh()
        assert "交邮之日" not in reply.explanation.text_zh()  # no reply to hand over
    corrected = [Received(D(2026, 9, 18)), CorrectionRequested(D(2026, 9, 21), D(2026, 9, 22), 15)]
    suspended = deadlines(
        [*corrected, Stopped(D(2026, 9, 25), "撤回", answered=False)], today=D(2026, 10, 1)
    )
    assert suspended["reply"].status == "ended"


def test_stopping_mid_consultation_cuts_the_span_at_the_stop() -> None:
    ledger = [BASE, C1, Stopped(D(2026, 3, 12), "申请人撤回")]
    ds = deadlines(ledger, today=D(2026, 3, 13))
    span = ds["reply"].explanation.excluded_spans[0]
    assert (span.through, span.working_days, span.state) == (D(2026, 3, 12), 5, "lapsed")
    assert ds["reply"].status == "met"
    assert "consultation:c1" not in ds  # still open when the case closed: no longer applies


def test_served_gives_reconsideration_and_litigation_with_month_end_clamp() -> None:
    ledger = [Received(D(2026, 8, 3)), Stopped(D(2026, 8, 28), "已答复"), Served(D(2026, 8, 31))]
    ds = deadlines(ledger, today=D(2026, 9, 1))
    assert ds["reconsideration_until"].due_date == D(2026, 10, 30)
    lit = ds["litigation_until"]
    # Six months end on Sun 2027-02-28 (clamped): the period ends on the next working day, and
    # the due date and the note say the same.
    assert lit.due_date == D(2027, 3, 1)
    assert lit.status == "running"
    assert lit.working_days_total is None
    assert "2027-02-28" in lit.explanation.text_zh()
    assert "2027-03-01" in lit.explanation.text_zh()
    later = deadlines(ledger, today=D(2026, 10, 31))
    assert later["reconsideration_until"].status == "expired"


def test_served_mid_month_keeps_the_day_number() -> None:
    ledger = [Received(D(2026, 4, 10)), Stopped(D(2026, 5, 6), "已答复"), Served(D(2026, 5, 8))]
    ds = deadlines(ledger, today=D(2026, 5, 8))
    assert ds["reconsideration_until"].due_date == D(2026, 7, 7)
    assert ds["litigation_until"].due_date == D(2026, 11, 9)  # Sun 11-08 rolls to Monday


# --- ledger integrity ----------------------------------------------------------------------------


def test_empty_ledger_has_no_deadlines() -> None:
    assert compute_deadlines([], CAL, today=D(2026, 3, 2)) == []
    assert reply_due([], CAL) == (None, False)


@pytest.mark.parametrize(
    "ledger",
    [
        [CorrectionReceived(D(2026, 3, 2))],
        [BASE, CorrectionReceived(D(2026, 3, 3))],
        [BASE, C1, C1],
        [BASE, ConsultationAnswered("nope", D(2026, 3, 3))],
        [BASE, FeePaid(D(2026, 3, 3))],
        [BASE, Stopped(D(2026, 3, 3), "x"), Stopped(D(2026, 3, 4), "y")],
        [BASE, Received(D(2026, 3, 3))],
    ],
)
def test_contradictory_ledgers_are_rejected(ledger: list[LedgerEntry]) -> None:
    with pytest.raises(LedgerError):
        compute_deadlines(ledger, CAL, today=D(2026, 3, 5))


def test_entries_reject_datetimes_and_bad_numbers() -> None:
    with pytest.raises(TypeError, match=r"Received\.on"):
        Received(datetime(2026, 3, 2, 9, 0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="party_received_on"):
        ConsultationStarted("c", "third_party", D(2026, 3, 2), datetime(2026, 3, 3))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="period_wd"):
        CorrectionRequested(D(2026, 3, 2), None, 0)
    with pytest.raises(ValueError, match=r"Extended\.days"):
        Extended(0, "a", D(2026, 3, 2), "r")
    with pytest.raises(ValueError, match="kind"):
        ConsultationStarted("c", "court", D(2026, 3, 2))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="today"):
        compute_deadlines([BASE], CAL, today=datetime(2026, 3, 2))  # type: ignore[arg-type]


def test_explanation_text_names_every_part() -> None:
    ledger = [*OVERLAPPING, Extended(5, "王主任", D(2026, 4, 10), "检索")]
    reply = deadlines(ledger, today=D(2026, 4, 10))["reply"]
    zh, en = reply.text_zh(), reply.text_en()
    for part in ("答复期限：2026-04-27", "征求第三方意见（c1）", "重叠部分只计一次", "清明节"):
        assert part in zh
    for part in ("reply: 2026-04-27", "third-party consultation c1", "overlaps counted once"):
        assert part in en
    assert "[interpretation]" in en


# --- WorkCalendar.add_working_days_excluding ---------------------------------------------------


def test_excluding_nothing_is_add_working_days() -> None:
    assert CAL.add_working_days_excluding(D(2026, 9, 18), 20, []) == (D(2026, 10, 22), 0, ())


def test_rank_tables_reproduce_the_count() -> None:
    ordinals, cumulative, ranks = CAL.rank_tables()
    assert len(cumulative) == len(ordinals) + 1 == len(ranks) + 1
    assert list(ordinals) == sorted(ordinals)
    assert list(ranks) == sorted(ranks)


# --- properties ---------------------------------------------------------------------------------

days = st.integers(0, 8 * 366).map(lambda k: D(2019, 1, 1) + timedelta(days=k))
offsets = st.integers(0, 30).map(lambda k: timedelta(days=k))


@st.composite
def ledgers(draw: st.DrawFn) -> list[LedgerEntry]:
    start = draw(days)
    out: list[LedgerEntry] = [Received(start)]
    cursor = start
    if draw(st.booleans()):
        notice = start + draw(offsets)
        seen = draw(st.none() | offsets.map(lambda o: notice + o))
        out.append(CorrectionRequested(notice, seen, draw(st.integers(1, 20))))
        if draw(st.booleans()):
            cursor = (seen or notice) + draw(offsets)
            out.append(CorrectionReceived(cursor))
    if draw(st.booleans()):
        out.append(Extended(draw(st.integers(1, 20)), "a", cursor, "r"))
    answers: list[LedgerEntry] = []
    kinds = st.sampled_from(["third_party", "other_organ", "legal_office", "joint_meeting"])
    for i in range(draw(st.integers(0, 3))):
        sent = cursor + draw(offsets) + draw(offsets)
        seen = draw(st.none() | offsets.map(lambda o, s=sent: s + o))
        out.append(ConsultationStarted(f"c{i}", draw(kinds), sent, seen))
        if draw(st.booleans()):
            answers.append(ConsultationAnswered(f"c{i}", sent + draw(offsets) + draw(offsets)))
    out += answers
    if draw(st.booleans()):
        sent = cursor + draw(offsets)
        out.append(FeeNoticeSent(sent, draw(st.none() | st.just(sent + timedelta(days=2)))))
        if draw(st.booleans()):
            out.append(FeePaid(sent + draw(offsets)))
    if draw(st.booleans()):
        out.append(Stopped(cursor + draw(offsets) + draw(offsets) + draw(offsets), "已答复"))
    return out


@settings(max_examples=400, deadline=None)
@given(ledgers(), st.booleans(), offsets)
def test_reply_deadline_matches_a_day_by_day_clock(
    ledger: list[LedgerEntry], fee_pauses_clock: bool, later: timedelta
) -> None:
    today = ledger[0].on + later  # type: ignore[union-attr]
    ds = deadlines(ledger, today, fee_pauses_clock=fee_pauses_clock)
    reply = ds["reply"]
    assert reply.due_date == naive_reply_due(ledger, fee_pauses_clock)
    if reply.due_date is not None:
        assert CAL.is_working_day(reply.due_date)
        ex = reply.explanation
        assert ex.days is not None
        # The parts add up: statutory + extension + excluded = days counted = the total.
        assert ex.working_days_counted == reply.working_days_total == ex.days.n
        assert reply.working_days_total == CAL.count_working_days(reply.start_date, reply.due_date)
        assert ex.days.calendar_days == (
            ex.days.n + ex.days.weekend_days_skipped + len(ex.days_off_skipped)
        )
        counted = [s for s in ex.excluded_spans if s.counted]
        assert ex.excluded_working_days <= sum(s.working_days for s in counted)
        assert reply.working_days_elapsed is not None
        assert reply.working_days_elapsed + (reply.working_days_left or 0) == (
            reply.working_days_total
        )
    for d in ds.values():
        assert d.text_zh()
        assert d.text_en()


@settings(max_examples=300, deadline=None)
@given(ledgers())
def test_excluded_spans_never_shorten_the_deadline(ledger: list[LedgerEntry]) -> None:
    bare = [e for e in ledger if not isinstance(e, ConsultationStarted | ConsultationAnswered)]
    bare = [e for e in bare if not isinstance(e, FeeNoticeSent | FeePaid)]
    with_spans, _ = reply_due(ledger, CAL)
    without, _ = reply_due(bare, CAL)
    if without is not None:
        assert with_spans is not None
        assert with_spans >= without
    assert (
        reply_due(ledger, CAL, fee_pauses_clock=False)[0]
        == reply_due([e for e in ledger if not isinstance(e, FeeNoticeSent | FeePaid)], CAL)[0]
    )


@settings(max_examples=300, deadline=None)
@given(days, st.integers(1, 80), st.integers(1, 80))
def test_adding_n_then_m_working_days_equals_adding_n_plus_m(start: date, n: int, m: int) -> None:
    assert CAL.add_working_days(CAL.add_working_days(start, n), m) == CAL.add_working_days(
        start, n + m
    )


@settings(max_examples=300, deadline=None)
@given(
    days,
    st.integers(1, 60),
    st.lists(st.tuples(st.integers(-10, 60), st.integers(0, 40)), max_size=4),
)
def test_excluding_spans_matches_the_naive_walk(
    start: date, n: int, raw: list[tuple[int, int]]
) -> None:
    spans = [(start + timedelta(days=a), start + timedelta(days=a + length)) for a, length in raw]
    due, excluded, counted = CAL.add_working_days_excluding(start, n, spans)
    assert due == naive_add(start, n, spans)
    assert CAL.count_working_days(start, due) == n + excluded
    assert len(counted) == len(spans)
