"""Queries on released documents, their marks and downloads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import Case, Letter, RedactionMark, ReleasedDocument, ReleaseDownload


def of_case(session: Session, case_id: int) -> list[ReleasedDocument]:
    """Every released document of a case, oldest first."""
    stmt = select(ReleasedDocument).where(ReleasedDocument.case_id == case_id)
    return list(session.scalars(stmt.order_by(ReleasedDocument.id)))


def drafted(session: Session, case_id: int) -> list[ReleasedDocument]:
    """The documents of the reply being drafted (not yet issued with a reply)."""
    stmt = select(ReleasedDocument).where(
        ReleasedDocument.case_id == case_id, ReleasedDocument.letter_id.is_(None)
    )
    return list(session.scalars(stmt.order_by(ReleasedDocument.id)))


def of_letter(session: Session, letter_id: int) -> list[ReleasedDocument]:
    """The documents released with an issued reply, in order."""
    stmt = select(ReleasedDocument).where(ReleasedDocument.letter_id == letter_id)
    return list(session.scalars(stmt.order_by(ReleasedDocument.id)))


def of_letters(session: Session, letter_ids: Sequence[int]) -> dict[int, list[ReleasedDocument]]:
    if not letter_ids:
        return {}
    stmt = select(ReleasedDocument).where(ReleasedDocument.letter_id.in_(list(letter_ids)))
    found: dict[int, list[ReleasedDocument]] = {}
    for doc in session.scalars(stmt.order_by(ReleasedDocument.id)):
        assert doc.letter_id is not None
        found.setdefault(doc.letter_id, []).append(doc)
    return found


def in_case(
    session: Session, case_id: int, document_id: int, *, for_update: bool = False
) -> ReleasedDocument | None:
    stmt = select(ReleasedDocument).where(
        ReleasedDocument.id == document_id, ReleasedDocument.case_id == case_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def by_id(session: Session, document_id: int) -> ReleasedDocument | None:
    return session.get(ReleasedDocument, document_id)


def marks_of(session: Session, document_ids: Sequence[int]) -> dict[int, list[RedactionMark]]:
    if not document_ids:
        return {}
    stmt = select(RedactionMark).where(RedactionMark.document_id.in_(list(document_ids)))
    found: dict[int, list[RedactionMark]] = {i: [] for i in document_ids}
    for mark in session.scalars(stmt.order_by(RedactionMark.id)):
        found[mark.document_id].append(mark)
    return found


def mark_of(session: Session, document_id: int, mark_id: int) -> RedactionMark | None:
    stmt = select(RedactionMark).where(
        RedactionMark.id == mark_id, RedactionMark.document_id == document_id
    )
    return session.scalars(stmt).one_or_none()


def downloads_of(session: Session, document_ids: Sequence[int]) -> dict[int, list[ReleaseDownload]]:
    if not document_ids:
        return {}
    stmt = select(ReleaseDownload).where(ReleaseDownload.document_id.in_(list(document_ids)))
    found: dict[int, list[ReleaseDownload]] = {i: [] for i in document_ids}
    for row in session.scalars(stmt.order_by(ReleaseDownload.id)):
        found[row.document_id].append(row)
    return found


def letter_downloaded(session: Session, letter_id: int) -> bool:
    """Whether any file released with this reply reached the applicant already."""
    stmt = select(ReleaseDownload.id).where(ReleaseDownload.letter_id == letter_id).limit(1)
    return session.scalar(stmt) is not None


def applicant_files(session: Session, case_id: int) -> list[ReleasedDocument]:
    """The frozen released files of a case's issued replies (what the applicant may have)."""
    stmt = (
        select(ReleasedDocument)
        .join(Letter, Letter.id == ReleasedDocument.letter_id)
        .where(
            ReleasedDocument.case_id == case_id,
            ReleasedDocument.frozen_at.is_not(None),
            Letter.status == "issued",
        )
        .order_by(ReleasedDocument.letter_id, ReleasedDocument.id)
    )
    return list(session.scalars(stmt))


def queued_ids(session: Session, limit: int | None, stale_before: datetime) -> list[int]:
    """Redactions waiting for the worker, and those whose worker died mid-job."""
    stmt = (
        select(ReleasedDocument.id)
        .where(
            (ReleasedDocument.status == "queued")
            | (
                (ReleasedDocument.status == "running")
                & (ReleasedDocument.claimed_at < stale_before)
            )
        )
        .order_by(ReleasedDocument.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def claim(session: Session, document_id: int, now: datetime, stale_before: datetime) -> bool:
    """Take a queued (or abandoned) job: compare-and-set, so two workers never run one."""
    result = session.execute(
        update(ReleasedDocument)
        .where(
            ReleasedDocument.id == document_id,
            ReleasedDocument.frozen_at.is_(None),
            (ReleasedDocument.status == "queued")
            | (
                (ReleasedDocument.status == "running")
                & (ReleasedDocument.claimed_at < stale_before)
            ),
        )
        .values(status="running", claimed_at=now, progress=0)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def set_progress(session: Session, document_id: int, pages: int) -> None:
    session.execute(
        update(ReleasedDocument)
        .where(ReleasedDocument.id == document_id, ReleasedDocument.status == "running")
        .values(progress=pages)
        .execution_options(synchronize_session=False)
    )


def freeze(session: Session, case_id: int, letter_id: int, now: datetime, until: date) -> int:
    """Tie the drafted documents to the issued reply and freeze them; returns how many."""
    result = session.execute(
        update(ReleasedDocument)
        .where(ReleasedDocument.case_id == case_id, ReleasedDocument.letter_id.is_(None))
        .values(letter_id=letter_id, frozen_at=now, available_until=until)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


def expiring(session: Session, first: date, last: date) -> list[tuple[ReleasedDocument, Case]]:
    """Frozen files whose last download day falls between `first` and `last`."""
    stmt = (
        select(ReleasedDocument, Case)
        .join(Case, Case.id == ReleasedDocument.case_id)
        .where(
            ReleasedDocument.frozen_at.is_not(None),
            ReleasedDocument.available_until >= first,
            ReleasedDocument.available_until <= last,
        )
        .order_by(ReleasedDocument.letter_id, ReleasedDocument.id)
    )
    return [(d, c) for d, c in session.execute(stmt)]
