"""A channel for the worker tests that records what it is asked to send, and queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import OutboxAttempt, OutboxDelivery, OutboxEvent
from app.outbox.channels import EventView, Job, Sent
from app.runtime import Runtime


@dataclass
class Recorder:
    """Delivers every event of the given types to one target, and records what it sent;
    `answer` decides how each attempt goes (delivered by default)."""

    name: str = "recorder"
    types: tuple[str, ...] | None = None
    answer: Callable[[Job], Sent] = field(default=lambda job: Sent(True, "ok"))
    sent: list[Job] = field(default_factory=list)

    def plan(self, session: Session, event: EventView) -> list[str]:
        if self.types is not None and event.type not in self.types:
            return []
        return ["t1"]

    def send(self, session: Session, job: Job) -> Sent:
        self.sent.append(job)
        return self.answer(job)


def events(rt: Runtime) -> list[OutboxEvent]:
    with rt.sessions.read() as s:
        return list(s.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def deliveries(rt: Runtime) -> list[OutboxDelivery]:
    with rt.sessions.read() as s:
        return list(s.scalars(select(OutboxDelivery).order_by(OutboxDelivery.id)))


def attempts(rt: Runtime, delivery_id: int) -> list[OutboxAttempt]:
    with rt.sessions.read() as s:
        q = select(OutboxAttempt).where(OutboxAttempt.delivery_id == delivery_id)
        return list(s.scalars(q.order_by(OutboxAttempt.id)))


def types_of(rt: Runtime, case_id: int | None = None) -> list[str]:
    return [e.type for e in events(rt) if case_id is None or e.case_id == case_id]


def payload_of(rt: Runtime, type_: str) -> dict[str, Any]:
    found = [e.payload for e in events(rt) if e.type == type_]
    assert found, f"no {type_} event"
    return found[-1]
