"""Signing in to the workbench through the province's identity provider (OpenID Connect).

GET /staff/login/oidc sends the browser to the provider with a fresh state, nonce and PKCE
challenge; the three (and where to return to) wait in a short-lived signed cookie, HttpOnly and
SameSite=Lax (the provider's redirect back is a cross-site navigation, which Strict would strip),
scoped to these two paths. GET /staff/login/oidc/callback takes the provider's answer once: the
state must be this browser's, the code is exchanged at the token endpoint with the verifier, the
ID token verified, the linked user found, and the session starts exactly as after a password;
the answer is a page that goes on to `next` by itself: a same-site navigation, which carries the
session's SameSite=Strict cookie where the rest of the provider's redirect chain would not.
Every failure is the sign-in page with what went wrong in words, never a 500. Without a
configured provider both routes are 404 and the sign-in page has no button.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer

from app.auth.oidc.provider import FlowSecrets, OidcError, OidcProvider
from app.auth.oidc.signin import sign_in_linked
from app.db import CommittingRoute
from app.errors import NotFound, TooManyAttempts
from app.http.client import client_of
from app.runtime import Runtime, RuntimeDep
from app.web.errors import wait_in_words
from app.web.portal import local_path
from app.web.staff.login import login_form
from app.web.staff.session import HOME_PATH, start_session
from app.web.templating import render

log = logging.getLogger("gongkai.auth")
router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

OIDC_PATH = "/staff/login/oidc"
FLOW_COOKIE = "gk_oidc"
MAX_FLOW_COOKIE = 4000  # characters; browsers keep cookies up to 4096 bytes
MAX_CODE_LENGTH = 4096
MAX_STATE_LENGTH = 200

# What the sign-in page says for each failure (the provider's name filled in), and its status.
FAILURES: dict[str, tuple[int, str]] = {
    "provider": (502, "暂时无法与{name}完成登录，请稍后再试，或使用登录名和密码登录。"),
    "denied": (401, "{name}没有完成登录（已取消或未获授权），请重新登录。"),
    "state": (
        400,
        "这次登录请求已过期或不是从本页面发起的，未能登录。请重新点击“使用{name}登录”。",
    ),
    "token": (
        401,
        "{name}返回的身份凭证未通过验证，未能登录。请重新登录；如仍不成功，请联系系统管理员。",
    ),
    "unknown": (
        403,
        "您的{name}账号尚未关联本系统的工作人员账号，或关联的账号已停用。请联系系统管理员。",
    ),
}


@dataclass(frozen=True)
class Flow:
    """A started sign-in, as the flow cookie holds it."""

    secrets: FlowSecrets
    next_path: str
    started: int  # epoch seconds, the runtime's clock


def _serializer(rt: Runtime) -> URLSafeSerializer:
    return URLSafeSerializer(rt.token_key, salt="gongkai.staff.oidc")


def _now(rt: Runtime) -> int:
    return int(rt.clock().timestamp())


def _write_flow(request: Request, response: Response, rt: Runtime, flow: Flow) -> None:
    f = flow.secrets
    data = {"s": f.state, "n": f.nonce, "v": f.verifier, "x": flow.next_path, "t": flow.started}
    value = _serializer(rt).dumps(data)  # compressed: ≤ 2 KB even with 500 CJK characters
    response.set_cookie(
        FLOW_COOKIE,
        value,
        max_age=rt.settings.oidc_flow_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path=OIDC_PATH,
    )


def _read_flow(request: Request, rt: Runtime) -> Flow | None:
    """The flow cookie if genuine and recent enough."""
    value = request.cookies.get(FLOW_COOKIE)
    if not value or len(value) > MAX_FLOW_COOKIE:
        return None
    try:
        data = _serializer(rt).loads(value)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    texts = [data.get(k) for k in ("s", "n", "v", "x")]
    started = data.get("t")
    if not all(isinstance(t, str) for t in texts) or type(started) is not int:
        return None
    state, nonce, verifier, next_path = (str(t) for t in texts)
    age = _now(rt) - started
    if age > rt.settings.oidc_flow_minutes * 60 or age < -60:
        return None
    return Flow(FlowSecrets(state, nonce, verifier), local_path(next_path, HOME_PATH), started)


def _forget_flow(request: Request, response: Response) -> None:
    response.delete_cookie(
        FLOW_COOKIE,
        path=OIDC_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def _provider(rt: Runtime) -> OidcProvider:
    if rt.oidc is None:
        raise NotFound("未找到 / not found")
    return rt.oidc


def _redirect_uri(request: Request, rt: Runtime) -> str:
    return rt.settings.oidc_redirect_uri or str(request.url_for("oidc_callback"))


def _failed(
    request: Request, rt: Runtime, provider: OidcProvider, reason: str, next_path: str
) -> Response:
    status, text = FAILURES[reason]
    return login_form(
        request,
        rt,
        next_path=next_path,
        oidc_error=text.format(name=provider.name),
        status_code=status,
    )


@router.get(OIDC_PATH)
def oidc_start(request: Request, rt: RuntimeDep, next: str = HOME_PATH) -> Response:
    """Off to the provider's sign-in page, with this browser's state, nonce and challenge."""
    provider = _provider(rt)
    next_path = local_path(next, HOME_PATH)
    flow = Flow(FlowSecrets.new(), next_path, _now(rt))
    try:
        target = provider.authorization_url(flow.secrets, _redirect_uri(request, rt))
    except OidcError as exc:
        log.warning("auth: identity provider unavailable: %s", exc)
        return _failed(request, rt, provider, exc.reason, next_path)
    response = RedirectResponse(target, status_code=303)
    _write_flow(request, response, rt, flow)
    return response


class _Refused(Exception):
    def __init__(self, reason: str, why: str) -> None:
        super().__init__(why)
        self.reason = reason


def _verified_subject(
    request: Request, rt: Runtime, provider: OidcProvider, flow: Flow | None
) -> str:
    """The provider's subject from its answer to this browser's sign-in, or _Refused."""
    q = request.query_params
    state, code = q.get("state") or "", q.get("code") or ""
    if flow is None:
        raise _Refused("state", "no (valid) flow cookie")
    same = len(state) <= MAX_STATE_LENGTH and secrets.compare_digest(
        state.encode("utf-8", "replace"), flow.secrets.state.encode()
    )
    if not same:
        raise _Refused("state", "state does not match this browser's sign-in")
    if "error" in q:
        raise _Refused("denied", f"provider answered error={q.get('error', '')[:100]!r}")
    if not code or len(code) > MAX_CODE_LENGTH:
        raise _Refused("state", "no usable code")
    try:
        token = provider.exchange_code(code, flow.secrets.verifier, _redirect_uri(request, rt))
        return provider.verify_id_token(token, flow.secrets.nonce, rt.clock())
    except OidcError as exc:
        raise _Refused(exc.reason, str(exc)) from exc


@router.get(OIDC_PATH + "/callback", name="oidc_callback")
def oidc_callback(request: Request, rt: RuntimeDep) -> Response:
    """The provider's answer: a workbench session for the linked user, or the reason not."""
    provider = _provider(rt)
    flow = _read_flow(request, rt)
    next_path = flow.next_path if flow else HOME_PATH
    client = client_of(request, rt)
    response: Response
    try:
        subject = _verified_subject(request, rt, provider, flow)
        who = sign_in_linked(rt, subject, client)
        if who is None:
            raise _Refused("unknown", "subject linked to no active user")
    except _Refused as exc:
        log.warning("auth: identity provider sign-in refused (client %s): %s", client, exc)
        response = _failed(request, rt, provider, exc.reason, next_path)
    except TooManyAttempts as exc:
        wait = wait_in_words(int(exc.extra["retry_after"]))
        response = login_form(
            request, rt, next_path=next_path, wait=wait, status_code=429, headers=exc.headers
        )
    else:
        # Not a redirect: the browser came from the provider's site, and on the rest of that
        # redirect chain it would not send the SameSite=Strict session cookie; this page's own
        # (same-site) navigation does.
        response = render(request, rt, "staff/login_continue.html", {"next": next_path})
        start_session(request, response, rt, who.user_id, who.generation)
        log.info("auth: user %d signed in through the identity provider", who.user_id)
    _forget_flow(request, response)  # a flow is answered once
    return response
