"""Editing users in the workbench (admins only): a user's roles and active flag
(/staff/admin/users/{id}/roles, through app.organs.service.update_user as PUT
/api/v1/admin/users/{id} does) and a new user who signs in with a login name and password
(/staff/admin/users/new, through the same checks as POST /api/v1/admin/users).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from app.auth.passwords import MIN_PASSWORD_LENGTH, PasswordSet
from app.auth.roles import ROLE_LABELS, STAFF_ROLES
from app.db import CommittingRoute, ReadSession, WriteSession
from app.errors import DomainError
from app.fields import RowId
from app.models import User
from app.organs import repository as organs_repository
from app.organs import service
from app.organs.router import ADMIN_ROLES
from app.organs.schemas import UserCreate, UserUpdate
from app.runtime import Runtime, RuntimeDep
from app.web.forms import FieldErrors, read_form
from app.web.staff.admin_users import user_or_404
from app.web.staff.session import Workbench, page_roles, staff_page

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

Admin = Annotated[Workbench, Depends(page_roles(*ADMIN_ROLES))]

# The staff roles in the order RULES §1 lists them, as the check boxes offer them.
ROLE_OPTIONS = [(str(role), label) for role, label in ROLE_LABELS.items() if role in STAFF_ROLES]
NO_ORGAN = ""


def _texts(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)][:20]


def _text(form: FormData, name: str, limit: int = 300) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _roles_page(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    session: ReadSession | WriteSession,
    user: User,
    values: dict[str, Any],
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    organ = organs_repository.organ_by_id(session, user.organ_id) if user.organ_id else None
    context = {
        "user": user,
        "organ": organ.name if organ else None,
        "own": user.id == staff.principal.user_id,
        "role_options": ROLE_OPTIONS,
        "values": values,
        "errors": errors,
    }
    return staff_page(
        request, rt, staff, "staff/admin_user_roles.html", context, status_code=status_code
    )


@router.get("/staff/admin/users/{user_id}/roles", response_class=HTMLResponse)
def roles_form(
    user_id: RowId, request: Request, rt: RuntimeDep, session: ReadSession, staff: Admin
) -> Response:
    user = user_or_404(session, user_id)
    values = {"roles": list(user.roles), "active": user.active}
    return _roles_page(request, rt, staff, session, user, values)


@router.post("/staff/admin/users/{user_id}/roles", response_class=HTMLResponse)
async def roles_set(
    user_id: RowId, request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin
) -> Response:
    form = await read_form(request, rt)
    return await run_in_threadpool(_roles_set, request, rt, session, staff, user_id, form)


def _roles_set(
    request: Request,
    rt: Runtime,
    session: WriteSession,
    staff: Workbench,
    user_id: int,
    form: FormData,
) -> Response:
    user = user_or_404(session, user_id)
    values = {"roles": _texts(form, "roles"), "active": form.get("active") == "true"}
    try:
        data = UserUpdate.model_validate(values)
        by = f"user {staff.principal.user_id} ({staff.principal.name}) on the admin page"
        service.update_user(session, user.id, data, actor=staff.principal, by=by)
    except ValidationError as exc:
        errors = FieldErrors.of_validation(exc)
        return _roles_page(request, rt, staff, session, user, values, errors, 422)
    except DomainError as exc:
        errors = FieldErrors.of_domain(exc, fallback="roles")
        return _roles_page(request, rt, staff, session, user, values, errors, exc.status)
    return RedirectResponse(f"/staff/admin/users?changed={user.id}", status_code=303)


def _new_page(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    session: ReadSession | WriteSession,
    values: dict[str, Any],
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    organs = [(NO_ORGAN, "平台（不属于机关，仅系统管理员）")]
    organs += [(o.code, o.name) for o in service.list_organs(session)]
    context = {
        "organs": organs,
        "role_options": ROLE_OPTIONS,
        "values": values,
        "errors": errors,
        "min_length": MIN_PASSWORD_LENGTH,
    }
    return staff_page(
        request, rt, staff, "staff/admin_user_new.html", context, status_code=status_code
    )


@router.get("/staff/admin/users/new", response_class=HTMLResponse)
def new_form(request: Request, rt: RuntimeDep, session: ReadSession, staff: Admin) -> Response:
    values = {"organ_code": NO_ORGAN, "name": "", "roles": [], "login_name": ""}
    return _new_page(request, rt, staff, session, values)


@router.post("/staff/admin/users/new", response_class=HTMLResponse)
async def new_user(
    request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin
) -> Response:
    form = await read_form(request, rt)
    return await run_in_threadpool(_new_user, request, rt, session, staff, form)


def _new_user(
    request: Request, rt: Runtime, session: WriteSession, staff: Workbench, form: FormData
) -> Response:
    values: dict[str, Any] = {
        "organ_code": _text(form, "organ_code", 64),
        "name": _text(form, "name"),
        "roles": _texts(form, "roles"),
        "login_name": _text(form, "login_name", 64),
    }
    errors = FieldErrors()
    user_data = password = None
    try:
        fields = {"name": values["name"], "roles": values["roles"]}
        user_data = UserCreate.model_validate(
            {**fields, "organ_code": values["organ_code"] or None}
        )
    except ValidationError as exc:
        errors.by_field.update(FieldErrors.of_validation(exc).by_field)
    secrets = {"password": _text(form, "password", 1000), "confirm": _text(form, "confirm", 1000)}
    try:
        password = PasswordSet.model_validate({"login_name": values["login_name"], **secrets})
    except ValidationError as exc:
        for name, message in FieldErrors.of_validation(exc).items():
            errors.add(name, message)
    if user_data is None or password is None:
        return _new_page(request, rt, staff, session, values, errors, 422)
    try:
        by = f"user {staff.principal.user_id} ({staff.principal.name}) on the admin page"
        created = service.create_user_with_password(
            session, rt.settings, user_data, password, now=rt.clock(), by=by
        )
    except DomainError as exc:
        errors = FieldErrors.of_domain(exc, fallback="name")
        return _new_page(request, rt, staff, session, values, errors, exc.status)
    return RedirectResponse(f"/staff/admin/users?created={created.id}", status_code=303)
