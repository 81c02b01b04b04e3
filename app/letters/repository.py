"""Queries on letters and print batches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.models import Case, CaseEvent, Letter, LetterAccess, PrintBatch


def letters_of_case(session: Session, case_id: int) -> list[Letter]:
    """Every letter of a case, oldest first."""
    stmt = select(Letter).where(Letter.case_id == case_id).order_by(Letter.id)
    return list(session.scalars(stmt))


def letter_in_organ(session: Session, letter_id: int, organ_id: int) -> Letter | None:
    """A letter only if it belongs to the organ."""
    stmt = select(Letter).where(Letter.id == letter_id, Letter.organ_id == organ_id)
    return session.scalars(stmt).one_or_none()


def letter_by_id(session: Session, letter_id: int) -> Letter | None:
    return session.get(Letter, letter_id)


def open_draft(session: Session, case_id: int, kind: str) -> Letter | None:
    """The latest draft of this kind on the case, if any."""
    stmt = (
        select(Letter)
        .where(Letter.case_id == case_id, Letter.kind == kind, Letter.status == "draft")
        .order_by(Letter.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def issued_in_organ(session: Session, organ_id: int, ids: Sequence[int]) -> list[Letter]:
    """The organ's issued letters among these ids, in the order given."""
    stmt = select(Letter).where(
        Letter.id.in_(list(ids)), Letter.organ_id == organ_id, Letter.status == "issued"
    )
    found = {letter.id: letter for letter in session.scalars(stmt)}
    return [found[i] for i in ids if i in found]


def batch_candidates(
    organ_id: int, *, issued_from: datetime, issued_to: datetime, not_printed: bool
) -> Select[Letter, Case]:
    """Issued letters of the organ in a time range, with their cases, oldest first."""
    stmt = (
        select(Letter, Case)
        .join(Case, Case.id == Letter.case_id)
        .where(
            Letter.organ_id == organ_id,
            Letter.status == "issued",
            Letter.issued_at >= issued_from,
            Letter.issued_at < issued_to,
        )
        .order_by(Letter.issued_at, Letter.id)
    )
    if not_printed:
        stmt = stmt.where(Letter.printed_at.is_(None))
    return stmt


def batch_in_organ(session: Session, batch_id: int, organ_id: int) -> PrintBatch | None:
    stmt = select(PrintBatch).where(PrintBatch.id == batch_id, PrintBatch.organ_id == organ_id)
    return session.scalars(stmt).one_or_none()


def pending_letters(session: Session, limit: int | None = None) -> list[Letter]:
    """Issued letters whose PDF is still to be rendered, oldest first."""
    stmt = (
        select(Letter)
        .where(Letter.status == "issued", Letter.pdf_sha256.is_(None))
        .order_by(Letter.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def access_of(session: Session, letter_id: int, channel: str) -> LetterAccess | None:
    """The logged first access to a letter through a channel, if any."""
    stmt = select(LetterAccess).where(
        LetterAccess.letter_id == letter_id, LetterAccess.channel == channel
    )
    return session.scalars(stmt).one_or_none()


def latest_issued(session: Session, case_id: int, kinds: Sequence[str]) -> Letter | None:
    """The case's most recently issued letter of these kinds."""
    stmt = (
        select(Letter)
        .where(Letter.case_id == case_id, Letter.kind.in_(list(kinds)), Letter.status == "issued")
        .order_by(Letter.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def event_id_of(session: Session, case_id: int, seq: int) -> int | None:
    """The id of a case's event by its place in the chain."""
    stmt = select(CaseEvent.id).where(CaseEvent.case_id == case_id, CaseEvent.seq == seq)
    return session.scalar(stmt)


def unprinted(organ_id: int, limit: int) -> Select[Letter, Case]:
    """The organ's issued letters never printed, with their cases, oldest first."""
    return (
        select(Letter, Case)
        .join(Case, Case.id == Letter.case_id)
        .where(
            Letter.organ_id == organ_id,
            Letter.status == "issued",
            Letter.printed_at.is_(None),
        )
        .order_by(Letter.issued_at, Letter.id)
        .limit(limit)
    )


def batches_of_organ(session: Session, organ_id: int, limit: int) -> list[PrintBatch]:
    """The organ's print batches, newest first."""
    stmt = (
        select(PrintBatch)
        .where(PrintBatch.organ_id == organ_id)
        .order_by(PrintBatch.created_at.desc(), PrintBatch.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def issued_by_number(session: Session, organ_id: int, number: str) -> Letter | None:
    """The organ's issued letter with this document number (文书编号), if any."""
    stmt = select(Letter).where(
        Letter.organ_id == organ_id, Letter.number == number, Letter.status == "issued"
    )
    return session.scalars(stmt).one_or_none()


def verify_code_taken(session: Session, code: str) -> bool:
    """Whether a letter already has this verification code."""
    return session.scalar(select(Letter.id).where(Letter.verify_code == code).limit(1)) is not None


def issued_by_verify_code(session: Session, code: str) -> Letter | None:
    """The issued letter with this verification code, if any."""
    stmt = select(Letter).where(Letter.verify_code == code, Letter.status == "issued")
    return session.scalars(stmt).one_or_none()


def issued_by_pdf_sha256(session: Session, sha256: str) -> Letter | None:
    """The issued letter whose stored PDF has this SHA-256, if any."""
    stmt = (
        select(Letter)
        .where(Letter.pdf_sha256 == sha256, Letter.status == "issued")
        .order_by(Letter.id)
        .limit(1)
    )
    return session.scalars(stmt).first()
