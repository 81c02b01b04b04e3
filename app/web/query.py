"""The applicant's pages: look the case up, follow it, correct it, withdraw it, download letters.

The lookup form posts the number and the query code once; the case is then held by the signed
case cookie (app.web.security), so the code is never in a URL or a log. Every page here calls
the same service functions as the JSON applicant routes (app.intake.router).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from app.cases import repository as cases_repo
from app.cases import service as cases_service
from app.cases.correction import CONTENT_MAX, CorrectionSubmit, local_today
from app.cases.schemas import ApplicantCaseView
from app.db import CommittingRoute, ReadSession
from app.errors import DomainError, NotFound, TooManyAttempts
from app.http.client import client_of
from app.intake import lookup as own_case
from app.intake.throttle import NumberLocked
from app.intake.uploads import Upload
from app.letters import access as letter_access
from app.letters import views as letter_views
from app.letters.responses import document_response
from app.models import Case
from app.releases import delivery as release_delivery
from app.releases.responses import file_response
from app.runtime import Runtime, RuntimeDep
from app.web.errors import wait_in_words
from app.web.forms import FieldErrors, form_version, nest, read_form, text_pairs, uploads
from app.web.security import CaseGrant, forget_case, grant_case, granted_case
from app.web.templating import render

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

LOOKUP, CASE_PAGE = "/query", "/query/case"
NUMBER_MAX, CODE_MAX, REASON_MAX = 80, 64, 2000
WRONG_CODE = "登记编号或查询码不正确"
WITHDRAW, CORRECTION = "withdraw", "record_correction"


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _to_lookup(request: Request) -> Response:
    response = RedirectResponse(LOOKUP, status_code=303)
    forget_case(request, response)
    return response


def _to_case() -> Response:
    return RedirectResponse(CASE_PAGE, status_code=303)


# --- the lookup ---------------------------------------------------------------------------


def _lookup_page(
    request: Request,
    rt: Runtime,
    *,
    number: str = "",
    errors: FieldErrors | None = None,
    status_code: int = 200,
    wait: str | None = None,
    locked: bool = False,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    context = {"number": number, "errors": errors, "wait": wait, "locked": locked}
    return render(
        request, rt, "query_lookup.html", context, status_code=status_code, headers=headers
    )


@router.get(LOOKUP, response_class=HTMLResponse)
def lookup_form(request: Request, rt: RuntimeDep) -> Response:
    return _lookup_page(request, rt)


def _find(rt: Runtime, number: str, code: str, client: str) -> CaseGrant:
    with rt.sessions.read() as session:
        case = own_case.find_own_case(session, rt, number, code, client)
        return CaseGrant(case_id=case.id, number=case.number)


@router.post(LOOKUP)
async def lookup(request: Request, rt: RuntimeDep) -> Response:
    form = await read_form(request, rt)
    number, code = _text(form, "number")[:200], _text(form, "code")[:200]
    errors = FieldErrors()
    if not number:
        errors.add("number", "请填写登记编号")
    if not code:
        errors.add("code", "请填写查询码")
    if errors:
        return _lookup_page(request, rt, number=number, errors=errors, status_code=422)
    try:
        if len(number) > NUMBER_MAX or len(code) > CODE_MAX or "\x00" in number + code:
            raise NotFound(WRONG_CODE)  # no such number or code exists
        grant = await run_in_threadpool(_find, rt, number, code, client_of(request, rt))
    except NotFound:
        errors.add("code", WRONG_CODE)
        return _lookup_page(request, rt, number=number, errors=errors, status_code=404)
    except TooManyAttempts as exc:
        seconds = int(exc.extra.get("retry_after", 60))
        return _lookup_page(
            request,
            rt,
            number=number,
            status_code=429,
            wait=wait_in_words(seconds),
            locked=isinstance(exc, NumberLocked),
            headers={"Retry-After": str(seconds)},
        )
    response = _to_case()
    grant_case(request, response, rt, grant)
    return response


@router.post("/query/leave")
async def leave(request: Request, rt: RuntimeDep) -> Response:
    await read_form(request, rt)
    return _to_lookup(request)


# --- the case page --------------------------------------------------------------------------


def granted(session: Session, request: Request, rt: Runtime) -> Case | None:
    """The case the browser's cookie holds, if it still exists under the number it names."""
    grant = granted_case(request, rt)
    if grant is None:
        return None
    case = cases_repo.case_by_id(session, grant.case_id)
    return case if case is not None and case.number == grant.number else None


def explanation_lines(explanation: str) -> list[str]:
    """The Chinese half of a deadline's explanation, one sentence a line."""
    zh = explanation.split("\n", 1)[0]
    # Sentences end with 。; a tagged note (［解释］, ［说明］...) starts a line of its own.
    return [part for part in re.split(r"(?<=。)|(?=［)", zh) if part.strip()]


def _case_context(session: Session, rt: Runtime, case: Case) -> dict[str, Any]:
    view = cases_service.applicant_case_view(session, rt, case)
    return {
        "view": view,
        "deadlines": [(d, explanation_lines(d.explanation)) for d in view.deadlines],
        "letters": letter_views.applicant_letters(session, case),
        "released_files": release_delivery.applicant_files(session, rt, case),
        "can_correct": CORRECTION in view.applicant_actions,
        "can_withdraw": WITHDRAW in view.applicant_actions,
        "content_max": CONTENT_MAX,
    }


def _case_page(
    request: Request,
    rt: Runtime,
    context: dict[str, Any],
    *,
    errors: FieldErrors | None = None,
    content: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    values = {**context, "errors": errors, "content": content}
    return render(request, rt, "query_case.html", values, status_code=status_code)


@router.get(CASE_PAGE, response_class=HTMLResponse)
def case_page(request: Request, rt: RuntimeDep, session: ReadSession) -> Response:
    case = granted(session, request, rt)
    if case is None:
        return _to_lookup(request)
    return _case_page(request, rt, _case_context(session, rt, case))


@router.get("/query/letters/{letter_id}")
def letter(letter_id: str, request: Request, rt: RuntimeDep, session: ReadSession) -> Response:
    case = granted(session, request, rt)
    if case is None:
        return _to_lookup(request)
    if not letter_id.isdigit() or len(letter_id) > 12:
        raise NotFound("文书不存在 / letter not found")
    # Exactly what the JSON download does, the first download's record of service included.
    doc = letter_access.applicant_download(
        session, rt, case, int(letter_id), client_of(request, rt)
    )
    return document_response(doc, request)


@router.get("/query/released/{file_id}")
def released_file(file_id: str, request: Request, rt: RuntimeDep, session: ReadSession) -> Response:
    case = granted(session, request, rt)
    if case is None:
        return _to_lookup(request)
    if not file_id.isdigit() or len(file_id) > 12:
        raise NotFound("文件不存在 / file not found")
    # Exactly what the JSON download does: logged, the first one the reply's proof of service.
    stored = release_delivery.download(session, rt, case, int(file_id), client_of(request, rt))
    return file_response(stored, request)


# --- acting on the case ----------------------------------------------------------------------


def _field_errors(exc: DomainError, fallback: str) -> FieldErrors:
    """A domain error's messages by the page's field names (a file's index dropped)."""
    errors = FieldErrors()
    for name, message in FieldErrors.of_domain(exc, fallback).items():
        errors.add("attachments" if name.startswith("attachments") else name or fallback, message)
    if not errors:
        errors.add(fallback, exc.detail)
    return errors


def _correct(
    rt: Runtime, request: Request, content: str, files: list[Upload], version: int | None
) -> bool:
    with rt.sessions.write() as session, session.begin():
        case = granted(session, request, rt)
        if case is None:
            return False
        cases_service.applicant_correction(session, rt, case.id, content, files, version)
        return True


def _case_again(
    request: Request, rt: Runtime, errors: FieldErrors, content: str, status_code: int
) -> Response:
    with rt.sessions.read() as session:
        case = granted(session, request, rt)
        if case is None:
            return _to_lookup(request)
        context = _case_context(session, rt, case)
    return _case_page(request, rt, context, errors=errors, content=content, status_code=status_code)


@router.post("/query/case/correction")
async def correction(request: Request, rt: RuntimeDep) -> Response:
    form = await read_form(request, rt)
    if granted_case(request, rt) is None:
        return _to_lookup(request)
    content = _text(form, "content")
    try:
        # The JSON route's model: the same text hygiene and limits.
        data = CorrectionSubmit.model_validate(nest(text_pairs(form)))
    except ValidationError as exc:
        errors = FieldErrors()
        for name, message in FieldErrors.of_validation(exc).items():
            errors.add("content", STALE if name == "version" else message)
        return await run_in_threadpool(
            _case_again, request, rt, errors, content[: CONTENT_MAX * 2], 422
        )
    try:
        files = await uploads(form, "attachments", rt)
        done = await run_in_threadpool(
            _correct, rt, request, data.content or "", files, data.version
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            return _to_lookup(request)
        if exc.status in (409, 428):
            errors = FieldErrors()
            errors.add("content", _conflict_message(exc))
        else:
            errors = _field_errors(exc, "attachments" if exc.status in (413, 415) else "content")
        return await run_in_threadpool(
            _case_again, request, rt, errors, content[: CONTENT_MAX * 2], exc.status
        )
    return _to_case() if done else _to_lookup(request)


def _withdraw_page(
    request: Request,
    rt: Runtime,
    view: ApplicantCaseView,
    *,
    reason: str = "",
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {"view": view, "reason": reason, "errors": errors, "reason_max": REASON_MAX}
    return render(request, rt, "query_withdraw.html", context, status_code=status_code)


@router.get("/query/case/withdraw", response_class=HTMLResponse)
def withdraw_form(request: Request, rt: RuntimeDep, session: ReadSession) -> Response:
    case = granted(session, request, rt)
    if case is None:
        return _to_lookup(request)
    view = cases_service.applicant_case_view(session, rt, case)
    if WITHDRAW not in view.applicant_actions:
        return _to_case()
    return _withdraw_page(request, rt, view)


def _withdraw(rt: Runtime, request: Request, reason: str, version: int | None) -> bool:
    with rt.sessions.write() as session, session.begin():
        case = granted(session, request, rt)
        if case is None:
            return False
        payload = {"withdrawn_on": local_today(rt).isoformat()}
        if reason:
            payload["reason"] = reason
        cases_service.applicant_act(session, rt, case.id, WITHDRAW, payload, version)
        return True


def _withdraw_again(
    request: Request, rt: Runtime, reason: str, errors: FieldErrors, status_code: int
) -> Response:
    with rt.sessions.read() as session:
        case = granted(session, request, rt)
        if case is None:
            return _to_lookup(request)
        view = cases_service.applicant_case_view(session, rt, case)
    return _withdraw_page(request, rt, view, reason=reason, errors=errors, status_code=status_code)


@router.post("/query/case/withdraw")
async def withdraw(request: Request, rt: RuntimeDep) -> Response:
    form = await read_form(request, rt)
    if granted_case(request, rt) is None:
        return _to_lookup(request)
    reason = _text(form, "reason")
    errors = FieldErrors()
    if len(reason) > REASON_MAX:
        errors.add("reason", f"撤回理由最多 {REASON_MAX} 字")
        return await run_in_threadpool(
            _withdraw_again, request, rt, reason[: REASON_MAX * 2], errors, 422
        )
    try:
        done = await run_in_threadpool(_withdraw, rt, request, reason, form_version(form))
    except DomainError as exc:
        if isinstance(exc, NotFound):
            return _to_lookup(request)
        errors.add("reason", _conflict_message(exc))
        return await run_in_threadpool(_withdraw_again, request, rt, reason, errors, exc.status)
    return _to_case() if done else _to_lookup(request)


STALE = "申请的办理情况已有变化，请核对本页内容后重新确认。"


def _conflict_message(exc: DomainError) -> str:
    return STALE if exc.status in (409, 428) else exc.detail
