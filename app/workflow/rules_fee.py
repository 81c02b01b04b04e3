"""Mass applications (Art. 35) and information processing fees (Art. 42, 国办函〔2020〕109号):
guards and effects (pure). The tier arithmetic itself is app.fees."""

from __future__ import annotations

from datetime import date

from app import fees
from app.deadline import ledger as lg
from app.workflow import rules_service
from app.workflow.context import Change, Ctx, Effect, Guard

# What the reply says when the applicant gave no reasons or unreasonable ones (Art. 35).
EXCESSIVE_DEFAULT = (
    "你（单位）申请公开政府信息的数量、频次明显超过合理范围，经本机关要求说明理由，"
    "未说明理由或者说明的理由不合理"
)


def _fees(ctx: Ctx) -> list[lg.FeeNoticeSent]:
    return [e for e in ctx.ledger if isinstance(e, lg.FeeNoticeSent)]


def _fee_receipt(ctx: Ctx) -> date | None:
    """When the applicant received the last fee notice, if known."""
    received = None
    for e in ctx.ledger:
        if isinstance(e, lg.FeeNoticeSent):
            received = e.applicant_received_on
        elif isinstance(e, lg.FeeNoticeReceived):
            received = e.on
    return received


# --- guards -------------------------------------------------------------------------------


def art35_date_approved(ctx: Ctx) -> str | None:
    if ctx.payload.get("decision") == "reasonable_late" and "approver" not in ctx.roles:
        return (
            "延迟答复日期须经负责人同意，由审批人登记 / a later reply date needs the approver's "
            "consent: an approver records it (Art. 35)"
        )
    return None


def no_fee_notice_before(ctx: Ctx) -> str | None:
    if _fees(ctx):
        return "本申请已发出过收费通知 / a fee notice was already sent for this application"
    return None


def fee_window_elapsed(ctx: Ctx) -> str | None:
    received = _fee_receipt(ctx)
    if received is None:
        return (
            "申请人收到收费通知的日期未登记，缴费期限尚未起算 / the applicant's receipt of the "
            "fee notice is not recorded, so the payment period has not started"
        )
    end = ctx.calendar.add_working_days(received, lg.FEE_WD)
    if ctx.today <= end:
        return f"缴费期限至 {end} 尚未届满 / the payment period runs until {end}"
    return None


GUARDS: dict[str, Guard] = {
    "art35_date_approved": art35_date_approved,
    "no_fee_notice_before": no_fee_notice_before,
    "fee_window_elapsed": fee_window_elapsed,
}


# --- effects ------------------------------------------------------------------------------


def set_art35_date(ctx: Ctx, change: Change) -> None:
    """The decision on the applicant's reasons (Art. 35)."""
    p = ctx.payload
    decision: str = p["decision"]
    new_date: date | None = p.get("new_reply_date")
    if decision == "reasonable_late":
        due = ctx.case.reply_due
        if not p.get("finding"):
            change.error(
                "finding",
                "须写明审查意见，告知申请人延迟答复的理由 / the finding is required: the "
                "delayed reply notice tells the applicant why",
            )
        if new_date is None:
            change.error(
                "new_reply_date", "须确定延迟答复的日期 / the later reply date is required"
            )
        elif new_date <= ctx.today or (due is not None and new_date <= due):
            change.error(
                "new_reply_date",
                f"须晚于今日及现答复期限 {due} / must be after today and the current deadline",
            )
        else:
            change.entries.append(
                lg.Art35DateSet(
                    reply_by=new_date, approved_by=ctx.actor.label, approved_on=ctx.today
                )
            )
        return
    if new_date is not None:
        change.error("new_reply_date", "仅“理由合理但需延迟答复”时填写 / only for reasonable_late")
    if decision == "unreasonable":
        change.reply_fields = {
            "outcome": "not_processed.excessive",
            "reasons": p.get("finding") or EXCESSIVE_DEFAULT,
        }


def pause_reply_clock_for_fee(ctx: Ctx, change: Change) -> None:
    """The fee notice: the tiers computed by one method, and the payment window (109号)."""
    p = ctx.payload
    method: str = p["method"]
    if method == "per_volume" and not fees.per_volume_allowed(
        ctx.case.delivery_form, ctx.case.delivery_method
    ):
        change.error(
            "method",
            "按量计收仅适用于申请纸质复制件、电子邮件或复制电子数据的情形；本申请的获取方式"
            f"为 {ctx.case.delivery_form}/{ctx.case.delivery_method} / per_volume applies only "
            "to paper copies, e-mail or copied electronic data (国办函〔2020〕109号 Art. 5)",
        )
        return
    earlier = ctx.records.earlier_pieces_in_month if method == "per_piece" else 0
    try:
        calc = fees.calculate(method, p["quantity"], earlier_in_month=earlier)
    except ValueError as exc:
        change.error("quantity", str(exc))
        return
    if calc.amount_fen == 0:
        change.error(
            "quantity",
            "在免费范围内，不应收费 / within the free allowance: there is nothing to charge",
        )
        return
    # Received only when its arrival is recorded, never assumed from consent to e-service.
    received = p.get("notice_received_on")
    if received is not None and received != ctx.today:
        change.error("notice_received_on", "须为通知发出当日 / must be the day of the notice")
    change.entries.append(lg.FeeNoticeSent(sent_on=ctx.today, applicant_received_on=received))
    change.letter_params["fee_notice"] = {
        "method": method,
        "quantity": calc.quantity,
        "tiers": calc.letter_tiers(),
        "amount_fen": calc.amount_fen,
        "earlier_in_month": calc.earlier_in_month,
    }


def start_fee_period(ctx: Ctx, change: Change) -> None:
    """The applicant received the fee notice: the 20 WD to pay count from the next day."""
    on: date = ctx.payload["received_on"]
    sent = _fees(ctx)
    if _fee_receipt(ctx) is not None:
        change.error("received_on", "已登记收到收费通知 / the receipt is already recorded")
    if on > ctx.today or (sent and on < sent[-1].sent_on):
        change.error("received_on", "须在通知发出日与今日之间 / between the notice and today")
    rules_service.check_arrival(ctx, change)
    change.entries.append(lg.FeeNoticeReceived(on=on))


def resume_reply_clock(ctx: Ctx, change: Change) -> None:
    """The fee was paid: the reply clock counts again from the next working day."""
    on: date = ctx.payload["paid_on"]
    sent = _fees(ctx)
    if on > ctx.today or (sent and on < sent[-1].sent_on):
        change.error("paid_on", "须在通知发出日与今日之间 / between the notice and today")
    change.entries.append(lg.FeePaid(on=on))


EFFECTS: dict[str, Effect] = {
    "set_art35_date": set_art35_date,
    "pause_reply_clock_for_fee": pause_reply_clock_for_fee,
    "start_fee_period": start_fee_period,
    "resume_reply_clock": resume_reply_clock,
}
