"""The named guards and clock effects the workflow YAML refers to (pure: no I/O).

A guard answers None when the action may go ahead, or why it may not. An effect answers the
ledger entries and case fields the action records. Names not registered here are declared in
the YAML for the whole flow chart but not yet implemented: the engine refuses those actions.
"""

from __future__ import annotations

from datetime import date

from app.deadline import ledger as lg
from app.deadline.pending import pending_receipt
from app.vocabulary import CHANNEL_BASES, Channel, ReceiptBasis
from app.workflow import (
    rules_consultation,
    rules_fee,
    rules_inspection,
    rules_record_correction,
    rules_reopen,
    rules_reply,
    rules_service,
    rules_transfer,
)
from app.workflow.context import CaseFacts, Change, Ctx, Effect, Guard

__all__ = ["EFFECTS", "GUARDS", "CaseFacts", "Change", "Ctx"]


def _has(ctx: Ctx, kind: type) -> bool:
    return any(isinstance(e, kind) for e in ctx.ledger)


def _clock_running(ctx: Ctx) -> bool:
    # A re-answer's clock starts at its Reopened entry: the first answer's stop is behind it.
    current = ctx.ledger
    for i, e in enumerate(ctx.ledger):
        if isinstance(e, lg.Reopened):
            current = ctx.ledger[i:]
    return _has(ctx, lg.Received) and not any(isinstance(e, lg.Stopped) for e in current)


# --- guards -------------------------------------------------------------------------------


def correction_notice_not_sent_before(ctx: Ctx) -> str | None:
    if _has(ctx, lg.CorrectionRequested):
        return "补正只能一次性告知，本案已发出补正通知 / a correction may be requested only once (Art. 30)"
    return None


def within_correction_notice_window(ctx: Ctx) -> str | None:
    received = next((e for e in ctx.ledger if isinstance(e, lg.Received)), None)
    if received is None:
        return "尚未确认收到申请 / the application's receipt is not confirmed"
    due = ctx.calendar.add_working_days(received.on, lg.CORRECTION_NOTICE_WD)
    if ctx.today > due:
        return (
            f"补正告知期限已于 {due.isoformat()} 届满 / the 7-working-day window for a correction "
            f"notice ended on {due.isoformat()} (Art. 30)"
        )
    return None


def correction_period_elapsed(ctx: Ctx) -> str | None:
    due = ctx.cached()["correction_due"]
    if due is None:
        return (
            "申请人收到补正通知的日期未知，补正期限尚未起算 / the applicant's receipt of the "
            "correction notice is not recorded, so the correction period has not started"
        )
    if ctx.today <= due:
        return f"补正期限至 {due.isoformat()} 尚未届满 / the correction period runs until {due.isoformat()}"
    return None


def not_extended_before(ctx: Ctx) -> str | None:
    if _has(ctx, lg.Extended):
        return "答复期限只能延长一次 / the reply deadline may be extended only once (Art. 33)"
    return None


def before_reply_deadline(ctx: Ctx) -> str | None:
    due = ctx.cached()["reply_due"]
    if due is None:
        return "答复期限未在计算中 / the reply clock is not running"
    if ctx.today > due:
        return (
            f"须在答复期限 {due.isoformat()} 届满前延长 / an extension needs consent before the "
            f"deadline {due.isoformat()} passes"
        )
    return None


def extension_within_limit(ctx: Ctx) -> str | None:
    days = ctx.payload.get("days", 0)
    if not 1 <= days <= lg.MAX_EXTENSION_WD:
        return (
            f"延长期限为 1–{lg.MAX_EXTENSION_WD} 个工作日 / an extension is 1 to "
            f"{lg.MAX_EXTENSION_WD} working days (Art. 33)"
        )
    return None


GUARDS: dict[str, Guard] = {
    "correction_notice_not_sent_before": correction_notice_not_sent_before,
    "within_correction_notice_window": within_correction_notice_window,
    "correction_period_elapsed": correction_period_elapsed,
    "not_extended_before": not_extended_before,
    "before_reply_deadline": before_reply_deadline,
    "extension_within_limit": extension_within_limit,
    **rules_consultation.GUARDS,
    **rules_fee.GUARDS,
    **rules_reply.GUARDS,
    **rules_record_correction.GUARDS,
    **rules_reopen.GUARDS,
    **rules_inspection.GUARDS,
    **rules_transfer.GUARDS,
}


# --- effects ------------------------------------------------------------------------------


def _error(change: Change, field_name: str, msg: str) -> None:
    change.error(field_name, msg)


def start_reply_clock(ctx: Ctx, change: Change) -> None:
    """Confirmation of receipt (RULES §3): the legal receipt date starts every clock."""
    p = ctx.payload
    receipt_date: date = p["receipt_date"]
    basis = ReceiptBasis(p["receipt_basis"])
    allowed = CHANNEL_BASES[Channel(ctx.case.channel)]
    if basis not in allowed:
        _error(
            change,
            "receipt_basis",
            f"此渠道的依据只能是 / for this channel: {', '.join(sorted(allowed))}",
        )
    if receipt_date > ctx.today:
        _error(change, "receipt_date", "收到申请之日不能是将来 / the receipt date is in the future")
    if receipt_date < ctx.case.arrived_on:
        _error(
            change,
            "receipt_date",
            "收到申请之日不能早于到达日 / the receipt date cannot precede arrival",
        )
    change.entries.append(lg.Received(on=receipt_date))
    change.update.receipt_date = receipt_date
    change.update.receipt_basis = basis.value
    change.update.receipt_evidence = p["receipt_evidence"]


def suspend_reply_clock(ctx: Ctx, change: Change) -> None:
    """Correction notice (Art. 30): the reply clock waits for the corrected application."""
    p = ctx.payload
    period = p.get("correction_period_wd", ctx.settings.correction_period_wd)
    if not 1 <= period <= 60:
        _error(change, "correction_period_wd", "补正期限为 1–60 个工作日 / 1 to 60 working days")
        period = ctx.settings.correction_period_wd
    # Consent to electronic service proves nothing about arrival: an electronic notice is
    # received when its arrival is recorded (record_notice_receipt, or the applicant's download).
    received_on = p.get("notice_received_on")
    if received_on is not None and received_on != ctx.today:
        # Recorded with the notice, so only a hand-over at the counter today can be known now.
        _error(change, "notice_received_on", "须为通知发出当日 / must be the day of the notice")
    change.entries.append(
        lg.CorrectionRequested(
            notice_on=ctx.today, applicant_received_on=received_on, period_wd=period
        )
    )


def start_correction_period(ctx: Ctx, change: Change) -> None:
    """The applicant received the correction notice: their correction period counts from here."""
    on: date = ctx.payload["received_on"]
    notice = next((e for e in reversed(ctx.ledger) if isinstance(e, lg.CorrectionRequested)), None)
    if on > ctx.today:
        _error(change, "received_on", "不能是将来 / cannot be in the future")
    if notice is not None and on < notice.notice_on:
        _error(change, "received_on", "不能早于补正通知 / cannot precede the notice")
    if pending_receipt(ctx.case.awaits_receipt_of, ctx.ledger) is None:
        _error(change, "received_on", "已登记收到补正通知 / the receipt is already recorded")
    rules_service.check_arrival(ctx, change)
    change.entries.append(lg.CorrectionNoticeReceived(on=on))


def restart_reply_clock(ctx: Ctx, change: Change) -> None:
    """The corrected application arrived: the reply clock restarts from zero (Art. 30)."""
    on: date = ctx.payload["corrected_receipt_date"]
    notice = next((e for e in reversed(ctx.ledger) if isinstance(e, lg.CorrectionRequested)), None)
    if on > ctx.today:
        _error(change, "corrected_receipt_date", "不能是将来 / cannot be in the future")
    if notice is not None and on < notice.notice_on:
        _error(change, "corrected_receipt_date", "不能早于补正通知 / cannot precede the notice")
    change.entries.append(lg.CorrectionReceived(on=on))


# Why the clock stopped, as the deadline explanation states it.
STOP_REASONS = {
    "issue_reply": "已出具答复 / reply issued",
    "close_unpaid": "逾期未缴费，不再处理 / fee not paid in time",
}


def stop_reply_clock(ctx: Ctx, change: Change) -> None:
    """Reply or closure: the clock stops (nothing to stop if it never started)."""
    _stop(ctx, change, answered=True)


def end_reply_clock(ctx: Ctx, change: Change) -> None:
    """Withdrawal: the clock stops with nothing left to answer (the deadline reads `ended`).
    A withdrawal's date lies between the receipt (or, unconfirmed, the arrival) and today: it
    is the case's conclusion date, which the annual report counts by (RULES §8)."""
    _stop(ctx, change, answered=False)


def _stop(ctx: Ctx, change: Change, *, answered: bool) -> None:
    on = ctx.payload.get("withdrawn_on", ctx.today)
    if on > ctx.today:
        _error(change, "withdrawn_on", "不能是将来 / cannot be in the future")
    first = ctx.case.receipt_date or ctx.case.arrived_on
    if on < first:
        _error(
            change,
            "withdrawn_on",
            f"不能早于收到申请之日 {first} / cannot precede the application's receipt on {first}",
        )
    if _clock_running(ctx):
        change.entries.append(
            lg.Stopped(
                on=min(on, ctx.today),
                reason=STOP_REASONS.get(ctx.action) or ctx.payload.get("reason") or "stopped",
                answered=answered,
            )
        )


def extend_reply_clock(ctx: Ctx, change: Change) -> None:
    """Approved extension (Art. 33): its working days are added to the reply deadline."""
    change.entries.append(
        lg.Extended(
            days=ctx.payload["days"],
            approved_by=ctx.actor.label,
            approved_on=ctx.today,
            reason=ctx.payload["reason"],
        )
    )


def open_case_file(ctx: Ctx, change: Change) -> None:
    """Archiving (归档): a new version of the case file is assembled from what the case holds."""
    change.case_file = True


EFFECTS: dict[str, Effect] = {
    "open_case_file": open_case_file,
    "start_reply_clock": start_reply_clock,
    "suspend_reply_clock": suspend_reply_clock,
    "start_correction_period": start_correction_period,
    "restart_reply_clock": restart_reply_clock,
    "stop_reply_clock": stop_reply_clock,
    "end_reply_clock": end_reply_clock,
    "extend_reply_clock": extend_reply_clock,
    **rules_consultation.EFFECTS,
    **rules_fee.EFFECTS,
    **rules_reply.EFFECTS,
    **rules_record_correction.EFFECTS,
    **rules_reopen.EFFECTS,
    **rules_inspection.EFFECTS,
}
