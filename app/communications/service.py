"""Recording and correcting communication log entries; each change is on the timeline.

The log is staff-only: it is never put in letters nor shown to the applicant, and lists show
at most the latest contact's time, kind and method with the name masked (presenters).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.auth.principal import Actor, Principal
from app.cases.service import load_case
from app.communications import repository
from app.communications.schemas import CommunicationRead, CommunicationWrite
from app.errors import InvalidInput, NotFound
from app.models import Case, CommunicationRecord
from app.runtime import Runtime
from app.workflow.write import record_beside


def list_communications(
    session: Session, principal: Principal, case_id: int
) -> list[CommunicationRead]:
    """A case's communication log, in the order the contacts took place."""
    case = load_case(session, principal, case_id)
    return [CommunicationRead.model_validate(r) for r in repository.of_case(session, case.id)]


def _moment(rt: Runtime, case: Case, data: CommunicationWrite) -> datetime:
    """When the contact took place, as an aware datetime; refused in the future or before the
    application arrived."""
    at = data.occurred_at if data.occurred_at.tzinfo else data.occurred_at.replace(tzinfo=rt.tz)
    if at > rt.clock():
        raise InvalidInput(("body", "occurred_at"), "不能是将来 / cannot be in the future")
    first = case.arrived_at.astimezone(rt.tz).date()
    if at.astimezone(rt.tz).date() < first:
        raise InvalidInput(
            ("body", "occurred_at"),
            f"不能早于申请到达之日 {first} / cannot precede the application's arrival on {first}",
        )
    return at


def _stored(data: CommunicationWrite, at: datetime) -> dict[str, Any]:
    return {**data.model_dump(), "occurred_at": at}


def add_communication(
    session: Session, rt: Runtime, principal: Principal, case_id: int, data: CommunicationWrite
) -> CommunicationRead:
    """Record a contact with the applicant or a third party, in any state of the case."""
    case = load_case(session, principal, case_id)
    at = _moment(rt, case, data)
    now = rt.clock()
    row = CommunicationRecord(
        case_id=case.id,
        created_by=principal.name,
        created_at=now,
        updated_at=now,
        **_stored(data, at),
    )
    session.add(row)
    session.flush()
    after = CommunicationWrite.model_validate(row, from_attributes=True)
    record_beside(
        session,
        rt,
        case,
        Actor.of(principal),
        "record_communication",
        {"record_id": row.id, "after": after.model_dump(mode="json")},
    )
    return CommunicationRead.model_validate(row)


def update_communication(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    record_id: int,
    data: CommunicationWrite,
) -> CommunicationRead:
    """Correct an entry; the timeline keeps before and after."""
    case = load_case(session, principal, case_id)
    row = repository.in_case(session, case.id, record_id)
    if row is None:
        raise NotFound(f"记录 {record_id} 不存在 / entry not found", record_id=record_id)
    at = _moment(rt, case, data)
    before = CommunicationWrite.model_validate(row, from_attributes=True).model_dump(mode="json")
    for name, value in _stored(data, at).items():
        setattr(row, name, value)
    row.updated_at = rt.clock()
    session.flush()
    after = CommunicationWrite.model_validate(row, from_attributes=True)
    record_beside(
        session,
        rt,
        case,
        Actor.of(principal),
        "update_communication",
        {"record_id": row.id, "before": before, "after": after.model_dump(mode="json")},
    )
    return CommunicationRead.model_validate(row)
