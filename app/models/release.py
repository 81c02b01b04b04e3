"""Released documents (公开文件): the records a reply provides, their redaction marks, and the
applicant's downloads.

A document is uploaded by the clerk (the original, kept internal: never served to the
applicant nor printed), marked for redaction, and applied: the released copy is a new PDF with
the marked content removed and a redaction log appended. While the reply is drafted the
document belongs to the case's reply draft (`letter_id` NULL); issuing the reply ties it to the
issued reply and freezes it — the database refuses any change to a frozen row or its marks
(triggers in the migration).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import JSONType, UTCDateTime


class ReleasedDocument(Base):
    __tablename__ = "released_documents"
    __table_args__ = (
        Index("ix_released_documents_case", "case_id", "id"),
        # The worker's queue of redactions to make.
        Index("ix_released_documents_status", "status", "id"),
        # The expiry notices: frozen files by the last day they can be downloaded.
        Index("ix_released_documents_available", "available_until"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"))
    # The issued reply the file was released with; NULL while that reply is being drafted.
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    # The original as uploaded (a PDF, or an image), and the PDF the marks apply to (the same
    # file for a PDF; the image converted for an image).
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(BigInteger)
    original_sha256: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(Integer)

    # Each change of the marks moves the revision; a released copy is current only for the
    # revision it was made from.
    marks_rev: Mapped[int] = mapped_column(Integer, default=0)
    # pending (no current released copy) | queued | running (the worker's job) | ready | failed
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[int] = mapped_column(Integer, default=0)  # pages done by the running job
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_by: Mapped[str | None] = mapped_column(String(200))

    released_rev: Mapped[int | None] = mapped_column(Integer)
    released_sha256: Mapped[str | None] = mapped_column(String(64))
    released_size: Mapped[int | None] = mapped_column(BigInteger)
    released_pages: Mapped[int | None] = mapped_column(Integer)
    # The redaction log of the released copy: one row per page and mark (app.releases.rules).
    redaction_log: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last day the applicant can download it (the reply letter states it).
    available_until: Mapped[date | None] = mapped_column(Date)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[str] = mapped_column(String(200))


class RedactionMark(Base):
    """One mark: an area of a page (a rectangle in PDF points, from the page's top left), or
    text — a phrase, or a named pattern (every ID number ...) — found on every page; with the
    ground it is withheld on and the reason."""

    __tablename__ = "redaction_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("released_documents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # area | phrase | pattern
    page: Mapped[int | None] = mapped_column(Integer)
    x0: Mapped[float | None] = mapped_column(Float)
    y0: Mapped[float | None] = mapped_column(Float)
    x1: Mapped[float | None] = mapped_column(Float)
    y1: Mapped[float | None] = mapped_column(Float)
    phrase: Mapped[str | None] = mapped_column(Text)
    pattern: Mapped[str | None] = mapped_column(String(30))
    ground: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReleaseDownload(Base):
    """Each time a released file reached the applicant: a download with the query code, or
    the reply's e-mail carrying it. The first of a reply's files is the proof of electronic
    service of the reply (app.releases.delivery)."""

    __tablename__ = "release_downloads"
    __table_args__ = (Index("ix_release_downloads_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("released_documents.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id"))
    channel: Mapped[str] = mapped_column(String(30))  # applicant_download | mail_attachment
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    client_address: Mapped[str | None] = mapped_column(String(64))
