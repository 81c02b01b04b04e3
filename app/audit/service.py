"""Appending to a case's timeline and verifying every chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.chain import GENESIS, event_hash, json_safe
from app.auth.principal import Actor
from app.models import CaseEvent


def _content(event: CaseEvent) -> dict[str, Any]:
    return {
        "case_id": event.case_id,
        "seq": event.seq,
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor_kind": event.actor_kind,
        "actor_user_id": event.actor_user_id,
        "actor_label": event.actor_label,
        "occurred_at": event.occurred_at.isoformat(),
        "payload": event.payload,
        "workflow_version": event.workflow_version,
    }


def append_event(
    session: Session,
    *,
    case_id: int,
    action: str,
    from_state: str | None,
    to_state: str | None,
    actor: Actor,
    now: datetime,
    payload: dict[str, Any],
    workflow_version: int,
) -> CaseEvent:
    """Append one event to the case's chain in the caller's transaction."""
    last = session.execute(
        select(CaseEvent.seq, CaseEvent.hash)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.seq.desc())
        .limit(1)
    ).first()
    seq, prev = (1, GENESIS) if last is None else (last.seq + 1, last.hash)
    event = CaseEvent(
        case_id=case_id,
        seq=seq,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor_kind=actor.kind,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        occurred_at=now.replace(microsecond=(now.microsecond // 1000) * 1000),
        payload=json_safe(payload),
        workflow_version=workflow_version,
        prev_hash=prev,
    )
    event.hash = event_hash(_content(event), prev)
    session.add(event)
    session.flush()
    return event


def events_of_case(session: Session, case_id: int) -> list[CaseEvent]:
    """The case's timeline, oldest first."""
    return list(
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
        )
    )


@dataclass(frozen=True)
class ChainProblem:
    case_id: int
    seq: int
    problem: str


def verify_chains(session: Session, *, batch_size: int = 5000) -> tuple[int, list[ChainProblem]]:
    """Recompute every case's chain; returns the number of events checked and the problems."""
    problems: list[ChainProblem] = []
    checked = 0
    expected_prev: dict[int, tuple[int, str]] = {}
    stmt = (
        select(CaseEvent)
        .order_by(CaseEvent.case_id, CaseEvent.seq)
        .execution_options(yield_per=batch_size)
    )
    for event in session.scalars(stmt):
        checked += 1
        prev_seq, prev_hash = expected_prev.get(event.case_id, (0, GENESIS))
        if event.seq != prev_seq + 1:
            problems.append(ChainProblem(event.case_id, event.seq, f"gap after seq {prev_seq}"))
        if event.prev_hash != prev_hash:
            problems.append(ChainProblem(event.case_id, event.seq, "prev_hash does not match"))
        if event_hash(_content(event), event.prev_hash) != event.hash:
            problems.append(ChainProblem(event.case_id, event.seq, "content does not match hash"))
        expected_prev[event.case_id] = (event.seq, event.hash)
        session.expunge(event)
    return checked, problems
