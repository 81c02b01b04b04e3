"""Communication log entries as lists show them: no summary, names masked."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from app.communications import repository
from app.communications.schemas import ContactSummary
from app.models import CommunicationRecord
from app.validation.masking import mask_person_name


def contact_summary(row: CommunicationRecord) -> ContactSummary:
    """The entry as a list shows it: no summary or follow-up; the name masked like a person's
    (a third party may be a person, and the log does not say)."""
    return ContactSummary(
        occurred_at=row.occurred_at,
        party_kind=row.party_kind,
        party_name=mask_person_name(row.party_name),
        method=row.method,
    )


def latest_contacts(session: Session, case_ids: Collection[int]) -> dict[int, ContactSummary]:
    """The latest contact of each listed case, as lists show it."""
    return {
        cid: contact_summary(row)
        for cid, row in repository.latest_of_cases(session, case_ids).items()
    }
