"""An organ's webhook subscriptions: where the worker POSTs the events it asked for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import JSONType, UTCDateTime


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # What the API and the deliveries name it by: "whs_" + 32 hex digits.
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    # The signing secret (whsec_...), encrypted with a key derived from the service's secret
    # key (app/webhooks/secrets.py): the worker needs it to sign, nobody reads it back.
    secret_encrypted: Mapped[str] = mapped_column(Text)
    event_types: Mapped[list[str]] = mapped_column(JSONType)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    # Set when it stops receiving: turned off by an admin, deleted, or a receiver's 410 Gone.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    secret_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
