"""The case page's 承办 section: who handles the case, and the claim and assignment forms the
user may use (the same rules the API's claim and assign routes apply)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.assignment.service import assign_options
from app.auth.principal import Principal
from app.auth.roles import Role
from app.cases.schemas import CaseRead
from app.runtime import Runtime

ASSIGNERS = frozenset({Role.approver, Role.supervisor})


def assignment_context(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case: CaseRead,
    *,
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    closed = rt.workflows[case.case_type].states[case.state].final
    organ_id = principal.organ_id
    can_assign = not closed and bool(principal.roles & ASSIGNERS) and organ_id is not None
    options = assign_options(session, organ_id) if can_assign and organ_id is not None else None
    return {
        "can_claim": not closed and case.assignee is None and Role.clerk in principal.roles,
        "can_assign": can_assign,
        "assign_clerks": [("", "（不指定承办人）"), *((str(i), n) for i, n in options.clerks)]
        if options
        else [],
        "assign_departments": [
            ("", "（不改变科室）"),
            *((str(i), n) for i, n in options.departments),
        ]
        if options
        else [],
        "assign_values": values or {},
        "assign_errors": None,
    }
