"""FastAPI dependencies: the authenticated principal and role checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth.principal import Principal
from app.auth.service import authenticate
from app.errors import Forbidden, Unauthenticated

_bearer = HTTPBearer(auto_error=False, description="API token: `Authorization: Bearer gk_...`")


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The staff user behind the bearer token; 401 when missing, unknown or revoked."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("需要 API 令牌 / a bearer API token is required")
    rt = request.app.state.runtime
    # A short read transaction of its own: authentication never holds the request's writer.
    with rt.sessions.read() as session:
        principal = authenticate(session, rt.token_key, credentials.credentials)
    if principal is None:
        raise Unauthenticated("令牌无效或已吊销 / the token is unknown or revoked")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Principal]:
    """A dependency admitting users holding at least one of the roles."""

    def _check(principal: CurrentPrincipal) -> Principal:
        return check_roles(principal, roles)

    return _check


def check_roles(principal: Principal, roles: tuple[str, ...]) -> Principal:
    """The principal if they hold one of the roles, else 403: the one role check of the JSON
    routes and the workbench pages alike."""
    if not principal.has_any(*roles):
        raise Forbidden(
            f"需要以下角色之一 / requires one of the roles: {', '.join(roles)}",
            required_roles=list(roles),
        )
    return principal
