"""Released documents in the workbench: the upload from the case page's 公开文件 section, and
each document's page — its pages to mark (an area drawn on the page image, or typed in PDF
points), the marks with their grounds, applying them and the released copy with its log. Every
form calls the JSON routes' services (app.releases.service)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from app.auth.principal import Principal
from app.cases import service as cases
from app.cases.router import READ_ROLES
from app.db import CommittingRoute, ReadSession, WriteSession
from app.errors import DomainError
from app.fields import RowId
from app.releases import service
from app.releases.responses import file_response, read_upload, uploaded
from app.releases.schemas import MarkCreate
from app.runtime import Runtime, RuntimeDep
from app.web.forms import FieldErrors, read_form
from app.web.security import CSRF_FIELD, check_csrf
from app.web.staff.case_page import page_again
from app.web.staff.released_form import (
    GROUND_CHOICES,
    KIND_CHOICES,
    PATTERN_CHOICES,
    can_edit,
)
from app.web.staff.session import Workbench, page_roles, staff_page

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

Reader = Annotated[Workbench, Depends(page_roles(*READ_ROLES))]
Editor = Annotated[Workbench, Depends(page_roles(*service.EDIT_ROLES))]
BASE = "/staff/cases/{case_id}/released"
MARK_FIELDS = ("kind", "page", "x0", "y0", "x1", "y1", "phrase", "pattern", "ground", "reason")
PAGE_WIDTH_PX = 900


def _doc_url(case_id: int, document_id: int, page: int | None = None) -> str:
    tail = f"?page={page}" if page else ""
    return f"/staff/cases/{case_id}/released/{document_id}{tail}"


# --- the case page's upload ------------------------------------------------------------------


def _upload_again(
    session: Session, rt: Runtime, principal: Principal, case_id: int, exc: DomainError, title: str
) -> dict[str, Any]:
    errors = FieldErrors()
    for name, message in FieldErrors.of_domain(exc, fallback="file").items():
        errors.add("title" if name == "title" else "file", message)
    if not errors:
        errors.add("file", exc.detail)
    return page_again(
        session,
        rt,
        principal,
        case_id,
        {"released_errors": errors, "released_title": title},
    )


def _store(
    rt: Runtime, principal: Principal, case_id: int, title: str | None, part: UploadFile
) -> int:
    with rt.sessions.read() as session:
        return service.upload(session, rt, principal, case_id, title, uploaded(part)).id


@router.post(BASE)
async def upload(case_id: RowId, request: Request, rt: RuntimeDep, staff: Editor) -> Response:
    raw_title = ""
    try:
        limit = await run_in_threadpool(service.upload_limit, rt, staff.principal, case_id)
        title, part, form = await read_upload(request, limit)
        check_csrf(request, rt, form.get(CSRF_FIELD))
        raw_title = title or ""
        try:
            doc_id = await run_in_threadpool(_store, rt, staff.principal, case_id, title, part)
        finally:
            await part.close()
    except DomainError as exc:
        if exc.status == 404:
            raise
        with rt.sessions.read() as session:
            context = await run_in_threadpool(
                _upload_again, session, rt, staff.principal, case_id, exc, raw_title
            )
            return staff_page(
                request, rt, staff, "staff/case.html", context, status_code=exc.status
            )
    return RedirectResponse(_doc_url(case_id, doc_id), status_code=303)


# --- a document's page -----------------------------------------------------------------------


def _doc_context(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    document_id: int,
    page: int,
) -> dict[str, Any]:
    case = cases.get_case(session, rt, principal, case_id)
    doc = service.get_document(session, principal, case_id, document_id)
    page = min(max(page, 1), doc.pages)
    width, height = service.page_dimensions(session, rt, principal, case_id, document_id, page)
    return {
        "case": case,
        "doc": doc,
        "page": page,
        "page_width": width,
        "page_height": height,
        "can_edit": can_edit(rt, principal, case) and not doc.frozen,
        "kinds": KIND_CHOICES,
        "grounds": GROUND_CHOICES,
        "patterns": PATTERN_CHOICES,
        "values": {"kind": "area", "page": str(page)},
        "errors": None,
        "refresh_seconds": 3 if doc.status in ("queued", "running") else None,
        "done": None,
    }


@router.get(BASE + "/{document_id}", response_class=HTMLResponse)
def document_page(
    case_id: RowId,
    document_id: RowId,
    request: Request,
    rt: RuntimeDep,
    session: ReadSession,
    staff: Reader,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    context = _doc_context(session, rt, staff.principal, case_id, document_id, page)
    context["done"] = request.query_params.get("done")
    return staff_page(request, rt, staff, "staff/released_document.html", context)


def _mark_values(form: FormData) -> dict[str, str]:
    return {k: v.strip() for k in MARK_FIELDS if isinstance(v := form.get(k), str)}


def _mark_body(values: dict[str, str]) -> dict[str, Any]:
    kind = values.get("kind", "")
    body: dict[str, Any] = {
        "kind": kind,
        "ground": values.get("ground", ""),
        "reason": values.get("reason", ""),
    }
    if kind == "area":
        for name in ("page", "x0", "y0", "x1", "y1"):
            body[name] = values.get(name) or None
    elif kind == "phrase":
        body["phrase"] = values.get("phrase") or None
    elif kind == "pattern":
        body["pattern"] = values.get("pattern") or None
    return body


def _add_mark(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    document_id: int,
    form: FormData,
) -> str | tuple[dict[str, Any], int]:
    values = _mark_values(form)
    page = int(values["page"]) if values.get("page", "").isdigit() else 1
    try:
        data = MarkCreate.model_validate(_mark_body(values))
        service.add_mark(session, rt, principal, case_id, document_id, data)
    except ValidationError as exc:
        errors = FieldErrors.of_validation(exc)
        status = 422
    except DomainError as exc:
        if exc.status == 404:
            raise
        errors = FieldErrors.of_domain(exc, fallback="kind")
        status = exc.status
    else:
        return _doc_url(case_id, document_id, page) + "&done=mark#marks"
    session.rollback()
    context = _doc_context(session, rt, principal, case_id, document_id, page)
    fixed = FieldErrors()
    for name, message in errors.items():
        fixed.add(name if name in MARK_FIELDS else "kind", message)
    context |= {"values": values, "errors": fixed}
    return context, status


@router.post(BASE + "/{document_id}/marks")
async def add_mark(
    case_id: RowId,
    document_id: RowId,
    request: Request,
    rt: RuntimeDep,
    session: WriteSession,
    staff: Editor,
) -> Response:
    form = await read_form(request, rt)
    outcome = await run_in_threadpool(
        _add_mark, session, rt, staff.principal, case_id, document_id, form
    )
    if isinstance(outcome, str):
        return RedirectResponse(outcome, status_code=303)
    context, status = outcome
    return staff_page(
        request, rt, staff, "staff/released_document.html", context, status_code=status
    )


@router.post(BASE + "/{document_id}/marks/{mark_id}/delete")
async def remove_mark(
    case_id: RowId,
    document_id: RowId,
    mark_id: RowId,
    request: Request,
    rt: RuntimeDep,
    session: WriteSession,
    staff: Editor,
) -> Response:
    await read_form(request, rt)
    await run_in_threadpool(
        service.remove_mark, session, rt, staff.principal, case_id, document_id, mark_id
    )
    return RedirectResponse(_doc_url(case_id, document_id) + "?done=unmark#marks", status_code=303)


@router.post(BASE + "/{document_id}/apply")
async def apply(
    case_id: RowId,
    document_id: RowId,
    request: Request,
    rt: RuntimeDep,
    session: ReadSession,
    staff: Editor,
) -> Response:
    await read_form(request, rt)
    await run_in_threadpool(service.apply, session, rt, staff.principal, case_id, document_id)
    return RedirectResponse(_doc_url(case_id, document_id) + "?done=apply#status", status_code=303)


@router.post(BASE + "/{document_id}/delete")
async def remove(
    case_id: RowId,
    document_id: RowId,
    request: Request,
    rt: RuntimeDep,
    session: WriteSession,
    staff: Editor,
) -> Response:
    await read_form(request, rt)
    await run_in_threadpool(service.remove, session, rt, staff.principal, case_id, document_id)
    return RedirectResponse(
        f"/staff/cases/{case_id}?done=remove_released_document#released", status_code=303
    )


# --- downloads -------------------------------------------------------------------------------


@router.get(BASE + "/{document_id}/original")
def original(
    case_id: RowId,
    document_id: RowId,
    request: Request,
    rt: RuntimeDep,
    session: ReadSession,
    staff: Reader,
) -> Response:
    stored = service.original(session, rt, staff.principal, case_id, document_id)
    return file_response(stored, request)


@router.get(BASE + "/{document_id}/released.pdf")
def released(
    case_id: RowId,
    document_id: RowId,
    request: Request,
    rt: RuntimeDep,
    session: ReadSession,
    staff: Reader,
) -> Response:
    stored = service.released_copy(session, rt, staff.principal, case_id, document_id)
    return file_response(stored, request)


@router.get(BASE + "/{document_id}/pages/{page}.png")
def page_image(
    case_id: RowId,
    document_id: RowId,
    page: Annotated[int, Path(ge=1, le=100_000)],
    rt: RuntimeDep,
    session: ReadSession,
    staff: Reader,
    copy: str = "original",
) -> Response:
    png = service.page_image(
        session,
        rt,
        staff.principal,
        case_id,
        document_id,
        page,
        released=copy == "released",
        width_px=PAGE_WIDTH_PX,
    )
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-store"})
