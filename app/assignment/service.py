"""Departments and who handles a case: claims (签收), assignments (分办), reassignments.

A new case has no assignee: it waits in the organ's unassigned queue. A clerk claims one
(the case becomes theirs; routed to their department when they belong to exactly one), or a
supervisor or approver assigns it to a clerk and/or a department with a note, and may reassign
it later. Each change goes through the one write path (`record_beside`): the case's version
moves, the timeline keeps who had it before and after, and a `case.assigned` event tells the
new assignee (or the department's members) through the outbox. Nothing here touches the
statutory clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.assignment import repository
from app.assignment.refs import handling
from app.assignment.schemas import (
    AssignmentRead,
    AssignWrite,
    DepartmentCreate,
    DepartmentRead,
    DepartmentUpdate,
    MembersWrite,
    StaffRef,
)
from app.auth.principal import Actor, Principal
from app.auth.roles import Role
from app.cases.service import load_case
from app.errors import Conflict, InvalidInput, NotFound
from app.models import Case, Department
from app.organs import repository as organs
from app.organs.scope import organ_for
from app.outbox.service import CaseRef, assigned_messages
from app.runtime import Runtime
from app.workflow.decision import CaseUpdate
from app.workflow.write import VersionConflict, record_beside

CLAIM = "claim_case"
ASSIGN = "assign_case"


class AlreadyAssigned(Conflict):
    code = "already-assigned"
    title = "该案件已有承办人 / The case already has an assignee"


class CaseClosed(Conflict):
    code = "case-closed"
    title = "案件已办结 / The case is closed"


class NoChange(Conflict):
    code = "no-change"
    title = "承办人和科室均未改变 / Neither the assignee nor the department changes"


class DepartmentNotFound(NotFound):
    """Answers like any unknown id (the id-range test compares code and title)."""


# --- departments --------------------------------------------------------------------------


def _read(session: Session, rows: list[tuple[Department, str]]) -> list[DepartmentRead]:
    members = repository.members(session, [d.id for d, _ in rows])
    return [
        DepartmentRead(
            id=d.id,
            organ_code=code,
            name=d.name,
            active=d.active,
            members=[StaffRef(id=u, name=n) for u, n in members[d.id]],
        )
        for d, code in rows
    ]


def list_departments(
    session: Session, principal: Principal, *, organ_code: str | None = None
) -> list[DepartmentRead]:
    """The caller's organ's departments (a platform administrator: every organ's, or one)."""
    organ_id = principal.organ_id
    if organ_id is None and organ_code is not None:
        organ = organs.organ_by_code(session, organ_code)
        if organ is None:
            return []
        organ_id = organ.id
    rows = repository.departments(session, organ_id)
    if organ_code is not None:
        rows = [(d, code) for d, code in rows if code == organ_code]
    return _read(session, rows)


def _department(session: Session, principal: Principal, department_id: int) -> Department:
    dept = repository.department(session, department_id, for_update=True)
    if dept is None or (principal.organ_id is not None and dept.organ_id != principal.organ_id):
        raise DepartmentNotFound(f"没有科室 {department_id} / no department {department_id}")
    return dept


def _one(session: Session, dept: Department) -> DepartmentRead:
    organ = organs.organ_by_id(session, dept.organ_id)
    assert organ is not None
    return _read(session, [(dept, organ.code)])[0]


def _unique_name(session: Session, organ_id: int, name: str, *, but: int | None = None) -> None:
    same = repository.by_name(session, organ_id, name)
    if same is not None and same.id != but:
        raise InvalidInput(("body", "name"), f"本机关已有科室“{name}” / the organ has one already")


def create_department(
    session: Session, principal: Principal, data: DepartmentCreate, *, now: datetime
) -> DepartmentRead:
    organ = organ_for(session, principal, data.organ_code)
    _unique_name(session, organ.id, data.name)
    dept = Department(organ_id=organ.id, name=data.name, active=True, created_at=now)
    session.add(dept)
    try:
        session.flush()
    except IntegrityError:  # a concurrent create of the same name
        raise InvalidInput(
            ("body", "name"), "本机关已有同名科室 / the organ has one already"
        ) from None
    return _one(session, dept)


def update_department(
    session: Session, principal: Principal, department_id: int, data: DepartmentUpdate
) -> DepartmentRead:
    dept = _department(session, principal, department_id)
    if data.name is not None:
        _unique_name(session, dept.organ_id, data.name, but=dept.id)
        dept.name = data.name
    if data.active is not None:
        dept.active = data.active
    session.flush()
    return _one(session, dept)


def set_members(
    session: Session, principal: Principal, department_id: int, data: MembersWrite
) -> DepartmentRead:
    """Replace the department's members: staff of its organ only."""
    dept = _department(session, principal, department_id)
    ids = list(dict.fromkeys(data.user_ids))
    found = repository.users(session, ids)
    for i, uid in enumerate(ids):
        user = found.get(uid)
        if user is None or user.organ_id != dept.organ_id:
            raise InvalidInput(
                ("body", "user_ids", i),
                f"用户 {uid} 不是本机关工作人员 / user {uid} is not staff of the organ",
            )
    repository.replace_members(session, dept.id, ids)
    return _one(session, dept)


# --- claims and assignments ---------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """Who handles the case and in which department (ids), as the event records them."""

    assignee_id: int | None
    department_id: int | None

    def as_dict(self) -> dict[str, Any]:
        return {"assignee_id": self.assignee_id, "department_id": self.department_id}


def _open_case(
    session: Session, rt: Runtime, principal: Principal, case_id: int, version: int | None
) -> Case:
    case = load_case(session, principal, case_id, for_update=True)
    if version is not None and version != case.version:
        raise VersionConflict(
            f"案件版本为 {case.version}，请求基于 {version} / the case is at version "
            f"{case.version}, the request was based on {version}",
            case_id=case.id,
            version=case.version,
        )
    if rt.workflow_for(case).states[case.state].final:
        raise CaseClosed("已办结的案件不再分办 / a closed case is not assigned")
    return case


def _record(
    session: Session,
    rt: Runtime,
    case: Case,
    principal: Principal,
    action: str,
    after: Assignment,
    extra: dict[str, Any],
) -> AssignmentRead:
    before = Assignment(case.assignee_id, case.department_id)
    record_beside(
        session,
        rt,
        case,
        Actor.of(principal),
        action,
        {"before": before.as_dict(), "after": after.as_dict(), **extra},
        update=CaseUpdate(assignee_id=after.assignee_id, department_id=after.department_id),
        messages=assigned_messages(
            CaseRef(case.id, case.organ_id, case.number, case.case_type, case.state),
            action=action,
            assignee_id=after.assignee_id,
            department_id=after.department_id,
            previous_assignee_id=before.assignee_id,
        ),
    )
    return assignment_of(session, case)


def assignment_of(session: Session, case: Case) -> AssignmentRead:
    assignee, department = handling(session, [case])[case.id]
    return AssignmentRead(
        case_id=case.id,
        number=case.number,
        version=case.version,
        assignee=assignee,
        department=department,
    )


def claim(
    session: Session, rt: Runtime, principal: Principal, case_id: int, *, version: int | None
) -> AssignmentRead:
    """签收: a clerk takes an unassigned case (or one routed to their department)."""
    case = _open_case(session, rt, principal, case_id, version)
    if case.assignee_id == principal.user_id:
        raise AlreadyAssigned("您已签收该案件 / you have claimed it already")
    if case.assignee_id is not None:
        people, _ = repository.names(session, [case.assignee_id], [])
        raise AlreadyAssigned(
            f"已由 {people.get(case.assignee_id, case.assignee_id)} 承办；改派请由负责人分办 / "
            "someone handles it; a supervisor or approver reassigns",
            assignee_id=case.assignee_id,
        )
    mine = repository.departments_of_user(session, principal.user_id)
    department = case.department_id
    if department is None and len(mine) == 1:
        department = mine[0]
    return _record(
        session, rt, case, principal, CLAIM, Assignment(principal.user_id, department), {}
    )


def assign(
    session: Session, rt: Runtime, principal: Principal, case_id: int, data: AssignWrite
) -> AssignmentRead:
    """分办 or 改派: a supervisor or approver gives the case to a clerk and/or a department."""
    case = _open_case(session, rt, principal, case_id, data.version)
    organ_id = case.organ_id
    department = case.department_id
    if data.department_id is not None:
        dept = repository.department(session, data.department_id)
        if dept is None or dept.organ_id != organ_id or not dept.active:
            raise InvalidInput(
                ("body", "department_id"),
                f"本机关没有在用的科室 {data.department_id} / no such department in use",
            )
        department = dept.id
    assignee = case.assignee_id
    if data.assignee_id is not None:
        user = repository.users(session, [data.assignee_id]).get(data.assignee_id)
        if (
            user is None
            or user.organ_id != organ_id
            or not user.active
            or Role.clerk not in (user.roles or [])
        ):
            raise InvalidInput(
                ("body", "assignee_id"),
                f"用户 {data.assignee_id} 不是本机关在岗承办人 / not an active clerk of the organ",
            )
        if data.department_id is not None and not repository.is_member(
            session, data.department_id, user.id
        ):
            raise InvalidInput(
                ("body", "assignee_id"),
                f"{user.name} 不属于所选科室 / the clerk is not in that department",
            )
        assignee = user.id
    elif data.department_id is not None and data.department_id != case.department_id:
        # Routed to another department only: its members claim it.
        assignee = None
    after = Assignment(assignee, department)
    if after == Assignment(case.assignee_id, case.department_id):
        raise NoChange("承办人和科室均未改变 / nothing changes")
    return _record(
        session, rt, case, principal, ASSIGN, after, {"note": data.note} if data.note else {}
    )


@dataclass(frozen=True)
class AssignOptions:
    """What the assignment form offers: the organ's active clerks and departments in use."""

    clerks: list[tuple[int, str]]
    departments: list[tuple[int, str]]


def assign_options(session: Session, organ_id: int) -> AssignOptions:
    return AssignOptions(
        clerks=repository.assignable_clerks(session, organ_id),
        departments=[
            (d.id, d.name) for d, _ in repository.departments(session, organ_id) if d.active
        ],
    )


def department_for_admin(
    session: Session, principal: Principal, department_id: int
) -> DepartmentRead:
    """One department as its organ's administrator (or a platform administrator) sees it."""
    dept = repository.department(session, department_id)
    if dept is None or (principal.organ_id is not None and dept.organ_id != principal.organ_id):
        raise DepartmentNotFound(f"没有科室 {department_id} / no department {department_id}")
    return _one(session, dept)


def member_options(session: Session, department_id: int) -> list[tuple[int, str, list[str]]]:
    """Who may be a member of the department: its organ's active staff."""
    dept = repository.department(session, department_id)
    return [] if dept is None else repository.organ_staff(session, dept.organ_id)
