"""Signed checkpoints of every case timeline's head (the tamper-evident record's anchor)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import JSONType, UTCDateTime


class AuditCheckpoint(Base):
    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The day a daily checkpoint stands for (NULL for one taken on demand). Unique: the row is
    # the lease that lets exactly one process write the day's checkpoint.
    daily_on: Mapped[date | None] = mapped_column(Date, unique=True)
    # Random: two checkpoints of an unchanged database at one instant still differ.
    nonce: Mapped[str] = mapped_column(String(32))
    key_id: Mapped[str] = mapped_column(String(16))
    cases: Mapped[int] = mapped_column(Integer)
    events: Mapped[int] = mapped_column(Integer)
    # SHA-256 over the canonical heads; the signature covers it, so it vouches for every head.
    root: Mapped[str] = mapped_column(String(64))
    # [[case_id, event_id, seq, hash], ...] ordered by case id: each chain's last event.
    heads: Mapped[list[list[Any]]] = mapped_column(JSONType)
    signature: Mapped[str] = mapped_column(String(64), unique=True)
