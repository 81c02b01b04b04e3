"""The clock ledger of each case and the official calendar years, as stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import JSONType, UTCDateTime


class ClockEntry(Base):
    """One dated fact a deadline depends on (received, correction requested, extended, ...)."""

    __tablename__ = "clock_entries"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CalendarYearRecord(Base):
    """A year of the State Council holiday notice: days off and make-up working days."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    source: Mapped[str] = mapped_column(String(20))  # shipped | admin
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
