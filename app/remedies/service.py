"""Adding and updating reconsideration and litigation records; each change is on the timeline."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.audit.keys import audit_key
from app.audit.service import append_event
from app.auth.principal import Actor, Principal
from app.cases.service import load_case
from app.errors import InvalidInput, NotFound
from app.models import Case, RemedyRecord
from app.remedies import repository
from app.remedies.schemas import RemedyRead, RemedyWrite
from app.reports.lock import guard_remedy
from app.reports.periods import RemedyStats
from app.runtime import Runtime

# Records can be attached once the case has an answer the applicant could challenge.
_ANSWERED = ("replied", "served", "archived", "withdrawn")


def list_remedies(session: Session, principal: Principal, case_id: int) -> list[RemedyRead]:
    """A case's reconsideration and litigation records, oldest first."""
    case = load_case(session, principal, case_id)
    return [RemedyRead.model_validate(r) for r in repository.of_case(session, case.id)]


def _check(rt: Runtime, case: Case, data: RemedyWrite) -> None:
    today = rt.clock().astimezone(rt.tz).date()
    if case.state not in _ANSWERED:
        raise InvalidInput(
            ("body", "kind"),
            "案件尚未答复，无复议或诉讼可登记 / the case has no reply to challenge yet",
        )
    for name in ("filed_on", "result_on"):
        value = getattr(data, name)
        if value is not None and value > today:
            raise InvalidInput(("body", name), "不能是将来 / cannot be in the future")
    # A challenge follows the application (it may precede the reply: a complaint of no answer).
    first = case.receipt_date or case.arrived_at.astimezone(rt.tz).date()
    if data.filed_on < first:
        raise InvalidInput(
            ("body", "filed_on"),
            f"不能早于收到申请之日 {first} / cannot precede the application's receipt on {first}",
        )


def _record(
    session: Session, rt: Runtime, case: Case, actor: Actor, action: str, payload: dict[str, Any]
) -> None:
    append_event(
        session,
        key=audit_key(rt.settings),
        case_id=case.id,
        action=action,
        from_state=case.state,
        to_state=case.state,
        actor=actor,
        now=rt.clock(),
        payload=payload,
        workflow_version=rt.workflow_for(case).version,
    )


def add_remedy(
    session: Session, rt: Runtime, principal: Principal, case_id: int, data: RemedyWrite
) -> RemedyRead:
    """Attach a reconsideration or litigation record to the case."""
    case = load_case(session, principal, case_id)
    _check(rt, case, data)
    now = rt.clock()
    row = RemedyRecord(
        case_id=case.id,
        created_by=principal.name,
        created_at=now,
        updated_at=now,
        **data.model_dump(),
    )
    actor = Actor.of(principal)
    overrides = guard_remedy(
        session, case, None, RemedyStats.of(row), action="record_remedy", actor=actor, now=now
    )
    session.add(row)
    # The legal office handles reconsideration and litigation: from now on it sees the case.
    case.legal_involved = True
    session.flush()
    _record(
        session,
        rt,
        case,
        actor,
        "record_remedy",
        {
            "record_id": row.id,
            "after": data.model_dump(mode="json"),
            **({"report_overrides": overrides} if overrides else {}),
        },
    )
    return RemedyRead.model_validate(row)


def update_remedy(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    record_id: int,
    data: RemedyWrite,
) -> RemedyRead:
    """Replace a record (e.g. the result arrived); the timeline keeps before and after."""
    case = load_case(session, principal, case_id)
    row = repository.in_case(session, case.id, record_id)
    if row is None:
        raise NotFound(f"记录 {record_id} 不存在 / record not found", record_id=record_id)
    _check(rt, case, data)
    before = RemedyWrite.model_validate(row, from_attributes=True).model_dump(mode="json")
    counted_before = RemedyStats.of(row)
    for name, value in data.model_dump().items():
        setattr(row, name, value)
    row.updated_at = now = rt.clock()
    actor = Actor.of(principal)
    overrides = guard_remedy(
        session,
        case,
        counted_before,
        RemedyStats.of(row),
        action="update_remedy",
        actor=actor,
        now=now,
    )
    session.flush()
    _record(
        session,
        rt,
        case,
        actor,
        "update_remedy",
        {
            "record_id": row.id,
            "before": before,
            "after": data.model_dump(mode="json"),
            **({"report_overrides": overrides} if overrides else {}),
        },
    )
    return RemedyRead.model_validate(row)
