"""The reply (Arts. 36–39): submission, the review chain, issue and service (pure).

The review chain is per organ (OrganSettings.legal_review_outcomes, sign_off_required): the
legal office reviews the outcomes that refuse or do not process, the approver signs off every
reply. `legal_review` and `sign_off` on the case are pending | approved | not_required.

The confidentiality review (保密审查, Art. 17; OrganSettings.confidentiality_review_outcomes and
_role) comes before sign-off for the outcomes that provide information: `confidentiality_review`
is pending | passed | not_required; a failed review sends the draft back. It does not stop the
clock.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app import item_outcomes as items
from app.deadline import ledger as lg
from app.outcomes import OUTCOMES
from app.workflow import rules_release as release
from app.workflow.context import Change, Ctx, Effect, Guard
from app.workflow.decision import ConsultationUpdate
from app.workflow.rules_inspection import APPOINTMENT_FIELDS, appointment

PENDING, APPROVED, NOT_REQUIRED = "pending", "approved", "not_required"
PASSED = "passed"
# Closing outcomes that have their own actions (close_uncorrected, close_unpaid).
_CLOSURE_ONLY = {"other.no_correction": "close_uncorrected", "other.fee_unpaid": "close_unpaid"}
# The reply letter's fields, as submit_reply takes them.
REPLY_FIELDS = (
    "outcome",
    "legal_basis",
    "reasons",
    "provided",
    "provided_form",
    "where_published",
    "withheld_parts",
    "responsible_organ",
    "earlier_reply",
    "search_description",
    "channel",
    "item_outcomes",
    # The appointment of an inspection on site (Art. 40).
    *APPOINTMENT_FIELDS,
)
_ROLE_LABELS = {"approver": "负责人", "clerk": "承办人", "legal": "法制机构", "front_desk": "窗口"}
# Outcomes that disclose what a consulted third party objected to (Art. 32).
_DISCLOSING = frozenset({"disclosed"})


# --- guards -------------------------------------------------------------------------------


def legal_review_pending(ctx: Ctx) -> str | None:
    if ctx.case.legal_review != PENDING:
        return "此答复无待进行的法制审核 / this reply is not awaiting legal review"
    return None


def legal_review_done_if_required(ctx: Ctx) -> str | None:
    if ctx.case.legal_review == PENDING:
        return "须先经法制审核 / the legal office must review this reply first"
    if ctx.case.sign_off != PENDING:
        return "此答复已签发或无需签发 / this reply is already signed off or needs no sign-off"
    return None


def reply_approved(ctx: Ctx) -> str | None:
    missing = []
    if ctx.case.legal_review == PENDING:
        missing.append("法制审核 / legal review")
    if ctx.case.sign_off == PENDING:
        missing.append("负责人签发 / sign-off")
    if ctx.case.review_outcome is None:
        missing.append("提交答复 / a submitted reply")
    if missing:
        return "答复尚未完成审核签发 / the reply still needs: " + ", ".join(missing)
    return None


def _objectors(ctx: Ctx) -> list[str]:
    """Third parties consulted on this case who objected to disclosure, wholly or in part."""
    return [
        c.code
        for c in ctx.records.consultations
        if c.kind == "third_party" and c.result in ("objection", "partial")
    ]


def third_party_objection_handled(ctx: Ctx) -> str | None:
    """Disclosing over third parties' objections needs the public-interest reasons and a
    written notice to each of them (Art. 32)."""
    objected = _objectors(ctx)
    if ctx.case.review_outcome not in _DISCLOSING or not objected:
        return None
    if not ctx.payload.get("notify_third_party"):
        return (
            f"第三方（{', '.join(objected)}）不同意公开；因公共利益决定公开的，须说明理由并书面"
            "告知第三方（notify_third_party）/ a third party objected: disclosing in the public "
            "interest needs the reasons and a written notice to the third party"
        )
    named = ctx.payload.get("consultation_id")
    if named is not None and [named] != objected:
        return (
            f"须书面告知每一个不同意公开的第三方（{', '.join(objected)}）；不填 consultation_id "
            "即告知全部 / every objecting third party must be told: leave consultation_id out "
            "to notify them all"
        )
    return None


def confidentiality_review_pending(ctx: Ctx) -> str | None:
    if ctx.case.confidentiality_review != PENDING:
        return "此答复无待进行的保密审查 / this reply is not awaiting a confidentiality review"
    return None


def confidentiality_reviewer(ctx: Ctx) -> str | None:
    """Only the role the organ names records the review (OrganSettings)."""
    role = ctx.settings.confidentiality_review_role
    if role not in ctx.roles:
        return (
            f"本机关的保密审查由“{_ROLE_LABELS[role]}”登记 / this organ's confidentiality "
            f"review is recorded by the {role} role"
        )
    return None


def confidentiality_review_done(ctx: Ctx) -> str | None:
    if ctx.case.confidentiality_review == PENDING:
        return (
            "答复提供的信息须先经保密审查（条例第十七条），审查通过后方可签发、出具 / the "
            "information must pass the confidentiality review (Art. 17) before the reply is "
            "signed off or issued"
        )
    return None


GUARDS: dict[str, Guard] = {
    "confidentiality_review_pending": confidentiality_review_pending,
    "confidentiality_reviewer": confidentiality_reviewer,
    "confidentiality_review_done": confidentiality_review_done,
    "legal_review_pending": legal_review_pending,
    "legal_review_done_if_required": legal_review_done_if_required,
    "reply_approved": reply_approved,
    "third_party_objection_handled": third_party_objection_handled,
}


# --- effects ------------------------------------------------------------------------------


def record_reply_submission(ctx: Ctx, change: Change) -> None:
    """The draft reply goes to review: its fields, and the review chain its outcome needs."""
    p = ctx.payload
    outcome = _counted_outcome(ctx, change)
    if outcome is None:
        return
    if outcome not in OUTCOMES:
        change.error("outcome", f"未知的答复类型 / unknown outcome {outcome[:60]!r}")
        return
    if outcome in _CLOSURE_ONLY:
        change.error(
            "outcome", f"此类办结请使用 {_CLOSURE_ONLY[outcome]} / use {_CLOSURE_ONLY[outcome]}"
        )
        return
    # Every reply field is set, absent ones to None, so a stale field of an earlier draft
    # (an earlier outcome's reasons) cannot ride along unseen.
    change.reply_fields = {name: p.get(name) for name in REPLY_FIELDS} | {"outcome": outcome}
    # The released files and the withheld parts their redaction logs make (rules_release).
    release.on_submission(ctx, change, outcome, list(p.get("item_outcomes") or ()))
    # Every decision the letter makes counts: refusing one item, or withholding a part on a
    # ground the organ reviews, needs the legal office as much as a refusal outright does.
    decided = [outcome, *(i.get("outcome") for i in p.get("item_outcomes") or ())]
    if outcome == "partially_disclosed":
        decided += [w.get("ground") for w in p.get("withheld_parts") or ()]
        decided += ctx.records.release.grounds if ctx.records.release else []
    legal = any(
        isinstance(code, str) and ctx.settings.needs_legal_review(code) for code in decided
    ) or bool(p.get("legal_review_required"))
    change.update.review_outcome = outcome
    change.update.legal_review = PENDING if legal else NOT_REQUIRED
    change.update.sign_off = PENDING if ctx.settings.sign_off_required else NOT_REQUIRED
    if legal:
        change.update.legal_involved = True
    _confidentiality_review(ctx, change, decided)
    change.update.inspection = appointment(ctx, change)


def _confidentiality_review(ctx: Ctx, change: Change, decided: list[Any]) -> None:
    """Art. 17: a reply that provides information the organ lists is reviewed for secrets."""
    needed = any(
        isinstance(code, str) and ctx.settings.needs_confidentiality_review(code)
        for code in decided
    )
    change.update.confidentiality_review = PENDING if needed else NOT_REQUIRED
    if needed and ctx.settings.confidentiality_review_role == "legal":
        change.update.legal_involved = True  # the legal office must see the case


def record_confidentiality_review(ctx: Ctx, change: Change) -> None:
    """The review's result: passed, or failed with the comments (the draft goes back)."""
    if ctx.payload["result"] == PASSED:
        change.update.confidentiality_review = PASSED
        return
    if not ctx.payload.get("comments"):
        change.error("comments", "审查未通过须说明意见 / a failed review needs its comments")
    clear_review(ctx, change)


def _counted_outcome(ctx: Ctx, change: Change) -> str | None:
    """The outcome the application counts under: as given, or derived from the items'
    decisions (RULES §5, app.item_outcomes); None with the errors recorded when it cannot be."""
    given: str | None = ctx.payload.get("outcome")
    entries = ctx.payload.get("item_outcomes")
    if entries is None:
        if given is None:
            change.error("outcome", "须填写答复类型或各项处理结果 / the outcome, or item_outcomes")
        return given
    errors = items.item_errors(entries, ctx.case.item_positions)
    for loc, msg in errors:
        change.errors.append({"loc": ["body", *loc], "msg": msg})
    if errors:
        return None
    try:
        return items.counted_outcome([e["outcome"] for e in entries], given)
    except ValueError as exc:
        change.error("outcome", str(exc))
        return None


def record_legal_approval(ctx: Ctx, change: Change) -> None:
    change.update.legal_review = APPROVED


def record_sign_off(ctx: Ctx, change: Change) -> None:
    change.update.sign_off = APPROVED


def clear_review(ctx: Ctx, change: Change) -> None:
    """Returned for revision: the draft goes back to the clerk and its review starts over."""
    change.update.review_outcome = None
    change.update.legal_review = None
    change.update.sign_off = None
    change.update.confidentiality_review = None


def conclude_reply(ctx: Ctx, change: Change) -> None:
    """The reply is issued: the case's outcome and conclusion date; late if after the due date;
    the released files as reviewed, and how long they can be downloaded."""
    due = ctx.case.reply_due
    change.update.outcome = ctx.case.review_outcome
    change.update.concluded_on = ctx.today
    change.update.reply_late = due is not None and ctx.today > due
    release.on_issue(ctx, change)


def record_public_interest_disclosure(ctx: Ctx, change: Change) -> None:
    """Disclosure over third parties' objections: the reasons, and one notice to each (the
    one named, or every objector when none is named)."""
    p = ctx.payload
    if not p.get("notify_third_party"):
        for name in ("consultation_id", "public_interest_reasons", "disclosure_content"):
            if p.get(name) is not None:
                change.error(name, "仅在书面告知第三方时填写 / only with notify_third_party")
        return
    named = p.get("consultation_id")
    codes = [named] if named is not None else _objectors(ctx)
    parties = [ctx.records.consultation(str(code)) for code in codes]
    if not parties:
        change.error("consultation_id", "本案没有不同意公开的第三方 / no third party objected")
        return
    for c in parties:
        if c is None or c.kind != "third_party":
            change.error(
                "consultation_id", "须为本案征求第三方意见的编号 / a third-party consultation"
            )
            return
        if c.result not in ("objection", "partial"):
            change.error(
                "consultation_id", "该第三方未表示不同意公开 / this third party did not object"
            )
    for name in ("public_interest_reasons", "disclosure_content"):
        if not p.get(name):
            change.error(name, "必填 / required to notify the third party")
    disclosure_on: date | None = p.get("disclosure_on")
    if disclosure_on is not None and disclosure_on < ctx.today:
        change.error("disclosure_on", "不能早于今日 / cannot be in the past")
    notices = []
    for c in parties:
        assert c is not None
        change.consultations[c.code] = ConsultationUpdate(
            public_interest_reasons=p.get("public_interest_reasons")
        )
        notices.append(
            {
                "party": c.party,
                "party_address": c.party_address,
                "content": p.get("disclosure_content"),
                "reasons": p.get("public_interest_reasons"),
                "disclosure_on": disclosure_on.isoformat() if disclosure_on else None,
                "consultation_id": c.code,
            }
        )
    change.letter_params["third_party_disclosure_notice"] = notices


def _delivery_day(ctx: Ctx, change: Change) -> tuple[date | None, date | None]:
    """(the day service took effect, the day that judges whether the reply was on time)."""
    p = ctx.payload
    method: str = p["method"]
    served_on: date | None = p.get("served_on")
    if method == "electronic":
        at: datetime | None = p.get("delivered_at")
        if not ctx.case.e_service_consent:
            change.error("method", "申请人未同意电子送达 / the applicant did not consent")
        if not p.get("evidence"):
            # Proved, not assumed (RULES §4): the download log, the mail server's receipt ...
            change.error("evidence", "须登记电子送达凭证 / the evidence that it arrived")
        if at is None:
            change.error("delivered_at", "须登记到达申请人系统的时间 / when it reached them")
            return None, None
        day = at.astimezone(ctx.tz).date()
        if served_on is not None and served_on != day:
            change.error("served_on", f"电子送达以到达之日 {day} 为准 / must be {day}")
        return day, day
    if served_on is None:
        change.error("served_on", "须登记送达（签收）日期 / the day the applicant received it")
    if method == "post":
        posted_on: date | None = p.get("posted_on")
        for name in ("tracking_number", "posted_on"):
            if not p.get(name):
                change.error(name, "邮寄送达须登记邮件号码及交邮日期 / required for post")
        if posted_on and served_on and posted_on > served_on:
            change.error("posted_on", "交邮日期不能晚于签收日期 / cannot follow the receipt")
        return served_on, posted_on
    if not p.get("signature") and not (p.get("refusal_reason") and p.get("witness")):
        change.error(
            "signature",
            "须登记签收人；拒收的，登记拒收事由和见证人 / the signature, or for a refusal "
            "the reason and a witness",
        )
    return served_on, served_on


def start_remedy_periods(ctx: Ctx, change: Change) -> None:
    """Service recorded: on time or not (RULES §4), and the remedy periods start."""
    p = ctx.payload
    served_on, judged_by = _delivery_day(ctx, change)
    if served_on is None:
        return
    # The latest stop: a re-answer's reply, not the first one.
    stopped = next((e.on for e in reversed(ctx.ledger) if isinstance(e, lg.Stopped)), None)
    if served_on > ctx.today:
        change.error("served_on", "不能是将来 / cannot be in the future")
    if stopped is not None and (served_on < stopped or (judged_by and judged_by < stopped)):
        change.error("served_on", f"不能早于答复出具日 {stopped} / cannot precede the reply")
    change.entries.append(lg.Served(on=served_on))
    due = ctx.case.reply_due
    change.update.served_on = served_on
    change.update.service_method = p["method"]
    change.update.served_on_time = None if due is None or judged_by is None else judged_by <= due
    receipt: dict[str, Any] = {
        **(ctx.records.served_document or {}),
        "method": p["method"],
        "served_on": served_on.isoformat(),
        "recipient": p.get("recipient") or ctx.case.applicant_name,
        "address": p.get("address") or ctx.case.applicant_address,
        "signature": p.get("signature"),
        "officer": ctx.actor.label,
        "tracking_number": p.get("tracking_number"),
        "posted_on": p["posted_on"].isoformat() if p.get("posted_on") else None,
        "refusal_reason": p.get("refusal_reason"),
        "witness": p.get("witness"),
    }
    change.letter_params["service_receipt"] = receipt


EFFECTS: dict[str, Effect] = {
    "record_reply_submission": record_reply_submission,
    "record_confidentiality_review": record_confidentiality_review,
    "record_legal_approval": record_legal_approval,
    "record_sign_off": record_sign_off,
    "clear_review": clear_review,
    "conclude_reply": conclude_reply,
    "record_public_interest_disclosure": record_public_interest_disclosure,
    "start_remedy_periods": start_remedy_periods,
}
