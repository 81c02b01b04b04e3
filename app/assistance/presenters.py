"""Assistance requests as both sides read them: names, items and files, one query each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from app.assignment import repository as departments
from app.assignment.schemas import StaffRef
from app.assistance import repository
from app.assistance.schemas import AssistanceFileRead, AssistanceRead, DepartmentOf
from app.cases.schemas import ItemRead
from app.models import AssistanceRequest
from app.notices.kinds import ASSISTANCE_OUTCOME_LABELS

OPEN = "open"


def present(
    session: Session, today: date, rows: Sequence[AssistanceRequest]
) -> list[AssistanceRead]:
    """The requests with names, items and files, each kind read in one query."""
    user_ids = {r.requested_by_id for r in rows} | {
        r.answered_by_id for r in rows if r.answered_by_id is not None
    }
    people, _ = departments.names(session, user_ids, [])
    depts = repository.departments_named(session, {r.department_id for r in rows})
    organs = repository.organ_names(session, {r.organ_id for r in rows})
    case_ids = {r.case_id for r in rows}
    numbers = repository.case_numbers(session, case_ids)
    items = repository.items_of(session, case_ids)
    files = repository.files_of(session, [r.id for r in rows])
    out = []
    for r in rows:
        name, organ_code, organ_name = depts.get(r.department_id, ("", "", ""))
        out.append(
            AssistanceRead(
                id=r.id,
                case_id=r.case_id,
                case_number=numbers.get(r.case_id, ""),
                requesting_organ=organs.get(r.organ_id, ""),
                department=DepartmentOf(
                    id=r.department_id, name=name, organ_code=organ_code, organ_name=organ_name
                ),
                requested_by=StaffRef(id=r.requested_by_id, name=people.get(r.requested_by_id, "")),
                text=r.text,
                items=[
                    ItemRead(
                        position=i.position,
                        description=i.description,
                        document_number=i.document_number,
                    )
                    for i in items.get(r.case_id, [])
                ],
                working_days=r.working_days,
                due_on=r.due_on,
                overdue=r.status == OPEN and r.due_on < today,
                status=r.status,
                answer=r.answer,
                answer_label=ASSISTANCE_OUTCOME_LABELS.get(r.answer) if r.answer else None,
                answer_text=r.answer_text,
                answered_by=StaffRef(id=r.answered_by_id, name=people.get(r.answered_by_id, ""))
                if r.answered_by_id is not None
                else None,
                answered_at=r.answered_at,
                withdrawn_at=r.withdrawn_at,
                created_at=r.created_at,
                files=[
                    AssistanceFileRead(
                        id=f.id,
                        filename=f.filename,
                        content_type=f.content_type,
                        size=f.size,
                        sha256=f.sha256,
                    )
                    for f in files.get(r.id, [])
                ],
            )
        )
    return out
