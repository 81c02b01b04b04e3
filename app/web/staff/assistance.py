"""Assistance requests (协办) in the workbench: asking and withdrawing from the case page, and
/staff/assistance — the inbox of the departments the user belongs to, whichever organ asked,
with the answer form (outcome, text, files). Each page calls the JSON routes' services."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.assistance import service
from app.assistance.router import ASK_ROLES
from app.assistance.schemas import AssistanceAnswer, AssistanceCreate
from app.auth.principal import Principal
from app.auth.roles import STAFF_ROLES
from app.db import CommittingRoute, ReadSession, WriteSession
from app.errors import DomainError, Forbidden
from app.fields import RowId
from app.intake.uploads import Upload
from app.notices.kinds import ASSISTANCE_OUTCOME_LABELS
from app.runtime import Runtime, RuntimeDep
from app.validation.files import ALLOWED_TYPES
from app.web.forms import FieldErrors, form_version, read_form, uploads
from app.web.staff import nav
from app.web.staff.assistance_form import FIELDS, PREFIX
from app.web.staff.case_page import page_again
from app.web.staff.session import Workbench, page_roles, staff_page

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

StaffPage = Annotated[Workbench, Depends(page_roles(*STAFF_ROLES))]
AskerPage = Annotated[Workbench, Depends(page_roles(*ASK_ROLES))]
nav.link("/staff/assistance", "协办", 8, members_only=True)


def _member(staff: StaffPage) -> Workbench:
    """The inbox admits exactly whom its link shows to: staff who belong to a department."""
    if not staff.in_department:
        raise Forbidden(
            "协办清单供科室成员使用；您不属于任何科室 / for members of a department only"
        )
    return staff


MemberPage = Annotated[Workbench, Depends(_member)]

OUTCOMES = [(code, label) for code, label in ASSISTANCE_OUTCOME_LABELS.items()]
ANSWER_FIELDS = ("outcome", "text")


# --- asking and withdrawing, from the case page ----------------------------------------------


def _ask_values(form: FormData) -> dict[str, str]:
    return {k: v for k in FIELDS if isinstance(v := form.get(PREFIX + k), str)}


def _whole(raw: str) -> int | str | None:
    """A form's whole number (ASCII digits, as the API's strict integer takes it); anything
    else goes to the model as it is, to be refused with the field's message."""
    text = raw.strip()
    if text.isascii() and text.isdigit() and len(text) < 6:
        return int(text)
    return text or None


def _prefixed(errors: FieldErrors) -> FieldErrors:
    out = FieldErrors()
    for name, message in errors.items():
        out.add(PREFIX + (name if name in FIELDS else "department_id"), message)
    return out


def _case_again(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    errors: FieldErrors,
    values: dict[str, str],
) -> dict[str, object]:
    return page_again(
        session, rt, principal, case_id, {"assist_errors": errors}, assist_values=values
    )


def _ask(
    session: Session, rt: Runtime, principal: Principal, case_id: int, form: FormData
) -> str | tuple[dict[str, object], int]:
    values = _ask_values(form)
    try:
        data = AssistanceCreate.model_validate(
            {
                "department_id": values.get("department_id") or None,
                "text": values.get("text", ""),
                "due_in_working_days": _whole(values.get("due_in_working_days", "")),
                "version": form_version(form),
            }
        )
    except ValidationError as exc:
        errors = _prefixed(FieldErrors.of_validation(exc))
        return _case_again(session, rt, principal, case_id, errors, values), 422
    try:
        service.ask(session, rt, principal, case_id, data)
    except DomainError as exc:
        if exc.status == 404:
            raise
        errors = _prefixed(FieldErrors.of_domain(exc, fallback="department_id"))
        return _case_again(session, rt, principal, case_id, errors, values), exc.status
    return f"/staff/cases/{case_id}?done=request_assistance#assistance-title"


@router.post("/staff/cases/{case_id}/assistance")
async def ask(
    case_id: RowId, request: Request, rt: RuntimeDep, session: WriteSession, staff: AskerPage
) -> Response:
    form = await read_form(request, rt)
    outcome = await run_in_threadpool(_ask, session, rt, staff.principal, case_id, form)
    if isinstance(outcome, str):
        return RedirectResponse(outcome, status_code=303)
    context, status = outcome
    return staff_page(request, rt, staff, "staff/case.html", context, status_code=status)


@router.post("/staff/assistance/{request_id}/withdraw")
async def withdraw(
    request_id: RowId, request: Request, rt: RuntimeDep, session: WriteSession, staff: AskerPage
) -> Response:
    await read_form(request, rt)
    done = await run_in_threadpool(service.withdraw, session, rt, staff.principal, request_id)
    return RedirectResponse(
        f"/staff/cases/{done.case_id}?done=withdraw_assistance#assistance-title", status_code=303
    )


# --- the departments' inbox ------------------------------------------------------------------


@router.get("/staff/assistance", response_class=HTMLResponse)
def inbox(request: Request, rt: RuntimeDep, session: ReadSession, staff: MemberPage) -> Response:
    context = {
        "open": service.inbox(session, rt, staff.principal),
        "answered": service.inbox(session, rt, staff.principal, statuses=("answered",)),
        "done": request.query_params.get("done") == "answered",
    }
    return staff_page(request, rt, staff, "staff/assistance.html", context)


def _request_page(
    request: Request,
    rt: Runtime,
    session: Session,
    staff: Workbench,
    request_id: int,
    *,
    errors: FieldErrors | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    found = service.addressed(session, rt, staff.principal, request_id)
    context = {
        "req": found,
        "outcomes": OUTCOMES,
        "values": values or {},
        "errors": errors,
    }
    return staff_page(
        request, rt, staff, "staff/assistance_request.html", context, status_code=status_code
    )


@router.get("/staff/assistance/{request_id}", response_class=HTMLResponse)
def request_page(
    request_id: RowId, request: Request, rt: RuntimeDep, session: ReadSession, staff: StaffPage
) -> Response:
    return _request_page(request, rt, session, staff, request_id)


def _answer(
    session: Session,
    rt: Runtime,
    principal: Principal,
    request_id: int,
    data: AssistanceAnswer,
    files: list[Upload],
) -> None:
    service.answer(session, rt, principal, request_id, data, files)


@router.post("/staff/assistance/{request_id}/answer")
async def answer(
    request_id: RowId, request: Request, rt: RuntimeDep, session: WriteSession, staff: StaffPage
) -> Response:
    form = await read_form(request, rt)
    values = {k: v for k in ANSWER_FIELDS if isinstance(v := form.get(k), str)}
    errors: FieldErrors | None = None
    status = 422
    try:
        data = AssistanceAnswer.model_validate({k: v for k, v in values.items() if v.strip()})
    except ValidationError as exc:
        errors = FieldErrors.of_validation(exc)
    else:
        try:
            files = await uploads(form, "attachments", rt)
            await run_in_threadpool(_answer, session, rt, staff.principal, request_id, data, files)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            fallback = "attachments" if exc.status in (413, 415) else "outcome"
            errors = FieldErrors()
            for name, message in FieldErrors.of_domain(exc, fallback).items():
                errors.add("attachments" if name.startswith("attachments") else name or fallback,
                           message)  # fmt: skip
            status = exc.status
    if errors is None:
        return RedirectResponse("/staff/assistance?done=answered", status_code=303)
    session.rollback()
    return await run_in_threadpool(
        _request_page, request, rt, session, staff, request_id,
        errors=errors, values=values, status_code=status,
    )  # fmt: skip


@router.get("/staff/assistance/{request_id}/files/{file_id}")
def download(
    request_id: RowId, file_id: RowId, rt: RuntimeDep, session: ReadSession, staff: StaffPage
) -> Response:
    found = service.file_for(session, staff.principal, request_id, file_id)
    ext = ALLOWED_TYPES[found.content_type]
    return Response(
        rt.store.read(found.sha256),
        media_type=found.content_type,
        headers={
            "Content-Disposition": (
                f'attachment; filename="assistance-{found.id}{ext}"; '
                f"filename*=UTF-8''{quote(found.filename)}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
        },
    )
