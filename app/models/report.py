"""Published annual reports (RULES §8): the year lock and the administrator's overrides."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import JSONType, UTCDateTime


class ReportLock(Base):
    """An organ's published year: its numbers may no longer change without an override."""

    __tablename__ = "report_locks"
    __table_args__ = (UniqueConstraint("organ_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"))
    year: Mapped[int] = mapped_column(Integer)
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_by: Mapped[str] = mapped_column(String(200))
    locked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The tables as published: {"table3": {row: {col: n}}, "table4": {group: {col: n}}}.
    published: Mapped[dict[str, Any]] = mapped_column(JSONType)


class ReportOverride(Base):
    """An administrator's permission to change one case's numbers in a locked year, with the
    reason; used by the next action on the case that changes them."""

    __tablename__ = "report_overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lock_id: Mapped[int] = mapped_column(ForeignKey("report_locks.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[str] = mapped_column(String(200))
    granted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Filled when a change uses it: which action, by whom, and the cells it changed.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by: Mapped[str | None] = mapped_column(String(200))
    used_action: Mapped[str | None] = mapped_column(String(50))
    used_cells: Mapped[list[Any] | None] = mapped_column(JSONType)
