"""Assistance requests (协办): the case's handler asks a department — of this organ or of
another organ on the platform — to search for or supply records by an internal date; the
department answers on the case, with files. They never touch the statutory clock."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import UTCDateTime


class AssistanceRequest(Base):
    __tablename__ = "assistance_requests"
    __table_args__ = (
        # The worklist's flag and filter: open requests past their internal date.
        Index("ix_assistance_requests_status_due", "status", "due_on"),
        Index("ix_assistance_requests_organ_status", "organ_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # The organ whose case it is (the requester's); the department may belong to another.
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    working_days: Mapped[int] = mapped_column(Integer)
    # The internal due date: `working_days` working days after the day asked, on the
    # official calendar, never after the case's reply due date.
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # open | answered | withdrawn
    answer: Mapped[str | None] = mapped_column(String(16))  # found | not_held | partly
    answer_text: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AssistanceFile(Base):
    """A file the department answered with, stored once by its SHA-256 (app.storage)."""

    __tablename__ = "assistance_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("assistance_requests.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
