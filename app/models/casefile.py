"""The case file (归档案卷): one frozen version per archiving of a case.

`record` writes the row (status `building`) with the `archive` action; the worker assembles
the PDF and the ZIP off the request and sets them once (status `ready`, or `failed` with the
reason, tried again on the next pass). A ready file is never changed or deleted — the database
refuses it (triggers in the migration); a case reopened and archived again gets version n+1.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import JSONType, UTCDateTime


class CaseFile(Base):
    __tablename__ = "case_files"
    __table_args__ = (
        UniqueConstraint("case_id", "version"),
        Index("ix_case_files_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"))
    version: Mapped[int] = mapped_column(Integer)
    # The `archive` event the file was ordered with: the file covers the case up to it.
    event_id: Mapped[int] = mapped_column(ForeignKey("case_events.id"))
    event_seq: Mapped[int] = mapped_column(Integer)
    archived_on: Mapped[date] = mapped_column(Date)
    retention_years: Mapped[int] = mapped_column(Integer)
    retention_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # building | ready | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_size: Mapped[int | None] = mapped_column(Integer)
    pages: Mapped[int | None] = mapped_column(Integer)
    zip_sha256: Mapped[str | None] = mapped_column(String(64))
    zip_size: Mapped[int | None] = mapped_column(Integer)
    # manifest.json as stored in the ZIP (the parts: name, kind, title, number, date, pages...).
    manifest: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
