"""Notices in the workbench: one's own notices and how one receives them (/staff/me/notices,
every member of staff), and the organ's notice texts with a preview (/staff/admin/notices,
administrators) — through app.notices.service, as the JSON routes (/api/v1/me/notices,
/api/v1/me/notice-preferences, /api/v1/notice-texts/{kind}) do.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from app.auth.roles import STAFF_ROLES
from app.dashboard.service import resolve_organ
from app.db import CommittingRoute, ReadSession, WriteSession
from app.errors import DomainError, NotFound
from app.fields import RowId
from app.models import Organ
from app.notices import service
from app.notices.kinds import (
    DEFAULTS,
    KIND_LABELS,
    METHOD_LABELS,
    METHODS,
    NOTICE_KINDS,
    TEXT_KINDS,
    TEXT_LABELS,
)
from app.notices.schemas import NoticePreferences, NoticePreview, NoticeTextBody
from app.organs.router import ADMIN_ROLES
from app.runtime import Runtime, RuntimeDep
from app.web.forms import FieldErrors, read_form
from app.web.staff import nav
from app.web.staff.session import Workbench, page_roles, staff_page

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

Member = Annotated[Workbench, Depends(page_roles(*sorted(STAFF_ROLES)))]
Admin = Annotated[Workbench, Depends(page_roles(*ADMIN_ROLES))]
nav.link("/staff/me/notices", "我的提醒", 5)
nav.link("/staff/admin/notices", "提醒文本", 85, ADMIN_ROLES)

MINE = "/staff/me/notices"
TEXTS = "/staff/admin/notices"


def _mine(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    session: ReadSession | WriteSession,
    *,
    prefs: dict[str, Any] | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    uid = staff.principal.user_id
    current = prefs or service.get_preferences(session, uid).model_dump()
    context = {
        "notices": service.my_notices(session, uid),
        "prefs": current,
        "kinds": [(k, KIND_LABELS[k]) for k in NOTICE_KINDS],
        "methods": [(m, METHOD_LABELS[m]) for m in METHODS],
        "saved": request.method == "GET" and request.query_params.get("saved") == "1",
        "errors": errors,
    }
    return staff_page(request, rt, staff, "staff/my_notices.html", context, status_code=status_code)


@router.get(MINE, response_class=HTMLResponse)
def my_notices(request: Request, rt: RuntimeDep, session: ReadSession, staff: Member) -> Response:
    return _mine(request, rt, staff, session)


@router.post(f"{MINE}/preferences", response_class=HTMLResponse)
async def save_preferences(
    request: Request, rt: RuntimeDep, session: WriteSession, staff: Member
) -> Response:
    form = await read_form(request, rt)
    raw: dict[str, Any] = {}
    for name in (*NOTICE_KINDS, "email", "mobile"):
        value = form.get(name)
        text = value.strip() if isinstance(value, str) else ""
        if (
            text
            or NoticePreferences.model_fields[name].is_required()
            or name in ("email", "mobile")
        ):
            raw[name] = text or None
    try:
        data = NoticePreferences.model_validate(raw)
        await run_in_threadpool(
            service.set_preferences, session, staff.principal.user_id, data, now=rt.clock()
        )
    except ValidationError as exc:
        return _mine(
            request,
            rt,
            staff,
            session,
            prefs={**DEFAULTS, **raw},
            errors=FieldErrors.of_validation(exc),
            status_code=422,
        )
    except DomainError as exc:
        return _mine(
            request,
            rt,
            staff,
            session,
            prefs={**DEFAULTS, **raw},
            errors=FieldErrors.of_domain(exc),
            status_code=422,
        )
    return RedirectResponse(f"{MINE}?saved=1", status_code=303)


@router.post(f"{MINE}/{{notice_id}}/read", response_class=HTMLResponse)
async def read_notice(
    notice_id: RowId, request: Request, rt: RuntimeDep, session: WriteSession, staff: Member
) -> Response:
    await read_form(request, rt)
    await run_in_threadpool(
        service.mark_read, session, staff.principal.user_id, notice_id, now=rt.clock()
    )
    return RedirectResponse(MINE, status_code=303)


def _organs(session: ReadSession | WriteSession) -> list[tuple[str, str]]:
    return [(c, n) for c, n in session.execute(select(Organ.code, Organ.name).order_by(Organ.code))]


def _texts(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    session: ReadSession | WriteSession,
    kind: str | None,
    *,
    draft: dict[str, str] | None = None,
    preview: NoticePreview | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    code = (request.query_params.get("organ") or "")[:32] or None
    organ = None
    text = None
    if code is not None or staff.principal.organ_id is not None:
        organ = resolve_organ(session, rt, staff.principal, code)
        if kind is not None:
            text = service.get_text(session, organ, kind)
    context = {
        "organs": _organs(session),
        "organ": organ,
        "kinds": [(k, TEXT_LABELS[k]) for k in TEXT_KINDS],
        "kind": kind,
        "kind_label": TEXT_LABELS.get(kind or "", ""),
        "text": text,
        "draft": draft or ({"subject": text.subject, "body": text.body} if text else None),
        "preview": preview,
        "saved": request.method == "GET" and request.query_params.get("saved") == "1",
        "errors": errors,
    }
    return staff_page(
        request, rt, staff, "staff/admin_notices.html", context, status_code=status_code
    )


def _kind(kind: str) -> str:
    if kind not in TEXT_KINDS:
        raise NotFound(f"没有提醒文本 {kind[:40]!r} / no notice text {kind[:40]!r}")
    return kind


@router.get(TEXTS, response_class=HTMLResponse)
def texts(request: Request, rt: RuntimeDep, session: ReadSession, staff: Admin) -> Response:
    return _texts(request, rt, staff, session, None)


@router.get(f"{TEXTS}/{{kind}}", response_class=HTMLResponse)
def text(
    kind: str, request: Request, rt: RuntimeDep, session: ReadSession, staff: Admin
) -> Response:
    return _texts(request, rt, staff, session, _kind(kind))


@router.post(f"{TEXTS}/{{kind}}", response_class=HTMLResponse)
async def save_text(
    kind: str, request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin
) -> Response:
    kind = _kind(kind)
    form = await read_form(request, rt)
    draft = {k: v if isinstance(v := form.get(k), str) else "" for k in ("subject", "body")}
    draft["body"] = draft["body"].replace("\r\n", "\n")
    previewing = form.get("action") == "preview"
    try:
        data = NoticeTextBody.model_validate(draft)
        if previewing:
            shown = service.preview(kind, data)
            return _texts(request, rt, staff, session, kind, draft=draft, preview=shown)
        code = (request.query_params.get("organ") or "")[:32] or None
        organ = await run_in_threadpool(resolve_organ, session, rt, staff.principal, code)
        await run_in_threadpool(
            service.put_text,
            session,
            organ,
            kind,
            data,
            user_id=staff.principal.user_id,
            now=rt.clock(),
        )
    except ValidationError as exc:
        errors = FieldErrors.of_validation(exc)
        return _texts(
            request, rt, staff, session, kind, draft=draft, errors=errors, status_code=422
        )
    except DomainError as exc:
        if exc.status != 422:
            raise
        errors = FieldErrors.of_domain(exc)
        return _texts(
            request, rt, staff, session, kind, draft=draft, errors=errors, status_code=422
        )
    return RedirectResponse(f"{TEXTS}/{kind}?organ={organ.code}&saved=1", status_code=303)
