"""Every SQL statement of assistance requests."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.orm import Session

from app.db import table_of
from app.models import (
    AssistanceFile,
    AssistanceRequest,
    Case,
    CaseItem,
    Department,
    DepartmentMember,
    Organ,
)

_FILES = table_of(AssistanceFile)
OPEN = "open"


def request(
    session: Session, request_id: int, *, for_update: bool = False
) -> AssistanceRequest | None:
    q = select(AssistanceRequest).where(AssistanceRequest.id == request_id)
    if for_update:
        q = q.with_for_update()
    return session.scalars(q).one_or_none()


def of_case(session: Session, case_id: int) -> list[AssistanceRequest]:
    q = (
        select(AssistanceRequest)
        .where(AssistanceRequest.case_id == case_id)
        .order_by(AssistanceRequest.created_at, AssistanceRequest.id)
    )
    return list(session.scalars(q))


def addressed_to(
    session: Session, department_ids: Collection[int], statuses: Sequence[str]
) -> list[AssistanceRequest]:
    """Requests to these departments in these statuses: open first, by due date."""
    if not department_ids:
        return []
    q = (
        select(AssistanceRequest)
        .where(
            AssistanceRequest.department_id.in_(list(department_ids)),
            AssistanceRequest.status.in_(list(statuses)),
        )
        .order_by(
            (AssistanceRequest.status != OPEN),
            AssistanceRequest.due_on,
            AssistanceRequest.id,
        )
        .limit(500)
    )
    return list(session.scalars(q))


def add_files(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(_FILES), rows)


def files_of(session: Session, request_ids: Collection[int]) -> dict[int, list[AssistanceFile]]:
    out: dict[int, list[AssistanceFile]] = {r: [] for r in request_ids}
    if not request_ids:
        return out
    q = (
        select(AssistanceFile)
        .where(AssistanceFile.request_id.in_(list(request_ids)))
        .order_by(AssistanceFile.id)
    )
    for f in session.scalars(q):
        out[f.request_id].append(f)
    return out


def file(session: Session, request_id: int, file_id: int) -> AssistanceFile | None:
    q = select(AssistanceFile).where(
        AssistanceFile.id == file_id, AssistanceFile.request_id == request_id
    )
    return session.scalars(q).one_or_none()


def department_with_organ(session: Session, department_id: int) -> tuple[Department, Organ] | None:
    q = (
        select(Department, Organ)
        .join(Organ, Organ.id == Department.organ_id)
        .where(Department.id == department_id)
    )
    row = session.execute(q).first()
    return None if row is None else (row[0], row[1])


def departments_named(session: Session, ids: Collection[int]) -> dict[int, tuple[str, str, str]]:
    """Department id -> (name, organ code, organ name)."""
    if not ids:
        return {}
    q = (
        select(Department.id, Department.name, Organ.code, Organ.name)
        .join(Organ, Organ.id == Department.organ_id)
        .where(Department.id.in_(list(ids)))
    )
    return {int(i): (str(n), str(c), str(o)) for i, n, c, o in session.execute(q)}


def organ_names(session: Session, ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    q = select(Organ.id, Organ.name).where(Organ.id.in_(list(ids)))
    return {int(i): str(n) for i, n in session.execute(q)}


def items_of(session: Session, case_ids: Collection[int]) -> dict[int, list[CaseItem]]:
    out: dict[int, list[CaseItem]] = {c: [] for c in case_ids}
    if not case_ids:
        return out
    q = select(CaseItem).where(CaseItem.case_id.in_(list(case_ids))).order_by(CaseItem.position)
    for item in session.scalars(q):
        out[item.case_id].append(item)
    return out


def case_numbers(session: Session, case_ids: Collection[int]) -> dict[int, str]:
    if not case_ids:
        return {}
    q = select(Case.id, Case.number).where(Case.id.in_(list(case_ids)))
    return {int(i): str(n) for i, n in session.execute(q)}


def is_member(session: Session, department_id: int, user_id: int) -> bool:
    q = select(DepartmentMember.user_id).where(
        DepartmentMember.department_id == department_id, DepartmentMember.user_id == user_id
    )
    return session.scalar(q) is not None


def platform_departments(session: Session) -> list[tuple[int, str, str, str]]:
    """(id, name, organ code, organ name) of every department in use, by organ then name."""
    q = (
        select(Department.id, Department.name, Organ.code, Organ.name)
        .join(Organ, Organ.id == Department.organ_id)
        .where(Department.active.is_(True))
        .order_by(Organ.code, Department.name)
    )
    return [(int(i), str(n), str(c), str(o)) for i, n, c, o in session.execute(q)]


def overdue_cases_condition(today: date) -> Select[int]:
    """The ids of cases with an open request past its internal date (协办逾期)."""
    return select(AssistanceRequest.case_id).where(
        AssistanceRequest.status == OPEN, AssistanceRequest.due_on < today
    )


def overdue_among(session: Session, case_ids: Collection[int], today: date) -> set[int]:
    if not case_ids:
        return set()
    q = overdue_cases_condition(today).where(AssistanceRequest.case_id.in_(list(case_ids)))
    return {int(c) for c in session.scalars(q)}
