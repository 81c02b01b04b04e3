"""Signing in to the workbench and out of it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.auth.passwords import MAX_PASSWORD_LENGTH, end_sessions
from app.auth.signin import sign_in
from app.db import CommittingRoute
from app.errors import TooManyAttempts
from app.http.client import client_of
from app.runtime import Runtime, RuntimeDep
from app.web.errors import wait_in_words
from app.web.forms import FieldErrors, read_form
from app.web.portal import local_path
from app.web.staff.session import (
    HOME_PATH,
    LOGIN_PATH,
    forget_session,
    read_cookie,
    start_session,
)
from app.web.templating import render

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

WRONG = "登录名或密码不正确"


def login_form(
    request: Request,
    rt: Runtime,
    *,
    next_path: str,
    login_name: str = "",
    errors: FieldErrors | None = None,
    wait: str | None = None,
    oidc_error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The sign-in page; with the identity provider's button when one is configured."""
    context = {
        "next": next_path,
        "login_name": login_name,
        "errors": errors,
        "wait": wait,
        "oidc_name": rt.oidc.name if rt.oidc is not None else None,
        "oidc_error": oidc_error,
    }
    return render(
        request, rt, "staff/login.html", context, status_code=status_code, headers=headers
    )


@router.get(LOGIN_PATH, response_class=HTMLResponse)
def login_page(request: Request, rt: RuntimeDep, next: str = HOME_PATH) -> Response:
    return login_form(request, rt, next_path=local_path(next, HOME_PATH))


@router.post(LOGIN_PATH)
async def login(request: Request, rt: RuntimeDep) -> Response:
    form = await read_form(request, rt)
    next_path = local_path(form.get("next"), HOME_PATH)
    name, password = form.get("login_name"), form.get("password")
    name = name.strip() if isinstance(name, str) else ""
    password = password if isinstance(password, str) else ""
    errors = FieldErrors()
    if not name:
        errors.add("login_name", "请填写登录名")
    elif len(name) > 64:
        errors.add("login_name", WRONG)
    if not password:
        errors.add("password", "请填写密码")
    elif len(password) > MAX_PASSWORD_LENGTH:
        errors.add("password", f"密码不超过 {MAX_PASSWORD_LENGTH} 个字符")
    if errors:
        return login_form(
            request, rt, next_path=next_path, login_name=name[:64], errors=errors, status_code=422
        )
    try:
        # The hash takes 100+ ms: off the event loop.
        who = await run_in_threadpool(sign_in, rt, name, password, client_of(request, rt))
    except TooManyAttempts as exc:
        seconds = int(exc.extra["retry_after"])
        braked = FieldErrors()
        braked.add("login_name", f"登录失败次数过多，请在 {wait_in_words(seconds)} 后再试")
        return login_form(
            request,
            rt,
            next_path=next_path,
            login_name=name,
            errors=braked,
            wait=wait_in_words(seconds),
            status_code=429,
            headers=exc.headers,
        )
    if who is None:
        wrong = FieldErrors()
        wrong.add("password", WRONG)
        return login_form(
            request, rt, next_path=next_path, login_name=name, errors=wrong, status_code=401
        )
    response = RedirectResponse(next_path, status_code=303)
    start_session(request, response, rt, who.user_id, who.generation)
    return response


@router.post("/staff/logout")
async def logout(request: Request, rt: RuntimeDep) -> Response:
    """Sign out: this user's sessions end in every browser (the generation moves on)."""
    await read_form(request, rt)
    cookie = read_cookie(request, rt)
    if cookie is not None:
        await run_in_threadpool(_end_sessions, rt, cookie.user_id, cookie.generation)
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    forget_session(request, response)
    return response


def _end_sessions(rt: Runtime, user_id: int, generation: int) -> None:
    with rt.sessions.write.begin() as session:
        end_sessions(session, user_id, generation)
