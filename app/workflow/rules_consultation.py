"""Consultations (RULES §4; Arts. 32, 34 and the legal office's 会商): guards and effects (pure).

External consultations (a third party, another organ) go out by letter and give the party 15
working days from receiving it; their span is excluded from the reply clock by the ledger.
Legal-office and joint-meeting consultations are internal: recorded, never excluded.
"""

from __future__ import annotations

from datetime import date
from typing import cast

from app.deadline import ledger as lg
from app.workflow.context import Change, ConsultationFacts, Ctx, Effect, Guard
from app.workflow.decision import ConsultationUpdate

EXTERNAL = lg.EXTERNAL_KINDS
# Which results an opinion of each kind may have; the others are set on conclusion.
RESULTS: dict[str, frozenset[str]] = {
    "third_party": frozenset({"consent", "objection", "partial"}),
    "other_organ": frozenset({"consent", "objection", "partial"}),
    "legal_office": frozenset({"advice"}),
    "joint_meeting": frozenset({"advice"}),
}
# What an external consultation's silence means when the window ends (Arts. 32, 34).
SILENCE = {"third_party": "no_reply", "other_organ": "deemed_consent"}
# Who records an opinion: the legal office its own; clerks the external ones; a joint meeting
# is minuted by either.
RECORDERS: dict[str, frozenset[str]] = {
    "third_party": frozenset({"clerk"}),
    "other_organ": frozenset({"clerk"}),
    "legal_office": frozenset({"legal"}),
    "joint_meeting": frozenset({"clerk", "legal"}),
}
# A letter handed over or sent electronically reaches the party the day it goes out.
SAME_DAY_METHODS = frozenset({"in_person", "electronic"})
MAX_CONSULTATIONS = 20


def window_end(c: ConsultationFacts, ctx: Ctx) -> date | None:
    return lg.consultation_window_end(ctx.calendar, c.kind, c.dispatched_on, c.party_received_on)


def _named(ctx: Ctx) -> ConsultationFacts | None:
    return ctx.records.consultation(str(ctx.payload.get("consultation_id", "")))


# --- guards -------------------------------------------------------------------------------


def has_open_consultation(ctx: Ctx) -> str | None:
    code = ctx.payload.get("consultation_id")
    c = _named(ctx)
    if c is None:
        codes = ", ".join(x.code for x in ctx.records.consultations if x.open) or "—"
        return f"本案没有征求意见 {code} / no consultation {code}; open ones: {codes}"
    if not c.open:
        return f"征求意见 {c.code} 已有意见或已结束 / consultation {c.code} is already answered"
    return None


def may_record_opinion(ctx: Ctx) -> str | None:
    c = _named(ctx)
    if c is None:
        return None
    allowed = RECORDERS[c.kind]
    if not ctx.roles.intersection(allowed):
        return (
            f"此类意见须由以下角色登记 / an opinion of a {c.kind} consultation is recorded by: "
            + ", ".join(sorted(allowed))
        )
    return None


def all_consultations_answered_or_expired(ctx: Ctx) -> str | None:
    waiting = []
    for c in ctx.records.consultations:
        if not c.open:
            continue
        end = window_end(c, ctx)
        if end is None:
            waiting.append(f"{c.code}（{c.party}）尚无意见 / no opinion yet")
        elif c.party_received_on is None:
            waiting.append(
                f"{c.code}（{c.party}）收到函件日期未登记 / record when the party received the letter"
            )
        elif ctx.today <= end:
            waiting.append(f"{c.code}（{c.party}）意见期限至 {end} / window open until {end}")
    if waiting:
        return "尚不能结束征求意见 / consultations still open: " + "; ".join(waiting)
    return None


def consultation_limit(ctx: Ctx) -> str | None:
    if len(ctx.records.consultations) >= MAX_CONSULTATIONS:
        return (
            f"一案最多 {MAX_CONSULTATIONS} 次征求意见 / at most {MAX_CONSULTATIONS} consultations"
        )
    return None


GUARDS: dict[str, Guard] = {
    "has_open_consultation": has_open_consultation,
    "may_record_opinion": may_record_opinion,
    "all_consultations_answered_or_expired": all_consultations_answered_or_expired,
    "consultation_limit": consultation_limit,
}


# --- effects ------------------------------------------------------------------------------


def open_consultation(ctx: Ctx, change: Change) -> None:
    """A consultation starts: its record, its ledger entry and its letter's reply date."""
    p = ctx.payload
    kind: str = p["kind"]
    code = f"C{len(ctx.records.consultations) + 1}"
    method = p.get("dispatch_method")
    received = p.get("party_received_on")
    if kind in EXTERNAL:
        if method is None or method == "internal":
            change.error("dispatch_method", "须说明函件发送方式 / how the letter is sent")
        if received is not None and received != ctx.today:
            change.error(
                "party_received_on",
                "发函时只能登记当日收到；日后收到请登记函件送达 / only a same-day receipt can "
                "be recorded now; record a later one with record_consultation_receipt",
            )
        if method in SAME_DAY_METHODS:
            received = ctx.today
    else:
        if method not in (None, "internal"):
            change.error(
                "dispatch_method", "内部会商无需发函 / an internal consultation sends no letter"
            )
        method, received = "internal", None
    meeting_on = p.get("meeting_on")
    if meeting_on is not None and kind != "joint_meeting":
        change.error("meeting_on", "仅联席会商有会议日期 / only a joint meeting has a date")
    change.entries.append(
        lg.ConsultationStarted(
            consultation_id=code,
            kind=cast(lg.ConsultationKind, kind),
            dispatched_on=ctx.today,
            party_received_on=received,
        )
    )
    change.consultations[code] = ConsultationUpdate(
        kind=kind,
        party=p["party"],
        party_contact=p.get("party_contact"),
        party_address=p.get("party_address"),
        question=p["question"],
        dispatch_method=method or "post",
        dispatched_on=ctx.today,
        party_received_on=received,
        meeting_on=meeting_on,
        started_by=ctx.actor.label,
    )
    if kind in EXTERNAL:
        # The window runs from the party's receipt: a posted letter's is not known yet, and a
        # date counted from the dispatch day would cut the statutory 15 WD short, so such a
        # letter states the period only.
        params: dict[str, object] = {"reply_period_wd": lg.CONSULTATION_WD}
        if received is not None:
            due = ctx.calendar.add_working_days(received, lg.CONSULTATION_WD)
            params["reply_due"] = due.isoformat()
        for letter in ("third_party_consultation", "organ_consultation"):
            change.letter_params[letter] = params
    else:
        change.update.legal_involved = True


def record_letter_receipt(ctx: Ctx, change: Change) -> None:
    """The consulted party received the letter: its 15-WD window counts from that day."""
    c = _named(ctx)
    on: date = ctx.payload["received_on"]
    if c is None:
        return
    if c.kind not in EXTERNAL:
        change.error("consultation_id", "内部会商没有函件 / an internal consultation has no letter")
        return
    if c.party_received_on is not None:
        change.error("consultation_id", f"已登记 {c.party_received_on} 收到 / already recorded")
    if on > ctx.today or on < c.dispatched_on:
        change.error("received_on", "须在发函日与今日之间 / between dispatch and today")
    change.entries.append(lg.ConsultationLetterReceived(consultation_id=c.code, on=on))
    change.consultations[c.code] = ConsultationUpdate(party_received_on=on)


def close_consultation_span(ctx: Ctx, change: Change) -> None:
    """An opinion arrived: recorded with its result; an external span ends that day."""
    c = _named(ctx)
    p = ctx.payload
    if c is None:
        return
    on: date = p["received_on"]
    result: str = p["result"]
    if result not in RESULTS[c.kind]:
        change.error(
            "result",
            f"此类征求意见的结论为 / results for {c.kind}: {', '.join(sorted(RESULTS[c.kind]))}",
        )
    if result in ("objection", "partial") and not p.get("objection_reasons"):
        change.error(
            "objection_reasons", "不同意公开须记录理由 / an objection's reasons are required"
        )
    if on > ctx.today or on < c.dispatched_on:
        change.error("received_on", "须在发函日与今日之间 / between dispatch and today")
    if c.party_received_on is not None and on < c.party_received_on:
        change.error("received_on", "不能早于对方收到函件 / cannot precede the party's receipt")
    change.entries.append(lg.ConsultationAnswered(consultation_id=c.code, on=on))
    change.consultations[c.code] = ConsultationUpdate(
        opinion=p["opinion"],
        opinion_on=on,
        result=result,
        objection_reasons=p.get("objection_reasons"),
        recorded_by=ctx.actor.label,
    )


def settle_consultations(ctx: Ctx, change: Change) -> None:
    """Consultations end: silence means what the law says it means (Arts. 32, 34); on a
    withdrawal they simply end."""
    for c in ctx.records.consultations:
        if c.settled_on is not None:
            continue
        update = ConsultationUpdate(settled_on=ctx.today)
        # A withdrawal ends consultations without deciding anything about silence.
        if c.open and c.kind in SILENCE and ctx.action != "withdraw":
            update.result = SILENCE[c.kind]
        change.consultations[c.code] = update


EFFECTS: dict[str, Effect] = {
    "open_consultation": open_consultation,
    "record_letter_receipt": record_letter_receipt,
    "close_consultation_span": close_consultation_span,
    "settle_consultations": settle_consultations,
}
