"""Letters (规范文书) and print batches.

A letter is a `draft` (re-rendered from the current case on every preview) until the action
that sends it issues it: then its number, context, template hash and PDF are frozen — the
database refuses to change them (triggers in the migration).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import JSONType, UTCDateTime


class Letter(Base):
    __tablename__ = "letters"
    __table_args__ = (
        UniqueConstraint("organ_id", "number"),
        Index("ix_letters_case", "case_id", "kind"),
        Index("ix_letters_organ_issued", "organ_id", "issued_at"),
        # Public verification (/verify) finds a letter by its code or by its file's hash.
        Index("ix_letters_verify_code", "verify_code", unique=True),
        Index("ix_letters_pdf_sha256", "pdf_sha256"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"))
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))  # draft | issued
    # A draft's own fields (e.g. the items to correct), merged under the issuing action's payload.
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    number: Mapped[str | None] = mapped_column(String(120))
    year: Mapped[int | None] = mapped_column(Integer)
    seq: Mapped[int | None] = mapped_column(Integer)
    letter_date: Mapped[date | None] = mapped_column(Date)
    action: Mapped[str | None] = mapped_column(String(50))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    issued_by: Mapped[str | None] = mapped_column(String(200))

    context: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    template_name: Mapped[str | None] = mapped_column(String(100))
    # Set with the PDF: a letter issued at intake is rendered, and its template fixed, on first use.
    template_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_size: Mapped[int | None] = mapped_column(Integer)
    pages: Mapped[int | None] = mapped_column(Integer)
    # The short code printed on the letter with its QR code (/verify/<code>), allocated at issue
    # and frozen in the context too; None for letters issued before codes existed.
    verify_code: Mapped[str | None] = mapped_column(String(16))
    # The organ certificate the stored PDF is signed with (set with the PDF); None: unsigned.
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("organ_certificates.id"))

    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    print_batch_id: Mapped[int | None] = mapped_column(ForeignKey("print_batches.id"))

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PrintBatch(Base):
    """One print job: a cover sheet, then each letter followed by its proof-of-service form."""

    __tablename__ = "print_batches"
    __table_args__ = (Index("ix_print_batches_organ", "organ_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"))
    letter_ids: Mapped[list[int]] = mapped_column(JSONType)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LetterAccess(Base):
    """The first time a letter reached its addressee through a channel the service witnesses
    (the applicant's download with the query code; later, the mail server's acceptance): the
    proof of electronic service (RULES §4). One row per letter and channel: later downloads
    prove nothing more."""

    __tablename__ = "letter_accesses"
    __table_args__ = (
        UniqueConstraint("letter_id", "channel"),
        Index("ix_letter_accesses_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    channel: Mapped[str] = mapped_column(String(40))  # applicant_download
    actor_kind: Mapped[str] = mapped_column(String(16))  # applicant
    accessed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    client_address: Mapped[str | None] = mapped_column(String(64))
    # The workflow action the access recorded as the letter's receipt, if it was one.
    receipt_action: Mapped[str | None] = mapped_column(String(50))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
