"""The case page's 协办 section: the case's assistance requests with their answers and files,
the form asking a department (grouped by organ) and the withdraw buttons — the same rules the
API's routes apply, which the services check again."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.assistance import service
from app.assistance.router import ASK_ROLES
from app.auth.principal import Principal
from app.cases.schemas import CaseRead
from app.runtime import Runtime

# The form's fields, prefixed so they never share an id with the 承办 form's.
PREFIX = "assistance."
FIELDS = ("department_id", "text", "due_in_working_days")


def assistance_context(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case: CaseRead,
    *,
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    closed = rt.workflows[case.case_type].states[case.state].final
    mine = case.assignee is not None and case.assignee.id == principal.user_id
    overseer = bool(principal.roles & service.OVERSEERS)
    can_ask = (
        not closed
        and principal.has_any(*ASK_ROLES)
        and (mine or overseer)
        and case.receipt_date is not None
    )
    requests = service.case_requests(session, rt, principal, case.id)
    return {
        "assist_requests": requests,
        "assist_withdrawable": {
            r.id
            for r in requests
            if r.status == "open" and (r.requested_by.id == principal.user_id or overseer)
        },
        "can_ask_assistance": can_ask,
        "assist_groups": service.department_choices(session) if can_ask else [],
        "assist_values": values or {},
        "assist_errors": None,
    }
