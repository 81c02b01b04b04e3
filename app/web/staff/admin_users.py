"""Administration of users (/staff/admin/users, admins only): the list, login names and passwords.

Roles, the active flag and new users are in admin_user_edit.py; tokens in admin_tokens.py.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from app.auth import repository
from app.auth.passwords import MIN_PASSWORD_LENGTH, PasswordSet, set_password
from app.auth.roles import ROLE_LABELS
from app.db import CommittingRoute, ReadSession, WriteSession
from app.errors import Conflict, NotFound
from app.fields import RowId
from app.models import User
from app.organs.router import ADMIN_ROLES
from app.runtime import Runtime, RuntimeDep
from app.web.forms import FieldErrors, read_form
from app.web.staff import nav
from app.web.staff.session import StaffCookie, Workbench, page_roles, staff_page, write_cookie

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

Admin = Annotated[Workbench, Depends(page_roles(*ADMIN_ROLES))]
nav.link("/staff/admin/users", "用户与密码", 70, ADMIN_ROLES)


_LABELS: dict[str, str] = {str(role): label for role, label in ROLE_LABELS.items()}


def role_names(roles: list[str]) -> str:
    """The roles as the pages name them."""
    return "、".join(_LABELS.get(r, r) for r in roles)


@router.get("/staff/admin/users", response_class=HTMLResponse)
def users(request: Request, rt: RuntimeDep, session: ReadSession, staff: Admin) -> Response:
    found = repository.users_with_organs(session)
    rows = [
        {"user": u, "organ": name or "平台（不属于机关）", "roles": role_names(u.roles)}
        for u, _code, name in found
    ]
    by_id = {str(u.id): u for u, _, _ in found}
    notices = {
        k: by_id.get(request.query_params.get(k, "")) for k in ("done", "changed", "created")
    }
    context = {"rows": rows, **{f"{k}_user": u for k, u in notices.items()}}
    return staff_page(request, rt, staff, "staff/admin_users.html", context)


def user_or_404(session: ReadSession | WriteSession, user_id: int) -> User:
    """The user, or the 404 page."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在 / user {user_id} not found")
    return user


def _form(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    user: User,
    login_name: str,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "user": user,
        "roles": role_names(user.roles),
        "login_name": login_name,
        "errors": errors,
        "min_length": MIN_PASSWORD_LENGTH,
    }
    return staff_page(
        request, rt, staff, "staff/admin_password.html", context, status_code=status_code
    )


@router.get("/staff/admin/users/{user_id}/password", response_class=HTMLResponse)
def password_form(
    user_id: RowId, request: Request, rt: RuntimeDep, session: ReadSession, staff: Admin
) -> Response:
    user = user_or_404(session, user_id)
    return _form(request, rt, staff, user, user.login_name or "")


@router.post("/staff/admin/users/{user_id}/password")
async def password_set(
    user_id: RowId, request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin
) -> Response:
    form = await read_form(request, rt)
    user = await run_in_threadpool(user_or_404, session, user_id)
    raw = {k: form.get(k) for k in ("login_name", "password", "confirm")}
    data = {k: v if isinstance(v, str) else "" for k, v in raw.items()}
    shown = data["login_name"][:64]
    try:
        checked = PasswordSet.model_validate(data)
        by = f"user {staff.principal.user_id} ({staff.principal.name}) on the admin page"
        # The hash takes 100+ ms: off the event loop.
        await run_in_threadpool(
            set_password, session, rt.settings, user.id, checked, now=rt.clock(), by=by
        )
    except ValidationError as exc:
        return _form(request, rt, staff, user, shown, FieldErrors.of_validation(exc), 422)
    except Conflict as exc:
        errors = FieldErrors.of_domain(exc, fallback="login_name")
        return _form(request, rt, staff, user, shown, errors, exc.status)
    response = RedirectResponse(f"/staff/admin/users?done={user.id}", status_code=303)
    if user.id == staff.principal.user_id:
        # Their own password: the other sessions end, this one carries on.
        mine = StaffCookie(user.id, user.session_generation, staff.cookie.started, 0)
        write_cookie(request, response, rt, mine)
    return response
