"""Notices to the applicant while the case runs: correction (补正), extension (延期), request for
reasons (说明理由) and the later reply date it may lead to (延迟答复), and the closure notice
(终止办理) when the case ends without a reply."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from app.letters.bodies_common import (
    Due,
    EarlierLetter,
    Text,
    citations,
    due,
    earlier_letter,
)
from app.letters.builders import REGULATION, Params, builder, common, params, remedy
from app.letters.context import LetterContext, LetterSource
from app.letters.kinds import LetterKind
from app.outcomes import OUTCOMES

# --- correction_notice 补正告知书 (Art. 30) --------------------------------------------------


class CorrectionParams(Params):
    items_to_correct: Annotated[list[Text], Field(min_length=1, max_length=50)]
    correction_period_wd: Annotated[int, Field(ge=1, le=60)]
    notice_received_on: date | None = None


class CorrectionNoticeContext(LetterContext):
    items_to_correct: tuple[str, ...]
    correction_period_wd: int
    correction_due: Due | None
    notice_received_on: date | None


@builder(LetterKind.correction_notice)
def correction_notice(src: LetterSource) -> CorrectionNoticeContext:
    p = params(CorrectionParams, src)
    return CorrectionNoticeContext(
        **common(src, legal_basis=citations(f"{REGULATION}第三十条")),
        items_to_correct=tuple(p.items_to_correct),
        correction_period_wd=p.correction_period_wd,
        correction_due=due(src, "correction"),
        notice_received_on=p.notice_received_on,
    )


# --- extension_notice 延期答复告知书 (Art. 33 para 2) ------------------------------------------


class ExtensionParams(Params):
    days: Annotated[int, Field(ge=1, le=20)]
    reason: Text


class ExtensionNoticeContext(LetterContext):
    days: int
    # The cause as the letter states it after "因".
    reason: str
    reply_due: Due | None


def _cause(reason: str) -> str:
    """The reason without a leading 因/由于, which the letter supplies."""
    for lead in ("因为", "由于", "因"):
        if reason.startswith(lead) and len(reason) > len(lead):
            return reason[len(lead) :].lstrip("，, ")
    return reason


@builder(LetterKind.extension_notice)
def extension_notice(src: LetterSource) -> ExtensionNoticeContext:
    p = params(ExtensionParams, src)
    return ExtensionNoticeContext(
        **common(src, legal_basis=citations(f"{REGULATION}第三十三条第二款")),
        days=p.days,
        reason=_cause(p.reason),
        reply_due=due(src, "reply"),
    )


# --- reasons_request 说明理由告知书 (Art. 35) ------------------------------------------------


class ReasonsParams(Params):
    grounds: Text
    reply_period_wd: Annotated[int, Field(ge=1, le=60)] = 15


class ReasonsRequestContext(LetterContext):
    grounds: str
    reply_period_wd: int
    reasons_due: Due | None


@builder(LetterKind.reasons_request)
def reasons_request(src: LetterSource) -> ReasonsRequestContext:
    p = params(ReasonsParams, src)
    return ReasonsRequestContext(
        **common(src, legal_basis=citations(f"{REGULATION}第三十五条")),
        grounds=p.grounds,
        reply_period_wd=p.reply_period_wd,
        reasons_due=due(src, "reasons"),
    )


# --- delayed_reply_notice 延迟答复告知书 (Art. 35) -------------------------------------------


class DelayedReplyParams(Params):
    # The reply date the approver set, and why: the approver's finding on the reasons.
    new_reply_date: date
    finding: Text
    # What the applicant gave as reasons, if recorded.
    reasons: Text | None = None


class DelayedReplyNoticeContext(LetterContext):
    new_reply_date: date
    finding: str
    applicant_reasons: str | None
    reasons_request: EarlierLetter | None


@builder(LetterKind.delayed_reply_notice)
def delayed_reply_notice(src: LetterSource) -> DelayedReplyNoticeContext:
    p = params(DelayedReplyParams, src)
    return DelayedReplyNoticeContext(
        **common(src, legal_basis=citations(f"{REGULATION}第三十五条")),
        new_reply_date=p.new_reply_date,
        finding=p.finding,
        applicant_reasons=p.reasons,
        reasons_request=earlier_letter(src, LetterKind.reasons_request),
    )


# --- closure_notice 终止办理告知书 ---------------------------------------------------------

Closure = Literal["no_correction", "fee_unpaid", "withdrawn"]
CLOSURE_OUTCOMES: dict[str, str] = {
    "no_correction": "other.no_correction",
    "fee_unpaid": "other.fee_unpaid",
    "withdrawn": "other.other",
}
# The letter whose deadline ran out, which the closure cites.
_CLOSURE_CAUSES = {
    "no_correction": LetterKind.correction_notice,
    "fee_unpaid": LetterKind.fee_notice,
}


class ClosureParams(Params):
    closure: Closure
    withdrawn_on: date | None = None
    reason: Text | None = None


class ClosureNoticeContext(LetterContext):
    closure: str
    outcome: str
    outcome_label: str
    # The correction or fee notice whose period ran out (None for a withdrawal or unknown).
    cause: EarlierLetter | None
    withdrawn_on: date | None
    reason: str | None


@builder(LetterKind.closure_notice)
def closure_notice(src: LetterSource) -> ClosureNoticeContext:
    p = params(ClosureParams, src)
    withdrawal = p.closure == "withdrawn"
    outcome = OUTCOMES[CLOSURE_OUTCOMES[p.closure]]
    cause_kind = _CLOSURE_CAUSES.get(p.closure)
    return ClosureNoticeContext(
        **common(
            src,
            legal_basis=citations(outcome.basis),
            remedy_clause=remedy(src, outcome.remedy, letter="本告知书"),
        ),
        closure=p.closure,
        outcome=outcome.code,
        outcome_label=outcome.label,
        cause=earlier_letter(src, cause_kind) if cause_kind else None,
        withdrawn_on=p.withdrawn_on if withdrawal else None,
        reason=p.reason,
    )
