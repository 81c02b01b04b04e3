"""The outbox: events recorded in a case's transaction, and their deliveries by the worker.

An event is written once, in the transaction that changed the case, and never changes except
to note that the worker has planned its deliveries (``dispatched_at``). Each channel (webhook
subscription, e-mail, SMS, notice) gets a delivery row per target, which the worker claims,
attempts and finishes: delivered, or pending again after a backoff, or dead after 24 hours
(an administrator may redeliver a dead one). Every attempt is kept for the delivery log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import JSONType, UTCDateTime


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_undispatched", "dispatched_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The id receivers see and de-duplicate on: "evt_" + 32 hex digits, never reused.
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(60))
    schema_version: Mapped[int] = mapped_column(Integer)
    # Not indexed: every query by organ comes through the deliveries (dead letters, failed
    # mail), and an organ matches most events.
    organ_id: Mapped[int | None] = mapped_column(ForeignKey("organs.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # What makes an event happen once (a deadline warning per case, deadline, due date and
    # threshold); None for events that are unique by nature.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxDelivery(Base):
    __tablename__ = "outbox_deliveries"
    __table_args__ = (
        Index("ix_outbox_deliveries_due", "status", "next_attempt_at"),
        Index("ix_outbox_deliveries_target", "channel", "target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_events.id"), index=True)
    channel: Mapped[str] = mapped_column(String(40))
    # Whom the channel delivers to: a subscription id, "applicant", a user id.
    target: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16))  # pending | delivered | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A worker that claims a delivery holds it until leased_until; a worker killed mid-delivery
    # leaves a lease that runs out, and another worker takes the delivery again.
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    leased_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    # What the channel reports of the delivery (a mail's message id, the receiver's status).
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class OutboxAttempt(Base):
    """One attempt at a delivery: the delivery log a subscription's owner reads."""

    __tablename__ = "outbox_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("outbox_deliveries.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ok: Mapped[bool]
    detail: Mapped[str] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(80))


class WorkerLease(Base):
    """A named lease one worker holds at a time (the scheduler's)."""

    __tablename__ = "worker_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
