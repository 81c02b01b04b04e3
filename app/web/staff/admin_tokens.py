"""A user's API tokens in the workbench (/staff/admin/users/{id}/tokens, admins only): the list by
prefix, issuing one (the secret shown once, on the answer to the form) and revoking one, through
app.auth.service as the JSON routes (POST /api/v1/admin/users/{id}/tokens, DELETE
/api/v1/admin/tokens/{prefix}) do.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.auth import repository, service
from app.db import CommittingRoute, ReadSession, WriteSession
from app.errors import NotFound
from app.fields import RowId
from app.models import User
from app.organs.router import ADMIN_ROLES
from app.runtime import Runtime, RuntimeDep
from app.web.forms import FieldErrors, read_form
from app.web.staff.session import Workbench, page_roles, staff_page

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

Admin = Annotated[Workbench, Depends(page_roles(*ADMIN_ROLES))]


def _user(session: ReadSession | WriteSession, user_id: int) -> User:
    user = repository.get_user(session, user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在 / user {user_id} not found")
    return user


def _page(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    session: ReadSession | WriteSession,
    user: User,
    *,
    issued: str | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    done = request.query_params.get("revoked", "") if request.method == "GET" else ""
    context = {
        "user": user,
        "tokens": repository.tokens_of(session, user.id),
        "issued": issued,
        "revoked": done if done.isdigit() else None,
        "errors": errors,
    }
    return staff_page(
        request, rt, staff, "staff/admin_tokens.html", context, status_code=status_code
    )


@router.get("/staff/admin/users/{user_id}/tokens", response_class=HTMLResponse)
def tokens(
    user_id: RowId, request: Request, rt: RuntimeDep, session: ReadSession, staff: Admin
) -> Response:
    return _page(request, rt, staff, session, _user(session, user_id))


@router.post("/staff/admin/users/{user_id}/tokens", response_class=HTMLResponse)
async def issue(
    user_id: RowId, request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin
) -> Response:
    await read_form(request, rt)
    user = await run_in_threadpool(_user, session, user_id)
    secret = service.issue_token(session, rt.token_key, user.id, now=rt.clock())
    # Shown on this answer only (never stored, never in a URL); the page is not cached.
    return _page(request, rt, staff, session, user, issued=secret, status_code=201)


@router.post("/staff/admin/users/{user_id}/tokens/revoke", response_class=HTMLResponse)
async def revoke(
    user_id: RowId, request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin
) -> Response:
    form = await read_form(request, rt)
    user = await run_in_threadpool(_user, session, user_id)
    prefix = form.get("prefix")
    mine = {t.prefix for t in repository.tokens_of(session, user.id) if t.revoked_at is None}
    if not isinstance(prefix, str) or prefix not in mine:
        errors = FieldErrors()
        errors.add("prefix", "该用户没有这个有效令牌")
        return _page(request, rt, staff, session, user, errors=errors, status_code=422)
    count = service.revoke_token(session, prefix, now=rt.clock())
    return RedirectResponse(f"/staff/admin/users/{user.id}/tokens?revoked={count}", status_code=303)
