"""The SQL of the applicant channels: the case's contacts, the letter, deliveries by id, and
which cases have mail that did not reach the applicant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import Case, Letter, OutboxAttempt, OutboxDelivery, OutboxEvent

EMAIL = "email"


@dataclass(frozen=True)
class Contacts:
    """What the applicant channels read of a case when they deliver (never put in payloads)."""

    id: int
    organ_id: int
    number: str
    receipt_date: Any
    applicant_email: str | None
    applicant_phone: str
    e_service_consent: bool
    e_service_address: str | None

    @property
    def mail_address(self) -> str | None:
        """Where an acknowledgement goes: the e-mail the applicant gave."""
        return self.applicant_email or self.e_service_address

    @property
    def service_address(self) -> str | None:
        """Where letters are served electronically: only with consent (RULES §4)."""
        if not self.e_service_consent:
            return None
        return self.e_service_address or self.applicant_email


def contacts(session: Session, case_id: int) -> Contacts | None:
    q = select(
        Case.id,
        Case.organ_id,
        Case.number,
        Case.receipt_date,
        Case.applicant_email,
        Case.applicant_phone,
        Case.e_service_consent,
        Case.e_service_address,
    ).where(Case.id == case_id)
    row = session.execute(q).first()
    return None if row is None else Contacts(*row)


def letter(session: Session, letter_id: int) -> Letter | None:
    return session.get(Letter, letter_id)


def delivery_with_event(
    session: Session, delivery_id: int, *, for_update: bool = False
) -> tuple[OutboxDelivery, OutboxEvent] | None:
    q = (
        select(OutboxDelivery, OutboxEvent)
        .join(OutboxEvent, OutboxEvent.id == OutboxDelivery.event_id)
        .where(OutboxDelivery.id == delivery_id)
    )
    if for_update:
        q = q.with_for_update(of=OutboxDelivery)
    row = session.execute(q).first()
    return None if row is None else (row[0], row[1])


def update_delivery(session: Session, delivery_id: int, values: dict[str, Any]) -> None:
    session.execute(update(OutboxDelivery).where(OutboxDelivery.id == delivery_id).values(values))


def log_attempt(
    session: Session, delivery_id: int, *, at: datetime, ok: bool, detail: str, worker: str
) -> None:
    session.add(
        OutboxAttempt(
            delivery_id=delivery_id,
            attempted_at=at,
            ok=ok,
            detail=detail[:2000],
            duration_ms=0,
            worker=worker,
        )
    )


def mail_failed_in_organ(session: Session, organ_id: int) -> set[int]:
    """The organ's cases with an e-mail to the applicant that is dead."""
    q = (
        select(OutboxEvent.case_id)
        .join(OutboxDelivery, OutboxDelivery.event_id == OutboxEvent.id)
        .where(
            OutboxEvent.organ_id == organ_id,
            OutboxEvent.case_id.is_not(None),
            OutboxDelivery.channel == EMAIL,
            OutboxDelivery.status == "dead",
        )
        .distinct()
    )
    return {cid for cid in session.scalars(q) if cid is not None}


def mail_failed_cases(session: Session, case_ids: Sequence[int]) -> set[int]:
    """The cases among these with an e-mail to the applicant that is dead (refused, bounced,
    or out of retries) — until an administrator redelivers it."""
    if not case_ids:
        return set()
    q = (
        select(OutboxEvent.case_id)
        .join(OutboxDelivery, OutboxDelivery.event_id == OutboxEvent.id)
        .where(
            OutboxEvent.case_id.in_(list(case_ids)),
            OutboxDelivery.channel == EMAIL,
            OutboxDelivery.status == "dead",
        )
        .distinct()
    )
    return {cid for cid in session.scalars(q) if cid is not None}
