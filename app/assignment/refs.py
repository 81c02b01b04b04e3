"""Who handles each case, as lists and the case page show it (names read in one query each)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.assignment import repository
from app.assignment.schemas import DepartmentRef, StaffRef
from app.models import Case

Handling = tuple[StaffRef | None, DepartmentRef | None]


def handling(session: Session, cases: Sequence[Case]) -> dict[int, Handling]:
    """Case id -> (assignee, department), each None when the case has none."""
    people, depts = repository.names(
        session,
        {c.assignee_id for c in cases if c.assignee_id is not None},
        {c.department_id for c in cases if c.department_id is not None},
    )
    return {
        c.id: (
            StaffRef(id=c.assignee_id, name=people.get(c.assignee_id, ""))
            if c.assignee_id is not None
            else None,
            DepartmentRef(id=c.department_id, name=depts.get(c.department_id, ""))
            if c.department_id is not None
            else None,
        )
        for c in cases
    }
