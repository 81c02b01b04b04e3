"""Re-answering (重新答复 / 补充答复, RULES §9): reopening an answered case under a decision (pure).

A reconsideration decision or a court judgment that orders a new answer, or the organ's own
finding that its reply was wrong, reopens the case into handling. The new reply clock runs from
the organ's receipt of the decision (20 WD [interpretation]) unless the decision sets a date;
the review chain and the conclusion are cleared, so the annual report counts the case once, by
its latest conclusion (RULES §8). The earlier letters stay as issued; the next reply cites the
latest of them.
"""

from __future__ import annotations

from app.deadline import ledger as lg
from app.workflow.context import Change, Ctx, Effect, Guard
from app.workflow.decision import CaseUpdate

# What the first answer left on the case and a new answer replaces.
# What reopening clears: the conclusion, its review and its service (the case is answered anew).
_CLEARED = CaseUpdate(
    outcome=None,
    concluded_on=None,
    reply_late=None,
    review_outcome=None,
    legal_review=None,
    sign_off=None,
    confidentiality_review=None,
    served_on=None,
    service_method=None,
    served_on_time=None,
    inspection=None,
)
_NEEDS_NUMBER = ("reconsideration", "court")


def last_reopened(ledger: list[lg.LedgerEntry]) -> lg.Reopened | None:
    """The decision the case is being answered again under, if any."""
    return next((e for e in reversed(ledger) if isinstance(e, lg.Reopened)), None)


def reopen_case(ctx: Ctx, change: Change) -> None:
    """Reopen an answered case under the decision the payload cites."""
    p = ctx.payload
    on = p["decision_received_on"]
    reply_by = p.get("new_reply_date")
    stopped = next((e.on for e in reversed(ctx.ledger) if isinstance(e, lg.Stopped)), None)
    if on > ctx.today:
        change.error("decision_received_on", "不能是将来 / cannot be in the future")
    if stopped is not None and on < stopped:
        change.error(
            "decision_received_on",
            f"不能早于原答复之日 {stopped} / cannot precede the answer of {stopped}",
        )
    if reply_by is not None and reply_by <= on:
        change.error(
            "new_reply_date",
            "须晚于收到决定之日 / must fall after the receipt of the decision",
        )
    if p["decision_kind"] in _NEEDS_NUMBER and not p.get("decision_number"):
        change.error(
            "decision_number",
            "复议决定或裁判须填写文号 / the decision's document number is required",
        )
    if stopped is None:
        change.error("decision_kind", "案件尚未答复 / the case has not been answered")
        return
    change.entries.append(
        lg.Reopened(
            on=on,
            decision=p["decision_kind"],
            document_number=p.get("decision_number"),
            reply_by=reply_by,
            approved_by=ctx.actor.label,
        )
    )
    change.update.merge(_CLEARED)


def cite_earlier_reply(ctx: Ctx, change: Change) -> None:
    """A re-answer's letter cites the decision; the letter service adds the earlier letter."""
    reopened = last_reopened(ctx.ledger)
    if reopened is None:
        return
    reply = change.letter_params.setdefault("reply", {})
    assert isinstance(reply, dict)
    reply["reanswer"] = {
        "decision": reopened.decision,
        "document_number": reopened.document_number,
    }


GUARDS: dict[str, Guard] = {}
EFFECTS: dict[str, Effect] = {
    "reopen_case": reopen_case,
    "cite_earlier_reply": cite_earlier_reply,
}
