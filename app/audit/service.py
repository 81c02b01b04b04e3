"""Appending to a case's timeline and verifying every chain."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.audit.chain import GENESIS, HMAC_SHA256, AuditKey, event_hash, hash_of, json_safe
from app.auth.principal import Actor
from app.db import table_of
from app.models import CaseEvent

if TYPE_CHECKING:
    pass


def event_content(event: CaseEvent) -> dict[str, Any]:
    """What an event's hash covers."""
    return _content_of({c: getattr(event, c) for c in HASHED_COLUMNS})


HASHED_COLUMNS = (
    "case_id",
    "seq",
    "action",
    "from_state",
    "to_state",
    "actor_kind",
    "actor_user_id",
    "actor_label",
    "occurred_at",
    "payload",
    "workflow_version",
)


@dataclass(frozen=True)
class AppendedEvent:
    id: int
    seq: int
    hash: str


_EVENTS = table_of(CaseEvent)
_INSERT_EVENT = insert(_EVENTS).returning(_EVENTS.c.id)


def append_event(
    session: Session,
    *,
    key: AuditKey,
    case_id: int,
    action: str,
    from_state: str | None,
    to_state: str | None,
    actor: Actor,
    now: datetime,
    payload: dict[str, Any],
    workflow_version: int,
) -> AppendedEvent:
    """Append one event to the case's chain in the caller's transaction (a new case's first
    event is `event_row` at seq 1 after GENESIS, written with the case's other rows)."""
    last = session.execute(
        select(CaseEvent.seq, CaseEvent.hash)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.seq.desc())
        .limit(1)
    ).first()
    seq, prev = (1, GENESIS) if last is None else (last.seq + 1, last.hash)
    row = event_row(
        key=key,
        case_id=case_id,
        seq=seq,
        prev_hash=prev,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        now=now,
        payload=payload,
        workflow_version=workflow_version,
    )
    # Core insert with bound parameters: the statement compiles once and is cached.
    event_id: int = session.execute(_INSERT_EVENT, row).scalar_one()
    return AppendedEvent(event_id, seq, row["hash"])


def event_row(
    *,
    key: AuditKey,
    case_id: int,
    seq: int,
    prev_hash: str,
    action: str,
    from_state: str | None,
    to_state: str | None,
    actor: Actor,
    now: datetime,
    payload: dict[str, Any],
    workflow_version: int,
    payload_is_json_safe: bool = False,
) -> dict[str, Any]:
    """The case_events row that follows (seq - 1, prev_hash) in a chain, its hash computed.

    `payload_is_json_safe` says the payload already went through json_safe (a caller writing
    many rows with one payload converts it once).
    """
    row: dict[str, Any] = {
        "case_id": case_id,
        "seq": seq,
        "action": action,
        "from_state": from_state,
        "to_state": to_state,
        "actor_kind": actor.kind,
        "actor_user_id": actor.user_id,
        "actor_label": actor.label,
        # Stored and hashed at millisecond precision, which every database keeps exactly.
        "occurred_at": now.replace(microsecond=(now.microsecond // 1000) * 1000),
        "payload": payload if payload_is_json_safe else json_safe(payload),
        "workflow_version": workflow_version,
        "prev_hash": prev_hash,
        "hash_alg": HMAC_SHA256,
    }
    row["hash"] = event_hash(key, _content_of(row), prev_hash)
    return row


def _content_of(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "case_id": row["case_id"],
        "seq": row["seq"],
        "action": row["action"],
        "from_state": row["from_state"],
        "to_state": row["to_state"],
        "actor_kind": row["actor_kind"],
        "actor_user_id": row["actor_user_id"],
        "actor_label": row["actor_label"],
        "occurred_at": row["occurred_at"].isoformat(),
        "payload": row["payload"],
        "workflow_version": row["workflow_version"],
    }


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


class ChainChecker:
    """Checks events fed in (case_id, seq) order: links, sequence and each event's hash."""

    def __init__(self, key: AuditKey) -> None:
        self.key = key
        self.checked = 0
        self._prev: dict[int, tuple[int, str]] = {}

    def feed(self, event: CaseEvent) -> list[ChainProblem]:
        """The problems of this event within its chain."""
        self.checked += 1
        problems = []
        prev_seq, prev_hash = self._prev.get(event.case_id, (0, GENESIS))
        if event.seq != prev_seq + 1:
            problems.append(ChainProblem(event.case_id, event.seq, f"gap after seq {prev_seq}"))
        if event.prev_hash != prev_hash:
            problems.append(ChainProblem(event.case_id, event.seq, "prev_hash does not match"))
        try:
            expected = hash_of(event.hash_alg, self.key, event_content(event), event.prev_hash)
        except ValueError as exc:
            problems.append(ChainProblem(event.case_id, event.seq, str(exc)))
        else:
            if expected != event.hash:
                what = "hash" if event.hash_alg is None else "HMAC"
                problems.append(
                    ChainProblem(event.case_id, event.seq, f"content does not match {what}")
                )
        self._prev[event.case_id] = (event.seq, event.hash)
        return problems


def stream_events(session: Session, *, batch_size: int = 5000) -> Iterator[CaseEvent]:
    """Every event, by case and seq, detached as it is read (constant memory)."""
    stmt = (
        select(CaseEvent)
        .order_by(CaseEvent.case_id, CaseEvent.seq)
        .execution_options(yield_per=batch_size)
    )
    for event in session.scalars(stmt):
        session.expunge(event)
        yield event


def verify_chains(
    session: Session, key: AuditKey, *, batch_size: int = 5000
) -> tuple[int, list[ChainProblem]]:
    """Recompute every case's chain; returns the number of events checked and the problems."""
    checker = ChainChecker(key)
    problems: list[ChainProblem] = []
    for event in stream_events(session, batch_size=batch_size):
        problems += checker.feed(event)
    return checker.checked, problems
