"""Claiming and assigning a case from its page (签收、分办): the API's services, then back to
the case page (or the page again with what was wrong)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.assignment import service
from app.assignment.router import ASSIGN_ROLES
from app.assignment.schemas import AssignWrite
from app.auth.principal import Principal
from app.auth.roles import Role
from app.db import CommittingRoute, WriteSession
from app.errors import DomainError
from app.fields import RowId
from app.runtime import Runtime, RuntimeDep
from app.web.forms import FieldErrors, form_version, read_form
from app.web.staff.case_page import page_again
from app.web.staff.session import Workbench, page_roles, staff_page

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

ClerkPage = Annotated[Workbench, Depends(page_roles(Role.clerk))]
AssignerPage = Annotated[Workbench, Depends(page_roles(*ASSIGN_ROLES))]
FIELDS = ("assignee_id", "department_id", "note")


def _values(form: FormData) -> dict[str, str]:
    return {k: v for k in FIELDS if isinstance(v := form.get(k), str)}


def _again(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    errors: FieldErrors,
    values: dict[str, str],
) -> dict[str, object]:
    return page_again(
        session, rt, principal, case_id, {"assign_errors": errors}, assign_values=values
    )


def _claim(
    session: Session, rt: Runtime, principal: Principal, case_id: int, form: FormData
) -> str | tuple[dict[str, object], int]:
    try:
        service.claim(session, rt, principal, case_id, version=form_version(form))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = FieldErrors()
        errors.add("", exc.detail)
        return _again(session, rt, principal, case_id, errors, {}), exc.status
    return f"/staff/cases/{case_id}?done=claim_case#assignment-title"


def _assign(
    session: Session, rt: Runtime, principal: Principal, case_id: int, form: FormData
) -> str | tuple[dict[str, object], int]:
    values = _values(form)
    try:
        data = AssignWrite.model_validate(
            {
                "assignee_id": values.get("assignee_id") or None,
                "department_id": values.get("department_id") or None,
                "note": values.get("note", "").strip() or None,
                "version": form_version(form),
            }
        )
    except ValidationError as exc:
        return _again(session, rt, principal, case_id, FieldErrors.of_validation(exc), values), 422
    try:
        service.assign(session, rt, principal, case_id, data)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = FieldErrors.of_domain(exc, fallback="assignee_id")
        return _again(session, rt, principal, case_id, errors, values), exc.status
    return f"/staff/cases/{case_id}?done=assign_case#assignment-title"


async def _respond(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    outcome: str | tuple[dict[str, object], int],
) -> Response:
    if isinstance(outcome, str):
        return RedirectResponse(outcome, status_code=303)
    context, status = outcome
    return staff_page(request, rt, staff, "staff/case.html", context, status_code=status)


@router.post("/staff/cases/{case_id}/claim")
async def claim(
    case_id: RowId, request: Request, rt: RuntimeDep, session: WriteSession, staff: ClerkPage
) -> Response:
    form = await read_form(request, rt)
    outcome = await run_in_threadpool(_claim, session, rt, staff.principal, case_id, form)
    return await _respond(request, rt, staff, outcome)


@router.post("/staff/cases/{case_id}/assign")
async def assign(
    case_id: RowId, request: Request, rt: RuntimeDep, session: WriteSession, staff: AssignerPage
) -> Response:
    form = await read_form(request, rt)
    outcome = await run_in_threadpool(_assign, session, rt, staff.principal, case_id, form)
    return await _respond(request, rt, staff, outcome)
