"""Correction of records about oneself (更正申请, Art. 41): the guards and effects of its own
workflow (workflows/record_correction.yaml) that the FOI line has no use for (pure).

The organ that can correct checks the evidence and corrects, or refuses with reasons; an organ
without the power forwards the request to the organ that has it, named, and tells the applicant.
Art. 41 sets no period: the organ's `record_correction_period_wd` (default 20 WD, by analogy with
Art. 33) runs from the receipt, recorded in the ledger so every deadline view explains it.
"""

from __future__ import annotations

from dataclasses import replace

from app.deadline import ledger as lg
from app.workflow.context import Change, Ctx, Effect, Guard

OUTCOMES = ("corrected", "refused", "forwarded")
# The decision's fields, as submit_reply takes them and the letter prints them.
DECISION_FIELDS = ("outcome", "reasons", "correction", "forwarded_to", "forwarded_contact")
# What each outcome cannot go without (Art. 41): a refusal's reasons, the organ forwarded to.
REQUIRED = {
    "corrected": ("correction",),
    "refused": ("reasons",),
    "forwarded": ("forwarded_to",),
}
_WHAT = {
    "correction": "更正的内容 / what was corrected",
    "reasons": "不予更正的理由 / the reasons for refusing",
    "forwarded_to": "有权更正的行政机关 / the organ with the power to correct",
}


def record_correction_decided(ctx: Ctx) -> str | None:
    """Issue only a decision that was submitted and went through its review."""
    if ctx.case.review_outcome not in OUTCOMES:
        return "尚未提交更正申请的处理决定 / no decision on the correction request was submitted"
    return None


def start_record_correction_clock(ctx: Ctx, change: Change) -> None:
    """Receipt confirmed: the organ's correction period (not Art. 33's) starts."""
    from app.workflow.rules import start_reply_clock  # the FOI line's receipt checks

    start_reply_clock(ctx, change)
    change.entries = [
        replace(e, period_wd=ctx.settings.record_correction_period_wd, basis="art41")
        if isinstance(e, lg.Received)
        else e
        for e in change.entries
    ]


def record_correction_submission(ctx: Ctx, change: Change) -> None:
    """The decision goes to sign-off: its fields must be what its outcome needs (Art. 41)."""
    p = ctx.payload
    outcome: str = p["outcome"]
    for name in REQUIRED.get(outcome, ()):
        if not (p.get(name) or "").strip():
            change.error(name, f"必填 / required when the outcome is {outcome}: {_WHAT[name]}")
    for name in ("forwarded_to", "forwarded_contact"):
        if outcome != "forwarded" and p.get(name):
            change.error(name, "仅在转送时填写 / only when the request is forwarded")
    change.reply_fields = {name: p.get(name) for name in DECISION_FIELDS}
    change.draft_kind = "record_correction_reply"
    legal = bool(p.get("legal_review_required"))
    change.update.review_outcome = outcome
    change.update.legal_review = "pending" if legal else "not_required"
    change.update.sign_off = "pending" if ctx.settings.sign_off_required else "not_required"
    if legal:
        change.update.legal_involved = True


GUARDS: dict[str, Guard] = {
    "record_correction_decided": record_correction_decided,
}

EFFECTS: dict[str, Effect] = {
    "start_record_correction_clock": start_record_correction_clock,
    "record_correction_submission": record_correction_submission,
}
