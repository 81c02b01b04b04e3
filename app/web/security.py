"""The web pages' own protections: CSRF tokens, the page policy, the signed case cookie.

CSRF: each browser gets a random cookie (HttpOnly, SameSite=Strict); every form carries a token
derived from it with the deployment's key, checked on every POST. A forged cross-site form has
neither the cookie (SameSite) nor the token (it cannot read the page).

The case cookie: after the applicant proves the query code once, the status page is held by a
short-lived, signed cookie that names that one case, so the code is never in a URL or a log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.runtime import Runtime

CSRF_COOKIE = "gk_csrf"
CSRF_FIELD = "csrf_token"
CASE_COOKIE = "gk_case"
CASE_COOKIE_PATH = "/"
TEXT_COOKIE = "gk_text"
TEXT_LARGE = "large"

# The pages' Content-Security-Policy: nothing from another origin, no inline script or style.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)


class CsrfFailed(Exception):
    """A form came without the token its browser's cookie calls for."""


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _csrf_token_for(rt: Runtime, cookie: str) -> str:
    mac = hmac.new(rt.token_key, b"csrf:" + cookie.encode(), hashlib.sha256)
    return mac.hexdigest()


def csrf_token(request: Request, rt: Runtime) -> str:
    """The token this browser's forms carry (a cookie is issued with the page if it has none)."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or len(cookie) > 100:
        cookie = getattr(request.state, "new_csrf_cookie", None) or secrets.token_urlsafe(32)
        request.state.new_csrf_cookie = cookie
    return _csrf_token_for(rt, cookie)


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Send the cookie minted while the page rendered, if one was."""
    cookie = getattr(request.state, "new_csrf_cookie", None)
    if cookie:
        response.set_cookie(
            CSRF_COOKIE,
            cookie,
            httponly=True,
            samesite="strict",
            secure=_secure(request),
            path="/",
        )


def check_csrf(request: Request, rt: Runtime, presented: object) -> None:
    """Raise CsrfFailed unless the form's token matches this browser's cookie."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not isinstance(presented, str) or len(cookie) > 100:
        raise CsrfFailed
    if not hmac.compare_digest(_csrf_token_for(rt, cookie), presented):
        raise CsrfFailed


@dataclass(frozen=True)
class CaseGrant:
    """The case a browser proved the query code for."""

    case_id: int
    number: str


def _case_serializer(rt: Runtime) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(rt.token_key, salt="gongkai.portal.case")


def grant_case(request: Request, response: Response, rt: Runtime, grant: CaseGrant) -> None:
    """Hold the case for this browser for settings.portal_case_minutes."""
    value = _case_serializer(rt).dumps({"id": grant.case_id, "number": grant.number})
    response.set_cookie(
        CASE_COOKIE,
        value,
        max_age=rt.settings.portal_case_minutes * 60,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path=CASE_COOKIE_PATH,
    )


def granted_case(request: Request, rt: Runtime) -> CaseGrant | None:
    """The case this browser holds, if its cookie is genuine and not older than allowed."""
    value = request.cookies.get(CASE_COOKIE)
    if not value or len(value) > 500:
        return None
    try:
        data = _case_serializer(rt).loads(value, max_age=rt.settings.portal_case_minutes * 60)
    except BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(data, dict):
        return None
    case_id, number = data.get("id"), data.get("number")
    if not isinstance(case_id, int) or not isinstance(number, str):
        return None
    return CaseGrant(case_id=case_id, number=number)


def forget_case(request: Request, response: Response) -> None:
    response.delete_cookie(
        CASE_COOKIE,
        path=CASE_COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


def large_text(request: Request) -> bool:
    return request.cookies.get(TEXT_COOKIE) == TEXT_LARGE
