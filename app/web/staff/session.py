"""The workbench's browser session: the signed `gk_staff` cookie, the page dependency, rendering.

The cookie (HttpOnly, SameSite=Strict, Secure over HTTPS, path /staff) holds the user id, the
user's session generation when they signed in, when they signed in and when they last viewed a
page, signed with the deployment's key. It is good while the user is active, the generation is
still theirs (a sign-out or a new password moves it on), the last view is within the idle
timeout and the sign-in within the absolute lifetime; each page view renews it. The times are
the runtime's clock, so tests drive them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeSerializer

from app.assignment.repository import departments_of_user
from app.auth.dependencies import check_roles
from app.auth.principal import Principal
from app.auth.signin import session_principal
from app.runtime import Runtime, RuntimeDep
from app.web.portal import local_path
from app.web.staff.nav import links_for
from app.web.templating import render

STAFF_COOKIE = "gk_staff"
STAFF_PATH = "/staff"
LOGIN_PATH = "/staff/login"
HOME_PATH = "/staff/"


@dataclass(frozen=True)
class StaffCookie:
    user_id: int
    generation: int
    started: int  # epoch seconds of the sign-in
    seen: int  # epoch seconds of the last page view


def _serializer(rt: Runtime) -> URLSafeSerializer:
    return URLSafeSerializer(rt.token_key, salt="gongkai.staff.session")


def _now(rt: Runtime) -> int:
    return int(rt.clock().timestamp())


def write_cookie(request: Request, response: Response, rt: Runtime, cookie: StaffCookie) -> None:
    """Send the session cookie (renewed: `seen` is now)."""
    value = _serializer(rt).dumps(
        {"u": cookie.user_id, "g": cookie.generation, "s": cookie.started, "v": _now(rt)}
    )
    response.set_cookie(
        STAFF_COOKIE,
        value,
        max_age=rt.settings.staff_session_idle_minutes * 60,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path=STAFF_PATH,
    )


def start_session(
    request: Request, response: Response, rt: Runtime, user_id: int, generation: int
) -> None:
    """A fresh session after signing in."""
    now = _now(rt)
    write_cookie(request, response, rt, StaffCookie(user_id, generation, now, now))


def read_cookie(request: Request, rt: Runtime) -> StaffCookie | None:
    """The session cookie if it is genuine and neither idle too long nor too old."""
    value = request.cookies.get(STAFF_COOKIE)
    if not value or len(value) > 500:
        return None
    try:
        data = _serializer(rt).loads(value)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    fields = [data.get(k) for k in ("u", "g", "s", "v")]
    if not all(isinstance(f, int) and not isinstance(f, bool) for f in fields):
        return None
    cookie = StaffCookie(*fields)  # type: ignore[arg-type]
    now, s = _now(rt), rt.settings
    if now - cookie.seen > s.staff_session_idle_minutes * 60:
        return None
    if now - cookie.started > s.staff_session_hours * 3600 or cookie.started > now + 60:
        return None
    return cookie


def forget_session(request: Request, response: Response) -> None:
    response.delete_cookie(
        STAFF_COOKIE,
        path=STAFF_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


class SignInRequired(Exception):
    """No valid session: the page answers 303 to the sign-in page, which returns here."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def sign_in_redirect(request: Request, exc: SignInRequired) -> Response:
    target = LOGIN_PATH
    if exc.next_path != HOME_PATH:
        target += "?next=" + quote(exc.next_path, safe="/")
    response = RedirectResponse(target, status_code=303)
    forget_session(request, response)
    return response


@dataclass(frozen=True)
class Workbench:
    """The signed-in staff member behind a page: the same Principal the JSON API uses."""

    principal: Principal
    organ_name: str
    cookie: StaffCookie
    # Belongs to a department in use: the assistance inbox (/staff/assistance) is theirs.
    in_department: bool = False


def _requested_path(request: Request) -> str:
    path = request.url.path
    if request.method == "GET" and request.url.query:
        path += "?" + request.url.query
    return local_path(path, HOME_PATH)


def signed_in(request: Request, rt: RuntimeDep) -> Workbench:
    """The page's staff member, or SignInRequired (→ 303 to the sign-in page)."""
    cookie = read_cookie(request, rt)
    if cookie is None:
        raise SignInRequired(_requested_path(request))
    with rt.sessions.read() as session:
        principal = session_principal(session, cookie.user_id, cookie.generation)
        organ = None
        if principal is not None and principal.organ_id is not None:
            organ = rt.organs.by_id(session, principal.organ_id)
        member = principal is not None and bool(departments_of_user(session, principal.user_id))
    if principal is None:
        raise SignInRequired(_requested_path(request))
    return Workbench(principal, organ.name if organ else "平台管理", cookie, member)


SignedIn = Annotated[Workbench, Depends(signed_in)]


def page_roles(*roles: str) -> Callable[[Workbench], Workbench]:
    """A page dependency admitting staff with one of the roles (the JSON routes' check)."""

    def _check(staff: SignedIn) -> Workbench:
        check_roles(staff.principal, roles)
        return staff

    return _check


def staff_page(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a workbench page for the signed-in user, renewing their session."""
    links = links_for(rt, staff.principal, request.url.path, in_department=staff.in_department)
    values = {"staff": staff, "nav_links": links, **(context or {})}
    response = render(request, rt, template, values, status_code=status_code)
    write_cookie(request, response, rt, staff.cookie)
    return response
