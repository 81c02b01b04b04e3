"""API for departments (admin) and for claiming and assigning cases (签收、分办)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.assignment import service
from app.assignment.schemas import (
    AssignmentRead,
    AssignWrite,
    ClaimWrite,
    DepartmentCreate,
    DepartmentRead,
    DepartmentUpdate,
    MembersWrite,
)
from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.auth.roles import STAFF_ROLES, Role
from app.cases.router import READ_ROLES
from app.cases.service import load_case
from app.cases.versioning import IfMatch, split_version
from app.db import CommittingRoute, ReadSession, WriteSession
from app.fields import Code, RowId
from app.organs.router import ADMIN_ROLES
from app.runtime import RuntimeDep

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1")
Admin = Annotated[Principal, Depends(require_roles(*ADMIN_ROLES))]
Staff = Annotated[Principal, Depends(require_roles(*STAFF_ROLES))]
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Clerk = Annotated[Principal, Depends(require_roles(Role.clerk))]
# Who routes work: the office's head (负责人) and the supervisor (督办).
ASSIGN_ROLES = (Role.approver, Role.supervisor)
Assigner = Annotated[Principal, Depends(require_roles(*ASSIGN_ROLES))]


def _version(body_version: int | None, if_match: str | None) -> int | None:
    return split_version({} if body_version is None else {"version": body_version}, if_match)[1]


@router.get("/departments", tags=["departments"], summary="科室 / the organ's departments")
def list_departments(
    session: ReadSession,
    principal: Staff,
    organ_code: Annotated[
        Code | None, Query(description="只看该机关（平台管理员）/ only this organ")
    ] = None,
) -> list[DepartmentRead]:
    return service.list_departments(session, principal, organ_code=organ_code)


@router.post(
    "/departments",
    tags=["departments"],
    status_code=status.HTTP_201_CREATED,
    summary="新建科室 / create a department",
)
def create_department(
    data: DepartmentCreate, session: WriteSession, rt: RuntimeDep, admin: Admin
) -> DepartmentRead:
    return service.create_department(session, admin, data, now=rt.clock())


@router.patch(
    "/departments/{department_id}",
    tags=["departments"],
    summary="改名或停用科室 / rename or retire a department",
)
def update_department(
    department_id: RowId, data: DepartmentUpdate, session: WriteSession, admin: Admin
) -> DepartmentRead:
    return service.update_department(session, admin, department_id, data)


@router.put(
    "/departments/{department_id}/members",
    tags=["departments"],
    summary="设置科室成员 / set a department's members",
)
def set_members(
    department_id: RowId, data: MembersWrite, session: WriteSession, admin: Admin
) -> DepartmentRead:
    return service.set_members(session, admin, department_id, data)


@router.get(
    "/cases/{case_id}/assignment", tags=["cases"], summary="承办人与科室 / who handles the case"
)
def get_assignment(case_id: RowId, session: ReadSession, principal: Reader) -> AssignmentRead:
    return service.assignment_of(session, load_case(session, principal, case_id))


@router.post(
    "/cases/{case_id}/claim",
    tags=["cases"],
    summary="签收 / claim an unassigned case",
    description="承办人签收待签收的案件（已有承办人则 409，改派由负责人或督办分办）/ a clerk "
    "takes an unassigned case (409 when someone has it: reassignment is an approver's or "
    "supervisor's).",
)
def claim_case(
    case_id: RowId,
    session: WriteSession,
    rt: RuntimeDep,
    clerk: Clerk,
    data: ClaimWrite | None = None,
    if_match: IfMatch = None,
) -> AssignmentRead:
    version = _version(data.version if data else None, if_match)
    return service.claim(session, rt, clerk, case_id, version=version)


@router.post(
    "/cases/{case_id}/assign",
    tags=["cases"],
    summary="分办或改派 / assign or reassign a case",
    description="负责人或督办把案件交给本机关的承办人和/或科室，可附分办意见；时间线保留每次"
    "变更 / an approver or supervisor gives the case to a clerk and/or a department, with a "
    "note; the timeline keeps every change.",
)
def assign_case(
    case_id: RowId,
    data: AssignWrite,
    session: WriteSession,
    rt: RuntimeDep,
    assigner: Assigner,
    if_match: IfMatch = None,
) -> AssignmentRead:
    version = _version(data.version, if_match)
    return service.assign(
        session, rt, assigner, case_id, data.model_copy(update={"version": version})
    )
