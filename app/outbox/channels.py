"""What the worker delivers through: the channel interface and the list of channels.

A channel plans its deliveries of an event (whom it goes to: a webhook subscription, the
applicant, a user) and sends one delivery. `plan` runs in the dispatching transaction; `send`
runs with a read session and no transaction open for writing, so a slow receiver holds no lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from app.models import OutboxEvent
from app.runtime import Runtime


@dataclass(frozen=True)
class EventView:
    """An event as channels see it (detached from any session)."""

    id: int
    uid: str
    type: str
    schema_version: int
    organ_id: int | None
    case_id: int | None
    payload: dict[str, Any]
    occurred_at: datetime

    @classmethod
    def of(cls, row: OutboxEvent) -> EventView:
        return cls(
            id=row.id,
            uid=row.uid,
            type=row.type,
            schema_version=row.schema_version,
            organ_id=row.organ_id,
            case_id=row.case_id,
            payload=dict(row.payload),
            occurred_at=row.occurred_at,
        )


@dataclass(frozen=True)
class Job:
    """One delivery to attempt."""

    delivery_id: int
    channel: str
    target: str
    attempts: int  # attempts before this one
    event: EventView


@dataclass(frozen=True)
class Sent:
    """How an attempt went.

    ``permanent`` failures (a refused address, a receiver that says 410) are dead at once;
    ``hold_until`` puts the delivery back untried until then (an SMS in quiet hours);
    ``result`` is kept on the delivery (a mail's message id, the receiver's status).
    """

    ok: bool
    detail: str = ""
    result: dict[str, Any] | None = None
    permanent: bool = False
    hold_until: datetime | None = None
    after: Callable[[Session], None] | None = field(default=None, compare=False)


class Channel(Protocol):
    name: str

    def plan(self, session: Session, event: EventView) -> list[str]:
        """The targets this event goes to through this channel (none: not for this channel)."""
        ...

    def send(self, session: Session, job: Job) -> Sent:
        """Attempt one delivery; raise nothing a receiver can cause (report it in Sent)."""
        ...


ChannelFactory = Callable[[Runtime], Channel | None]


def factories() -> list[ChannelFactory]:
    """Every channel the service knows; each returns None where the deployment has not
    configured it (no SMTP host, no SMS gateway). Imported here, not at module level, so a
    channel's package may import this module."""
    from app.notices.channel import notice_channel
    from app.outbox.applicant.mail import email_channel
    from app.outbox.applicant.sms import sms_channel
    from app.webhooks.channel import webhook_channel

    return [webhook_channel, email_channel, sms_channel, notice_channel]


def build(rt: Runtime) -> list[Channel]:
    """The channels this deployment delivers through."""
    return [c for c in (factory(rt) for factory in factories()) if c is not None]
