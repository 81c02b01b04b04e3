"""Departments in the workbench (/staff/admin/departments, admins only): the list, a new
department, and one department's name, state and members — through app.assignment.service, as
the JSON routes (/api/v1/departments) do."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.assignment import service
from app.assignment.schemas import DepartmentCreate, DepartmentUpdate, MembersWrite
from app.auth.roles import ROLE_LABELS, Role
from app.db import CommittingRoute, ReadSession, WriteSession
from app.errors import DomainError
from app.fields import RowId
from app.organs import service as organs
from app.organs.router import ADMIN_ROLES
from app.runtime import Runtime, RuntimeDep
from app.web.forms import FieldErrors, read_form
from app.web.staff import nav
from app.web.staff.session import Workbench, page_roles, staff_page

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

Admin = Annotated[Workbench, Depends(page_roles(*ADMIN_ROLES))]
nav.link("/staff/admin/departments", "科室", 72, ADMIN_ROLES)
LIST = "/staff/admin/departments"


def _text(form: FormData, name: str, limit: int = 200) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _list_page(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    session: Session,
    *,
    values: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    platform = staff.principal.organ_id is None
    context = {
        "rows": service.list_departments(session, staff.principal),
        "platform": platform,
        "organ_options": [(o.code, o.name) for o in organs.list_organs(session)]
        if platform
        else [],
        "values": values or {"name": "", "organ_code": ""},
        "errors": errors,
        "saved": request.query_params.get("saved") == "1",
    }
    return staff_page(
        request, rt, staff, "staff/admin_departments.html", context, status_code=status_code
    )


@router.get(LIST, response_class=HTMLResponse)
def departments(request: Request, rt: RuntimeDep, session: ReadSession, staff: Admin) -> Response:
    return _list_page(request, rt, staff, session)


def _create(
    request: Request, rt: Runtime, session: Session, staff: Workbench, form: FormData
) -> Response:
    values = {"name": _text(form, "name"), "organ_code": _text(form, "organ_code", 40)}
    try:
        data = DepartmentCreate.model_validate(
            {"name": values["name"], "organ_code": values["organ_code"] or None}
        )
        dept = service.create_department(session, staff.principal, data, now=rt.clock())
    except ValidationError as exc:
        errors = FieldErrors.of_validation(exc)
    except DomainError as exc:
        errors = FieldErrors.of_domain(exc, fallback="name")
    else:
        return RedirectResponse(f"{LIST}/{dept.id}?created=1", status_code=303)
    session.rollback()
    return _list_page(request, rt, staff, session, values=values, errors=errors, status_code=422)


@router.post(LIST, response_class=HTMLResponse)
async def create(request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin) -> Response:
    form = await read_form(request, rt)
    return await run_in_threadpool(_create, request, rt, session, staff, form)


def _edit_page(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    session: Session,
    department_id: int,
    *,
    values: dict[str, object] | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    dept = service.department_for_admin(session, staff.principal, department_id)
    people = service.member_options(session, department_id)
    member_ids = {str(m.id) for m in dept.members}
    context = {
        "dept": dept,
        "member_options": [
            (
                str(uid),
                name,
                "、".join(ROLE_LABELS.get(Role(r), r) for r in roles if r in Role.__members__),
            )
            for uid, name, roles in people
        ],
        "values": values
        or {"name": dept.name, "active": dept.active, "members": sorted(member_ids)},
        "errors": errors,
        "created": request.query_params.get("created") == "1",
        "saved": request.query_params.get("saved") == "1",
    }
    return staff_page(
        request, rt, staff, "staff/admin_department.html", context, status_code=status_code
    )


@router.get(f"{LIST}/{{department_id}}", response_class=HTMLResponse)
def department(
    department_id: RowId, request: Request, rt: RuntimeDep, session: ReadSession, staff: Admin
) -> Response:
    return _edit_page(request, rt, staff, session, department_id)


def _save(
    request: Request,
    rt: Runtime,
    session: Session,
    staff: Workbench,
    department_id: int,
    form: FormData,
) -> Response:
    members = [v for v in form.getlist("members") if isinstance(v, str)][:500]
    values: dict[str, object] = {
        "name": _text(form, "name"),
        "active": form.get("active") == "true",
        "members": members,
    }
    try:
        service.update_department(
            session,
            staff.principal,
            department_id,
            DepartmentUpdate.model_validate({"name": values["name"], "active": values["active"]}),
        )
        service.set_members(
            session,
            staff.principal,
            department_id,
            MembersWrite.model_validate({"user_ids": members}),
        )
    except ValidationError as exc:
        errors = FieldErrors.of_validation(exc)
    except DomainError as exc:
        if exc.status == 404:
            raise
        errors = FieldErrors.of_domain(exc, fallback="name")
    else:
        return RedirectResponse(f"{LIST}/{department_id}?saved=1", status_code=303)
    session.rollback()
    # user_ids.3 → the members' checkboxes
    folded = FieldErrors()
    for name, message in errors.items():
        folded.add("members" if name.startswith("user_ids") else name, message)
    return _edit_page(
        request, rt, staff, session, department_id, values=values, errors=folded, status_code=422
    )


@router.post(f"{LIST}/{{department_id}}", response_class=HTMLResponse)
async def save(
    department_id: RowId, request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin
) -> Response:
    form = await read_form(request, rt)
    return await run_in_threadpool(_save, request, rt, session, staff, department_id, form)
