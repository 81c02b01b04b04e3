"""create_app(): the FastAPI application and its lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp

from app.assignment.router import router as assignment_router
from app.assistance.router import router as assistance_router
from app.assistance.schemas import AssistanceAnswer
from app.audit.checkpoints import start_daily_checkpoints
from app.calendar.router import router as calendar_router
from app.casefile.router import router as casefile_router
from app.cases.correction import CorrectionSubmit
from app.cases.router import router as cases_router
from app.communications.router import router as communications_router
from app.config import Settings, get_settings
from app.dashboard.router import router as dashboard_router
from app.errors import install_error_handlers
from app.health.fonts import cjk_font_families, first_available
from app.health.router import router as health_router
from app.http.docs import install_docs
from app.http.limits import HeadLimits, RequestHeadLimit
from app.http.openapi import install_openapi
from app.http.security import SecurityHeaders
from app.intake.router import router as intake_router
from app.intake.schemas import ApplicationCreate, StaffCaseCreate
from app.ledger_export.router import router as ledger_export_router
from app.letters.render import harfbuzz_subsetter
from app.letters.router import router as letters_router
from app.limits import BodySizeLimit, RefuseNulInUrl
from app.notices.router import router as notices_router
from app.organs.router import router as organs_router
from app.outbox.applicant.router import router as mail_router
from app.processes import follow_supervisor
from app.releases.router import router as releases_router
from app.releases.uploads import UPLOAD_OVERHEAD, UPLOAD_PATHS
from app.remedies.router import router as remedies_router
from app.reports.router import router as reports_router
from app.runtime import Runtime, build_runtime
from app.signing.router import router as signing_router
from app.suggestions.proactive_router import router as proactive_router
from app.suggestions.router import router as suggestions_router
from app.web.errors import WebErrorPages
from app.web.install import install_web
from app.webhooks.router import router as webhooks_router
from app.workflow.router import router as workflow_router

log = logging.getLogger("gongkai")

DESCRIPTION = """
政府信息依申请公开办理服务 — applications for disclosure of government information.

Applicants submit online and follow their case with a query code; staff register, handle and
reply; every deadline is computed on the official holiday calendar and explained.
Staff calls need `Authorization: Bearer <token>`. Errors are `application/problem+json`.
"""


class NoCJKFont(RuntimeError):
    pass


class NoFontSubsetter(RuntimeError):
    pass


def check_font_subsetter() -> None:
    """Refuse to start without HarfBuzz's subsetter: without it a CJK letter takes seconds."""
    if not harfbuzz_subsetter():
        raise NoFontSubsetter(
            "libharfbuzz-subset0 not found: WeasyPrint would subset CJK fonts with fontTools "
            "(seconds per letter); install libharfbuzz-subset0"
        )


def check_cjk_font(settings: Settings) -> str:
    """Refuse to start without a CJK font: a letter with empty boxes is a silent defect."""
    font = first_available(settings.cjk_font_families, cjk_font_families())
    if font is None:
        raise NoCJKFont(
            "no CJK font found (wanted one of "
            f"{', '.join(settings.cjk_font_families)}); install fonts-noto-cjk"
        )
    return font


class GongkaiAPI(FastAPI):
    """FastAPI with the security headers outermost, outside even Starlette's 500 handler."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the application; resources are created in the lifespan, not at import.

    Serve it with `uvicorn app.main:create_app --factory --no-server-header` (plus the flags in
    the README's deployment notes): uvicorn, not the app, adds `server: uvicorn` otherwise.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        follow_supervisor()
        rt = runtime or build_runtime(settings or get_settings())
        font = check_cjk_font(rt.settings)
        check_font_subsetter()
        rt.press.warm()
        log.info("gongkai ready: database %s, font %s", rt.engine.dialect.name, font)
        app.state.runtime = rt
        checkpoints = start_daily_checkpoints(rt)
        try:
            yield
        finally:
            checkpoints.stop()
            if runtime is None:
                rt.close()

    app = GongkaiAPI(
        title="gongkai 政府信息公开申请",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        # Served from the package by install_docs, not from a CDN; no ReDoc (no local bundle).
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app, WebErrorPages())
    configured = runtime.settings if runtime else (settings or get_settings())
    app.add_middleware(
        BodySizeLimit,
        max_bytes=configured.max_request_bytes,
        # A released document's upload: the organ's per-file limit applies in the route.
        larger=[(UPLOAD_PATHS, configured.release_upload_max_bytes + UPLOAD_OVERHEAD)],
    )
    app.add_middleware(RefuseNulInUrl)
    # Added last, so it runs first: an oversized head is refused before anything reads it.
    app.add_middleware(
        RequestHeadLimit,
        limits=HeadLimits(
            max_target_bytes=configured.max_request_target_bytes,
            max_header_count=configured.max_header_count,
            max_header_bytes=configured.max_header_bytes,
            max_headers_total_bytes=configured.max_headers_total_bytes,
        ),
    )
    routers = (
        health_router,
        intake_router,
        cases_router,
        organs_router,
        workflow_router,
        calendar_router,
        letters_router,
        suggestions_router,
        proactive_router,
        remedies_router,
        communications_router,
        assignment_router,
        assistance_router,
        casefile_router,
        releases_router,
        reports_router,
        ledger_export_router,
        dashboard_router,
        mail_router,
        notices_router,
        webhooks_router,
        signing_router,
    )
    for router in routers:
        app.include_router(router)
    install_docs(app)
    install_web(app)
    install_openapi(
        app,
        [r for router in routers for r in router.routes],
        ApplicationCreate,
        StaffCaseCreate,
        CorrectionSubmit,
        AssistanceAnswer,
    )
    return app
