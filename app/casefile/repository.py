"""Every SQL statement of the case file: its versions, and what it is assembled from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.models import (
    Attachment,
    CaseEvent,
    CaseFile,
    CaseItem,
    CommunicationRecord,
    Consultation,
    Letter,
    LetterAccess,
    ReleasedDocument,
    ReleaseDownload,
)

# A file that failed this often waits for an administrator (its error is on the row).
MAX_ATTEMPTS = 5


def next_version(session: Session, case_id: int) -> int:
    current = session.scalar(select(func.max(CaseFile.version)).where(CaseFile.case_id == case_id))
    return (current or 0) + 1


def add(session: Session, row: CaseFile) -> None:
    session.add(row)


def versions(session: Session, case_id: int) -> list[CaseFile]:
    """The case's file versions, newest first."""
    stmt = select(CaseFile).where(CaseFile.case_id == case_id).order_by(CaseFile.version.desc())
    return list(session.scalars(stmt))


def version_of(session: Session, case_id: int, version: int) -> CaseFile | None:
    stmt = select(CaseFile).where(CaseFile.case_id == case_id, CaseFile.version == version)
    return session.scalars(stmt).one_or_none()


def by_id(session: Session, file_id: int) -> CaseFile | None:
    return session.get(CaseFile, file_id)


def pending_ids(session: Session, limit: int | None = None) -> list[int]:
    """Files still to build (new, or failed fewer than MAX_ATTEMPTS times), oldest first."""
    stmt = (
        select(CaseFile.id)
        .where(
            or_(
                CaseFile.status == "building",
                (CaseFile.status == "failed") & (CaseFile.attempts < MAX_ATTEMPTS),
            )
        )
        .order_by(CaseFile.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def unrendered_letters(session: Session, case_id: int, up_to_event: int) -> list[int]:
    stmt = (
        select(Letter.id)
        .where(
            Letter.case_id == case_id,
            Letter.status == "issued",
            Letter.pdf_sha256.is_(None),
            Letter.event_id <= up_to_event,
        )
        .order_by(Letter.id)
    )
    return list(session.scalars(stmt))


def issued_letters(session: Session, case_id: int, up_to_event: int) -> list[Letter]:
    """The case's issued letters up to the archiving event, in the order they were issued."""
    stmt = (
        select(Letter)
        .where(
            Letter.case_id == case_id,
            Letter.status == "issued",
            Letter.event_id <= up_to_event,
        )
        .order_by(Letter.issued_at, Letter.id)
    )
    return list(session.scalars(stmt))


def events(session: Session, case_id: int, up_to_seq: int) -> list[CaseEvent]:
    stmt = (
        select(CaseEvent)
        .where(CaseEvent.case_id == case_id, CaseEvent.seq <= up_to_seq)
        .order_by(CaseEvent.seq)
    )
    return list(session.scalars(stmt))


def items(session: Session, case_id: int) -> list[CaseItem]:
    stmt = select(CaseItem).where(CaseItem.case_id == case_id).order_by(CaseItem.position)
    return list(session.scalars(stmt))


def attachments(session: Session, case_id: int, until: datetime) -> list[Attachment]:
    stmt = (
        select(Attachment)
        .where(Attachment.case_id == case_id, Attachment.created_at <= until)
        .order_by(Attachment.created_at, Attachment.id)
    )
    return list(session.scalars(stmt))


def consultations(session: Session, case_id: int, until: datetime) -> list[Consultation]:
    stmt = (
        select(Consultation)
        .where(Consultation.case_id == case_id, Consultation.created_at <= until)
        .order_by(Consultation.created_at, Consultation.id)
    )
    return list(session.scalars(stmt))


def communications(session: Session, case_id: int, until: datetime) -> list[CommunicationRecord]:
    stmt = (
        select(CommunicationRecord)
        .where(CommunicationRecord.case_id == case_id, CommunicationRecord.created_at <= until)
        .order_by(CommunicationRecord.occurred_at, CommunicationRecord.id)
    )
    return list(session.scalars(stmt))


def letter_accesses(session: Session, case_id: int, until: datetime) -> list[LetterAccess]:
    stmt = (
        select(LetterAccess)
        .where(LetterAccess.case_id == case_id, LetterAccess.accessed_at <= until)
        .order_by(LetterAccess.accessed_at, LetterAccess.id)
    )
    return list(session.scalars(stmt))


def released_copies(session: Session, letter_ids: list[int]) -> list[ReleasedDocument]:
    """The released copies that went out with these (issued) letters — frozen when each letter
    was issued — in the order they were uploaded. Never an original."""
    if not letter_ids:
        return []
    stmt = (
        select(ReleasedDocument)
        .where(
            ReleasedDocument.letter_id.in_(letter_ids),
            ReleasedDocument.frozen_at.is_not(None),
            ReleasedDocument.released_sha256.is_not(None),
        )
        .order_by(ReleasedDocument.id)
    )
    return list(session.scalars(stmt))


def release_downloads(session: Session, case_id: int, until: datetime) -> list[ReleaseDownload]:
    """The applicant's downloads of released files (and the copies mailed), up to `until`."""
    stmt = (
        select(ReleaseDownload)
        .where(ReleaseDownload.case_id == case_id, ReleaseDownload.at <= until)
        .order_by(ReleaseDownload.at, ReleaseDownload.id)
    )
    return list(session.scalars(stmt))
