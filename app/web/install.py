"""Mount the pages on the application: static files, the portal's routers, error pages."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from app.web import apply, portal, query, staff, verify
from app.web.security import CsrfFailed
from app.web.staff.session import SignInRequired, sign_in_redirect
from app.web.static_files import VersionedStatic
from app.web.templating import STATIC_DIR, STATIC_PREFIX, render

ROUTERS = (portal.router, apply.router, query.router, verify.router, *staff.ROUTERS)


def install_web(app: FastAPI) -> None:
    app.mount(STATIC_PREFIX, VersionedStatic(directory=STATIC_DIR), name="static")
    for router in ROUTERS:
        app.include_router(router)
    app.add_exception_handler(SignInRequired, sign_in_redirect)  # type: ignore[arg-type]

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: CsrfFailed) -> Response:
        context = {
            "status": 403,
            "title": "页面已过期",
            "detail": "为保护您的信息，表单须从本站页面提交。请返回上一页，刷新后重新提交。",
            "wait": None,
        }
        return render(request, request.app.state.runtime, "error.html", context, status_code=403)
